/**
 * Write units of the rollup Lambda per 1,000 events (issue 23, goal 3), through the whole local
 * system started in this process: a generated stream (events/generators/behavior-stream.ts) is put
 * through the real PutEvents endpoint in windows, ingest writes profiles, decisions and sends, the
 * local stream mapping delivers the table's changes to the rollup Lambda in batches (the stack's
 * batch size), and every DynamoDB request the rollup Lambda makes is counted with
 * ReturnConsumedCapacity (bench/function-meter.ts). Units, not times: they do not move with load.
 *
 *   npx tsx bench/rollup-units.ts --customers 30 --days 7      (small, ~1 min)
 *   npx tsx bench/rollup-units.ts --customers 40 --days 14 --json
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { parseArgs } from 'node:util';
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '#shared/adapters/aws/clients.ts';
import { dynamoItemSize } from '#shared/adapters/dynamo/item-size.ts';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { freePort } from '#local/emulators/ports.ts';
import { FunctionHost } from '#local/lambda/function-host.ts';
import { hideSdkNodeVersionNotice } from '#local/quiet-sdk-warning.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { startLocalSystem } from '#local/system.ts';
import { ROLLUPS_ENTRY } from '#infra/constructs/reports.ts';
import { generateBehaviorStream } from '../events/generators/behavior-stream.ts';
import { rebasedToClock } from './rebase-stream.ts';
import { FunctionMeter } from './function-meter.ts';

/** Events put before the system is let drain; the stream mapping then sees them in batches, as in AWS under load. */
const EVENTS_PER_WINDOW = 500;
const ENTRIES_PER_PUT = 10;
const PUTS_IN_FLIGHT = 4;

export type RollupUnits = Awaited<ReturnType<typeof measureRollupUnits>>;

export async function measureRollupUnits(options: { customers: number; days: number; seed: number; progress?: (message: string) => void }) {
  const progress = options.progress ?? (() => undefined);
  const meter = new FunctionMeter();
  meter.install();
  // Stream records delivered to the rollup Lambda, and its batches (invocations), counted beside the meter.
  const delivered = { records: 0, batches: 0, largestBatch: 0 };
  const inRollups = new AsyncLocalStorage<true>();
  const invoke = FunctionHost.prototype.invoke;
  FunctionHost.prototype.invoke = async function (this: FunctionHost, logicalId: string, event: unknown) {
    if (this.entryOf(logicalId) !== ROLLUPS_ENTRY) return invoke.call(this, logicalId, event);
    const records = (event as { Records?: unknown[] }).Records?.length ?? 0;
    delivered.records += records;
    delivered.batches += 1;
    delivered.largestBatch = Math.max(delivered.largestBatch, records);
    return inRollups.run(true, () => invoke.call(this, logicalId, event));
  };
  // DynamoDB Local reports a transaction's units as those of its first item only (a probe: 6 units
  // for 1, 5 or 20 updates of 3 KB items), so the rollup Lambda's writes are also priced by
  // DynamoDB's documented rule: per item, 1 WRU per started KB of the larger of the item before and
  // after, twice that inside TransactWriteItems (a cancelled transaction priced as if it wrote).
  const documented = { writeUnits: 0, writes: 0, transactions: 0, transactionItems: 0, updates: 0 };
  let probe: DynamoDBDocumentClient | undefined;
  const send = DynamoDBDocumentClient.prototype.send as (...args: unknown[]) => Promise<unknown>;
  (DynamoDBDocumentClient.prototype as { send: unknown }).send = async function (this: DynamoDBDocumentClient, ...args: unknown[]) {
    if (!inRollups.getStore() || !probe) return send.apply(this, args);
    const command = args[0] as { constructor: { name: string }; input: Record<string, unknown> };
    const name = command.constructor.name;
    type Write = { TableName: string; Key: Record<string, unknown> };
    const writes: Write[] = [];
    const keyOf = (w: { TableName: string; Key?: Record<string, unknown>; Item?: Record<string, unknown> }): Write => ({ TableName: w.TableName, Key: w.Key ?? { pk: w.Item!.pk, sk: w.Item!.sk } });
    if (name === 'TransactWriteCommand') {
      for (const item of command.input.TransactItems as Array<Record<string, { TableName: string; Key?: Record<string, unknown>; Item?: Record<string, unknown> }>>) {
        const write = item.Put ?? item.Update ?? item.Delete;
        if (write) writes.push(keyOf(write));
      }
    } else if (name === 'UpdateCommand' || name === 'PutCommand' || name === 'DeleteCommand') {
      writes.push(keyOf(command.input as Write));
    }
    if (writes.length === 0) return send.apply(this, args);
    const sizeOf = async (w: Write) => inRollups.exit(async () => {
      const item = (await probe!.send(new GetCommand({ TableName: w.TableName, Key: w.Key, ConsistentRead: true }))).Item;
      return item ? dynamoItemSize(item) : 0;
    });
    const before = await Promise.all(writes.map(sizeOf));
    try {
      return await send.apply(this, args);
    } finally {
      const after = await Promise.all(writes.map(sizeOf));
      const factor = name === 'TransactWriteCommand' ? 2 : 1;
      for (let i = 0; i < writes.length; i++) documented.writeUnits += factor * Math.max(1, Math.ceil(Math.max(before[i]!, after[i]!) / 1024));
      documented.writes += writes.length;
      if (name === 'TransactWriteCommand') {
        documented.transactions += 1;
        documented.transactionItems += writes.length;
      } else documented.updates += 1;
    }
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
    Object.assign(documented, { writeUnits: 0, writes: 0, transactions: 0, transactionItems: 0, updates: 0 });
    progress(`rollup units: putting ${putEntries.length} events of ${customers.length} customers ...`);
    let next = 0;
    let refused = 0;
    while (next < putEntries.length) {
      const windowEnd = Math.min(putEntries.length, next + EVENTS_PER_WINDOW);
      await Promise.all(
        Array.from({ length: PUTS_IN_FLIGHT }, async () => {
          while (next < windowEnd) {
            const batch = putEntries.slice(next, (next = Math.min(windowEnd, next + ENTRIES_PER_PUT)));
            refused += (await eventBridge.send(new PutEventsCommand({ Entries: batch }))).FailedEntryCount ?? 0;
          }
        }),
      );
      await system.waitForIdle(10 * 60_000);
      progress(`rollup units: ${next}/${putEntries.length} put and processed`);
    }
    await system.waitForIdle(30 * 60_000);
    const events = putEntries.length - refused;
    const rollups = meter.byEntry.get(ROLLUPS_ENTRY);
    const writeUnits = rollups?.writeUnits ?? 0;
    const readUnits = rollups?.readUnits ?? 0;
    const perThousand = (value: number) => round((value / Math.max(1, events)) * 1000, 1);
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
      loadAverage: (await import('node:os')).loadavg().map((load) => round(load, 2)),
    };
  } finally {
    FunctionHost.prototype.invoke = invoke;
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
  ].join('\n');
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { customers: { type: 'string', default: '30' }, days: { type: 'string', default: '7' }, seed: { type: 'string', default: '7' }, json: { type: 'boolean', default: false } } });
  hideSdkNodeVersionNotice();
  const result = await measureRollupUnits({ customers: Number(values.customers), days: Number(values.days), seed: Number(values.seed), progress: (message) => process.stderr.write(`${message}\n`) });
  console.log(values.json ? JSON.stringify(result, null, 2) : `${describeRollupUnits(result)}\n\n${JSON.stringify(result, null, 2)}`);
}
