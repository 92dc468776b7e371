/**
 * The AWS bill the local run implies (a figure of `npm run bench`): the invocations, durations,
 * DynamoDB units and requests counted in the end-to-end unit pass (bench/function-meter.ts), priced
 * with the list prices of bench/aws-prices.json. What was not counted is assumed, and every
 * assumption is returned with the figures so the summary prints it.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { FunctionBundle } from './bundle-size.ts';
import { DISPATCH_ENTRY, type UsageTotals } from './function-meter.ts';

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
  }),
});
export type PriceFile = z.infer<typeof PriceFile>;

export function readPrices(path = new URL('./aws-prices.json', import.meta.url)): PriceFile {
  const parsed = PriceFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`bench/aws-prices.json: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}

/** Not counted by the run; assumed (and printed). */
export const ASSUMPTIONS = {
  /** Lambda log lines per invocation (START, END, REPORT, the platform's JSON; handlers log at WARN). */
  logBytesPerInvocation: 600,
  /** An SQS-triggered invocation: the poller's ReceiveMessage and DeleteMessageBatch (empty polls not counted). */
  sqsRequestsPerSqsInvocation: 2,
  /** The sequence machine per step: WaitForStep, RunStep, MoreSteps; per execution: the start and Finished. */
  stepFunctionsTransitionsPerStep: 3,
  stepFunctionsTransitionsPerExecution: 2,
  /** Memory when a function's is unknown. */
  defaultMemoryMb: 256,
};

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
    cost.logs += ((totals.invocations * ASSUMPTIONS.logBytesPerInvocation) / 1e9) * prices.cloudWatchLogsIngestionPerGb.usd;
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
