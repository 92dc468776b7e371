/**
 * The AWS bill the local run implies (a figure of `npm run bench`): the invocations, durations,
 * DynamoDB units and requests counted in the end-to-end unit pass (bench/function-meter.ts), priced
 * with the list prices of bench/aws-prices.json. What was not counted is assumed, and every
 * assumption is returned with the figures so the summary prints it.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { FunctionBundle } from './bundle-size.ts';
import { REFERENCE_MONTH } from '../events/generators/reference-mix.ts';
import { DISPATCH_ENTRY, logBytesAtLevel, type LogLevelName, type UsageTotals } from './function-meter.ts';

const Price = z.object({ usd: z.number().nonnegative(), source: z.string().min(1), asOf: z.string().min(1) });
const PriceFile = z.object({
  region: z.string(),
  currency: z.literal('USD'),
  prices: z.object({
    lambdaRequestsPerMillion: Price,
    lambdaArmGbSecond: Price,
    dynamodbWriteRequestUnitsPerMillion: Price,
    dynamodbReadRequestUnitsPerMillion: Price,
    sqsRequestsPerMillion: Price,
    eventBridgeCustomEventsPerMillion: Price,
    schedulerInvocationsPerMillion: Price,
    sesPerThousandEmails: Price,
    stepFunctionsStandardPerThousandTransitions: Price,
    cloudWatchLogsIngestionPerGb: Price,
    xrayTracesRecordedPerMillion: Price,
    dynamodbStoragePerGbMonth: Price,
    dynamodbPitrPerGbMonth: Price,
    eventBridgeArchivePerGb: Price,
    eventBridgeArchiveStoragePerGbMonth: Price,
  }),
  saas: z.object({ customerIoMonthly: Price, klaviyoMonthly: Price }),
});
export type PriceFile = z.infer<typeof PriceFile>;

export function readPrices(path = new URL('./aws-prices.json', import.meta.url)): PriceFile {
  const parsed = PriceFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`bench/aws-prices.json: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}

/** Not counted by the run; assumed (and printed). */
export const ASSUMPTIONS = {
  /** An SQS-triggered invocation: the poller's ReceiveMessage and DeleteMessageBatch (empty polls not counted). */
  sqsRequestsPerSqsInvocation: 2,
  /** The sequence machine per step: WaitForStep, RunStep, MoreSteps; per execution: the start and Finished. */
  stepFunctionsTransitionsPerStep: 3,
  stepFunctionsTransitionsPerExecution: 2,
  /** Memory when a function's is unknown. */
  defaultMemoryMb: 256,
  /**
   * The Lambda line's duration is modelled rather than the wall time measured against the local
   * emulators (which grows with the machine's load: $9 quiet, $58 loaded for the same run): each
   * invocation's CPU time (bench/function-meter.ts), stretched by Lambda's CPU share (a full vCPU
   * at 1,769 MB, proportionally less below), plus each AWS request it made times a typical
   * in-region latency for that service (assumed, not measured: the emulators' latency is not AWS's).
   */
  lambdaFullVcpuMemoryMb: 1769,
  awsRequestLatencyMs: { dynamodb: 5, sqs: 10, eventbridge: 20, scheduler: 30, sfn: 30, ses: 50 } as Record<string, number>,
};

/** Requests counted in `calls` that are not requests (PutEvents entries are billed, not waited on). */
const NOT_REQUESTS = new Set(['eventbridge:entries']);

/**
 * An invocation's billed duration as modelled from what does not depend on the machine's load: CPU
 * time at Lambda's CPU share for `memoryMb`, plus the AWS requests made times their assumed latency.
 */
export function modelledDurationMs(totals: Pick<UsageTotals, 'cpuMs' | 'dynamoRequests' | 'calls'>, memoryMb: number): number {
  const cpu = totals.cpuMs * Math.max(1, ASSUMPTIONS.lambdaFullVcpuMemoryMb / memoryMb);
  const latency = ASSUMPTIONS.awsRequestLatencyMs;
  const waits =
    totals.dynamoRequests * (latency.dynamodb ?? 0) +
    Object.entries(totals.calls)
      .filter(([name]) => !NOT_REQUESTS.has(name))
      .reduce((sum, [name, count]) => sum + count * (latency[name.split(':')[0]!] ?? 0), 0);
  return cpu + waits;
}

type Breakdown = { lambdaRequests: number; lambdaDuration: number; dynamodb: number; sqs: number; eventBridge: number; scheduler: number; ses: number; stepFunctions: number; logs: number };

/** The bill of `usage` (summed over the functions given) plus `events` put on the bus and `emails` sent. */
function price(prices: PriceFile['prices'], usage: Array<[string, UsageTotals]>, memoryOf: (entry: string) => number, extra: { busEvents: number; emails: number }): Breakdown {
  const cost: Breakdown = { lambdaRequests: 0, lambdaDuration: 0, dynamodb: 0, sqs: 0, eventBridge: 0, scheduler: 0, ses: 0, stepFunctions: 0, logs: 0 };
  const call = (totals: UsageTotals, name: string) => totals.calls[name] ?? 0;
  for (const [entry, totals] of usage) {
    cost.lambdaRequests += (totals.invocations / 1e6) * prices.lambdaRequestsPerMillion.usd;
    cost.lambdaDuration += (totals.durationMs / 1000) * (memoryOf(entry) / 1024) * prices.lambdaArmGbSecond.usd;
    cost.dynamodb += (totals.writeUnits / 1e6) * prices.dynamodbWriteRequestUnitsPerMillion.usd + (totals.readUnits / 1e6) * prices.dynamodbReadRequestUnitsPerMillion.usd;
    const sqsRequests = call(totals, 'sqs:SendMessage') + call(totals, 'sqs:SendMessageBatch') + totals.sqsSourced * ASSUMPTIONS.sqsRequestsPerSqsInvocation;
    cost.sqs += (sqsRequests / 1e6) * prices.sqsRequestsPerMillion.usd;
    cost.eventBridge += (call(totals, 'eventbridge:entries') / 1e6) * prices.eventBridgeCustomEventsPerMillion.usd;
    cost.scheduler += (call(totals, 'scheduler:CreateSchedule') / 1e6) * prices.schedulerInvocationsPerMillion.usd;
    const transitions = call(totals, 'sfn:StartExecution') * ASSUMPTIONS.stepFunctionsTransitionsPerExecution + (entry.endsWith('run-step.ts') ? totals.invocations * ASSUMPTIONS.stepFunctionsTransitionsPerStep : 0);
    cost.stepFunctions += (transitions / 1000) * prices.stepFunctionsStandardPerThousandTransitions.usd;
    // The bytes the function logged at the deployed level (WARN: Lambda's platform lines are INFO and dropped), counted by the meter.
    cost.logs += (logBytesAtLevel(totals.logBytes, 'WARN') / 1e9) * prices.cloudWatchLogsIngestionPerGb.usd;
  }
  cost.eventBridge += (extra.busEvents / 1e6) * prices.eventBridgeCustomEventsPerMillion.usd;
  cost.ses += (extra.emails / 1000) * prices.sesPerThousandEmails.usd;
  return cost;
}

const total = (breakdown: Breakdown) => Object.values(breakdown).reduce((sum, usd) => sum + usd, 0);
const scaled = (breakdown: Breakdown, factor: number) => Object.fromEntries(Object.entries(breakdown).map(([key, usd]) => [key, Math.round(usd * factor * 10_000) / 10_000])) as Breakdown;

/**
 * Per million events: every event-driven function of the unit pass (the scheduled jobs, whose cost
 * follows the profiles and the days rather than the events, are priced apart, per 1,000 profiles
 * per day) plus the events themselves on the bus. Per 1,000 sends: the send path alone (the
 * dispatcher, its queue and SES).
 */
export function estimateCost(input: { functions: Record<string, UsageTotals>; events: number; sends: number; profiles: number; days: number; bundles: FunctionBundle[]; prices: PriceFile }) {
  const memory = new Map(input.bundles.map((bundle) => [bundle.entry, bundle.memoryMb]));
  const memoryOf = (entry: string) => memory.get(entry) ?? ASSUMPTIONS.defaultMemoryMb;
  const all = Object.entries(input.functions);
  const scheduled = all.filter(([entry]) => entry.startsWith('functions/scheduled/'));
  const eventDriven = all.filter(([entry]) => !entry.startsWith('functions/scheduled/'));
  const perEvents = price(input.prices.prices, eventDriven, memoryOf, { busEvents: input.events, emails: input.sends });
  const sendPath = price(input.prices.prices, all.filter(([entry]) => entry === DISPATCH_ENTRY), memoryOf, { busEvents: 0, emails: input.sends });
  const scheduledCost = price(input.prices.prices, scheduled, memoryOf, { busEvents: 0, emails: 0 });
  const perMillionEvents = scaled(perEvents, 1e6 / input.events);
  const perThousandSends = input.sends > 0 ? scaled(sendPath, 1000 / input.sends) : undefined;
  const profileDays = (input.profiles * input.days) / 1000;
  return {
    region: input.prices.region,
    perMillionEventsUsd: Math.round(total(perEvents) * (1e6 / input.events) * 100) / 100,
    perMillionEvents,
    perThousandSendsUsd: perThousandSends ? Math.round(total(perThousandSends) * 10_000) / 10_000 : undefined,
    perThousandSends,
    scheduledPerThousandProfileDaysUsd: Math.round((total(scheduledCost) / profileDays) * 10_000) / 10_000,
    sendsPerEvent: Math.round((input.sends / input.events) * 1000) / 1000,
    assumptions: {
      ...ASSUMPTIONS,
      durations: 'each function\'s measured wall time in the unit pass (one event at a time, against the emulators), times its configured memory (arm64)',
      memoryMb: Object.fromEntries([...memory].filter(([entry]) => input.functions[entry])),
      requestUnits: 'DynamoDB units as DynamoDB Local reported them (ReturnConsumedCapacity), priced as on-demand request units; item sizes are the generated stream\'s',
      meanDurationMs: Object.fromEntries(all.map(([entry, totals]) => [entry, Math.round((totals.durationMs / Math.max(1, totals.invocations)) * 10) / 10])),
      notCounted: 'free tiers, DynamoDB storage and streams reads (free for Lambda triggers), data transfer, X-Ray, KMS requests of encrypted queues, empty SQS polls',
    },
  };
}

/** What the stack sets per function (a synth of the template): memory, X-Ray mode, log level. */
export type FunctionSetting = { entry: string; memoryMb: number; tracing: 'Active' | 'PassThrough'; logLevel: LogLevelName };

/** The settings of every function of the synthesized template (`template` of synthesizeNudgeTemplate). */
export function functionSettings(template: { Resources: Record<string, { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, unknown> }> }): FunctionSetting[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.['nudge:entry'])
    .map((resource) => ({
      entry: String(resource.Metadata!['nudge:entry']),
      memoryMb: Number(resource.Properties?.MemorySize ?? 128),
      tracing: resource.Properties?.TracingConfig?.Mode === 'Active' ? 'Active' : 'PassThrough',
      logLevel: String(resource.Properties?.LoggingConfig?.ApplicationLogLevel ?? 'INFO') as LogLevelName,
    }));
}

const SECONDS_PER_MONTH = REFERENCE_MONTH.days * 86_400;

/**
 * Traces a month that Lambda's active tracing records for `invocations` spread evenly over the
 * month: its fixed rule (not configurable for Lambda) records the first request each second and 5%
 * of the others. With Poisson arrivals at r a second, a second records (1 − e^−r) + 0.05·(r − (1 − e^−r)).
 * A sampling rule has the same shape with its own fixed rate and reservoir (k a second): a second
 * records E[min(N, k)] + fixedRate·(r − E[min(N, k)]), with N Poisson(r).
 */
export function tracesPerMonth(invocations: number, fixedRate = 0.05, activeSeconds = SECONDS_PER_MONTH, reservoirPerSecond = 1): number {
  const rate = invocations / activeSeconds;
  // E[min(N, k)] = Σ_{j<k} P(N > j)
  let reservoir = 0;
  let below = 0;
  let term = Math.exp(-rate);
  for (let j = 0; j < reservoirPerSecond; j++) {
    below += term;
    reservoir += 1 - below;
    term *= rate / (j + 1);
  }
  return activeSeconds * (reservoir + fixedRate * (rate - reservoir));
}

/** A sampling rule as the stack synthesizes it: what the cost model prices the sequences' traces with. */
export type SamplingRuleSetting = { serviceType: string; fixedRate: number; reservoirPerSecond: number };

/** The X-Ray sampling rules of a synthesized template. */
export function samplingRules(template: { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> }): SamplingRuleSetting[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::XRay::SamplingRule')
    .map((resource) => {
      const rule = resource.Properties?.SamplingRule ?? {};
      return { serviceType: String(rule.ServiceType), fixedRate: Number(rule.FixedRate), reservoirPerSecond: Number(rule.ReservoirSize) };
    });
}

/** The rule that samples the sequences' state machine (the one rule for Step Functions the stack has). */
export function sequenceSampling(template: Parameters<typeof samplingRules>[0]): SamplingRuleSetting {
  const rules = samplingRules(template).filter((rule) => rule.serviceType === 'AWS::StepFunctions::StateMachine');
  if (rules.length !== 1) throw new Error(`expected one sampling rule for the sequences' state machine, found ${rules.length}`);
  return rules[0]!;
}
/** The daily jobs run in a burst: their invocations are spread over about an hour a day, not the month. */
const DAILY_JOB_ACTIVE_SECONDS = REFERENCE_MONTH.days * 3600;

/**
 * Lambda's own lines per invocation in JSON log format (platform.start and platform.report), which it
 * writes at system log level INFO and drops at WARN. Their shape is Lambda's documented one; the
 * bytes are counted from it (ids and figures at their usual lengths), not measured locally (the
 * local runtime has no platform lines).
 */
export const PLATFORM_LINES_BYTES_AT_INFO = [
  { time: '2026-12-07T21:00:00.000Z', type: 'platform.start', record: { requestId: '6f7f0961-0a8c-4c3a-9d3b-3f5a0c2f3c1d', version: '$LATEST' } },
  {
    time: '2026-12-07T21:00:00.045Z',
    type: 'platform.report',
    record: {
      requestId: '6f7f0961-0a8c-4c3a-9d3b-3f5a0c2f3c1d',
      metrics: { durationMs: 41.52, billedDurationMs: 42, memorySizeMB: 256, maxMemoryUsedMB: 97 },
      tracing: { spanId: '54565fb41ac79632', type: 'X-Amzn-Trace-Id', value: 'Root=1-675600c0-2b1c3a9d4e5f60718293a4b5;Parent=54565fb41ac79632;Sampled=0' },
      status: 'success',
    },
  },
].reduce((sum, line) => sum + Buffer.byteLength(JSON.stringify(line), 'utf8') + 1, 0);

/**
 * How a function's units scale to the month: per event, per email sent, per profile-day (the daily
 * jobs' passes over the profiles) or per day (drift check and training, whose work is the model's,
 * not the profiles').
 */
export function scaleGroup(entry: string): 'event' | 'send' | 'profileDay' | 'day' {
  if (entry === 'functions/scheduled/check-drift.ts' || entry === 'functions/scheduled/train-models.ts') return 'day';
  if (entry.startsWith('functions/scheduled/')) return 'profileDay';
  if (entry.startsWith('functions/delivery/') || entry.startsWith('functions/sequences/') || entry === 'functions/tracking/ses-events.ts') return 'send';
  return 'event';
}

export type ReferenceMonthInput = {
  /** Per function, the unit pass of the reference-mix stream (bench/end-to-end.ts). */
  functions: Record<string, UsageTotals>;
  /** Events put in the unit pass, emails sent in it, profiles in the table, days the stream spans. */
  events: number;
  sends: number;
  profiles: number;
  days: number;
  /** Step Functions: executions seen, states entered, and the bytes of their log records, in the unit pass. */
  stateTransitions: { executions: number; transitions: number; logBytes: number };
  settings: FunctionSetting[];
  /** Table bytes per profile at steady state (profile + its history, 100 bytes of overhead an item), measured by bench/measure-job-reads.ts. */
  tableBytesPerProfile: number;
  /** Mean bytes of a producer event as PutEvents carries it (what the archive keeps), and the archive's retention. */
  eventBytes: number;
  archiveRetentionDays: number;
  /**
   * The rollups' write units per event by DynamoDB's documented rule, in the batches the deployed
   * stream mapping gets at the reference rate (bench/rollup-units.ts). Without it the rollups are
   * priced as DynamoDB Local reported them in the unit pass, which counts a transaction as its first
   * item only, in the unit pass's batches of about one record.
   */
  rollups?: { writeUnitsPerEvent: number; batchSize: number; writeUnitsPerEventAtBatchOfOne: number };
  /** The stack's X-Ray sampling rule of the sequences' state machine, as synthesized (sequenceSampling). */
  sequenceSampling: Pick<SamplingRuleSetting, 'fixedRate' | 'reservoirPerSecond'>;
  prices: PriceFile;
};

/**
 * The reference month (100,000 profiles, 10 million events, 500,000 emails) priced from the units
 * counted in the unit pass, scaled explicitly: a function driven by events by 10M / events of the
 * pass, one driven by sends (delivery, SES events, sequences, and the state machine) by 500,000 /
 * sends of the pass, a daily job by (100,000 × 30) / (profiles × days). Returns each service's line
 * with the units it priced and how they were scaled, at the deployed log level (WARN) and at INFO.
 */
export function referenceMonthCost(input: ReferenceMonthInput) {
  const p = input.prices.prices;
  const scales = {
    event: REFERENCE_MONTH.events / input.events,
    send: input.sends > 0 ? REFERENCE_MONTH.emails / input.sends : REFERENCE_MONTH.events / input.events,
    profileDay: (REFERENCE_MONTH.profiles * REFERENCE_MONTH.days) / (input.profiles * input.days),
    day: REFERENCE_MONTH.days / input.days,
  };
  const settings = new Map(input.settings.map((setting) => [setting.entry, setting]));
  const monthly = Object.entries(input.functions).map(([entry, totals]) => {
    const scale = scales[scaleGroup(entry)];
    return { entry, group: scaleGroup(entry), setting: settings.get(entry), scale, invocations: totals.invocations * scale, totals };
  });
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const round2 = (value: number) => Math.round(value * 100) / 100;

  const isRollupsEntry = (entry: string) => entry === 'functions/reports/update-rollups.ts';
  const writeUnits = (filter: (entry: string) => boolean) =>
    sum(monthly.filter((f) => filter(f.entry)).map((f) => (input.rollups && isRollupsEntry(f.entry) ? input.rollups.writeUnitsPerEvent * REFERENCE_MONTH.events : f.totals.writeUnits * f.scale)));
  const reportedRollupWriteUnits = sum(monthly.filter((f) => isRollupsEntry(f.entry)).map((f) => f.totals.writeUnits * f.scale));
  const readUnits = (filter: (entry: string) => boolean) => sum(monthly.filter((f) => filter(f.entry)).map((f) => f.totals.readUnits * f.scale));
  const dynamoUsd = (filter: (entry: string) => boolean) => (writeUnits(filter) / 1e6) * p.dynamodbWriteRequestUnitsPerMillion.usd + (readUnits(filter) / 1e6) * p.dynamodbReadRequestUnitsPerMillion.usd;
  const isIngest = (entry: string) => entry === 'functions/ingest/ingest-event.ts';
  const isRollups = isRollupsEntry;
  const isScheduled = (entry: string) => scaleGroup(entry) === 'profileDay' || scaleGroup(entry) === 'day';
  const tableGb = (input.tableBytesPerProfile * REFERENCE_MONTH.profiles) / 2 ** 30;

  const call = (name: string) => sum(monthly.map((f) => (f.totals.calls[name] ?? 0) * f.scale));
  const sqsRequests = call('sqs:SendMessage') + call('sqs:SendMessageBatch') + sum(monthly.map((f) => f.totals.sqsSourced * f.scale * ASSUMPTIONS.sqsRequestsPerSqsInvocation));
  const busEntries = REFERENCE_MONTH.events + call('eventbridge:entries');
  const archiveGbMonth = (REFERENCE_MONTH.events * input.eventBytes) / 1e9;
  const transitions = input.stateTransitions.transitions * scales.send;
  const executions = input.stateTransitions.executions * scales.send;

  const logBytes = (level: LogLevelName) =>
    sum(monthly.map((f) => (logBytesAtLevel(f.totals.logBytes, level) + (level === 'INFO' || level === 'DEBUG' ? PLATFORM_LINES_BYTES_AT_INFO * f.totals.invocations : 0)) * f.scale)) +
    input.stateTransitions.logBytes * scales.send;
  const logsAt = (level: LogLevelName) => (logBytes(level) / 1e9) * p.cloudWatchLogsIngestionPerGb.usd;
  const deployedLevel: LogLevelName = input.settings[0]?.logLevel ?? 'WARN';

  // Lambda: billed duration modelled from CPU time and requests (robust to the machine's load); the wall time is printed beside it.
  const memoryOf = (f: (typeof monthly)[number]) => f.setting?.memoryMb ?? ASSUMPTIONS.defaultMemoryMb;
  const wallMs = (f: (typeof monthly)[number]) => f.totals.durationMs;
  const modelledMs = (f: (typeof monthly)[number]) => modelledDurationMs(f.totals, memoryOf(f));
  const gbSeconds = (durationOf: (f: (typeof monthly)[number]) => number) => sum(monthly.map((f) => ((durationOf(f) * f.scale) / 1000) * (memoryOf(f) / 1024)));
  const lambdaUsd = (durationOf: (f: (typeof monthly)[number]) => number) => (sum(monthly.map((f) => f.invocations)) / 1e6) * p.lambdaRequestsPerMillion.usd + gbSeconds(durationOf) * p.lambdaArmGbSecond.usd;

  const activeTraces = sum(monthly.filter((f) => f.setting?.tracing === 'Active').map((f) => tracesPerMonth(f.invocations, 0.05, f.group === 'profileDay' || f.group === 'day' ? DAILY_JOB_ACTIVE_SECONDS : SECONDS_PER_MONTH)));
  const sequenceTraces = tracesPerMonth(executions, input.sequenceSampling.fixedRate, SECONDS_PER_MONTH, input.sequenceSampling.reservoirPerSecond);
  const traces = activeTraces + sequenceTraces;

  const lines = [
    { service: 'SES', usd: (REFERENCE_MONTH.emails / 1000) * p.sesPerThousandEmails.usd, units: `${REFERENCE_MONTH.emails.toLocaleString('en')} emails` },
    { service: 'DynamoDB: ingest (hot path)', usd: dynamoUsd(isIngest), units: `${round2(writeUnits(isIngest) / 1e6)}M WRU + ${round2(readUnits(isIngest) / 1e6)}M RRU (${round2(writeUnits(isIngest) / REFERENCE_MONTH.events)} WRU an event)` },
    {
      service: 'DynamoDB: rollups',
      usd: dynamoUsd(isRollups),
      units: input.rollups
        ? `${round2(writeUnits(isRollups) / 1e6)}M WRU + ${round2(readUnits(isRollups) / 1e6)}M RRU (DynamoDB's documented rule, batches of ${input.rollups.batchSize} at the reference rate: ${round2(input.rollups.writeUnitsPerEvent)} WRU an event, ${round2(input.rollups.writeUnitsPerEventAtBatchOfOne)} at 1 a batch; DynamoDB Local reported ${round2(reportedRollupWriteUnits / 1e6)}M)`
        : `${round2(writeUnits(isRollups) / 1e6)}M WRU + ${round2(readUnits(isRollups) / 1e6)}M RRU (as DynamoDB Local reports transactions: under-counted)`,
    },
    { service: 'DynamoDB: scheduled jobs', usd: dynamoUsd(isScheduled), units: `${round2(writeUnits(isScheduled) / 1e6)}M WRU + ${round2(readUnits(isScheduled) / 1e6)}M RRU over ${REFERENCE_MONTH.profiles.toLocaleString('en')} profiles x ${REFERENCE_MONTH.days} days` },
    { service: 'DynamoDB: sends, sequences, other', usd: dynamoUsd((entry) => !isIngest(entry) && !isRollups(entry) && !isScheduled(entry)), units: `${round2(writeUnits((entry) => !isIngest(entry) && !isRollups(entry) && !isScheduled(entry)) / 1e6)}M WRU + ${round2(readUnits((entry) => !isIngest(entry) && !isRollups(entry) && !isScheduled(entry)) / 1e6)}M RRU` },
    { service: 'DynamoDB: storage + PITR', usd: tableGb * (p.dynamodbStoragePerGbMonth.usd + p.dynamodbPitrPerGbMonth.usd), units: `${round2(tableGb)} GB (${Math.round(input.tableBytesPerProfile)} bytes a profile with its history)` },
    { service: 'Lambda', usd: lambdaUsd(modelledMs), units: `${round2(sum(monthly.map((f) => f.invocations)) / 1e6)}M invocations, ${Math.round(gbSeconds(modelledMs)).toLocaleString('en')} GB-s modelled (CPU time at Lambda's CPU share + AWS requests x assumed latency); wall time against the local emulators: ${Math.round(gbSeconds(wallMs)).toLocaleString('en')} GB-s, $${round2(lambdaUsd(wallMs)).toFixed(2)} (the total uses the modelled figure)` },
    { service: 'Step Functions (Standard)', usd: (transitions / 1000) * p.stepFunctionsStandardPerThousandTransitions.usd, units: `${Math.round(transitions).toLocaleString('en')} transitions (${input.stateTransitions.transitions} counted in ${input.stateTransitions.executions} executions of the pass)` },
    { service: 'SQS', usd: (sqsRequests / 1e6) * p.sqsRequestsPerMillion.usd, units: `${round2(sqsRequests / 1e6)}M requests (empty polls not counted)` },
    { service: 'EventBridge (+ Scheduler)', usd: (busEntries / 1e6) * p.eventBridgeCustomEventsPerMillion.usd + (call('scheduler:CreateSchedule') / 1e6) * p.schedulerInvocationsPerMillion.usd, units: `${round2(busEntries / 1e6)}M events (${round2(call('eventbridge:entries') / 1e6)}M internal), ${round2(call('scheduler:CreateSchedule') / 1e6)}M schedules` },
    { service: 'EventBridge archive', usd: archiveGbMonth * p.eventBridgeArchivePerGb.usd + archiveGbMonth * (input.archiveRetentionDays / REFERENCE_MONTH.days) * p.eventBridgeArchiveStoragePerGbMonth.usd, units: `${round2(archiveGbMonth)} GB a month (${Math.round(input.eventBytes)} bytes an event), ${input.archiveRetentionDays} days kept` },
    { service: `CloudWatch Logs (${deployedLevel})`, usd: logsAt(deployedLevel), units: `${round2(logBytes(deployedLevel) / 1e9)} GB (${round2(logBytes(deployedLevel) / sum(monthly.map((f) => f.invocations)))} bytes an invocation, state machine records included)` },
    { service: 'X-Ray', usd: (traces / 1e6) * p.xrayTracesRecordedPerMillion.usd, units: `${Math.round(traces).toLocaleString('en')} traces (Active functions ${Math.round(activeTraces).toLocaleString('en')}, sequences at ${input.sequenceSampling.fixedRate}, reservoir ${input.sequenceSampling.reservoirPerSecond}/s: ${Math.round(sequenceTraces).toLocaleString('en')})` },
  ].map((line) => ({ ...line, usd: round2(line.usd) }));
  const total = round2(sum(lines.map((line) => line.usd)));
  const ses = lines[0]!.usd;
  return {
    month: REFERENCE_MONTH,
    region: input.prices.region,
    lines,
    totalUsd: total,
    withoutSesUsd: round2(total - ses),
    goal: { withSesUsd: 80, withoutSesUsd: 30, met: total <= 80 && total - ses <= 30 },
    saas: { customerIo: input.prices.saas.customerIoMonthly.usd, klaviyo: input.prices.saas.klaviyoMonthly.usd },
    logs: { deployedLevel, WARN: { gb: round2(logBytes('WARN') / 1e9), usd: round2(logsAt('WARN')) }, INFO: { gb: round2(logBytes('INFO') / 1e9), usd: round2(logsAt('INFO')) } },
    logBytesPerInvocation: Object.fromEntries(
      monthly.map((f) => [f.entry, { WARN: round2(logBytesAtLevel(f.totals.logBytes, 'WARN') / Math.max(1, f.totals.invocations)), INFO: round2(logBytesAtLevel(f.totals.logBytes, 'INFO') / Math.max(1, f.totals.invocations) + PLATFORM_LINES_BYTES_AT_INFO) }]),
    ),
    scaling: {
      perEvent: `x ${round2(scales.event)} (${REFERENCE_MONTH.events.toLocaleString('en')} / ${input.events} events of the pass)`,
      perSend: input.sends > 0 ? `x ${round2(scales.send)} (${REFERENCE_MONTH.emails.toLocaleString('en')} / ${input.sends} emails of the pass)` : `x ${round2(scales.send)} (no email in the pass: scaled per event)`,
      perProfileDay: `x ${round2(scales.profileDay)} (${REFERENCE_MONTH.profiles.toLocaleString('en')} profiles x ${REFERENCE_MONTH.days} days / ${input.profiles} x ${input.days})`,
      perDay: `x ${round2(scales.day)} (drift check and training: ${REFERENCE_MONTH.days} days / ${input.days})`,
      sendsPerEventOfThePass: round2(input.sends / input.events),
      sendsPerEventOfTheReference: REFERENCE_MONTH.emails / REFERENCE_MONTH.events,
    },
    lambda: {
      used: 'modelled' as const,
      modelledUsd: round2(lambdaUsd(modelledMs)),
      wallTimeUsd: round2(lambdaUsd(wallMs)),
      assumptions: { fullVcpuMemoryMb: ASSUMPTIONS.lambdaFullVcpuMemoryMb, awsRequestLatencyMs: ASSUMPTIONS.awsRequestLatencyMs },
      meanMsPerInvocation: Object.fromEntries(monthly.map((f) => [f.entry, { wall: round2(f.totals.durationMs / Math.max(1, f.totals.invocations)), cpu: round2(f.totals.cpuMs / Math.max(1, f.totals.invocations)), modelled: round2(modelledMs(f) / Math.max(1, f.totals.invocations)) }])),
    },
    notCounted: 'free tiers; the link endpoint (opens and clicks are put on the bus directly); empty SQS polls; DynamoDB Streams reads (free for Lambda); KMS; data transfer; X-Ray retrieval; log storage',
  };
}
export type ReferenceMonth = ReturnType<typeof referenceMonthCost>;

/** The table of the reference month, as printed by `npm run bench` and quoted in the README. */
export function describeReferenceMonth(r: ReferenceMonth): string {
  const usd = (value: number) => `$${value.toFixed(2)}`;
  return [
    `Reference month (${r.month.profiles.toLocaleString('en')} profiles, ${r.month.events.toLocaleString('en')} events, ${r.month.emails.toLocaleString('en')} emails; ${r.region} list prices):`,
    ...r.lines.map((line) => `  ${line.service.padEnd(36)} ${usd(line.usd).padStart(9)}   ${line.units}`),
    `  ${'total'.padEnd(36)} ${usd(r.totalUsd).padStart(9)}   (${usd(r.withoutSesUsd)} without SES; goal <= $${r.goal.withSesUsd} with SES, <= $${r.goal.withoutSesUsd} without: ${r.goal.met ? 'met' : 'not met'})`,
    `  beside: Customer.io ~$${r.saas.customerIo}, Klaviyo >= $${r.saas.klaviyo}`,
    `  logs at WARN ${r.logs.WARN.gb} GB ${usd(r.logs.WARN.usd)}; at INFO ${r.logs.INFO.gb} GB ${usd(r.logs.INFO.usd)}`,
    `  Lambda: modelled ${usd(r.lambda.modelledUsd)} (used in the total: CPU time x ${r.lambda.assumptions.fullVcpuMemoryMb} MB / memory + requests x ${Object.entries(r.lambda.assumptions.awsRequestLatencyMs).map(([service, ms]) => `${service} ${ms} ms`).join(', ')}); measured wall time ${usd(r.lambda.wallTimeUsd)} (grows with the machine's load)`,
    `  scaling: per event ${r.scaling.perEvent}; per send ${r.scaling.perSend}; daily passes ${r.scaling.perProfileDay}; ${r.scaling.perDay}`,
  ].join('\n');
}
