import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { combineIncrements, estimateIncrementality, sumTotals, type GroupTotals } from '#shared/domain/reports/incrementality.ts';
import { meanDifference } from '#shared/domain/reports/significance.ts';
import { seededRandom } from '#shared/domain/seeded-random.ts';

/**
 * The report must be trustworthy, so its estimate is validated on populations whose true effect is
 * known: each exposure converts with probability `baseline` (control) or `baseline + effect`
 * (treated), and a converted exposure spends a log-normal order value whose mean is known. The true
 * incremental revenue is then effect × mean order value × treated exposures. Seeded, so every run
 * is the same run; the seeds are 1..20 as the issue counts them, fixed before looking.
 */
type Population = { customers: number; holdoutShare: number; baseline: number; effect: number; seed: number };

/** Mean of exp(N(μ, σ²)) = exp(μ + σ²/2): with μ = 4, σ = 0.6 about $65 an order. */
const ORDER_MU = 4;
const ORDER_SIGMA = 0.6;
const MEAN_ORDER_VALUE = Math.exp(ORDER_MU + ORDER_SIGMA ** 2 / 2);

function simulate({ customers, holdoutShare, baseline, effect, seed }: Population): { treated: GroupTotals; control: GroupTotals } {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const treated: GroupTotals = { exposures: 0, converted: 0, revenue: 0, revenueSq: 0 };
  const control: GroupTotals = { exposures: 0, converted: 0, revenue: 0, revenueSq: 0 };
  for (let i = 0; i < customers; i += 1) {
    const held = random() < holdoutShare;
    const group = held ? control : treated;
    group.exposures += 1;
    if (random() < baseline + (held ? 0 : effect)) {
      const value = Math.exp(ORDER_MU + ORDER_SIGMA * normal());
      group.converted += 1;
      group.revenue += value;
      group.revenueSq += value * value;
    }
  }
  return { treated, control };
}

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
/** A shop's cart-recovery rule: 5,000 abandoned carts, 20 % held out, 10 % buy anyway. */
const CART = { customers: 5_000, holdoutShare: 0.2, baseline: 0.1 } as const;

const inside = (value: number, interval: { low: number; high: number } | null) => interval !== null && interval.low <= value && value <= interval.high;

describe('estimateIncrementality on populations with a known true effect', () => {
  it('recovers a +5-point effect inside its 95 % intervals in at least 19 of 20 seeded runs (conversions and revenue)', () => {
    let conversionsCovered = 0;
    let revenueCovered = 0;
    for (const seed of SEEDS) {
      const { treated, control } = simulate({ ...CART, effect: 0.05, seed });
      const estimate = estimateIncrementality(treated, control);
      if (inside(0.05 * treated.exposures, estimate.incrementalConversions)) conversionsCovered += 1;
      if (inside(0.05 * MEAN_ORDER_VALUE * treated.exposures, estimate.incrementalRevenue)) revenueCovered += 1;
    }
    expect(conversionsCovered).toBeGreaterThanOrEqual(19);
    expect(revenueCovered).toBeGreaterThanOrEqual(19);
  });

  it('declares a zero true effect not significant in at least 19 of 20 seeded runs', () => {
    const verdicts = SEEDS.map((seed) => {
      const { treated, control } = simulate({ ...CART, effect: 0, seed });
      return estimateIncrementality(treated, control).verdict;
    });
    expect(verdicts.filter((v) => v === 'no_detectable_effect').length).toBeGreaterThanOrEqual(19);
    expect(verdicts).not.toContain('insufficient_data');
  });

  it('detects the +5-point effect as lift in at least 19 of 20 runs when the sample has the power for it', () => {
    // 20,000 carts, 20 % held out: the difference's standard error is ~0.8 points, so +5 points is ~6 of them.
    const verdicts = SEEDS.map((seed) => {
      const { treated, control } = simulate({ ...CART, customers: 20_000, effect: 0.05, seed });
      return estimateIncrementality(treated, control).verdict;
    });
    expect(verdicts.filter((v) => v === 'lift').length).toBeGreaterThanOrEqual(19);
  });

  it('reports emails that cost conversions as harm', () => {
    const { treated, control } = simulate({ ...CART, customers: 20_000, effect: -0.05, seed: 7 });
    const estimate = estimateIncrementality(treated, control);
    expect(estimate.verdict).toBe('harm');
    expect(estimate.incrementalConversions!.high).toBeLessThan(0);
  });

  it('is calibrated: over 400 seeded runs the 95 % interval covers the true effect 92-98 % of the time, and 90 % intervals about 90 %', () => {
    // 400 runs: the coverage estimate's standard error is ~1.1 points, so these bounds hold for a calibrated interval and fail a miscalibrated one.
    for (const [confidence, low, high] of [
      [0.95, 0.92, 0.98],
      [0.9, 0.86, 0.94],
    ] as const) {
      let covered = 0;
      for (let seed = 1000; seed < 1400; seed += 1) {
        const { treated, control } = simulate({ ...CART, effect: 0.03, seed });
        if (inside(0.03 * treated.exposures, estimateIncrementality(treated, control, { confidence }).incrementalConversions)) covered += 1;
      }
      expect(covered / 400).toBeGreaterThanOrEqual(low);
      expect(covered / 400).toBeLessThanOrEqual(high);
    }
  });
});

describe('estimateIncrementality', () => {
  it('gives no verdict below the minimum sample on either side, and says which', () => {
    const treated = { exposures: 500, converted: 60, revenue: 3000, revenueSq: 200_000 };
    const control = { exposures: 40, converted: 2, revenue: 100, revenueSq: 6_000 };
    const estimate = estimateIncrementality(treated, control);
    expect(estimate.verdict).toBe('insufficient_data');
    expect(estimate.reason).toContain('control 40');
    expect(estimateIncrementality(treated, control, { minExposuresPerGroup: 40 }).verdict).not.toBe('insufficient_data');
  });

  it('gives no verdict when neither group converted', () => {
    const none = { exposures: 300, converted: 0, revenue: 0, revenueSq: 0 };
    expect(estimateIncrementality(none, none)).toMatchObject({ verdict: 'insufficient_data', incrementalConversions: null });
  });

  it('computes revenue per exposure from running sums exactly as Welch on the raw per-exposure values', () => {
    const values = fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 500, noNaN: true })), { minLength: 2, maxLength: 60 });
    fc.assert(
      fc.property(values, values, (treatedValues, controlValues) => {
        const totals = (vs: number[]): GroupTotals => ({
          exposures: vs.length,
          converted: vs.filter((v) => v > 0).length,
          revenue: vs.reduce((s, v) => s + v, 0),
          revenueSq: vs.reduce((s, v) => s + v * v, 0),
        });
        const summary = (vs: number[]) => {
          const mean = vs.reduce((s, v) => s + v, 0) / vs.length;
          return { n: vs.length, mean, variance: vs.reduce((s, v) => s + (v - mean) ** 2, 0) / (vs.length - 1) };
        };
        const estimate = estimateIncrementality(totals(treatedValues), totals(controlValues), { minExposuresPerGroup: 2 });
        const direct = meanDifference(summary(controlValues), summary(treatedValues));
        expect(estimate.revenuePerExposure.difference).toBeCloseTo(direct.difference!, 6);
        if (direct.confidenceInterval && estimate.revenuePerExposure.confidenceInterval) {
          expect(estimate.revenuePerExposure.confidenceInterval[0]).toBeCloseTo(direct.confidenceInterval[0], 4);
          expect(estimate.incrementalRevenue!.estimate).toBeCloseTo(direct.difference! * treatedValues.length, 4);
        }
      }),
    );
  });

  it('rejects impossible totals with the group and field named', () => {
    const ok = { exposures: 10, converted: 1, revenue: 5, revenueSq: 25 };
    expect(() => estimateIncrementality({ ...ok, converted: 11 }, ok)).toThrow(/treated: converted/);
    expect(() => estimateIncrementality(ok, { ...ok, exposures: 2.5 })).toThrow(/control: exposures/);
    expect(() => estimateIncrementality(ok, { ...ok, revenue: Number.NaN })).toThrow(/control: revenue/);
  });

  it('sums totals field by field', () => {
    const a = { exposures: 3, converted: 1, revenue: 10, revenueSq: 100 };
    const b = { exposures: 5, converted: 2, revenue: 7, revenueSq: 30 };
    expect(sumTotals([a, b])).toEqual({ exposures: 8, converted: 3, revenue: 17, revenueSq: 130 });
    expect(sumTotals([])).toEqual({ exposures: 0, converted: 0, revenue: 0, revenueSq: 0 });
  });
});

describe('combineIncrements: the programme as the sum of its rules', () => {
  it('does not invent an effect when rules hold out different shares of customers with different baselines (Simpson), which pooling the groups does', () => {
    // Zero true effect everywhere. Rule A: 30 % buy anyway, 50 % held out; rule B: 5 % buy anyway, 5 % held out.
    // 200 runs, not 20: a test at 95 % across two rules is wrong about 1 run in 20, so 20 runs cannot tell 5 % from 10 %.
    let pooledSignificant = 0;
    let combinedSignificant = 0;
    const runs = 200;
    for (let seed = 1; seed <= runs; seed += 1) {
      const a = simulate({ customers: 4_000, holdoutShare: 0.5, baseline: 0.3, effect: 0, seed });
      const b = simulate({ customers: 20_000, holdoutShare: 0.05, baseline: 0.05, effect: 0, seed: seed + 10_000 });
      const pooled = estimateIncrementality(sumTotals([a.treated, b.treated]), sumTotals([a.control, b.control]));
      const combined = combineIncrements([estimateIncrementality(a.treated, a.control), estimateIncrementality(b.treated, b.control)]);
      if (pooled.verdict !== 'no_detectable_effect') pooledSignificant += 1;
      if (combined.verdict !== 'no_detectable_effect') combinedSignificant += 1;
    }
    expect(pooledSignificant / runs).toBeGreaterThan(0.9); // the pooled groups mix the rules differently: a "harm" that is not there
    expect(combinedSignificant / runs).toBeLessThan(0.09); // about the nominal 5 % (its standard error over 200 runs is 1.5 points)
  });

  it('recovers the sum of the rules\' true effects inside its interval in at least 19 of 20 runs', () => {
    let covered = 0;
    for (const seed of SEEDS) {
      const a = simulate({ customers: 4_000, holdoutShare: 0.5, baseline: 0.3, effect: 0.04, seed });
      const b = simulate({ customers: 20_000, holdoutShare: 0.1, baseline: 0.05, effect: 0.01, seed: seed + 100 });
      const combined = combineIncrements([estimateIncrementality(a.treated, a.control), estimateIncrementality(b.treated, b.control)]);
      if (inside(0.04 * a.treated.exposures + 0.01 * b.treated.exposures, combined.incrementalConversions)) covered += 1;
    }
    expect(covered).toBeGreaterThanOrEqual(19);
  });

  it('leaves out rules without a verdict and has none itself when no rule has one', () => {
    const some = simulate({ ...CART, effect: 0.05, seed: 3 });
    const tiny = { exposures: 10, converted: 1, revenue: 50, revenueSq: 2500 };
    const combined = combineIncrements([estimateIncrementality(some.treated, some.control), estimateIncrementality(tiny, tiny)]);
    expect(combined.rulesCounted).toBe(1);
    expect(combineIncrements([estimateIncrementality(tiny, tiny)])).toMatchObject({ verdict: 'insufficient_data', rulesCounted: 0, incrementalConversions: null });
  });
});
