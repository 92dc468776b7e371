/**
 * Write units of the rollup Lambda per 1,000 events (issue 23, goal 3), through the whole local
 * system started in this process: a generated stream (events/generators/behavior-stream.ts) is put
 * through the real PutEvents endpoint in windows, ingest writes profiles, decisions and sends, the
 * local stream mapping delivers the table's changes to the rollup Lambda in batches (the stack's
 * batch size), and every DynamoDB request the rollup Lambda makes is counted with
 * ReturnConsumedCapacity (bench/function-meter.ts). Units, not times: they do not move with load.
 *
 * The stream records the rollup Lambda received are then run again through the real rollup service
 * (shared/services/update-rollups.ts on an in-memory table) cut into batches of a given size, to
 * price the deployed mapping's batches: at the reference rate (10M events a month) the batching
 * window fills batches of hundreds of records, which a local run never sees.
 *
 *   npx tsx bench/rollup-units.ts --customers 30 --days 7      (small, ~1 min)
 *   npx tsx bench/rollup-units.ts --customers 40 --days 14 --json --batch-sizes 1,10,100,500
 *   npx tsx bench/rollup-units.ts --customers 30 --days 7 --records-out /tmp/records.json   (then --records-in: the batched figures alone)
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { createDocumentClient } from '#shared/adapters/aws/clients.ts';
import { dynamoItemSize } from '#shared/adapters/dynamo/item-size.ts';
import { DynamoRollups, MAX_ROLLUP_WRITES, WRITES_PER_LOGGED_CONVERSION } from '#shared/adapters/dynamo/rollup-repository.ts';
import { tableChangesOf } from '#shared/adapters/dynamo/table-stream-changes.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { makeUpdateRollups } from '#shared/services/update-rollups.ts';
import { streamRecordBytes, STREAM_PAYLOAD_LIMIT_BYTES } from '#local/dynamodb/stream-batches.ts';
import { MemoryTable } from '#local/memory/memory-table.ts';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { freePort } from '#local/emulators/ports.ts';
import { FunctionHost } from '#local/lambda/function-host.ts';
import { hideSdkNodeVersionNotice } from '#local/quiet-sdk-warning.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { startLocalSystem } from '#local/system.ts';
import { ROLLUPS_ENTRY, ROLLUPS_STREAM_BATCHING } from '#infra/constructs/reports.ts';
import { REFERENCE_MONTH } from '../events/generators/reference-mix.ts';
import { generateBehaviorStream } from '../events/generators/behavior-stream.ts';
import { putInWindows, rebasedToClock } from './rebase-stream.ts';
import { FunctionMeter } from './function-meter.ts';


export type RollupUnits = Awaited<ReturnType<typeof measureRollupUnits>>;

export async function measureRollupUnits(options: { customers: number; days: number; seed: number; sweep?: number[]; keepRecords?: boolean; progress?: (message: string) => void }) {
  const progress = options.progress ?? (() => undefined);
  const meter = new FunctionMeter();
  meter.install();
  // Stream records delivered to the rollup Lambda, and its batches (invocations), counted beside the meter.
  const delivered = { records: 0, batches: 0, largestBatch: 0 };
  const captured = new CapturedRecords();
  const inRollups = new AsyncLocalStorage<true>();
  const unhook = hookRollupInvocations((records, invoke) => {
    delivered.records += records.length;
    delivered.batches += 1;
    delivered.largestBatch = Math.max(delivered.largestBatch, records.length);
    captured.add(records);
    return inRollups.run(true, invoke);
  });
  // DynamoDB Local reports a transaction's units as those of its first item only (a probe: 6 units
  // for 1, 5 or 20 updates of 3 KB items), so the rollup Lambda's writes are also priced by
  // DynamoDB's documented rule (sendPricedByDocumentedRule).
  let documented = noDocumentedWrites();
  let probe: DynamoDBDocumentClient | undefined;
  const send = DynamoDBDocumentClient.prototype.send as (...args: unknown[]) => Promise<unknown>;
  (DynamoDBDocumentClient.prototype as { send: unknown }).send = async function (this: DynamoDBDocumentClient, ...args: unknown[]) {
    if (!inRollups.getStore() || !probe) return send.apply(this, args);
    const sizeOf = async (w: WriteTarget) =>
      inRollups.exit(async () => {
        const item = (await probe!.send(new GetCommand({ TableName: w.TableName, Key: w.Key, ConsistentRead: true }))).Item;
        return item ? dynamoItemSize(item) : 0;
      });
    return sendPricedByDocumentedRule(args[0] as WriteCommand, () => send.apply(this, args), sizeOf, documented);
  };
  const quiet = { info: () => undefined, warn: (message: string) => progress(`local system warn: ${message}`), error: (message: string) => progress(`local system error: ${message}`) };
  progress('rollup units: starting the local system ...');
  const system = await startLocalSystem({ ports: { eventBridge: await freePort(), dynamodb: await freePort(), sqs: await freePort(), ses: await freePort() }, log: quiet, handlerLogLevel: 'ERROR' });
  const eventBridge = new EventBridgeClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: system.endpoints.eventBridge });
  probe = createDocumentClient({ config: { region: LOCAL_REGION, credentials: localCredentials, endpoint: system.endpoints.dynamodb } });
  try {
    const busName = requireOutput(system.outputs, 'EventBusName');
    const { customers, entries } = generateBehaviorStream({ customers: options.customers, days: options.days, seed: options.seed, start: '2027-01-04T00:00:00Z' });
    const putEntries = await rebasedToClock(system, entries, busName);
    meter.reset();
    Object.assign(delivered, { records: 0, batches: 0, largestBatch: 0 });
    captured.clear();
    documented = noDocumentedWrites();
    progress(`rollup units: putting ${putEntries.length} events of ${customers.length} customers ...`);
    // Windows drained one after the other: the stream mapping then sees them in batches, as in AWS under load.
    const { refused } = await putInWindows(eventBridge, system, putEntries, (put) => progress(`rollup units: ${put}/${putEntries.length} put and processed`));
    await system.waitForIdle(30 * 60_000);
    const events = putEntries.length - refused;
    const rollups = meter.byEntry.get(ROLLUPS_ENTRY);
    const writeUnits = rollups?.writeUnits ?? 0;
    const readUnits = rollups?.readUnits ?? 0;
    const perThousand = (value: number) => round((value / Math.max(1, events)) * 1000, 1);
    progress(`rollup units: ${captured.records.length} stream records run again through the rollup service in batches ...`);
    const batched = await rollupUnitsAtReferenceRate(captured.records, events);
    // Other batch sizes on request (--batch-sizes 1,10,100): how the units fall as batches grow.
    const sweep = [];
    for (const size of options.sweep ?? []) {
      const units = await rollupUnitsInBatches(captured.records, size);
      sweep.push({ batchSize: size, writeUnitsPerThousandEvents: perThousand(units.writeUnits), transactions: units.transactions, itemWrites: units.writes });
    }
    return {
      stream: { customers: customers.length, days: options.days, seed: options.seed, events, refused },
      delivered: { ...delivered, recordsPerBatch: round(delivered.records / Math.max(1, delivered.batches), 1) },
      // As DynamoDB Local reports them (transactions under-reported, see above).
      reported: { invocations: rollups?.invocations ?? 0, writeUnits: round(writeUnits, 1), readUnits: round(readUnits, 1), dynamoRequests: rollups?.dynamoRequests ?? 0 },
      reportedPerThousandEvents: { writeUnits: perThousand(writeUnits), readUnits: perThousand(readUnits), dynamoRequests: perThousand(rollups?.dynamoRequests ?? 0) },
      // By DynamoDB's documented rule from the items' sizes: what DynamoDB bills.
      documented: { ...documented, writeUnits: round(documented.writeUnits, 1) },
      perThousandEvents: { writeUnits: perThousand(documented.writeUnits), itemWrites: perThousand(documented.writes), readUnits: perThousand(readUnits) },
      writeUnitsPerStreamRecord: round(documented.writeUnits / Math.max(1, delivered.records), 3),
      batched,
      sweep,
      // The records themselves on request (--records-out): a few MB.
      ...(options.keepRecords ? { records: captured.records.slice() } : {}),
      loadAverage: (await import('node:os')).loadavg().map((load) => round(load, 2)),
    };
  } finally {
    unhook();
    (DynamoDBDocumentClient.prototype as { send: unknown }).send = send;
    probe.destroy();
    eventBridge.destroy();
    progress('rollup units: stopping the local system ...');
    await system.stop();
  }
}

export function describeRollupUnits(r: RollupUnits): string {
  return [
    `Rollup Lambda (${r.stream.events} events of ${r.stream.customers} customers over ${r.stream.days} days through the local system; ${r.delivered.records} stream records in ${r.delivered.batches} batches, ${r.delivered.recordsPerBatch} a batch):`,
    `  ${r.perThousandEvents.writeUnits} WRU per 1,000 events by DynamoDB's rule (${r.perThousandEvents.itemWrites} item writes; ${r.writeUnitsPerStreamRecord} WRU per stream record; ${r.documented.transactions} transactions, ${r.documented.updates} single writes), ${r.perThousandEvents.readUnits} RRU`,
    `  DynamoDB Local reports ${r.reportedPerThousandEvents.writeUnits} WRU per 1,000 events (it prices a transaction as its first item)`,
    describeBatchedRollupUnits(r.batched),
  ].join('\n');
}

// --- pricing by DynamoDB's documented rule ---------------------------------------------------------

export type WriteTarget = { TableName: string; Key: Record<string, unknown> };
type WriteCommand = { constructor: { name: string }; input: Record<string, unknown> };
type WriteInput = { TableName: string; Key?: Record<string, unknown>; Item?: Record<string, unknown> };
export type DocumentedWrites = { writeUnits: number; writes: number; transactions: number; transactionItems: number; updates: number };
export const noDocumentedWrites = (): DocumentedWrites => ({ writeUnits: 0, writes: 0, transactions: 0, transactionItems: 0, updates: 0 });

/**
 * Sends a command with `send`; when it writes, adds its units by DynamoDB's documented rule to
 * `tally`: per item, 1 WRU per started KB of the larger of the item before and after (`sizeOf`),
 * twice that inside TransactWriteItems (a cancelled transaction priced as if it wrote).
 */
export async function sendPricedByDocumentedRule(command: WriteCommand, send: () => Promise<unknown>, sizeOf: (target: WriteTarget) => Promise<number>, tally: DocumentedWrites): Promise<unknown> {
  const name = command.constructor.name;
  const targetOf = (w: WriteInput): WriteTarget => ({ TableName: w.TableName, Key: w.Key ?? { pk: w.Item!.pk, sk: w.Item!.sk } });
  const targets: WriteTarget[] = [];
  if (name === 'TransactWriteCommand') {
    for (const item of command.input.TransactItems as Array<Record<string, WriteInput>>) {
      const write = item.Put ?? item.Update ?? item.Delete;
      if (write) targets.push(targetOf(write));
    }
  } else if (name === 'UpdateCommand' || name === 'PutCommand' || name === 'DeleteCommand') {
    targets.push(targetOf(command.input as WriteInput));
  }
  if (targets.length === 0) return send();
  const before = await Promise.all(targets.map(sizeOf));
  try {
    return await send();
  } finally {
    const after = await Promise.all(targets.map(sizeOf));
    const factor = name === 'TransactWriteCommand' ? 2 : 1;
    for (let i = 0; i < targets.length; i++) tally.writeUnits += factor * Math.max(1, Math.ceil(Math.max(before[i]!, after[i]!) / 1024));
    tally.writes += targets.length;
    if (name === 'TransactWriteCommand') {
      tally.transactions += 1;
      tally.transactionItems += targets.length;
    } else tally.updates += 1;
  }
}

// --- the rollup Lambda's records, run again in the deployed mapping's batches ----------------------

/**
 * Wraps every invocation of the rollup Lambda by the local system (the stream poller's) with
 * `around`, which gets the batch's records and the invocation to run; returns the undo.
 */
export function hookRollupInvocations(around: (records: DynamoDBRecord[], invoke: () => Promise<unknown>) => Promise<unknown>): () => void {
  const invoke = FunctionHost.prototype.invoke;
  FunctionHost.prototype.invoke = async function (this: FunctionHost, logicalId: string, event: unknown) {
    if (this.entryOf(logicalId) !== ROLLUPS_ENTRY) return invoke.call(this, logicalId, event);
    return around((event as { Records?: DynamoDBRecord[] }).Records ?? [], () => invoke.call(this, logicalId, event));
  };
  return () => {
    FunctionHost.prototype.invoke = invoke;
  };
}

/** The distinct stream records the rollup Lambda was given, in delivery order (a retried record once). */
export class CapturedRecords {
  readonly records: DynamoDBRecord[] = [];
  private readonly seen = new Set<string>();
  add(records: readonly DynamoDBRecord[]): void {
    for (const record of records) {
      const id = `${record.eventSourceARN}|${record.dynamodb?.SequenceNumber}|${JSON.stringify(record.dynamodb?.Keys)}`;
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      this.records.push(record);
    }
  }
  clear(): void {
    this.records.length = 0;
    this.seen.clear();
  }
}

const REPLAY_TABLE = 'rollup-units';
const silentLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The rollup service as the Lambda runs it (same store, limits and record mapping), on a fresh
 * in-memory table, over `records` cut in stream order into batches of `batchSize`; its writes priced
 * by DynamoDB's documented rule.
 */
export async function rollupUnitsInBatches(records: readonly DynamoDBRecord[], batchSize: number) {
  const table = new MemoryTable({ tableName: REPLAY_TABLE, key: { partitionKey: 'pk', sortKey: 'sk' } });
  const tally = noDocumentedWrites();
  const sizeOf = async (target: WriteTarget) => {
    const item = (await table.send(new GetCommand({ TableName: REPLAY_TABLE, Key: target.Key }))).Item as Record<string, unknown> | undefined;
    return item ? dynamoItemSize(item) : 0;
  };
  const client = { send: (command: WriteCommand) => sendPricedByDocumentedRule(command, () => table.send(command), sizeOf, tally) } as unknown as DynamoDBDocumentClient;
  const updateRollups = makeUpdateRollups({
    rollups: new DynamoRollups(client, REPLAY_TABLE, { conversionRetentionDays: defaultCatalog.settings.sendRetentionDays }),
    log: silentLog,
    maxWrites: MAX_ROLLUP_WRITES,
    writesPerConversion: WRITES_PER_LOGGED_CONVERSION,
  });
  let batches = 0;
  for (let at = 0; at < records.length; at += batchSize, batches += 1) {
    const result = await updateRollups(tableChangesOf(records.slice(at, at + batchSize)));
    if (result.failedFrom) throw new Error(`the rollup service failed a batch from ${result.failedFrom} on the in-memory table`);
  }
  return { batchSize, batches, ...tally };
}

/**
 * Stream shards the reference table's records are spread over. DynamoDB Streams has a shard per
 * table partition, and each shard is batched on its own: an on-demand table starts able to take
 * 4,000 WCU, which AWS serves from at least 4 partitions (1,000 WCU each). More shards mean smaller
 * batches, so this errs on the costly side for a 100,000-profile table.
 */
export const REFERENCE_SHARDS = 4;

/**
 * The batch the deployed mapping gets at the reference rate: each shard's records over the batching
 * window (events a second x stream records an event / shards x window), at most BatchSize and what
 * fits the 6 MB payload.
 */
export function referenceBatchSize(input: { records: readonly DynamoDBRecord[]; events: number; batchSize: number; windowSeconds: number; shards?: number }) {
  const eventsPerSecond = REFERENCE_MONTH.events / (REFERENCE_MONTH.days * 86_400);
  const recordsPerEvent = input.records.length / Math.max(1, input.events);
  const meanBytes = input.records.reduce((sum, record) => sum + streamRecordBytes(record), 0) / Math.max(1, input.records.length);
  const perWindow = (eventsPerSecond * recordsPerEvent * input.windowSeconds) / (input.shards ?? REFERENCE_SHARDS);
  const size = Math.max(1, Math.min(input.batchSize, Math.floor(STREAM_PAYLOAD_LIMIT_BYTES / Math.max(1, meanBytes)), Math.floor(perWindow)));
  return { size, eventsPerSecond: round(eventsPerSecond, 2), recordsPerEvent: round(recordsPerEvent, 2), meanRecordBytes: Math.round(meanBytes), shards: input.shards ?? REFERENCE_SHARDS };
}

/**
 * Rollup write units per 1,000 events by DynamoDB's documented rule, from the records of a pass
 * over `events` events: at batch size 1 (a record an invocation) and at the deployed mapping's
 * batch at the reference rate (ROLLUPS_STREAM_BATCHING, infra/constructs/reports.ts).
 */
export async function rollupUnitsAtReferenceRate(records: readonly DynamoDBRecord[], events: number) {
  const mapping = { batchSize: ROLLUPS_STREAM_BATCHING.batchSize, windowSeconds: ROLLUPS_STREAM_BATCHING.maxBatchingWindowSeconds };
  const deployed = referenceBatchSize({ records, events, ...mapping });
  const perThousand = (units: number) => round((units / Math.max(1, events)) * 1000, 1);
  const atOne = await rollupUnitsInBatches(records, 1);
  const atDeployed = await rollupUnitsInBatches(records, deployed.size);
  return {
    mapping,
    deployed,
    records: records.length,
    events,
    atBatchOfOne: { ...atOne, writeUnitsPerThousandEvents: perThousand(atOne.writeUnits) },
    atDeployedBatch: { ...atDeployed, writeUnitsPerThousandEvents: perThousand(atDeployed.writeUnits) },
  };
}
export type BatchedRollupUnits = Awaited<ReturnType<typeof rollupUnitsAtReferenceRate>>;

export function describeBatchedRollupUnits(b: BatchedRollupUnits): string {
  return [
    `  by DynamoDB's rule, ${b.records} stream records run again through the rollup service: ${b.atBatchOfOne.writeUnitsPerThousandEvents} WRU per 1,000 events in batches of 1,`,
    `  ${b.atDeployedBatch.writeUnitsPerThousandEvents} in the deployed mapping's batches of ${b.deployed.size} (${b.deployed.eventsPerSecond} events/s x ${b.deployed.recordsPerEvent} records an event / ${b.deployed.shards} shards x ${b.mapping.windowSeconds} s window, BatchSize ${b.mapping.batchSize}; ${b.atDeployedBatch.transactions} transactions)`,
  ].join('\n');
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { customers: { type: 'string', default: '30' }, days: { type: 'string', default: '7' }, seed: { type: 'string', default: '7' }, json: { type: 'boolean', default: false }, 'batch-sizes': { type: 'string' }, 'records-out': { type: 'string' }, 'records-in': { type: 'string' } },
  });
  hideSdkNodeVersionNotice();
  const sweep = values['batch-sizes']?.split(',').map(Number) ?? [];
  if (values['records-in']) {
    // Only the batched figures, from the records a run saved (--records-out): for trying changes to the rollup service quickly.
    const saved = JSON.parse(readFileSync(values['records-in'], 'utf8')) as { events: number; records: DynamoDBRecord[] };
    const batched = await rollupUnitsAtReferenceRate(saved.records, saved.events);
    const rows = [];
    for (const size of sweep) rows.push({ batchSize: size, writeUnitsPerThousandEvents: round(((await rollupUnitsInBatches(saved.records, size)).writeUnits / saved.events) * 1000, 1) });
    console.log(`${describeBatchedRollupUnits(batched)}\n${JSON.stringify({ batched, sweep: rows }, null, 2)}`);
  } else {
    const result = await measureRollupUnits({ customers: Number(values.customers), days: Number(values.days), seed: Number(values.seed), sweep, keepRecords: values['records-out'] !== undefined, progress: (message) => process.stderr.write(`${message}\n`) });
    if (values['records-out']) writeFileSync(values['records-out'], JSON.stringify({ events: result.stream.events, records: result.records }));
    const { records: _records, ...shown } = result;
    console.log(values.json ? JSON.stringify(shown, null, 2) : `${describeRollupUnits(result)}\n\n${JSON.stringify(shown, null, 2)}`);
  }
}
