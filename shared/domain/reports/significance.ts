/**
 * Is the difference between two groups (a segment and its holdout, two variants) real or noise?
 * A two-proportion z-test for rates (opens, clicks, conversions) and Welch's t-test for means
 * (revenue per user). Pure.
 *
 * The distribution functions are hand-written rather than a dependency: the well-kept candidate,
 * simple-statistics, reads the normal CDF from a 4-digit table in 0.01 steps that stops at
 * |z| = 3.09 (too coarse for p-values) and has no Student t CDF; jstat has both but ships no types.
 * Each function below is a published approximation of a few lines, its accuracy stated and tested
 * against reference values (scipy.stats).
 */

export type Proportion = { successes: number; trials: number };
/** A sample summarised: its size, mean and sample variance (n − 1 denominator). */
export type SampleSummary = { n: number; mean: number; variance: number };
export type TestOptions = { /** 0.95 by default. */ confidence?: number };

/** Why a test has no statistic: a side without data, or no spread to measure a difference against. */
export type NoTestReason = 'no_trials' | 'too_few_samples' | 'no_variance';

export type ProportionTestResult = {
  rateA: number | null;
  rateB: number | null;
  /** rateB − rateA */
  difference: number | null;
  /** (rateB − rateA) / rateA; null when rateA is 0. */
  lift: number | null;
  z: number | null;
  /** Two-sided, from the pooled standard error (the null hypothesis is "same rate"). */
  pValue: number | null;
  /** For the difference, from the unpooled standard error (Wald). */
  confidenceInterval: [number, number] | null;
  /** pValue < 1 − confidence */
  significant: boolean;
  reason?: NoTestReason;
};

export type MeanDifferenceResult = {
  meanA: number | null;
  meanB: number | null;
  /** meanB − meanA */
  difference: number | null;
  /** (meanB − meanA) / meanA; null when meanA is 0. */
  lift: number | null;
  standardError: number | null;
  t: number | null;
  /** Welch–Satterthwaite degrees of freedom. */
  degreesOfFreedom: number | null;
  /** Two-sided, from Student's t with the Welch–Satterthwaite degrees of freedom. */
  pValue: number | null;
  confidenceInterval: [number, number] | null;
  /** pValue < 1 − confidence */
  significant: boolean;
  reason?: NoTestReason;
};

const DEFAULT_CONFIDENCE = 0.95;

/**
 * Two-proportion z-test of B against A. Zero trials on a side, or no variance at all (both rates 0
 * or both 1), give nulls with a `reason` rather than NaN. Counts may be fractional (attributed
 * conversions are).
 */
export function twoProportionZTest(a: Proportion, b: Proportion, options: TestOptions = {}): ProportionTestResult {
  checkProportion(a, 'a');
  checkProportion(b, 'b');
  const confidence = checkConfidence(options.confidence ?? DEFAULT_CONFIDENCE);
  const rateA = a.trials > 0 ? a.successes / a.trials : null;
  const rateB = b.trials > 0 ? b.successes / b.trials : null;
  const untested = { z: null, pValue: null, confidenceInterval: null, significant: false } as const;
  if (rateA === null || rateB === null) return { rateA, rateB, difference: null, lift: null, ...untested, reason: 'no_trials' };

  const difference = rateB - rateA;
  const lift = rateA === 0 ? null : difference / rateA;
  const pooled = (a.successes + b.successes) / (a.trials + b.trials);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  if (pooledSe === 0) return { rateA, rateB, difference, lift, ...untested, reason: 'no_variance' };

  const z = difference / pooledSe;
  const pValue = twoSidedPValue(z);
  const unpooledSe = Math.sqrt((rateA * (1 - rateA)) / a.trials + (rateB * (1 - rateB)) / b.trials);
  const margin = zFor(confidence) * unpooledSe;
  return { rateA, rateB, difference, lift, z, pValue, confidenceInterval: [difference - margin, difference + margin], significant: pValue < 1 - confidence };
}

/**
 * Welch's t-test of B's mean against A's (unequal variances, e.g. revenue per user of a segment vs
 * its holdout). Student's t with Welch–Satterthwaite degrees of freedom, not the normal
 * approximation, so small groups get honest (wider) intervals. A side with n < 2 has no variance
 * estimate: nulls with a `reason`.
 */
export function meanDifference(a: SampleSummary, b: SampleSummary, options: TestOptions = {}): MeanDifferenceResult {
  checkSample(a, 'a');
  checkSample(b, 'b');
  const confidence = checkConfidence(options.confidence ?? DEFAULT_CONFIDENCE);
  const meanA = a.n > 0 ? a.mean : null;
  const meanB = b.n > 0 ? b.mean : null;
  const difference = meanA === null || meanB === null ? null : meanB - meanA;
  const lift = difference === null || meanA === 0 || meanA === null ? null : difference / meanA;
  const untested = { standardError: null, t: null, degreesOfFreedom: null, pValue: null, confidenceInterval: null, significant: false } as const;
  if (difference === null || a.n < 2 || b.n < 2) return { meanA, meanB, difference, lift, ...untested, reason: 'too_few_samples' };

  const varianceOfMeanA = a.variance / a.n;
  const varianceOfMeanB = b.variance / b.n;
  const standardError = Math.sqrt(varianceOfMeanA + varianceOfMeanB);
  if (standardError === 0) return { meanA, meanB, difference, lift, ...untested, reason: 'no_variance' };

  const degreesOfFreedom = (varianceOfMeanA + varianceOfMeanB) ** 2 / (varianceOfMeanA ** 2 / (a.n - 1) + varianceOfMeanB ** 2 / (b.n - 1));
  const t = difference / standardError;
  const pValue = studentTTwoSidedPValue(t, degreesOfFreedom);
  const margin = studentTFor(confidence, degreesOfFreedom) * standardError;
  return {
    meanA,
    meanB,
    difference,
    lift,
    standardError,
    t,
    degreesOfFreedom,
    pValue,
    confidenceInterval: [difference - margin, difference + margin],
    significant: pValue < 1 - confidence,
  };
}

// --- the normal distribution ------------------------------------------------------------------

/**
 * Φ(x), the standard normal CDF: Hart's 1968 double-precision algorithm as given by G. West,
 * "Better approximations to cumulative normal functions" (2005). Absolute error < 1e-15 everywhere;
 * relative error of the tail < 5e-11 for |x| ≤ 5 and < 1e-8 beyond, so tiny p-values stay accurate
 * (unlike 1 − erf-based formulas such as Abramowitz–Stegun 7.1.26, absolute error 1.5e-7).
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const tail = normalLowerTail(Math.abs(x));
  return x > 0 ? 1 - tail : tail;
}

/** Φ(−|x|), computed directly: no cancellation. */
function normalLowerTail(absX: number): number {
  if (absX > 37) return 0;
  const gaussian = Math.exp((-absX * absX) / 2);
  if (absX < 7.07106781186547) {
    const numerator = horner(absX, [3.52624965998911e-2, 0.700383064443688, 6.37396220353165, 33.912866078383, 112.079291497871, 221.213596169931, 220.206867912376]);
    const denominator = horner(absX, [
      8.83883476483184e-2, 1.75566716318264, 16.064177579207, 86.7807322029461, 296.564248779674, 637.333633378831, 793.826512519948, 440.413735824752,
    ]);
    return (gaussian * numerator) / denominator;
  }
  // Far tail: a continued fraction for Mills' ratio.
  const fraction = absX + 1 / (absX + 2 / (absX + 3 / (absX + 4 / (absX + 0.65))));
  return gaussian / fraction / 2.506628274631;
}

/** The two-sided p-value of a standard normal statistic: 2·Φ(−|z|). */
export function twoSidedPValue(z: number): number {
  return Math.min(1, 2 * normalLowerTail(Math.abs(z)));
}

/**
 * The two-sided critical value for a confidence level: zFor(0.95) = 1.959964. Acklam's rational
 * approximation of the normal quantile (relative error < 1.15e-9), then one Halley step against
 * `normalCdf`, which brings it to about double precision (Acklam's own refinement).
 */
export function zFor(confidence: number): number {
  checkConfidence(confidence);
  return normalQuantile(1 - (1 - confidence) / 2);
}

const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1, 1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416, 1];
const ACKLAM_LOW = 0.02425;

/** Φ⁻¹(p) for 0 < p < 1. */
function normalQuantile(p: number): number {
  let x: number;
  if (p < ACKLAM_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = horner(q, ACKLAM_C) / horner(q, ACKLAM_D);
  } else if (p <= 1 - ACKLAM_LOW) {
    const q = p - 0.5;
    const r = q * q;
    x = (horner(r, ACKLAM_A) * q) / horner(r, ACKLAM_B);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -horner(q, ACKLAM_C) / horner(q, ACKLAM_D);
  }
  const error = normalCdf(x) - p;
  const u = error * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

// --- Student's t distribution -----------------------------------------------------------------

/** P(|T| ≥ |t|) for T ~ Student's t with `df` degrees of freedom: the regularized incomplete beta I_{df/(df+t²)}(df/2, 1/2). */
export function studentTTwoSidedPValue(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
  const tSquared = t * t;
  if (!Number.isFinite(tSquared)) return 0;
  return Math.min(1, regularizedIncompleteBeta(df / (df + tSquared), tSquared / (df + tSquared), df / 2, 0.5));
}

/** The two-sided critical t for a confidence level: bisection on the p-value, which is monotone in t, to full precision. */
export function studentTFor(confidence: number, df: number): number {
  checkConfidence(confidence);
  const alpha = 1 - confidence;
  let low = 0;
  let high = Math.max(1, zFor(confidence));
  while (studentTTwoSidedPValue(high, df) > alpha) high *= 2;
  for (let i = 0; i < 200; i++) {
    const middle = (low + high) / 2;
    if (middle === low || middle === high) break;
    if (studentTTwoSidedPValue(middle, df) > alpha) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/**
 * I_x(a, b), with y = 1 − x passed in so it keeps its precision when x is near 1. The continued
 * fraction of Numerical Recipes (2nd ed., §6.4, modified Lentz), evaluated on the side where it
 * converges fast. Against scipy, the t p-values are within 1e-14 (relative) up to a few hundred
 * degrees of freedom; the log-gamma terms of large arguments cancel beyond that, to about 1e-10 at
 * 1e5 df and 1e-9 at 1e7: far finer than any p-value is read.
 */
function regularizedIncompleteBeta(x: number, y: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(y));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(y, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const nonZero = (value: number) => (Math.abs(value) < tiny ? tiny : value);
  let c = 1;
  let d = 1 / nonZero(1 - ((a + b) * x) / (a + 1));
  let fraction = d;
  // Convergence takes O(√max(a, b)) terms: ample for any sample size a report will see.
  for (let m = 1; m <= 100_000; m++) {
    const evenTerm = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 / nonZero(1 + evenTerm * d);
    c = nonZero(1 + evenTerm / c);
    fraction *= d * c;
    const oddTerm = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 / nonZero(1 + oddTerm * d);
    c = nonZero(1 + oddTerm / c);
    const step = d * c;
    fraction *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return fraction;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x ≥ 0.5 (all this module needs): the Lanczos approximation, g = 7, relative error about 1e-15. */
function logGamma(x: number): number {
  const shifted = x - 1;
  let series = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) series += LANCZOS[i]! / (shifted + i);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(series);
}

// --- helpers -------------------------------------------------------------------------------------

/** A polynomial with coefficients from the highest power down. */
function horner(x: number, coefficients: readonly number[]): number {
  return coefficients.reduce((sum, coefficient) => sum * x + coefficient, 0);
}

function checkConfidence(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be between 0 and 1 (exclusive), got ${confidence}`);
  return confidence;
}

function checkProportion(p: Proportion, side: string): void {
  if (!(Number.isFinite(p.trials) && Number.isFinite(p.successes) && p.trials >= 0 && p.successes >= 0)) {
    throw new RangeError(`${side}: successes and trials must be finite and non-negative, got ${p.successes}/${p.trials}`);
  }
  if (p.successes > p.trials) throw new RangeError(`${side}: successes (${p.successes}) exceed trials (${p.trials})`);
}

function checkSample(s: SampleSummary, side: string): void {
  if (!(Number.isFinite(s.n) && s.n >= 0)) throw new RangeError(`${side}: n must be finite and non-negative, got ${s.n}`);
  if (!(Number.isFinite(s.variance) && s.variance >= 0)) throw new RangeError(`${side}: variance must be finite and non-negative, got ${s.variance}`);
  if (!Number.isFinite(s.mean)) throw new RangeError(`${side}: mean must be finite, got ${s.mean}`);
}
