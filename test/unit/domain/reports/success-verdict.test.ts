import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { zFor } from '#shared/domain/reports/significance.ts';
import { SUCCESS_CRITERIA, successVerdict, wilsonInterval } from '#shared/domain/reports/success-verdict.ts';

const trials = fc.integer({ min: 1, max: 100_000 });
const sample = trials.chain((n) => fc.record({ n: fc.constant(n), k: fc.integer({ min: 0, max: n }) }));
const target = fc.double({ min: 0, max: 1, noNaN: true });

describe('wilsonInterval', () => {
  it('its bounds are the roots of the score equation (p̂ − p)² = z² p (1 − p) / n, clipped to 0..1, and hold p̂', () => {
    fc.assert(
      fc.property(sample, fc.constantFrom(0.9, 0.95, 0.99), ({ n, k }, confidence) => {
        const interval = wilsonInterval(k, n, confidence)!;
        const z = zFor(confidence);
        const p = k / n;
        const score = (q: number) => (p - q) ** 2 - (z * z * q * (1 - q)) / n;
        for (const bound of [interval.low, interval.high]) {
          // A clipped bound sits at 0 or 1; any other is a root.
          if (bound > 0 && bound < 1) expect(Math.abs(score(bound))).toBeLessThan(1e-9);
        }
        expect(interval.low).toBeGreaterThanOrEqual(0);
        expect(interval.high).toBeLessThanOrEqual(1);
        expect(interval.low).toBeLessThanOrEqual(p + 1e-12);
        expect(interval.high).toBeGreaterThanOrEqual(p - 1e-12);
        // Strictly inside the interval the score is negative (p is plausible), outside positive.
        expect(score((interval.low + interval.high) / 2)).toBeLessThanOrEqual(1e-12);
      }),
    );
  });

  it('narrows as emails accumulate at the same rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 100 }), (n, percent) => {
        const k = (n * percent) / 100;
        const small = wilsonInterval(k, n)!;
        const large = wilsonInterval(k * 10, n * 10)!;
        expect(large.high - large.low).toBeLessThan(small.high - small.low);
      }),
    );
  });

  it('ends exactly at 0 with no successes and exactly at 1 with all (rounding must not lift a zero rate above a target of 0)', () => {
    // Found by the verdict property: {n: 84520, k: 0} gave a lower bound of ~1e-21, a pass against a target of 0.
    fc.assert(
      fc.property(trials, fc.constantFrom(0.9, 0.95, 0.99), (n, confidence) => {
        expect(wilsonInterval(0, n, confidence)!.low).toBe(0);
        expect(wilsonInterval(n, n, confidence)!.high).toBe(1);
        expect(successVerdict({ count: 0, delivered: n, target: 0 }).verdict).not.toBe('pass');
        expect(successVerdict({ count: n, delivered: n, target: 1 }).verdict).not.toBe('fail');
      }),
      { numRuns: 2000 },
    );
  });

  it('is null without emails and refuses a negative count', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(-1, 10)).toThrow(RangeError);
  });
});

describe('successVerdict', () => {
  it('pass when the lower bound is above the target, fail when the upper bound is below it, insufficient when the interval holds it', () => {
    fc.assert(
      fc.property(sample.filter(({ n }) => n >= SUCCESS_CRITERIA.minDelivered), target, ({ n, k }, t) => {
        const { verdict, interval } = successVerdict({ count: k, delivered: n, target: t });
        expect(interval).toEqual(wilsonInterval(k, n));
        const expected = interval!.low > t ? 'pass' : interval!.high < t ? 'fail' : 'insufficient_data';
        expect(verdict).toBe(expected);
        // A pass is never below the target, a fail never above it.
        if (verdict === 'pass') expect(k / n).toBeGreaterThan(t);
        if (verdict === 'fail') expect(k / n).toBeLessThan(t);
      }),
    );
  });

  it('insufficient below the minimum of delivered emails, however clear the rate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SUCCESS_CRITERIA.minDelivered - 1 }), target, (n, t) => {
        for (const k of [0, n]) expect(successVerdict({ count: k, delivered: n, target: t }).verdict).toBe('insufficient_data');
      }),
    );
  });

  it('with enough emails a rate far from the target is judged, and the same rate turns from insufficient to judged as emails accumulate', () => {
    expect(successVerdict({ count: 60, delivered: 100, target: 0.4 }).verdict).toBe('pass');
    expect(successVerdict({ count: 20, delivered: 100, target: 0.4 }).verdict).toBe('fail');
    expect(successVerdict({ count: 38, delivered: 100, target: 0.4 }).verdict).toBe('insufficient_data');
    expect(successVerdict({ count: 3800, delivered: 10_000, target: 0.4 }).verdict).toBe('fail');
    expect(successVerdict({ count: 6, delivered: 10, target: 0.01 }).verdict).toBe('insufficient_data');
  });

  it('takes the criteria it is given', () => {
    expect(successVerdict({ count: 6, delivered: 10, target: 0.01 }, { ...SUCCESS_CRITERIA, minDelivered: 10 }).verdict).toBe('pass');
  });
});
