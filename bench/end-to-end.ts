/**
 * The end-to-end figures of `npm run bench`, on the whole local system started in this process
 * (startLocalSystem: the emulators, the stack's tables, queues, rules and mappings, the real handler
 * modules):
 *
 * - events/s: a generated stream (events/generators/behavior-stream.ts) put through the real
 *   PutEvents endpoint, 10 entries a request, a few requests in flight, in windows of 500 events
 *   each drained before the next, timed until the system is idle; beside it the raw sequential UpdateItem rate of the same DynamoDB Local in the same run.
 *   The emulator is far slower than DynamoDB, so the ratio is the figure.
 * - DynamoDB units per event by path (no rule fired / rule fired / duplicate) and per send, from
 *   ReturnConsumedCapacity through the handlers' own client (bench/function-meter.ts), and every
 *   function's invocations and requests, which the cost model prices.
 * - PutEvents -> email in the SES store: one transactional send at a time (support_follow_up: a
 *   solved ticket; transactional mail is never held for quiet hours), timed to its appearance in
 *   `GET <ses>/store`.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { freePort } from '#local/emulators/ports.ts';
import { replayScenario } from '#local/demo/replay-scenario.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { startLocalSystem } from '#local/system.ts';
import { generateBehaviorStream } from '../events/generators/behavior-stream.ts';
import { DISPATCH_ENTRY, FunctionMeter, INGEST_ENTRY, type UsageTotals } from './function-meter.ts';

const WEEK_MS = 7 * 86_400_000;
/** Events put before the system is let drain (see the events/s pass). */
const EVENTS_PER_WINDOW = 500;
/** PutEvents takes 10 entries a request. */
const ENTRIES_PER_PUT = 10;
const PUTS_IN_FLIGHT = 4;

export type EndToEndOptions = {
  /** The throughput stream. */
  customers: number;
  days: number;
  seed: number;
  /** The unit pass's stream (replayed one event at a time). */
  unitCustomers: number;
  unitDays: number;
  rawUpdates: number;
  latencySends: number;
  progress: (message: string) => void;
};

export async function measureEndToEnd(options: EndToEndOptions) {
  const { progress } = options;
  const meter = new FunctionMeter();
  meter.install();
  const quiet = { info: () => undefined, warn: (message: string) => progress(`local system warn: ${message}`), error: (message: string) => progress(`local system error: ${message}`) };
  progress('end-to-end: starting the local system ...');
  const system = await startLocalSystem({ ports: { eventBridge: await freePort(), dynamodb: await freePort(), sqs: await freePort(), ses: await freePort() }, log: quiet, handlerLogLevel: 'ERROR' });
  const aws = { region: LOCAL_REGION, credentials: localCredentials };
  const eventBridge = new EventBridgeClient({ ...aws, endpoint: system.endpoints.eventBridge });
  const dynamodb = new DynamoDBClient({ ...aws, endpoint: system.endpoints.dynamodb });
  const busName = requireOutput(system.outputs, 'EventBusName');
  const tableName = requireOutput(system.outputs, 'TableName');
  try {
    // The stream, rebased by whole weeks to the clock's now (as the demo replay does: times of day and
    // weekdays stay), then the clock moved past its end, so every event is in the past when ingested.
    const { customers, entries } = generateBehaviorStream({ customers: options.customers, days: options.days, seed: options.seed, start: '2027-01-04T00:00:00Z' });
    const shiftMs = Math.max(0, Math.ceil((system.clock.now().getTime() - Date.parse(entries[0]!.Time)) / WEEK_MS)) * WEEK_MS;
    const shift = (iso: string) => new Date(Date.parse(iso) + shiftMs).toISOString();
    system.clock.advanceTo(new Date(Date.parse(shift(entries.at(-1)!.Time)) + 60_000));
    await system.waitForIdle(120_000); // schedules the jump made due run now, not during the measurement
    const putEntries: PutEventsRequestEntry[] = entries.map((entry) => ({
      Source: entry.Source,
      DetailType: entry.DetailType,
      Detail: JSON.stringify({ ...entry.Detail, occurredAt: shift(entry.Detail.occurredAt as string) }),
      EventBusName: busName,
      Time: new Date(shift(entry.Time)),
    }));

    // --- events/s ----------------------------------------------------------------------------
    meter.reset();
    const emailsBefore = (await sesEmails(system.endpoints.ses)).length;
    progress(`end-to-end: putting ${putEntries.length} events of ${customers.length} customers ...`);
    const started = performance.now();
    let next = 0;
    let put = 0;
    let refused = 0;
    // In windows of EVENTS_PER_WINDOW, each drained before the next: the local bus fans out without
    // Lambda's concurrency limit, so thousands of events at once pile up as sockets waiting on
    // DynamoDB Local until calls time out (AWS would throttle and retry instead). The wall time
    // includes every drain, so the figure is sustained throughput, not a burst.
    while (next < putEntries.length) {
      const windowEnd = Math.min(putEntries.length, next + EVENTS_PER_WINDOW);
      await Promise.all(
        Array.from({ length: PUTS_IN_FLIGHT }, async () => {
          while (next < windowEnd) {
            const batch = putEntries.slice(next, (next = Math.min(windowEnd, next + ENTRIES_PER_PUT)));
            const response = await eventBridge.send(new PutEventsCommand({ Entries: batch }));
            refused += response.FailedEntryCount ?? 0;
            put += batch.length;
          }
        }),
      );
      await system.waitForIdle(10 * 60_000);
      progress(`end-to-end: ${put}/${putEntries.length} put and processed (${seconds(started)} s)`);
    }
    const putMs = performance.now() - started;
    progress(`end-to-end: all put in ${seconds(started)} s; waiting until idle ...`);
    await system.waitForIdle(30 * 60_000);
    const wallMs = performance.now() - started;
    if (refused > 0) throw new Error(`the bus refused ${refused} of ${putEntries.length} generated events`);
    const loadedSends = (await sesEmails(system.endpoints.ses)).length - emailsBefore;
    const loadedIngest = structuredClone(meter.byEntry.get(INGEST_ENTRY));
    if (!loadedIngest || loadedIngest.invocations !== putEntries.length) throw new Error(`ingest ran ${loadedIngest?.invocations ?? 0} times for ${putEntries.length} events`);
    const loadedTotal = meter.total();

    // --- the emulator's raw write rate, same machine, same run -------------------------------------
    progress(`end-to-end: ${options.rawUpdates} raw sequential UpdateItem ...`);
    const rawStarted = performance.now();
    for (let i = 0; i < options.rawUpdates; i++) {
      await dynamodb.send(new UpdateItemCommand({ TableName: tableName, Key: { pk: { S: `BENCH#${i % 50}` }, sk: { S: 'RAW' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } }));
    }
    const rawPerSecond = (options.rawUpdates / (performance.now() - rawStarted)) * 1000;
    const eventsPerSecond = (putEntries.length / wallMs) * 1000;

    // --- the unit pass: one event at a time, every instant's work done before the next ------------
    // Under load a customer's events overlap (a 14-day stream put in seconds), and the profile's
    // conditional write retries: real, but not what an event costs when they arrive over days.
    const unitStream = generateBehaviorStream({ customers: options.unitCustomers, days: options.unitDays, seed: options.seed + 1, start: '2027-01-04T00:00:00Z', customerPrefix: 'unit_' });
    meter.reset();
    const unitEmailsBefore = (await sesEmails(system.endpoints.ses)).length;
    progress(`end-to-end: unit pass, ${unitStream.entries.length} events one at a time ...`);
    const unitStarted = performance.now();
    await replayScenario({
      lines: unitStream.entries.map((entry) => ({ ...entry, Detail: entry.Detail as Record<string, unknown> })),
      eventBridgeEndpoint: system.endpoints.eventBridge,
      busName,
      clock: system.clock,
      waitForBus: () => system.waitForIdle(120_000),
      onProgress: (done, all) => void (done % 200 === 0 && progress(`end-to-end: unit pass ${done}/${all} (${seconds(unitStarted)} s)`)),
    });
    await system.waitForIdle(120_000);
    const unitEvents = unitStream.entries.length;
    const sends = (await sesEmails(system.endpoints.ses)).length - unitEmailsBefore;
    const ingest = structuredClone(meter.byEntry.get(INGEST_ENTRY));
    if (!ingest || ingest.invocations !== unitEvents) throw new Error(`ingest ran ${ingest?.invocations ?? 0} times for ${unitEvents} events`);
    const byEntry = Object.fromEntries([...meter.byEntry].map(([entry, totals]) => [entry, roundTotals(totals)]));
    const paths = Object.fromEntries([...meter.ingestPaths].map(([path, totals]) => [path, perInvocation(totals)]));
    const dispatch = meter.byEntry.get(DISPATCH_ENTRY);
    const total = meter.total();

    // --- PutEvents -> email in the SES store ------------------------------------------------------
    progress(`end-to-end: latency of ${options.latencySends} transactional sends ...`);
    const latencies: number[] = [];
    for (let i = 0; i < options.latencySends; i++) {
      const customerId = `bench_latency_${String(i).padStart(4, '0')}`;
      const email = `${customerId}@example.com`;
      const now = system.clock.now().toISOString();
      const detail = (type: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
        JSON.stringify({ eventId: `${customerId}-${type}`, customerId, occurredAt: now, properties, ...extra });
      await eventBridge.send(new PutEventsCommand({ Entries: [{ Source: 'shop.web', DetailType: 'identify', Detail: detail('identify', { email, firstName: 'Lat' }, { email }), EventBusName: busName }] }));
      await system.waitForIdle(60_000);
      const sent = performance.now();
      await eventBridge.send(new PutEventsCommand({ Entries: [{ Source: 'support.helpdesk', DetailType: 'support_ticket', Detail: detail('support_ticket', { ticketId: `t-${i}`, status: 'solved' }), EventBusName: busName }] }));
      latencies.push(await waitForEmail(system.endpoints.ses, email, sent, 30_000));
      await system.waitForIdle(60_000);
    }
    latencies.sort((a, b) => a - b);

    return {
      stream: { customers: customers.length, days: options.days, seed: options.seed, events: putEntries.length },
      unitStream: { customers: unitStream.customers.length, days: options.unitDays, seed: options.seed + 1, events: unitEvents, seconds: seconds(unitStarted) },
      throughput: {
        eventsPerSecond: round(eventsPerSecond, 1),
        putSeconds: round(putMs / 1000, 1),
        untilIdleSeconds: round(wallMs / 1000, 1),
        dynamodbLocalUpdateItemPerSecond: round(rawPerSecond, 1),
        rawUpdates: options.rawUpdates,
        eventsPerSecondToRawUpdateItem: round(eventsPerSecond / rawPerSecond, 3),
        sends: loadedSends,
        // Under load: includes the profile write retries of a customer's overlapping events.
        ingestUnitsPerEvent: perInvocation(loadedIngest),
        allFunctionsUnitsPerEvent: { readUnits: round(loadedTotal.readUnits / putEntries.length, 2), writeUnits: round(loadedTotal.writeUnits / putEntries.length, 2) },
      },
      sends,
      requestUnits: {
        ingestPerEvent: perInvocation(ingest),
        ingestByPath: paths,
        perSend: dispatch && sends > 0 ? { readUnits: round(dispatch.readUnits / sends, 2), writeUnits: round(dispatch.writeUnits / sends, 2), dynamoRequests: round(dispatch.dynamoRequests / sends, 2) } : undefined,
        allFunctionsPerEvent: { readUnits: round(total.readUnits / unitEvents, 2), writeUnits: round(total.writeUnits / unitEvents, 2) },
      },
      functions: byEntry,
      latencyMs: { sends: latencies.length, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1) },
    };
  } finally {
    eventBridge.destroy();
    dynamodb.destroy();
    progress('end-to-end: stopping the local system ...');
    await system.stop();
  }
}

type SesEmail = { destination: { to: string[] } };

async function sesEmails(endpoint: string): Promise<SesEmail[]> {
  return ((await (await fetch(`${endpoint}/store`)).json()) as { emails: SesEmail[] }).emails;
}

/** Milliseconds from `since` until an email to `address` is in the SES store. */
async function waitForEmail(endpoint: string, address: string, since: number, timeoutMs: number): Promise<number> {
  for (;;) {
    const emails = await sesEmails(endpoint);
    if (emails.some((email) => email.destination.to.includes(address))) return Math.round(performance.now() - since);
    if (performance.now() - since > timeoutMs) throw new Error(`no email to ${address} within ${timeoutMs} ms of its PutEvents`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function perInvocation(totals: UsageTotals) {
  const n = Math.max(1, totals.invocations);
  return { events: totals.invocations, readUnits: round(totals.readUnits / n, 2), writeUnits: round(totals.writeUnits / n, 2), dynamoRequests: round(totals.dynamoRequests / n, 2) };
}

function roundTotals(totals: UsageTotals): UsageTotals {
  return { ...totals, durationMs: Math.round(totals.durationMs), readUnits: round(totals.readUnits, 1), writeUnits: round(totals.writeUnits, 1) };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | undefined {
  return sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const seconds = (since: number) => round((performance.now() - since) / 1000, 1);
