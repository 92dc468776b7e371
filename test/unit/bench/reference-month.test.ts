import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelledDurationMs, PLATFORM_LINES_BYTES_AT_INFO, readPrices, referenceMonthCost, scaleGroup, tracesPerMonth, type ReferenceMonthInput } from '../../../bench/cost-model.ts';
import { emptyTotals, lineLevel, logBytesAtLevel, type UsageTotals } from '../../../bench/function-meter.ts';
import { REFERENCE_MONTH } from '../../../events/generators/reference-mix.ts';

const INGEST = 'functions/ingest/ingest-event.ts';
const DISPATCH = 'functions/delivery/dispatch-sends.ts';
const SWEEP = 'functions/scheduled/sweep-profiles.ts';
const totals = (overrides: Partial<UsageTotals>): UsageTotals => ({ ...emptyTotals(), ...overrides });

function input(overrides: Partial<ReferenceMonthInput> = {}): ReferenceMonthInput {
  return {
    functions: {
      [INGEST]: totals({ invocations: 1000, durationMs: 50_000, writeUnits: 1000, readUnits: 500, logBytes: { INFO: 400_000, WARN: 1000 } }),
      [DISPATCH]: totals({ invocations: 50, durationMs: 5000, writeUnits: 100, readUnits: 50, sqsSourced: 50 }),
      [SWEEP]: totals({ invocations: 10, durationMs: 10_000, readUnits: 50 }),
    },
    events: 1000,
    sends: 50,
    profiles: 50,
    days: 10,
    stateTransitions: { executions: 10, transitions: 40, logBytes: 40_000 },
    settings: [
      { entry: INGEST, memoryMb: 256, tracing: 'PassThrough', logLevel: 'WARN' },
      { entry: DISPATCH, memoryMb: 256, tracing: 'PassThrough', logLevel: 'WARN' },
      { entry: SWEEP, memoryMb: 1024, tracing: 'Active', logLevel: 'WARN' },
    ],
    tableBytesPerProfile: 4096,
    eventBytes: 400,
    archiveRetentionDays: 30,
    sequenceSampling: { fixedRate: 0.01, reservoirPerSecond: 0 },
    prices: readPrices(),
    ...overrides,
  };
}
const line = (month: ReturnType<typeof referenceMonthCost>, prefix: string) => month.lines.find((l) => l.service.startsWith(prefix))!.usd;

describe('the reference month', () => {
  it('scales counted units explicitly: per event x 10M / events, per send x 500,000 / sends, per profile-day x (100,000 x 30) / (profiles x days)', () => {
    const month = referenceMonthCost(input());
    // ingest: 1 WRU + 0.5 RRU an event -> 10M WRU ($6.25) + 5M RRU ($0.625)
    expect(line(month, 'DynamoDB: ingest')).toBe(6.88);
    // SES is priced from the reference's 500,000 emails, whatever the pass sent
    expect(line(month, 'SES')).toBe(50);
    // sweep: 50 RRU over 50 profiles x 10 days = 0.1 RRU a profile-day -> 300,000 RRU
    expect(line(month, 'DynamoDB: scheduled')).toBe(0.04);
    // 40 transitions per 50 sends -> 400,000 transitions at $0.025 per 1,000
    expect(line(month, 'Step Functions')).toBe(10);
    expect(month.totalUsd).toBeCloseTo(month.lines.reduce((sum, l) => sum + l.usd, 0), 2);
    expect(month.withoutSesUsd).toBeCloseTo(month.totalUsd - 50, 2);
  });

  it('shows an improvement of the counted units: halving ingest write units halves that line', () => {
    const before = referenceMonthCost(input());
    const after = referenceMonthCost(input({ functions: { ...input().functions, [INGEST]: totals({ ...input().functions[INGEST]!, writeUnits: 500 }) } }));
    expect(line(after, 'DynamoDB: ingest')).toBeCloseTo(line(before, 'DynamoDB: ingest') - 3.125, 1);
  });

  it('prices logs from the bytes counted at the deployed level, and at INFO adds the lines counted at INFO and Lambda platform lines', () => {
    const month = referenceMonthCost(input());
    // WARN: ingest 1 byte an event (10 MB) + state machine 1,000 bytes a transition per send scale (400 MB)
    expect(month.logs.WARN.gb).toBeCloseTo(0.41, 2);
    expect(month.logs.INFO.gb).toBeGreaterThan(month.logs.WARN.gb + 4);
    expect(month.logBytesPerInvocation[INGEST]).toEqual({ WARN: 1, INFO: 401 + PLATFORM_LINES_BYTES_AT_INFO });
    expect(PLATFORM_LINES_BYTES_AT_INFO).toBeGreaterThan(200);
  });

  it('puts every function in one scaling group', () => {
    expect([INGEST, DISPATCH, SWEEP, 'functions/scheduled/train-models.ts', 'functions/sequences/run-step.ts'].map(scaleGroup)).toEqual(['event', 'send', 'profileDay', 'day', 'send']);
  });
});

describe('the Lambda line on a loaded machine', () => {
  it('does not move when every measured wall time grows (load), and moves with CPU time and AWS requests (generated functions)', () => {
    const usage = fc.record({ invocations: fc.integer({ min: 1, max: 2000 }), wallPerInvocation: fc.double({ min: 1, max: 500, noNaN: true }), cpuShare: fc.double({ min: 0.01, max: 1, noNaN: true }), dynamoRequests: fc.integer({ min: 0, max: 5000 }), puts: fc.integer({ min: 0, max: 500 }) });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(INGEST, DISPATCH, SWEEP), usage), { minLength: 1, maxLength: 3 }), fc.double({ min: 1.5, max: 20, noNaN: true }), (functions, load) => {
        const at = (factor: number) =>
          referenceMonthCost(
            input({
              functions: Object.fromEntries(
                functions.map(([entry, u]) => {
                  const wall = u.invocations * u.wallPerInvocation;
                  return [entry, totals({ invocations: u.invocations, durationMs: wall * factor, cpuMs: wall * u.cpuShare, dynamoRequests: u.dynamoRequests, calls: { 'eventbridge:PutEvents': u.puts, 'eventbridge:entries': 10 * u.puts } })];
                }),
              ),
            }),
          );
        const quiet = at(1);
        const loaded = at(load);
        expect(line(loaded, 'Lambda')).toBe(line(quiet, 'Lambda'));
        // The wall-time figure is still printed beside it, and it is the one that grew.
        expect(loaded.lambda.wallTimeUsd).toBeGreaterThanOrEqual(quiet.lambda.wallTimeUsd);
        expect(loaded.lines.find((l) => l.service === 'Lambda')!.units).toContain('wall time');
      }),
      { numRuns: 200 },
    );
  });

  it("models a duration from CPU time at the memory's CPU share plus requests at their stated latency", () => {
    // 100 ms of CPU at 256 MB (1769/256 of a vCPU's time) + 10 DynamoDB requests at 5 ms + 2 PutEvents at 20 ms (entries are not requests).
    expect(modelledDurationMs({ cpuMs: 100, dynamoRequests: 10, calls: { 'eventbridge:PutEvents': 2, 'eventbridge:entries': 15 } }, 256)).toBeCloseTo(100 * (1769 / 256) + 50 + 40, 6);
    // A function with a full vCPU or more runs CPU work at full speed, not faster.
    expect(modelledDurationMs({ cpuMs: 100, dynamoRequests: 0, calls: {} }, 3008)).toBe(100);
  });
});

describe('tracesPerMonth (Lambda: 1 a second + 5% of the rest)', () => {
  it('traces nearly every invocation of a rare function and about 1 a second + 5% of a busy one', () => {
    expect(tracesPerMonth(10_000)).toBeCloseTo(10_000, -2);
    const seconds = REFERENCE_MONTH.days * 86_400;
    const ingest = tracesPerMonth(REFERENCE_MONTH.events);
    expect(ingest / seconds).toBeGreaterThan(1.1);
    expect(ingest / seconds).toBeLessThan(1.15);
  });

  it('never traces more than the invocations, and more invocations or a larger reservoir never trace fewer', () => {
    const seconds = REFERENCE_MONTH.days * 86_400;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 1e9 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 5 }), (a, b, rate, k) => {
        expect(tracesPerMonth(a, rate, seconds, k)).toBeLessThanOrEqual(a + 1e-6);
        if (a <= b) expect(tracesPerMonth(a, rate, seconds, k)).toBeLessThanOrEqual(tracesPerMonth(b, rate, seconds, k) * (1 + 1e-9) + 1e-6);
        expect(tracesPerMonth(a, rate, seconds, k)).toBeLessThanOrEqual(tracesPerMonth(a, rate, seconds, k + 1) * (1 + 1e-9) + 1e-6);
      }),
    );
  });

  it('without a reservoir traces the fixed rate of the invocations; a reservoir of k a second traces nearly all of k a second or fewer', () => {
    const seconds = REFERENCE_MONTH.days * 86_400;
    expect(tracesPerMonth(600_000, 0.01, seconds, 0)).toBeCloseTo(6000, 6);
    expect(tracesPerMonth(600_000, 0, seconds, 1)).toBeCloseTo(seconds * (1 - Math.exp(-600_000 / seconds)), 3);
    // 0.1 a second with a reservoir of 3: P(N >= 4) is negligible, so nearly every request is traced
    expect(tracesPerMonth(0.1 * seconds, 0, seconds, 3) / (0.1 * seconds)).toBeGreaterThan(0.9999);
  });
});

describe('log bytes by level', () => {
  it('files Powertools JSON lines by their level (CRITICAL as ERROR) and plain lines by the stream', () => {
    expect(lineLevel('{"level":"INFO","message":"x"}', 'WARN')).toBe('INFO');
    expect(lineLevel('{"level":"CRITICAL","message":"x"}', 'INFO')).toBe('ERROR');
    expect(lineLevel('No application metrics to publish.', 'WARN')).toBe('WARN');
    expect(lineLevel('{not json', 'INFO')).toBe('INFO');
  });

  it('counts at a level the lines at that level and above', () => {
    const bytes = { DEBUG: 1, INFO: 10, WARN: 100, ERROR: 1000 };
    expect([logBytesAtLevel(bytes, 'DEBUG'), logBytesAtLevel(bytes, 'INFO'), logBytesAtLevel(bytes, 'WARN'), logBytesAtLevel(bytes, 'ERROR')]).toEqual([1111, 1110, 1100, 1000]);
  });
});
