import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectedPurchases, type BgNbdParams } from '#shared/domain/predictive/bg-nbd.ts';
import {
  customerValue,
  expectedOrderValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  type GammaGammaParams,
  type SpendSummary,
} from '#shared/domain/predictive/gamma-gamma.ts';
import { gammaVariate, simulateBgNbdCohort, simulateSpends } from '#shared/domain/predictive/clv-simulation.ts';
import { lnGamma } from '#shared/domain/predictive/special-functions.ts';
import { seededRandom } from '#shared/domain/seeded-random.ts';

/** Published CDNOW estimates (Fader & Hardie 2013). */
const CDNOW_SPEND: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 15.44 };
const CDNOW: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

function simpson(f: (x: number) => number, lo: number, hi: number, n: number): number {
  const h = (hi - lo) / n;
  let sum = f(lo) + f(hi);
  for (let i = 1; i < n; i++) sum += (i % 2 === 0 ? 2 : 4) * f(lo + i * h);
  return (sum * h) / 3;
}

/** Spend summaries for the repeat buyers of a simulated BG/NBD cohort (the frequencies CDNOW-like). */
function spendCohort(params: GammaGammaParams, customers: number, seed: number): (SpendSummary & { nu: number })[] {
  const random = seededRandom(seed);
  return simulateBgNbdCohort({ params: CDNOW, customers, minT: 27, maxT: 39, random })
    .filter((c) => c.summary.x > 0)
    .map((c) => {
      const { nu, values } = simulateSpends(params, c.summary.x, random);
      return { x: values.length, mx: values.reduce((sum, v) => sum + v, 0) / values.length, nu };
    });
}

describe('Gamma-Gamma log-likelihood', () => {
  it('matches the density of m_x integrated over ν numerically', () => {
    // m_x | ν ~ Gamma(px, xν) (a mean of x Gamma(p, ν) values), ν ~ Gamma(q, γ).
    const { p, q, gamma } = CDNOW_SPEND;
    for (const { x, mx } of [{ x: 1, mx: 20 }, { x: 3, mx: 41.5 }, { x: 12, mx: 8 }]) {
      const density = simpson(
        (nu) => (nu === 0 ? 0 : Math.exp(p * x * Math.log(x * nu) + (p * x - 1) * Math.log(mx) - x * nu * mx - lnGamma(p * x) + q * Math.log(gamma) + (q - 1) * Math.log(nu) - gamma * nu - lnGamma(q))),
        0,
        5,
        40_000,
      );
      expect(gammaGammaLogLikelihood(CDNOW_SPEND, [{ x, mx }])).toBeCloseTo(Math.log(density), 7);
    }
  });
});

describe('Gamma-Gamma fit recovers the parameters of data from its own generative process', () => {
  // Repeat buyers of 12,000 simulated CDNOW customers (about 5,000). Tolerance: |ln θ̂ − ln θ| within 4
  // standard errors (observed information), and those under 0.2.
  const cases = [
    { name: 'CDNOW', params: CDNOW_SPEND },
    { name: 'narrow spend, q large', params: { p: 2.5, q: 12, gamma: 200 } },
  ];
  for (const { name, params } of cases) {
    for (const seed of [11, 12, 13]) {
      it(`${name}, seed ${seed}`, () => {
        const data = spendCohort(params, 12_000, seed);
        expect(data.length).toBeGreaterThan(4_500);
        const fit = fitGammaGamma(data);
        expect(fit.converged).toBe(true);
        const se = fit.logParamStandardErrors!;
        for (const key of ['p', 'q', 'gamma'] as const) {
          expect(se[key]).toBeLessThan(0.2);
          expect(Math.abs(Math.log(fit.params[key] / params[key]))).toBeLessThan(4 * se[key]);
        }
        expect(fit.logLikelihood).toBeGreaterThanOrEqual(gammaGammaLogLikelihood(params, data));
      });
    }
  }
});

describe('Gamma-Gamma predictions', () => {
  it('the expected order value is E[p/ν | m_x, x], checked by Monte Carlo against each customer’s true p/ν', () => {
    // Under the model E[Z | ν] = p/ν; over 40,000 simulated customers, Σ expectedOrderValue ≈ Σ p/ν.
    const data = spendCohort(CDNOW_SPEND, 40_000, 5);
    const predicted = data.map((d) => expectedOrderValue(CDNOW_SPEND, d));
    const truth = data.map((d) => CDNOW_SPEND.p / d.nu);
    const total = (v: number[]): number => v.reduce((sum, u) => sum + u, 0);
    const sd = Math.sqrt(total(truth.map((t, i) => (t - predicted[i]!) ** 2)));
    expect(Math.abs(total(predicted) - total(truth))).toBeLessThan(4 * sd);
  });

  it('lies between the population mean and the customer’s own mean, nearer their own with more orders (property)', () => {
    const population = (CDNOW_SPEND.p * CDNOW_SPEND.gamma) / (CDNOW_SPEND.q - 1);
    expect(expectedOrderValue(CDNOW_SPEND, { x: 0, mx: 0 })).toBeCloseTo(population, 12);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.double({ min: 0.5, max: 1_000, noNaN: true }), (x, mx) => {
        const value = expectedOrderValue(CDNOW_SPEND, { x, mx });
        expect(value).toBeGreaterThanOrEqual(Math.min(population, mx) - 1e-9);
        expect(value).toBeLessThanOrEqual(Math.max(population, mx) + 1e-9);
        const more = expectedOrderValue(CDNOW_SPEND, { x: x + 1, mx });
        expect(Math.abs(more - mx)).toBeLessThanOrEqual(Math.abs(value - mx) + 1e-9);
      }),
    );
  });

  it('customer value is expected purchases × expected order value; discounting lowers it, more so for longer horizons', () => {
    const summary = { x: 3, tx: 30, T: 38, mx: 42 };
    const plain = customerValue({ purchase: CDNOW, spend: CDNOW_SPEND, summary, horizon: 52 });
    expect(plain).toBeCloseTo(expectedPurchases(CDNOW, summary, 52) * expectedOrderValue(CDNOW_SPEND, summary), 10);
    expect(customerValue({ purchase: CDNOW, spend: CDNOW_SPEND, summary, horizon: 52, periods: 12 })).toBeCloseTo(plain, 10);
    const discounted = customerValue({ purchase: CDNOW, spend: CDNOW_SPEND, summary, horizon: 52, periods: 12, discountPerPeriod: 0.01 });
    expect(discounted).toBeLessThan(plain);
    expect(discounted).toBeGreaterThan(plain / 1.01 ** 12);
  });

  it('rejects bad inputs with the field named', () => {
    expect(() => gammaGammaLogLikelihood(CDNOW_SPEND, [{ x: 2, mx: 10 }, { x: 0, mx: 10 }])).toThrow(/spend summary #1: x must be a whole number ≥ 1/);
    expect(() => gammaGammaLogLikelihood(CDNOW_SPEND, [{ x: 2, mx: 0 }])).toThrow(/mx must be a finite number > 0/);
    expect(() => gammaGammaLogLikelihood({ ...CDNOW_SPEND, gamma: -1 }, [{ x: 2, mx: 3 }])).toThrow(/parameter gamma must be/);
    expect(() => expectedOrderValue({ ...CDNOW_SPEND, q: 0.9 }, { x: 2, mx: 3 })).toThrow(/q must be > 1/);
    expect(() => fitGammaGamma([])).toThrow(/at least one customer/);
    expect(() => customerValue({ purchase: CDNOW, spend: CDNOW_SPEND, summary: { x: 1, tx: 1, T: 2, mx: 3 }, horizon: 4, periods: 0 })).toThrow(/periods must be/);
  });
});

describe('gamma variates (Marsaglia-Tsang)', () => {
  it('have the mean shape/rate and variance shape/rate², for shapes below and above 1', () => {
    for (const [shape, rate] of [[0.243, 4.414], [3.74, 15.44], [25, 2]] as const) {
      const random = seededRandom(99);
      const n = 100_000;
      const draws = Array.from({ length: n }, () => gammaVariate(shape, rate, random));
      const mean = draws.reduce((s, d) => s + d, 0) / n;
      const variance = draws.reduce((s, d) => s + (d - mean) ** 2, 0) / n;
      const sdOfMean = Math.sqrt(shape) / rate / Math.sqrt(n);
      expect(Math.abs(mean - shape / rate)).toBeLessThan(4 * sdOfMean);
      expect(Math.abs(variance / (shape / rate ** 2) - 1)).toBeLessThan(shape < 1 ? 0.05 : 0.03);
    }
  });
});
