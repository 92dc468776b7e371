import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bgNbdLogLikelihood,
  expectedPurchases,
  expectedPurchasesNewCustomer,
  fitBgNbd,
  InvalidModelInputError,
  nextPurchaseQuantile,
  probabilityAlive,
  probabilityPurchaseWithin,
  summarizeOrders,
  type BgNbdParams,
  type PurchaseSummary,
} from '#shared/domain/predictive/bg-nbd.ts';
import { purchasesBetween, simulateBgNbdCohort } from '#shared/domain/predictive/clv-simulation.ts';
import { lnGamma } from '#shared/domain/predictive/special-functions.ts';
import { seededRandom } from '#shared/domain/seeded-random.ts';

/** Published CDNOW estimates (Fader, Hardie & Lee 2005), time in weeks. */
const CDNOW: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
/** A frequent-buyer shop with a > 1 (finite mean lifetime in purchases), time in days. */
const FREQUENT: BgNbdParams = { r: 2.1, alpha: 45, a: 2.6, b: 9.5 };

function simpson(f: (x: number) => number, lo: number, hi: number, n = 4_000): number {
  const h = (hi - lo) / n;
  let sum = f(lo) + f(hi);
  for (let i = 1; i < n; i++) sum += (i % 2 === 0 ? 2 : 4) * f(lo + i * h);
  return (sum * h) / 3;
}

/**
 * E[g(λ)] for λ ~ Gamma(shape, rate) over [0, upper]; below shape 1 substituting λ = u^(1/shape) removes
 * the λ^(shape−1) singularity (above it the substitution would create one).
 */
function gammaExpectation(g: (lambda: number) => number, shape: number, rate: number, upper: number): number {
  const lnNorm = shape * Math.log(rate) - lnGamma(shape);
  if (shape >= 1) return simpson((l) => (l === 0 ? 0 : g(l) * Math.exp(lnNorm + (shape - 1) * Math.log(l) - rate * l)), 0, upper, 20_000);
  return (Math.exp(lnNorm) / shape) * simpson((u) => g(u ** (1 / shape)) * Math.exp(-rate * u ** (1 / shape)), 0, upper ** shape, 20_000);
}

/** E[h(p)] for p ~ Beta(a, b); below a = 1.5 substituting p = w^(1/a) (p^(a−1) is not smooth at 0 there). */
function betaExpectation(h: (p: number) => number, a: number, b: number): number {
  const lnBeta = lnGamma(a) + lnGamma(b) - lnGamma(a + b);
  if (a >= 1.5) return simpson((p) => (p === 0 || p === 1 ? 0 : h(p) * Math.exp((a - 1) * Math.log(p) + (b - 1) * Math.log1p(-p) - lnBeta)), 0, 1, 20_000);
  return (Math.exp(-lnBeta) / a) * simpson((w) => h(w ** (1 / a)) * (1 - w ** (1 / a)) ** (b - 1), 0, 1, 20_000);
}

/**
 * The likelihood by integrating the individual-level one over the priors numerically (no closed form):
 * L(λ, p) = (1−p)^x λ^x e^(−λT) + δ(x>0) p(1−p)^(x−1) λ^x e^(−λ t_x).
 */
function numericalLikelihood({ r, alpha, a, b }: BgNbdParams, { x, tx, T }: PurchaseSummary): number {
  // Upper limit: 40 + 10√(r + x) purchases' worth past the posterior's mean, where the integrand is e^-40 small.
  const upper = (time: number): number => (r + x + 40 + 10 * Math.sqrt(r + x)) / (alpha + time);
  const alive = gammaExpectation((l) => l ** x * Math.exp(-l * T), r, alpha, upper(T)) * betaExpectation((p) => (1 - p) ** x, a, b);
  if (x === 0) return alive;
  const dropped = gammaExpectation((l) => l ** x * Math.exp(-l * tx), r, alpha, upper(tx)) * betaExpectation((p) => p * (1 - p) ** (x - 1), a, b);
  return alive + dropped;
}

describe('BG/NBD log-likelihood', () => {
  it('matches the mixture integrated numerically, customer by customer (CDNOW parameters, weeks)', () => {
    const customers: PurchaseSummary[] = [
      { x: 0, tx: 0, T: 38.86 },
      { x: 1, tx: 1.71, T: 38.86 },
      { x: 2, tx: 30.43, T: 38.86 },
      { x: 8, tx: 25, T: 30 },
      { x: 3, tx: 3.5, T: 27.1 },
    ];
    for (const customer of customers) {
      const closed = bgNbdLogLikelihood(CDNOW, [customer]);
      expect(Math.abs(closed - Math.log(numericalLikelihood(CDNOW, customer)))).toBeLessThan(1e-6);
    }
    expect(bgNbdLogLikelihood(FREQUENT, [{ x: 4, tx: 200, T: 300 }])).toBeCloseTo(Math.log(numericalLikelihood(FREQUENT, { x: 4, tx: 200, T: 300 })), 6);
  });

  it('sums over customers', () => {
    const a: PurchaseSummary = { x: 2, tx: 10, T: 20 };
    const b: PurchaseSummary = { x: 0, tx: 0, T: 15 };
    expect(bgNbdLogLikelihood(CDNOW, [a, b])).toBeCloseTo(bgNbdLogLikelihood(CDNOW, [a]) + bgNbdLogLikelihood(CDNOW, [b]), 12);
  });
});

describe('BG/NBD fit recovers the parameters of data from its own generative process', () => {
  // 5,000 customers, ages uniform over a 12-period acquisition window. Tolerance: each |ln θ̂ − ln θ|
  // within 4 standard errors from the observed information, and the standard errors themselves small.
  const cases = [
    { name: 'CDNOW (weeks)', params: CDNOW, minT: 27, maxT: 39, maxSe: { r: 0.1, alpha: 0.1, a: 0.3, b: 0.35 } },
    { name: 'frequent buyers (days)', params: FREQUENT, minT: 180, maxT: 365, maxSe: { r: 0.1, alpha: 0.1, a: 0.3, b: 0.35 } },
  ];
  for (const { name, params, minT, maxT, maxSe } of cases) {
    for (const seed of [1, 2, 3]) {
      it(`${name}, seed ${seed}`, () => {
        const cohort = simulateBgNbdCohort({ params, customers: 5_000, minT, maxT, random: seededRandom(seed) });
        const fit = fitBgNbd(cohort.map((c) => c.summary));
        expect(fit.converged).toBe(true);
        const se = fit.logParamStandardErrors!;
        for (const key of ['r', 'alpha', 'a', 'b'] as const) {
          expect(se[key]).toBeLessThan(maxSe[key]);
          expect(Math.abs(Math.log(fit.params[key] / params[key]))).toBeLessThan(4 * se[key]);
        }
        // The optimum is a maximum: the true parameters never beat it.
        expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgNbdLogLikelihood(params, cohort.map((c) => c.summary)));
      });
    }
  }
});

describe('BG/NBD fit on whole-day histories', () => {
  it('counts repeated summaries once with their multiplicity, without changing the likelihood it maximises', () => {
    const random = seededRandom(4);
    const days = simulateBgNbdCohort({ params: { ...CDNOW, alpha: CDNOW.alpha * 7 }, customers: 3_000, minT: 1, maxT: 400, random }).map(({ summary }) => {
      const tx = summary.x === 0 ? 0 : Math.max(1, Math.floor(summary.tx));
      return { x: summary.x, tx, T: Math.max(tx, Math.floor(summary.T)) };
    });
    expect(new Set(days.map((d) => `${d.x}|${d.tx}|${d.T}`)).size).toBeLessThan(days.length / 2);
    const fit = fitBgNbd(days);
    expect(fit.logLikelihood).toBeCloseTo(bgNbdLogLikelihood(fit.params, days), 6);
    expect(fit.customers).toBe(3_000);
  });
});

describe('BG/NBD closed forms', () => {
  it('P(alive) is 1 for x = 0 (dropout only follows a repeat purchase: the paper’s convention)', () => {
    expect(probabilityAlive(CDNOW, { x: 0, tx: 0, T: 38 })).toBe(1);
    expect(probabilityAlive(CDNOW, { x: 2, tx: 38, T: 38 })).toBeLessThan(1);
  });

  const summary = fc
    .record({ x: fc.integer({ min: 1, max: 40 }), T: fc.double({ min: 1, max: 400, noNaN: true }), share: fc.double({ min: 0.01, max: 1, noNaN: true }) })
    .map(({ x, T, share }) => ({ x, tx: T * share, T }));
  const params = fc.record({
    r: fc.double({ min: 0.05, max: 5, noNaN: true }),
    alpha: fc.double({ min: 0.5, max: 100, noNaN: true }),
    a: fc.double({ min: 0.1, max: 5, noNaN: true }),
    b: fc.double({ min: 0.1, max: 20, noNaN: true }),
  });

  it('a more recent last purchase raises P(alive) and P(purchase within t) (property)', () => {
    fc.assert(
      fc.property(params, summary, fc.double({ min: 0.01, max: 0.99, noNaN: true }), (p, s, earlier) => {
        const older = { ...s, tx: s.tx * earlier };
        expect(probabilityAlive(p, s)).toBeGreaterThanOrEqual(probabilityAlive(p, older));
        expect(probabilityPurchaseWithin(p, s, 30)).toBeGreaterThanOrEqual(probabilityPurchaseWithin(p, older, 30));
      }),
    );
  });

  it('a longer horizon gives more expected purchases and a higher P(purchase within t), bounded by P(alive) (property)', () => {
    fc.assert(
      fc.property(params, summary, fc.double({ min: 0.1, max: 200, noNaN: true }), fc.double({ min: 1.01, max: 5, noNaN: true }), (p, s, t, k) => {
        expect(expectedPurchases(p, s, t * k)).toBeGreaterThan(expectedPurchases(p, s, t));
        expect(expectedPurchases(p, s, t)).toBeGreaterThan(0);
        expect(probabilityPurchaseWithin(p, s, t * k)).toBeGreaterThanOrEqual(probabilityPurchaseWithin(p, s, t));
        expect(probabilityPurchaseWithin(p, s, t * k)).toBeLessThanOrEqual(probabilityAlive(p, s));
      }),
      { numRuns: 150 },
    );
  });

  it('expected purchases stay finite, non-negative and increasing for heavy buyers over long horizons (property)', () => {
    // x up to 300 over short ages and horizons up to 10⁵: the paper's form multiplies (1−z)^(r+x) → 0
    // by 2F1 → ∞ there (it gave NaN); the Euler-transformed form does not.
    fc.assert(
      fc.property(
        params,
        fc.integer({ min: 0, max: 300 }),
        fc.double({ min: 0.01, max: 2_000, noNaN: true }),
        fc.double({ min: 1e-6, max: 1, noNaN: true }),
        fc.double({ min: 0.01, max: 1e5, noNaN: true }),
        (p, x, T, share, t) => {
          const s = { x, tx: x === 0 ? 0 : T * share, T };
          const near = expectedPurchases(p, s, t);
          const far = expectedPurchases(p, s, t * 1.5);
          expect(Number.isFinite(near) && Number.isFinite(far)).toBe(true);
          expect(near).toBeGreaterThanOrEqual(0);
          expect(far).toBeGreaterThanOrEqual(near * (1 - 1e-9));
        },
      ),
      { numRuns: 300, examples: [[{ r: 0.808, alpha: 0.9027, a: 3.7124, b: 0.07742 }, 227, 25.64, 0.75, 2453.9]] },
    );
  });

  it('expected purchases match E[(1 − e^(−λpt))/p] integrated over the posterior, times P(alive)', () => {
    // Independent of the 2F1 algebra: given alive, λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x); the
    // λ-expectation of e^(−λpt) is the gamma Laplace transform, the p-expectation is done numerically.
    for (const [p, s, t] of [
      [CDNOW, { x: 2, tx: 30.43, T: 38.86 }, 39],
      [CDNOW, { x: 0, tx: 0, T: 38.86 }, 52],
      [CDNOW, { x: 0, tx: 0, T: 0.5 }, 200], // z = 0.98
      [CDNOW, { x: 1, tx: 0.5, T: 0.5 }, 5_000], // z > 0.99: the 1 − z transformation
      [FREQUENT, { x: 7, tx: 250, T: 300 }, 90],
      [{ ...CDNOW, a: 1.00003 }, { x: 3, tx: 20, T: 30 }, 26], // a ≈ 1: the removable singularity
    ] as [BgNbdParams, PurchaseSummary, number][]) {
      const shape = p.r + s.x;
      const base = p.alpha + s.T;
      const givenAlive = betaExpectation((q) => (q === 0 ? shape * (t / base) : -Math.expm1(shape * Math.log(base / (base + q * t))) / q), p.a, p.b + s.x);
      const expected = givenAlive * probabilityAlive(p, s);
      expect(Math.abs(expectedPurchases(p, s, t) / expected - 1)).toBeLessThan(1e-6);
    }
  });

  it('the population curve E[X(t)] is the conditional expectation of a customer of age 0', () => {
    expect(expectedPurchasesNewCustomer(CDNOW, 0)).toBe(0);
    expect(expectedPurchasesNewCustomer(CDNOW, 39)).toBeCloseTo(expectedPurchases(CDNOW, { x: 0, tx: 0, T: 0 }, 39), 12);
  });

  it('the next-purchase quantile inverts P(purchase within t), and is undefined beyond P(alive) (property)', () => {
    fc.assert(
      fc.property(params, summary, fc.double({ min: 0.01, max: 0.99, noNaN: true }), (p, s, share) => {
        const alive = probabilityAlive(p, s);
        const q = alive * share;
        const t = nextPurchaseQuantile(p, s, q)!;
        expect(probabilityPurchaseWithin(p, s, t)).toBeCloseTo(q, 9);
        expect(nextPurchaseQuantile(p, s, Math.min(0.999999, alive + (1 - alive) / 2 + 1e-9))).toBeUndefined();
      }),
    );
  });
});

describe('BG/NBD predictions against Monte Carlo from the model', () => {
  // 20,000 customers simulated past their cutoff T. Under the model each prediction is the exact
  // conditional expectation, so predicted and observed totals differ by noise only: tolerance 4 standard
  // deviations of the total, estimated by √Σ(observed − predicted)².
  const cohort = simulateBgNbdCohort({ params: CDNOW, customers: 20_000, minT: 27, maxT: 39, holdout: 39, random: seededRandom(7) });
  const within = (predicted: number[], observed: number[]): void => {
    const total = (v: number[]): number => v.reduce((sum, u) => sum + u, 0);
    const sd = Math.sqrt(total(observed.map((o, i) => (o - predicted[i]!) ** 2)));
    expect(Math.abs(total(predicted) - total(observed))).toBeLessThan(4 * sd);
  };

  it('expected purchases in the next 39 weeks, overall and for repeat buyers alone', () => {
    const predicted = cohort.map((c) => expectedPurchases(CDNOW, c.summary, 39));
    const observed = cohort.map((c) => purchasesBetween(c.customer.purchaseTimes, c.summary.T, 39));
    within(predicted, observed);
    const repeat = cohort.flatMap((c, i) => (c.summary.x > 0 ? [i] : []));
    within(repeat.map((i) => predicted[i]!), repeat.map((i) => observed[i]!));
  });

  it('P(purchase within 4 weeks) and P(alive), overall and by decile of the prediction', () => {
    const predicted = cohort.map((c) => probabilityPurchaseWithin(CDNOW, c.summary, 4));
    const observed = cohort.map((c) => (purchasesBetween(c.customer.purchaseTimes, c.summary.T, 4) > 0 ? 1 : 0));
    within(predicted, observed);
    const order = predicted.map((_, i) => i).sort((i, j) => predicted[i]! - predicted[j]!);
    for (let decile = 0; decile < 10; decile++) {
      const ids = order.slice((decile * order.length) / 10, ((decile + 1) * order.length) / 10);
      within(ids.map((i) => predicted[i]!), ids.map((i) => observed[i]!));
    }
    const alivePredicted = cohort.map((c) => probabilityAlive(CDNOW, c.summary));
    const aliveObserved = cohort.map((c) => (c.customer.dropoutAt === undefined || c.customer.dropoutAt > c.summary.T ? 1 : 0));
    within(alivePredicted, aliveObserved);
  });
  it('with parameters fitted on the calibration period alone, holdout totals within 10% (as on CDNOW)', () => {
    // Parameter error included, so wider than the 4-SD checks above: measured 0.975-0.991 for
    // purchases and 0.93-1.01 for buyers in 4 weeks over seeds 7-9.
    const fitted = fitBgNbd(cohort.map((c) => c.summary)).params;
    const total = (f: (c: (typeof cohort)[number]) => number): number => cohort.reduce((sum, c) => sum + f(c), 0);
    const purchases = total((c) => expectedPurchases(fitted, c.summary, 39)) / total((c) => purchasesBetween(c.customer.purchaseTimes, c.summary.T, 39));
    const buyers = total((c) => probabilityPurchaseWithin(fitted, c.summary, 4)) / total((c) => (purchasesBetween(c.customer.purchaseTimes, c.summary.T, 4) > 0 ? 1 : 0));
    expect(purchases).toBeGreaterThan(0.9);
    expect(purchases).toBeLessThan(1.1);
    expect(buyers).toBeGreaterThan(0.9);
    expect(buyers).toBeLessThan(1.1);
  });
});

describe('BG/NBD input checks', () => {
  it('names the customer and field for a bad summary, and the parameter for a bad one', () => {
    expect(() => bgNbdLogLikelihood(CDNOW, [{ x: 1, tx: 2, T: 3 }, { x: -1, tx: 0, T: 3 }])).toThrow(/purchase summary #1: x must be a whole number/);
    expect(() => bgNbdLogLikelihood(CDNOW, [{ x: 1.5, tx: 2, T: 3 }])).toThrow(/#0: x must be a whole number/);
    expect(() => probabilityAlive(CDNOW, { x: 2, tx: 5, T: 3 })).toThrow(/t_x must lie in \[0, T\]/);
    expect(() => probabilityAlive(CDNOW, { x: 0, tx: 1, T: 3 })).toThrow(/t_x must be 0 when x is 0/);
    expect(() => probabilityAlive(CDNOW, { x: 2, tx: 0, T: 3 })).toThrow(/t_x must be > 0 when x > 0/);
    expect(() => probabilityAlive(CDNOW, { x: 0, tx: 0, T: Number.NaN })).toThrow(/T must be a finite number/);
    expect(() => probabilityAlive({ ...CDNOW, b: 0 }, { x: 0, tx: 0, T: 3 })).toThrow(/parameter b must be a finite number > 0/);
    expect(() => expectedPurchases(CDNOW, { x: 0, tx: 0, T: 3 }, -1)).toThrow(/horizon t must be a finite number/);
    expect(() => nextPurchaseQuantile(CDNOW, { x: 0, tx: 0, T: 3 }, 1)).toThrow(/quantile q must lie in \(0, 1\)/);
    expect(() => fitBgNbd([])).toThrow(InvalidModelInputError);
    expect(() => fitBgNbd([{ x: 0, tx: 0, T: 3 }])).toThrow(/at least one customer with a repeat purchase/);
  });
});

describe('summarizeOrders', () => {
  it('merges orders of the same day into one occasion and counts periods from the first order', () => {
    const now = new Date('2026-03-31T12:00:00Z');
    const summary = summarizeOrders(
      [
        { at: '2026-01-01T09:00:00Z', amount: 20 },
        { at: '2026-01-11T08:00:00Z', amount: 15 },
        { at: '2026-01-11T18:00:00Z', amount: 5 },
        { at: '2026-02-10T10:00:00Z', amount: 30 },
      ],
      now,
    );
    expect(summary).toEqual({ x: 2, tx: 40, T: 89, repeatOccasionValues: [20, 30] });
    expect(summarizeOrders([{ at: '2026-01-01T09:00:00Z', amount: 20 }], now, 7)).toEqual({ x: 0, tx: 0, T: 12, repeatOccasionValues: [] });
  });

  it('rejects orders it cannot place', () => {
    const now = new Date('2026-03-31T12:00:00Z');
    expect(() => summarizeOrders([], now)).toThrow(/at least one order/);
    expect(() => summarizeOrders([{ at: 'soon', amount: 1 }], now)).toThrow(/order #0: at is not a date/);
    expect(() => summarizeOrders([{ at: '2026-04-02T00:00:00Z', amount: 1 }], now)).toThrow(/after now/);
    expect(() => summarizeOrders([{ at: '2026-01-02T00:00:00Z', amount: -1 }], now)).toThrow(/amount must be a finite number/);
  });
});
