/**
 * Scoring throughput against DynamoDB Local (`npm run bench:scoring`, and a figure of `npm run bench`): profiles scored per second per
 * worker, at one and at eight profiles in flight, and four workers side by side; with the raw
 * UpdateItem rate of the same DynamoDB Local in the same run, since the emulator (one JVM, in
 * memory) is far slower than DynamoDB: read the ratios. Every run scores every profile a week after
 * the last, so each profile costs what a weekly run costs (a snapshot Query and Put, a profile Put).
 *
 *   npm run bench:scoring -- --profiles 2000
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoModelStore } from '#shared/adapters/dynamo/model-store.ts';
import { DynamoProfileScanner, DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoQuarantine } from '#shared/adapters/dynamo/quarantine-repository.ts';
import { DynamoScoringRuns } from '#shared/adapters/dynamo/scoring-run-repository.ts';
import { DynamoSegmentMembershipStore } from '#shared/adapters/dynamo/segment-membership-repository.ts';
import { DynamoTrainingSnapshots } from '#shared/adapters/dynamo/training-snapshot-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { parseBehaviorEvent } from '#shared/contract/index.ts';
import type { ScoringTask, SegmentResult } from '#shared/domain/predictive/scoring-runs.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { makePlanScoring } from '#shared/services/plan-scoring.ts';
import { makeScoreSegment } from '#shared/services/score-segment.ts';
import { startDynamoDbLocal } from '#local/emulators/dynamodb-local.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { freePort } from '#local/emulators/ports.ts';
import { StackTemplate } from '#local/stack/cloud-template.ts';
import { createStackTables } from '#local/stack/provision.ts';
import { synthesizeNudgeTemplate } from '#infra/synthesize.ts';
import { LOCAL_STACK_CONTEXT } from '#local/stack/local-context.ts';
import { generateChurnPopulation } from '../events/generators/churn-population.ts';

const DAY_MS = 86_400_000;

export type ScoringThroughput = Awaited<ReturnType<typeof measureScoringThroughput>>;

/** Scores `customers` generated profiles in three weekly runs (1x1, 1x8, 4x8 workers x in flight), on its own DynamoDB Local. */
export async function measureScoringThroughput(options: { customers: number; progress?: (message: string) => void }) {
  const { customers } = options;
  const progress = options.progress ?? (() => undefined);
  const dynamodb = await startDynamoDbLocal(await freePort());
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: dynamodb.endpoint });
  const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  try {
    const tableName = [...(await createStackTables(new StackTemplate(synthesizeNudgeTemplate({ context: LOCAL_STACK_CONTEXT }).template), client)).values()][0]!;
    const profiles = new DynamoProfileStore(documentClient, tableName);

    // A generated population's profiles after 90 days (the pure domain applies their events, as ingest would).
    const start = Date.parse('2026-01-05T00:00:00Z');
    const { entries } = generateChurnPopulation({ customers, days: 90, seed: 3, start: new Date(start).toISOString() });
    const built = new Map<string, Profile>();
    for (const entry of entries) {
      const parsed = parseBehaviorEvent({ source: entry.Source, detailType: entry.DetailType, detail: entry.Detail });
      if (!parsed.ok) continue;
      const change = applyEvent(built.get(parsed.event.customerId), parsed.event, new Date(parsed.event.occurredAt));
      if (change.type === 'applied') built.set(parsed.event.customerId, change.profile);
    }
    for (const profile of built.values()) await profiles.save(profile, undefined);
    progress(`scoring: ${built.size} profiles written`);

    // The emulator's raw write rate, for the ratio.
    const rawStarted = performance.now();
    const raw = 1000;
    for (let i = 0; i < raw; i++) {
      await documentClient.send(new UpdateCommand({ TableName: tableName, Key: { pk: `BENCH#${i % 50}`, sk: 'RAW' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }));
    }
    const rawPerSecond = Math.round((raw / (performance.now() - rawStarted)) * 1000);

    let now = new Date(start + 90 * DAY_MS);
    const clock = { now: () => now };
    const queued: ScoringTask[] = [];
    const runs = new DynamoScoringRuns(documentClient, tableName);
    const common = {
      profiles,
      snapshots: new DynamoTrainingSnapshots(documentClient, tableName),
      models: new DynamoModelStore(documentClient, tableName),
      runs,
      tasks: { enqueue: async (tasks: ScoringTask[]) => void queued.push(...tasks) },
      bus: { publish: async () => undefined },
      membership: new DynamoSegmentMembershipStore(documentClient, tableName),
      catalog: defaultCatalog,
      clock,
      log: { debug() {}, info() {}, warn() {}, error() {} },
    };
    const scanner = new DynamoProfileScanner(documentClient, tableName, { log: common.log, clock, quarantine: new DynamoQuarantine(documentClient, tableName) });

    /** One weekly run with `workers` segments worked at once, each `concurrency` profiles in flight. */
    const run = async (workers: number, concurrency: number) => {
      now = new Date(now.getTime() + 7 * DAY_MS);
      const plan = await makePlanScoring({ ...common, scanner, profileCount: async () => 0, segmentBounds: { min: workers, max: workers } })();
      const scoreSegment = makeScoreSegment({ ...common, scanner, concurrency });
      const started = performance.now();
      await Promise.all(queued.splice(0).map((task) => scoreSegment(task, () => 900_000)));
      const wallMs = performance.now() - started;
      const segments: SegmentResult[] = await runs.segments(plan.runId);
      const scanned = segments.reduce((sum, s) => sum + s.scanned, 0);
      return { workers, concurrency, scanned, perWorker: segments.map((s) => s.profilesPerSecond).sort((a, b) => a - b), overall: Math.round((scanned / wallMs) * 1000) };
    };

    const results = [];
    for (const [workers, concurrency] of [[1, 1], [1, 8], [4, 8]] as const) {
      results.push(await run(workers, concurrency));
      progress(`scoring: ${workers} worker(s) x ${concurrency} in flight done`);
    }
    return { profiles: built.size, dynamodbLocalUpdateItemPerSecond: rawPerSecond, runs: results.map((r) => ({ ...r, overallToRawUpdateItem: Math.round((r.overall / rawPerSecond) * 1000) / 1000 })) };
  } finally {
    client.destroy();
    await dynamodb.stop();
  }
}
