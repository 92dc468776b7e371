/**
 * Report time against DynamoDB Local (`npm run bench:reports`, and a figure of `npm run bench`): every report, on one table holding
 * 100,000 profiles, the aggregates they imply and a year of rollups (one JSON object on stdout,
 * progress on stderr).
 *
 * - Profiles: 100,000 seeded customers (bench/report-fixtures.ts), written with BatchWriteItem;
 *   alongside them, a year of daily rollups for every rule and sequence step, every segment the
 *   reports list and all sends, and the population's behavior, and a 90-day conversion log (300 a
 *   day, 1–3 touches each).
 * - The aggregates the profiles imply, kept the production way: each profile goes through the
 *   rollup path (makeUpdateRollups) as a stream insert, 100 to a batch, one batch at a time as one
 *   shard's Lambda would, so the live per-segment statistics are what the rollup path maintains;
 *   its rate (profiles/s) is reported. Then a year of the drift check's daily snapshots of them.
 * - Each report's time (median, min and max of `--runs` runs after a warm-up). The aggregate
 *   reports read a bounded number of items (rules × days, segments × days, one LIVE item per
 *   segment, and for attribution the window's logged conversions), so their time follows the
 *   catalog, the window and the conversions in it, never the number of profiles. The segment
 *   experiment is the exception: its criteria are ad hoc, so it scans every profile and its time
 *   grows with the population (`--experiment-runs` runs each at 4 and 16 scan segments, no warm-up:
 *   one scan of 100,000 profiles takes minutes here).
 *
 * The defaults (3 and 1 runs) keep a run near ten minutes on a 2-core machine; with 3 experiment
 * runs it takes about 18. DynamoDB Local (one JVM, in memory, sharing the cores with the bench) is
 * far slower than DynamoDB, and its Scan does not speed up with more segments: read the figures as
 * upper bounds.
 *
 *   npm run bench:reports -- --profiles 5000 --runs 5 --experiment-runs 3
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDriftReports } from '#shared/adapters/dynamo/drift-report-repository.ts';
// profileItem: the profile's table item as DynamoProfileStore writes it; readableProfileItem: that item as the rollup handler reads its stream image.
import { DynamoProfileScanner, profileItem } from '#shared/adapters/dynamo/profile-repository.ts';
import { readableProfileItem } from '#shared/adapters/dynamo/profile-codec.ts';
import { DynamoQuarantine } from '#shared/adapters/dynamo/quarantine-repository.ts';
import { DynamoRollups, MAX_ROLLUP_WRITES, WRITES_PER_LOGGED_CONVERSION } from '#shared/adapters/dynamo/rollup-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import type { InternalEvent } from '#shared/domain/internal-events.ts';
import type { InternalEventBus, Log } from '#shared/domain/ports.ts';
import type { Profile } from '#shared/domain/profile.ts';
import { BEHAVIOR_SCOPE, segmentStatsScope } from '#shared/domain/reports/profile-aggregates.ts';
import { ALL_SENDS, segmentScope } from '#shared/domain/reports/rollups.ts';
import { ALL_PROFILES } from '#shared/domain/reports/segment-stats.ts';
import { makeAttributionReport } from '#shared/services/reports/attribution.ts';
import { catalogSegments } from '#shared/services/reports/catalog-segments.ts';
import { makeBehaviorPatternsReport, makeSegmentOptimizerReport } from '#shared/services/reports/behavior.ts';
import { makeDriftCheck, makeDriftReport } from '#shared/services/reports/drift.ts';
import { makeSegmentExperimentReport } from '#shared/services/reports/segment-experiment.ts';
import { makeSegmentPerformanceReport } from '#shared/services/reports/segment-performance.ts';
import { makeTriggerPerformanceReport, triggerIds } from '#shared/services/reports/trigger-performance.ts';
import { makeUpdateRollups, type TableChange } from '#shared/services/update-rollups.ts';
import { startDynamoDbLocal } from '#local/emulators/dynamodb-local.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { freePort } from '#local/emulators/ports.ts';
import { StackTemplate } from '#local/stack/cloud-template.ts';
import { createStackTables } from '#local/stack/provision.ts';
import { synthesizeNudgeTemplate } from '#infra/synthesize.ts';
import { LOCAL_STACK_CONTEXT } from '#local/stack/local-context.ts';
import { behaviorRollups, conversionLog, generateProfiles, segmentRollups, triggerRollups } from './report-fixtures.ts';

const DAYS = 365;
const CONVERSION_DAYS = 90;
const CONVERSIONS_PER_DAY = 300;
/** BatchWriteItem's limit, and how many batches are in flight: DynamoDB Local gains little beyond a few. */
const BATCH_WRITE = 25;
const WRITERS = 8;
/** A stream batch (the rollup mapping's batchSize). */
const STREAM_BATCH = 100;
const PROGRESS_EVERY = 10_000;

const catalog = defaultCatalog;
const now = new Date('2026-11-23T12:00:00Z');
const clock = { now: () => now };
const seconds = (since: number) => Math.round((performance.now() - since) / 100) / 10;

/** `workers` copies of `work` at once (each pulls its own next piece of a shared queue). */
const inParallel = (workers: number, work: () => Promise<void>) => Promise.all(Array.from({ length: workers }, work));

/** Times `runs` runs of a report, after a warm-up (JIT, connections) unless told otherwise; `check` guards against timing a wrong answer. */
async function timed<T>(runs: number, report: () => Promise<T>, check: (result: T) => void, warmUp = true) {
  if (warmUp) check(await report());
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const result = await report();
    times.push(performance.now() - started);
    check(result);
  }
  times.sort((a, b) => a - b);
  return { median: Math.round(times[Math.floor(runs / 2)]!), min: Math.round(times[0]!), max: Math.round(times[runs - 1]!) };
}

function ensure(condition: boolean, message: string): void {
  if (!condition) throw new Error(`bench check failed: ${message}`);
}

export type ReportTimeOptions = { profiles: number; runs: number; experimentRuns: number; progress?: (message: string) => void };
export type ReportTime = Awaited<ReturnType<typeof measureReportTime>>;

/** Builds the table (its own DynamoDB Local) and times every report on it; see the top of this file. */
export async function measureReportTime(options: ReportTimeOptions) {
  const { profiles: PROFILES, runs: RUNS, experimentRuns: EXPERIMENT_RUNS } = options;
  for (const [name, value] of Object.entries({ profiles: PROFILES, runs: RUNS, 'experiment-runs': EXPERIMENT_RUNS })) ensure(Number.isInteger(value) && value >= 1, `--${name} must be a whole number of at least 1`);
  const progress = options.progress ?? ((message: string) => void process.stderr.write(`${message}\n`));
  // The services' info logs are per page or per thousand profiles: noise here. Warnings are not.
  const log: Log = { debug() {}, info() {}, warn: (message, ...extra) => progress(`warn: ${message} ${JSON.stringify(extra)}`), error: (message, ...extra) => progress(`error: ${message} ${JSON.stringify(extra)}`) };
  const benchStarted = performance.now();
  const dynamodb = await startDynamoDbLocal(await freePort());
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: dynamodb.endpoint });
  try {
    const documentClient = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const tableName = [...(await createStackTables(new StackTemplate(synthesizeNudgeTemplate({ context: LOCAL_STACK_CONTEXT }).template), client)).values()][0]!;
    const rollups = new DynamoRollups(documentClient, tableName, { conversionRetentionDays: catalog.settings.sendRetentionDays });

    const ids = triggerIds(catalog);
    // The segments the reports list (a family's bands one by one).
    const segmentIds = catalogSegments(catalog).map((segment) => segment.id);

    // --- 1. profiles, and the year of rollups alongside ----------------------------------------------
    // The two touch different items, and one is bound by this process's CPU (generating profiles), the
    // other by DynamoDB Local's transactions: together they take little more than the longer one.
    const conversions = conversionLog({ days: CONVERSION_DAYS, perDay: CONVERSIONS_PER_DAY, now, triggerIds: ids, customers: PROFILES, windowHours: catalog.settings.attributionWindowHours, seed: 4 });
    const year = inQueue([
      ...transactions(triggerRollups(ids, DAYS, now)).map((chunk) => async () => void (await rollups.apply({ increments: chunk }))),
      ...transactions(segmentRollups(segmentIds, DAYS, now, 2)).map((chunk) => async () => void (await rollups.apply({ increments: chunk }))),
      ...transactions(behaviorRollups(DAYS, now, 3)).map((chunk) => async () => void (await rollups.apply({ increments: chunk }))),
      ...transactions(conversions, MAX_ROLLUP_WRITES / WRITES_PER_LOGGED_CONVERSION).map((chunk) => async () => void (await rollups.apply({ increments: [], conversions: chunk }))),
    ]);

    // Kept in memory as their table items: the same images are then fed to the rollup path.
    const items: Array<Record<string, unknown>> = [];
    const profiles = generateProfiles({ count: PROFILES, seed: 1, now, catalog });
    let generateMs = 0;
    const nextBatch = () => {
      const started = performance.now();
      const batch: Array<Record<string, unknown>> = [];
      for (let next = profiles.next(); !next.done; next = profiles.next()) {
        batch.push(profileItem(next.value));
        if (batch.length === BATCH_WRITE) break;
      }
      items.push(...batch.map(readableProfileItem));
      generateMs += performance.now() - started;
      return batch;
    };
    const writeStarted = performance.now();
    let written = 0;
    let writeMs = 0;
    const profilesWritten = inParallel(WRITERS, async () => {
      for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
        await batchWrite(documentClient, tableName, batch);
        written += batch.length;
        if (written % PROGRESS_EVERY === 0) progress(`profiles written: ${written} (${seconds(writeStarted)} s)`);
      }
    }).then(() => void (writeMs = performance.now() - writeStarted));
    await Promise.all([profilesWritten, year]);
    progress(`profiles, a year of rollups and ${conversions.length} logged conversions written (${seconds(writeStarted)} s)`);
    const setupMs = performance.now() - writeStarted;

    // --- 2. the aggregates the profiles imply, through the rollup path ----------------------------
    let feedTransactions = 0;
    const updateRollups = makeUpdateRollups({
      rollups: {
        apply: async (batch) => {
          feedTransactions += 1;
          return rollups.apply(batch);
        },
        continueMarker: (marker) => rollups.continueMarker(marker),
      },
      log,
      maxWrites: MAX_ROLLUP_WRITES,
      writesPerConversion: WRITES_PER_LOGGED_CONVERSION,
    });
    const feedStarted = performance.now();
    for (let i = 0; i < items.length; i += STREAM_BATCH) {
      let changes: TableChange[] = items.slice(i, i + STREAM_BATCH).map((newImage, j) => ({ sequenceNumber: String(i + j + 1).padStart(20, '0'), oldImage: undefined, newImage }));
      // As Lambda does with a partial batch failure: retry from the change the answer names.
      for (let attempt = 1; ; attempt++) {
        const { failedFrom } = await updateRollups(changes);
        if (!failedFrom) break;
        ensure(attempt < 4, `rollup batch from ${failedFrom} kept failing`);
        changes = changes.slice(changes.findIndex((change) => change.sequenceNumber === failedFrom));
      }
      if ((i + STREAM_BATCH) % PROGRESS_EVERY === 0) progress(`profiles through the rollup path: ${i + STREAM_BATCH} (${seconds(feedStarted)} s)`);
    }
    const feedMs = performance.now() - feedStarted;

    // The drift check's daily snapshots of each segment's live statistics: a year old deployment has one a day.
    const snapshotsStarted = performance.now();
    const live = await Promise.all(segmentIds.map(async (id) => ({ scope: segmentStatsScope(id), counters: await rollups.live(segmentStatsScope(id)) })));
    await inQueue(live.flatMap(({ scope, counters }) => Array.from({ length: DAYS }, (_, d) => () => rollups.snapshot(scope, new Date(now.getTime() - (d + 1) * DAY_MS).toISOString().slice(0, 10), counters))));
    progress(`a year of drift snapshots written (${seconds(snapshotsStarted)} s)`);
    const statsScopes = new Set([ALL_PROFILES, ...segmentIds, ...items.flatMap((item) => Object.keys(item.segments as Profile['segments']))].map(segmentStatsScope));
    const scopes = new Set([...ids, BEHAVIOR_SCOPE, segmentScope(ALL_SENDS), ...segmentIds.map(segmentScope), ...statsScopes]);
    // Profiles and log entries are checked where they are read (the experiment's scan, the 90-day attribution).
    const tableSizes = { profiles: PROFILES, rollupItems: await countRollupItems(rollups, scopes), conversionLogEntries: conversions.length };
    progress(`table: ${JSON.stringify(tableSizes)}`);

    // --- 3. each report ---------------------------------------------------------------------------
    const deps = { rollups, catalog, clock };
    const driftReports = new DynamoDriftReports(documentClient, tableName);
    const published: InternalEvent[] = [];
    const bus: InternalEventBus = { publish: async (events) => void published.push(...events) };
    const triggerPerformance = makeTriggerPerformanceReport(deps);
    const segmentPerformance = makeSegmentPerformanceReport(deps);
    const attribution = makeAttributionReport(deps);
    const behaviorPatterns = makeBehaviorPatternsReport(deps);
    const segmentOptimizer = makeSegmentOptimizerReport(deps);
    const driftCheck = makeDriftCheck({ ...deps, reports: driftReports, bus, log });
    const driftReport = makeDriftReport({ reports: driftReports });

    const reportMs = {
      triggerPerformance: await timed(RUNS, triggerPerformance, (r) => ensure(r.rows.length === ids.length, 'trigger performance lost rows')),
      segmentPerformance30d: await timed(RUNS, () => segmentPerformance({ days: 30 }), (r) => ensure(r.rows.length === segmentIds.length, 'segment performance lost segments')),
      attribution30d: await timed(RUNS, () => attribution({ days: 30 }), (r) => ensure(r.conversions.count === 30 * CONVERSIONS_PER_DAY, 'attribution (30 days) lost conversions')),
      attribution90d: await timed(RUNS, () => attribution({ days: 90 }), (r) => ensure(r.conversions.count === 90 * CONVERSIONS_PER_DAY, 'attribution (90 days) lost conversions')),
      // The population's statistics come from the LIVE items the rollup path kept: every profile must be in them.
      behaviorPatterns30d: await timed(RUNS, () => behaviorPatterns({ days: 30 }), (r) => ensure(r.engagement.customers === PROFILES, `behavior patterns counts ${r.engagement.customers} customers`)),
      segmentOptimizer: await timed(RUNS, segmentOptimizer, (r) => ensure(r.segments.length === segmentIds.length, 'segment optimizer lost segments')),
      driftCheck: await timed(RUNS, driftCheck, (r) => ensure(r.segments.length === segmentIds.length, 'drift check lost segments')),
      driftReport: await timed(RUNS, driftReport, (r) => ensure(r.segments.length === segmentIds.length, 'drift report lost segments')),
    };
    progress(`aggregate reports timed: ${JSON.stringify(reportMs)}`);

    const request: unknown = JSON.parse(readFileSync(new URL('../events/experiments/engaged-threshold.json', import.meta.url), 'utf8'));
    const scanner = new DynamoProfileScanner(documentClient, tableName, { log, clock: { now: () => new Date() }, quarantine: new DynamoQuarantine(documentClient, tableName) });
    const segmentExperiment: Record<string, { ms: { median: number; min: number; max: number }; profilesPerSecond: number }> = {};
    for (const totalSegments of [4, 16]) {
      const experiment = makeSegmentExperimentReport({ scanner, totalSegments, clock, log });
      const ms = await timed(EXPERIMENT_RUNS, () => experiment(request), (r) => ensure(r.profilesScanned === PROFILES, `the experiment scanned ${r.profilesScanned} profiles`), false);
      segmentExperiment[`scanSegments${totalSegments}`] = { ms, profilesPerSecond: Math.round((PROFILES / ms.median) * 1000) };
      progress(`segment experiment, ${totalSegments} scan segments: ${JSON.stringify(ms)}`);
    }

    return {
      profiles: PROFILES,
      tableSizes,
      // Generated and written while the year of rollups was written alongside: setupSeconds covers both.
      profileWrites: { seconds: Math.round(writeMs / 100) / 10, generateSeconds: Math.round(generateMs / 100) / 10, profilesPerSecond: Math.round((PROFILES / writeMs) * 1000), setupSeconds: Math.round(setupMs / 100) / 10 },
      rollupPath: { seconds: Math.round(feedMs / 100) / 10, profilesPerSecond: Math.round((PROFILES / feedMs) * 1000), transactions: feedTransactions },
      year: { days: DAYS, triggers: ids.length, segments: segmentIds.length, conversionDays: CONVERSION_DAYS, conversionsPerDay: CONVERSIONS_PER_DAY },
      runs: { reports: RUNS, experiment: EXPERIMENT_RUNS },
      reportMs,
      segmentExperiment,
      driftEventsPublished: published.length,
      benchSeconds: seconds(benchStarted),
    };
  } finally {
    client.destroy();
    await dynamodb.stop();
  }
}

async function batchWrite(documentClient: DynamoDBDocumentClient, tableName: string, items: Array<Record<string, unknown>>): Promise<void> {
  let pending: Record<string, unknown[]> | undefined = { [tableName]: items.map((Item) => ({ PutRequest: { Item } })) };
  for (let attempt = 0; pending && Object.keys(pending).length > 0; attempt++) {
    ensure(attempt <= 8, 'profiles stayed unprocessed after retries');
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
    const result = await documentClient.send(new BatchWriteCommand({ RequestItems: pending as never }));
    pending = result.UnprocessedItems as typeof pending;
  }
}

/** Writes that touch different items, WRITERS at a time. */
async function inQueue(writes: Array<() => Promise<void>>): Promise<void> {
  let next = 0;
  await inParallel(WRITERS, async () => {
    while (next < writes.length) await writes[next++]!();
  });
}

/** Rollup writes cut into transactions of MAX_ROLLUP_WRITES (`size` entries when each takes more than one write). */
function transactions<T>(entries: readonly T[], size = MAX_ROLLUP_WRITES): T[][] {
  return Array.from({ length: Math.ceil(entries.length / size) }, (_, i) => entries.slice(i * size, (i + 1) * size));
}

/**
 * Rollup items per scope the bench wrote to (its days, and its LIVE item when it has one), read
 * through the repository. Not a Scan: DynamoDB Local's Scan pages slow down with the table's size,
 * and a full one of this table takes many minutes.
 */
async function countRollupItems(rollups: DynamoRollups, scopes: ReadonlySet<string>): Promise<number> {
  const counts = await Promise.all([...scopes].map(async (scope) => (await rollups.days(scope)).length + (Object.keys(await rollups.live(scope)).length > 0 ? 1 : 0)));
  return counts.reduce((sum, count) => sum + count, 0);
}
