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
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBClient, paginateScan, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { freePort } from '#local/emulators/ports.ts';
import { replayScenario, type ScenarioLine } from '#local/demo/replay-scenario.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { startLocalSystem } from '#local/system.ts';
import { generateBehaviorStream, type GeneratedEntry } from '../events/generators/behavior-stream.ts';
import { engagementEvents, generateReferenceMix, type SentEmail } from '../events/generators/reference-mix.ts';
import { putInWindows, rebasedToClock } from './rebase-stream.ts';
import { sequenceRunBreakdown } from './sequence-runs.ts';
import { describeRetries, DISPATCH_ENTRY, emptyTotals, FunctionMeter, INGEST_ENTRY, retryReport, type UsageTotals } from './function-meter.ts';

const WEEK_MS = 7 * 86_400_000;
/** The unit pass looks for new sends (to open and click them) every 3 simulated hours. */
const ENGAGEMENT_WINDOW_MS = 3 * 3_600_000;
/**
 * History replayed before the unit pass's window: long enough that the runs the first scoring's
 * interests start (content_recommendation, steps at about 1, 8 and 15 days) are over before it.
 */
export const DEFAULT_UNIT_WARM_DAYS = 16;

export type EndToEndOptions = {
  /** The throughput stream. */
  customers: number;
  days: number;
  seed: number;
  /** The unit pass's stream (replayed one event at a time). */
  unitCustomers: number;
  unitDays: number;
  /** Days of the customers' history replayed before the unit pass's window, not measured (default DEFAULT_UNIT_WARM_DAYS). */
  unitWarmDays?: number;
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
  const system = await startLocalSystem({ ports: { eventBridge: await freePort(), dynamodb: await freePort(), sqs: await freePort(), ses: await freePort() }, log: quiet, handlerLogLevel: 'INFO' }); // INFO: the meter counts log bytes at every level (bytes at WARN are those at WARN and above), and keeps all but errors off the console
  const aws = { region: LOCAL_REGION, credentials: localCredentials };
  const eventBridge = new EventBridgeClient({ ...aws, endpoint: system.endpoints.eventBridge });
  const dynamodb = new DynamoDBClient({ ...aws, endpoint: system.endpoints.dynamodb });
  const busName = requireOutput(system.outputs, 'EventBusName');
  const tableName = requireOutput(system.outputs, 'TableName');
  try {
    // The stream, rebased by whole weeks to the clock's now (as the demo replay does: times of day and
    // weekdays stay), then the clock moved past its end, so every event is in the past when ingested.
    const { customers, entries } = generateBehaviorStream({ customers: options.customers, days: options.days, seed: options.seed, start: '2027-01-04T00:00:00Z' });
    const putEntries = await rebasedToClock(system, entries, busName);

    // --- events/s ----------------------------------------------------------------------------
    meter.reset();
    const emailsBefore = (await sesEmails(system.endpoints.ses)).length;
    progress(`end-to-end: putting ${putEntries.length} events of ${customers.length} customers ...`);
    const started = performance.now();
    // The wall time includes every window's drain, so the figure is sustained throughput, not a burst.
    const { refused } = await putInWindows(eventBridge, system, putEntries, (put) => progress(`end-to-end: ${put}/${putEntries.length} put and processed (${seconds(started)} s)`));
    const putMs = performance.now() - started;
    progress(`end-to-end: all put in ${seconds(started)} s; waiting until idle ...`);
    await system.waitForIdle(30 * 60_000);
    const wallMs = performance.now() - started;
    if (refused > 0) throw new Error(`the bus refused ${refused} of ${putEntries.length} generated events`);
    const loadedSends = (await sesEmails(system.endpoints.ses)).length - emailsBefore;
    const loadedIngest = structuredClone(meter.byEntry.get(INGEST_ENTRY)) ?? emptyTotals();
    // A loaded machine makes a customer's overlapping events retry (write conflicts, timeouts): a figure, not a failed run.
    const loadedRetries = retryReport(putEntries.length, loadedIngest);
    progress(`end-to-end: ingest under load: ${describeRetries(loadedRetries)}`);
    const loadedTotal = meter.total();

    // --- the emulator's raw write rate, same machine, same run -------------------------------------
    progress(`end-to-end: ${options.rawUpdates} raw sequential UpdateItem ...`);
    const rawStarted = performance.now();
    for (let i = 0; i < options.rawUpdates; i++) {
      await dynamodb.send(new UpdateItemCommand({ TableName: tableName, Key: { pk: { S: `BENCH#${i % 50}` }, sk: { S: 'RAW' } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } }));
    }
    const rawPerSecond = (options.rawUpdates / (performance.now() - rawStarted)) * 1000;
    const eventsPerSecond = (putEntries.length / wallMs) * 1000;

    // --- the unit pass: the reference mix, one event at a time, every instant's work done before the next
    // Under load a customer's events overlap (a 14-day stream put in seconds), and the profile's
    // conditional write retries: real, but not what an event costs when they arrive over days.
    // The stream has the reference shop's mix (events/generators/reference-mix.ts); its profiles that
    // exist before the month identify first (not measured), and the opens and clicks are those of
    // the emails the system actually sends, put as the replay reaches them.
    // History before the window (unitWarmDays, not measured): a shop's profiles have their interests,
    // stages and runs already; without it every profile gets its first predicted interests (and the
    // content sequence) in the measured week, which a shop in steady state does not.
    const warmDays = options.unitWarmDays ?? DEFAULT_UNIT_WARM_DAYS;
    const windowStart = '2027-01-04T00:00:00Z';
    const reference = generateReferenceMix({ customers: options.unitCustomers, days: warmDays + options.unitDays, seed: options.seed + 1, start: new Date(Date.parse(windowStart) - warmDays * 86_400_000).toISOString(), customerPrefix: 'unit_' });
    const history = reference.entries.filter((entry) => entry.Time < windowStart);
    const measured = reference.entries.filter((entry) => entry.Time >= windowStart);
    const unitShiftMs = Math.max(0, Math.ceil((system.clock.now().getTime() - Date.parse(reference.existing[0]?.Time ?? reference.entries[0]!.Time)) / WEEK_MS)) * WEEK_MS;
    const rebase = (entry: GeneratedEntry): ScenarioLine => ({ ...entry, Time: shiftIso(entry.Time, unitShiftMs), Detail: { ...entry.Detail, occurredAt: shiftIso(entry.Detail.occurredAt as string, unitShiftMs) } });
    const replay = (lines: ScenarioLine[]) =>
      replayScenario({ lines, eventBridgeEndpoint: system.endpoints.eventBridge, busName, clock: system.clock, waitForBus: () => system.waitForIdle(120_000) });
    const seenSends = new Set<string>();
    /** Replays lines in windows of ENGAGEMENT_WINDOW_MS, adding the opens and clicks of what is sent; returns the events put and the engagement. */
    const replayWithEngagement = async (lines: ScenarioLine[], label: string) => {
      const started = performance.now();
      const queue = [...lines];
      const engagement = { sendsSeen: 0, opens: 0, clicks: 0 };
      let events = 0;
      let windowEnd = queue.length > 0 ? Date.parse(queue[0]!.Time) + ENGAGEMENT_WINDOW_MS : 0;
      while (queue.length > 0) {
        let take = 0;
        while (take < queue.length && Date.parse(queue[take]!.Time) < windowEnd) take += 1;
        if (take === 0) {
          windowEnd = Date.parse(queue[0]!.Time) + ENGAGEMENT_WINDOW_MS;
          continue;
        }
        await replay(queue.splice(0, take));
        events += take;
        if (Math.floor((events - take) / 200) !== Math.floor(events / 200)) progress(`end-to-end: ${label} ${events}/${lines.length}+ (${seconds(started)} s)`);
        const sent = (await sentEmails(dynamodb, tableName, 'unit_')).filter((send) => !seenSends.has(send.sendId));
        if (sent.length > 0) {
          for (const send of sent) seenSends.add(send.sendId);
          engagement.sendsSeen += sent.length;
          // An open the replay has already passed (the send was seen at the window's end) happens now.
          const now = system.clock.now().getTime();
          const opened = engagementEvents({ sends: sent, seed: options.seed }).map((entry): ScenarioLine => {
            const at = new Date(Math.max(now, Date.parse(entry.Time))).toISOString();
            return { ...entry, Time: at, Detail: { ...entry.Detail, occurredAt: at } };
          });
          engagement.opens += opened.filter((entry) => entry.DetailType === 'email_open').length;
          engagement.clicks += opened.filter((entry) => entry.DetailType === 'email_click').length;
          queue.push(...opened);
          queue.sort((a, b) => a.Time.localeCompare(b.Time));
        }
        windowEnd += ENGAGEMENT_WINDOW_MS;
      }
      return { events, engagement };
    };
    progress(`end-to-end: unit pass, ${reference.existing.length} existing profiles identify and ${history.length} events of ${warmDays} days of history (not measured) ...`);
    await replay(reference.existing.map(rebase));
    await replayWithEngagement(history.map(rebase), 'unit pass history');
    await system.waitForIdle(120_000);
    meter.reset();
    const unitEmailsBefore = (await sesEmails(system.endpoints.ses)).length;
    progress(`end-to-end: unit pass, ${measured.length} events of the reference mix one at a time, with the opens and clicks of what is sent ...`);
    const unitStarted = performance.now();
    const { events: unitEvents, engagement } = await replayWithEngagement(measured.map(rebase), 'unit pass');
    await system.waitForIdle(120_000);
    const sends = (await sesEmails(system.endpoints.ses)).length - unitEmailsBefore;
    const ingest = structuredClone(meter.byEntry.get(INGEST_ENTRY)) ?? emptyTotals();
    const unitRetries = retryReport(unitEvents, ingest);
    if (unitRetries.retries > 0) progress(`end-to-end: unit pass ingest: ${describeRetries(unitRetries)}`);
    const profilesInTable = await countProfiles(dynamodb, tableName);
    const mix = Object.fromEntries(Object.entries(countBy(measured.map((entry) => entry.DetailType))).sort(([, a], [, b]) => b - a));
    const byEntry = Object.fromEntries([...meter.byEntry].map(([entry, totals]) => [entry, roundTotals(totals)]));
    const paths = Object.fromEntries([...meter.ingestPaths].map(([path, totals]) => [path, perInvocation(totals)]));
    const dispatch = meter.byEntry.get(DISPATCH_ENTRY);
    const total = meter.total();
    const sequenceRuns = await sequenceRunBreakdown(dynamodb, tableName, 'unit_', meter.stateTransitions);

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
      unitStream: {
        generator: 'reference-mix',
        customers: reference.customers.length,
        signups: reference.customers.filter((customer) => customer.signupDay !== undefined && customer.signupDay >= warmDays).length,
        days: options.unitDays,
        warmDays,
        seed: options.seed + 1,
        events: unitEvents,
        mix,
        engagement,
        profilesInTable,
        seconds: seconds(unitStarted),
        ingestRetries: unitRetries,
      },
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
        ingestRetries: loadedRetries,
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
      sequenceRuns,
      stateTransitions: { executions: meter.stateTransitions.size, transitions: [...meter.stateTransitions.values()].reduce((sum, n) => sum + n, 0), logBytes: meter.stateLogBytes },
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

/** The sends the ledger records as sent, of customers whose ids start with `prefix` (the bench's own reads, not metered). */
async function sentEmails(dynamodb: DynamoDBClient, tableName: string, prefix: string): Promise<SentEmail[]> {
  const sends: SentEmail[] = [];
  const pages = paginateScan(
    { client: dynamodb },
    {
      TableName: tableName,
      FilterExpression: 'begins_with(pk, :pk) AND begins_with(sk, :send) AND #status = :sent',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': { S: `C#${prefix}` }, ':send': { S: 'SEND#' }, ':sent': { S: 'sent' } },
      ProjectionExpression: 'pk, sk, sentAt',
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const sentAt = item.sentAt?.S;
      if (sentAt) sends.push({ customerId: item.pk!.S!.slice('C#'.length), sendId: item.sk!.S!.slice('SEND#'.length), sentAt });
    }
  }
  return sends.sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.sendId.localeCompare(b.sendId));
}

/** Profile items in the table (every customer the scheduled jobs pass over during the unit pass). */
async function countProfiles(dynamodb: DynamoDBClient, tableName: string): Promise<number> {
  let count = 0;
  for await (const page of paginateScan({ client: dynamodb }, { TableName: tableName, Select: 'COUNT', FilterExpression: 'sk = :profile', ExpressionAttributeValues: { ':profile': { S: 'PROFILE' } } })) count += page.Count ?? 0;
  return count;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function shiftIso(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

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
