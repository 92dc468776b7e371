/**
 * Report time against DynamoDB Local (`npm run bench:reports`): the trigger-performance report over
 * a year of daily rollups for every rule and sequence step of the catalog. Reports read rollups only,
 * so their time depends on triggers × days, never on the number of profiles; this measures the worst
 * case a year brings.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRollups, MAX_ROLLUP_WRITES } from '#shared/adapters/dynamo/rollup-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import type { RollupIncrement } from '#shared/domain/reports/rollups.ts';
import { makeTriggerPerformanceReport } from '#shared/services/reports/trigger-performance.ts';
import { stepRule } from '#shared/services/run-sequence-step.ts';
import { startDynamoDbLocal } from '#local/emulators/dynamodb-local.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { freePort } from '#local/emulators/ports.ts';
import { StackTemplate } from '#local/stack/cloud-template.ts';
import { createStackTables } from '#local/stack/provision.ts';
import { synthesizeNudgeTemplate } from '#infra/synthesize.ts';

const DAYS = 365;
const dynamodb = await startDynamoDbLocal(await freePort());
const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: dynamodb.endpoint });
try {
  const documentClient = DynamoDBDocumentClient.from(client);
  const tableName = [...(await createStackTables(new StackTemplate(synthesizeNudgeTemplate().template), client)).values()][0]!;
  const rollups = new DynamoRollups(documentClient, tableName);
  const ids = [...defaultCatalog.rules.map((rule) => rule.id), ...defaultCatalog.sequences.flatMap((sequence) => sequence.steps.map((_, i) => stepRule(sequence, i).id))];
  const now = new Date('2026-11-23T12:00:00Z');
  const increments: RollupIncrement[] = ids.flatMap((ruleId) =>
    Array.from({ length: DAYS }, (_, d) => ({
      scope: ruleId,
      day: new Date(now.getTime() - d * 86_400_000).toISOString().slice(0, 10),
      counters: { matched: 40, fired: 30, suppressed: 10, suppressed_cooldown: 10, sent: 30, delivered: 29, opened: 12, clicked: 4, converted: 1, conversions: 1, revenue: 49.9 },
    })),
  );
  for (let i = 0; i < increments.length; i += MAX_ROLLUP_WRITES) await rollups.apply(increments.slice(i, i + MAX_ROLLUP_WRITES), `bench-${i}`);

  const report = makeTriggerPerformanceReport({ rollups, catalog: defaultCatalog, clock: { now: () => now } });
  await report(); // warm-up (JIT, connections)
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    const result = await report();
    times.push(performance.now() - started);
    if (result.rows.length !== ids.length) throw new Error('the report lost rows');
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ triggers: ids.length, days: DAYS, rollupItems: increments.length, reportMs: { median: Math.round(times[2]!), min: Math.round(times[0]!), max: Math.round(times[4]!) } }, null, 2));
} finally {
  client.destroy();
  await dynamodb.stop();
}
