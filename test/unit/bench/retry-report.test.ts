import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeRetries, retryReport } from '../../../bench/function-meter.ts';

describe('retryReport', () => {
  it('reports the retries of a loaded run as figures instead of failing it ("ingest ran 1239 times for 1109 events")', () => {
    const report = retryReport(1109, { invocations: 1239, failures: { ProfileContentionError: 118, TimeoutError: 12 } });
    expect(report).toEqual({ events: 1109, invocations: 1239, retries: 130, retryRate: 0.1172, failedInvocations: 130, reasons: { ProfileContentionError: 118, TimeoutError: 12 }, lost: 0 });
    expect(describeRetries(report)).toBe('1239 invocations for 1109 events: 130 retries (11.7%; ProfileContentionError 118, TimeoutError 12), 0 lost');
  });

  it('for any run, retries + events = invocations when nothing is lost, and lost events are the ones no invocation completed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 200 }), (events, perEventFailures) => {
        // Each event fails `f` times then succeeds, unless it failed all 3 attempts (lost).
        const attempts = Array.from({ length: events }, (_, i) => perEventFailures[i % perEventFailures.length]!);
        const invocations = attempts.reduce((sum, f) => sum + Math.min(3, f + 1), 0);
        const failed = attempts.reduce((sum, f) => sum + Math.min(3, f), 0);
        const lost = attempts.filter((f) => f >= 3).length;
        const report = retryReport(events, { invocations, failures: failed > 0 ? { ThrottlingException: failed } : {} });
        expect(report.lost).toBe(lost);
        expect(report.failedInvocations).toBe(failed);
        expect(report.retries).toBe(invocations - events);
        expect(report.retryRate).toBeCloseTo((invocations - events) / events, 4);
      }),
    );
  });

  it('a run with no invocation reports every event lost rather than throwing', () => {
    expect(retryReport(5, undefined)).toMatchObject({ invocations: 0, retries: 0, lost: 5 });
  });
});
