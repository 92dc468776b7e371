import { describe, expect, it } from 'vitest';
import {
  meanDifference,
  normalCdf,
  studentTFor,
  studentTTwoSidedPValue,
  twoProportionZTest,
  twoSidedPValue,
  zFor,
} from '#shared/domain/reports/significance.ts';

/** Relative closeness, for values that span many orders of magnitude (tail probabilities). */
function expectRelativelyClose(actual: number, expected: number, tolerance: number) {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(tolerance);
}

describe('normalCdf', () => {
  // Reference values: scipy.stats.norm.cdf.
  it.each([
    [-8, 6.22096057427174e-16],
    [-5, 2.866515718791933e-7],
    [-3, 0.0013498980316300933],
    [-1.96, 0.024997895148220435],
    [-1, 0.15865525393145707],
    [-0.5, 0.3085375387259869],
    [0, 0.5],
    [0.5, 0.6914624612740131],
    [1, 0.8413447460685429],
    [1.96, 0.9750021048517795],
    [3, 0.9986501019683699],
    [5, 0.9999997133484281],
  ])('Φ(%d) = %d', (x, expected) => {
    expect(normalCdf(x)).toBeCloseTo(expected, 14);
    if (x < 0) expectRelativelyClose(normalCdf(x), expected, 1e-8);
  });

  it('is symmetric and saturates without NaN', () => {
    expect(normalCdf(1.3) + normalCdf(-1.3)).toBeCloseTo(1, 15);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
  });

  it('gives two-sided p-values from the lower tail', () => {
    expect(twoSidedPValue(0)).toBe(1);
    expect(twoSidedPValue(1.959963984540054)).toBeCloseTo(0.05, 12);
    expect(twoSidedPValue(-1.959963984540054)).toBeCloseTo(0.05, 12);
    expectRelativelyClose(twoSidedPValue(-8), 2 * 6.22096057427174e-16, 1e-8);
  });
});

describe('zFor', () => {
  // Reference values: scipy.stats.norm.ppf(1 − (1 − c)/2).
  it.each([
    [0.8, 1.2815515655446004],
    [0.9, 1.6448536269514722],
    [0.95, 1.959963984540054],
    [0.99, 2.5758293035489004],
    [0.999, 3.2905267314919255],
  ])('zFor(%d) = %d', (confidence, expected) => {
    expect(zFor(confidence)).toBeCloseTo(expected, 12);
  });

  it('rejects confidences outside (0, 1)', () => {
    for (const bad of [0, 1, -0.5, 1.5, Number.NaN]) expect(() => zFor(bad)).toThrow(RangeError);
  });
});

describe("Student's t", () => {
  // Reference values: 2·scipy.stats.t.sf(|t|, df). Precision falls with huge df (see the source).
  it.each([
    [2, 10, 0.07338803477074037, 1e-13],
    [2, 1, 0.2951672353008665, 1e-13],
    [1, 3.7, 0.37814139976045247, 1e-13],
    [0.3, 50, 0.7654208802553033, 1e-13],
    [5, 25, 3.727107481445396e-5, 1e-13],
    [10, 100, 9.90168898459413e-17, 1e-13],
    [40, 20, 1.457469655431075e-20, 1e-13],
    [2, 1e5, 0.04550296345750651, 1e-9],
    [2, 1e7, 0.04550029089184296, 1e-8],
  ])('two-sided p of t = %d with %d df', (t, df, expected, tolerance) => {
    expectRelativelyClose(studentTTwoSidedPValue(t, df), expected, tolerance);
    expectRelativelyClose(studentTTwoSidedPValue(-t, df), expected, tolerance);
  });

  it('gives p = 1 at t = 0 and 0 at infinity', () => {
    expect(studentTTwoSidedPValue(0, 7)).toBe(1);
    expect(studentTTwoSidedPValue(Number.POSITIVE_INFINITY, 7)).toBe(0);
    expect(() => studentTTwoSidedPValue(1, 0)).toThrow(RangeError);
  });

  // Reference values: scipy.stats.t.ppf(1 − (1 − c)/2, df).
  it.each([
    [0.95, 1, 12.706204736174694],
    [0.95, 2, 4.302652729749462],
    [0.95, 2.5, 3.5746548420036817],
    [0.95, 10, 2.228138851986274],
    [0.95, 30, 2.0422724563012378],
    [0.99, 5, 4.032142983555228],
    [0.95, 1000, 1.9623390808264083],
    [0.95, 1e6, 1.959966356814107],
  ])('critical t for %d confidence with %d df', (confidence, df, expected) => {
    expectRelativelyClose(studentTFor(confidence, df), expected, 1e-9);
  });
});

describe('twoProportionZTest', () => {
  it('tests 200/1000 against 250/1000 (hand-computed)', () => {
    // pooled p = 450/2000 = 0.225; pooled SE = √(0.225·0.775·(1/1000 + 1/1000)) = 0.0186748
    // z = 0.05 / 0.0186748 = 2.677398; p = 2·Φ(−2.677398) = 0.0074196
    // unpooled SE = √(0.2·0.8/1000 + 0.25·0.75/1000) = √0.0003475 = 0.0186414
    // CI = 0.05 ± 1.959964·0.0186414 = [0.013464, 0.086536]
    const result = twoProportionZTest({ successes: 200, trials: 1000 }, { successes: 250, trials: 1000 });
    expect(result.rateA).toBeCloseTo(0.2, 12);
    expect(result.rateB).toBeCloseTo(0.25, 12);
    expect(result.difference).toBeCloseTo(0.05, 12);
    expect(result.lift).toBeCloseTo(0.25, 12); // 0.05 / 0.2
    expect(result.z).toBeCloseTo(2.677398, 5);
    expect(result.pValue).toBeCloseTo(0.0074196, 6);
    expect(result.confidenceInterval![0]).toBeCloseTo(0.013464, 5);
    expect(result.confidenceInterval![1]).toBeCloseTo(0.086536, 5);
    expect(result.significant).toBe(true);
    expect(result.reason).toBeUndefined();
  });

  it('reverses the sign of z, difference and interval when the groups swap', () => {
    const result = twoProportionZTest({ successes: 250, trials: 1000 }, { successes: 200, trials: 1000 });
    expect(result.z).toBeCloseTo(-2.677398, 5);
    expect(result.lift).toBeCloseTo(-0.2, 12); // −0.05 / 0.25
    expect(result.confidenceInterval![0]).toBeCloseTo(-0.086536, 5);
    expect(result.pValue).toBeCloseTo(0.0074196, 6);
  });

  it('uses the confidence for both the verdict and the interval', () => {
    // 1 − 0.995 = 0.005 < p = 0.0074: not significant at 99.5%.
    const strict = twoProportionZTest({ successes: 200, trials: 1000 }, { successes: 250, trials: 1000 }, { confidence: 0.995 });
    expect(strict.significant).toBe(false);
    // z(0.995) = 2.807034: CI = 0.05 ± 2.807034·0.0186414 = [−0.002327, 0.102327]
    expect(strict.confidenceInterval![0]).toBeCloseTo(-0.002327, 5);
    expect(strict.confidenceInterval![1]).toBeCloseTo(0.102327, 5);
  });

  it('finds nothing between identical rates: z 0, p 1', () => {
    const result = twoProportionZTest({ successes: 30, trials: 300 }, { successes: 50, trials: 500 });
    expect(result.z).toBe(0);
    expect(result.pValue).toBe(1);
    expect(result.difference).toBe(0);
    expect(result.lift).toBe(0);
    expect(result.significant).toBe(false);
  });

  it('has no lift when A converts nobody, yet still tests the difference', () => {
    // pooled p = 10/200 = 0.05; SE = √(0.05·0.95·(2/100)) = 0.0308221; z = 0.1/0.0308221 = 3.244428
    const result = twoProportionZTest({ successes: 0, trials: 100 }, { successes: 10, trials: 100 });
    expect(result.lift).toBeNull();
    expect(result.difference).toBeCloseTo(0.1, 12);
    expect(result.z).toBeCloseTo(3.244428, 5);
    expect(result.significant).toBe(true);
  });

  it('returns nulls and a reason for zero trials, never NaN', () => {
    const result = twoProportionZTest({ successes: 0, trials: 0 }, { successes: 5, trials: 50 });
    expect(result).toEqual({ rateA: null, rateB: 0.1, difference: null, lift: null, z: null, pValue: null, confidenceInterval: null, significant: false, reason: 'no_trials' });
    expect(twoProportionZTest({ successes: 0, trials: 0 }, { successes: 0, trials: 0 }).reason).toBe('no_trials');
  });

  it('returns nulls and a reason when neither group varies (both 0% or both 100%)', () => {
    const none = twoProportionZTest({ successes: 0, trials: 100 }, { successes: 0, trials: 80 });
    expect(none).toEqual({ rateA: 0, rateB: 0, difference: 0, lift: null, z: null, pValue: null, confidenceInterval: null, significant: false, reason: 'no_variance' });
    expect(twoProportionZTest({ successes: 100, trials: 100 }, { successes: 80, trials: 80 }).reason).toBe('no_variance');
  });

  it('rejects impossible counts', () => {
    expect(() => twoProportionZTest({ successes: -1, trials: 10 }, { successes: 1, trials: 10 })).toThrow(RangeError);
    expect(() => twoProportionZTest({ successes: 1, trials: 10 }, { successes: 1, trials: -10 })).toThrow(RangeError);
    expect(() => twoProportionZTest({ successes: 11, trials: 10 }, { successes: 1, trials: 10 })).toThrow(RangeError);
    expect(() => twoProportionZTest({ successes: Number.NaN, trials: 10 }, { successes: 1, trials: 10 })).toThrow(RangeError);
    expect(() => twoProportionZTest({ successes: 1, trials: 10 }, { successes: 1, trials: 10 }, { confidence: 95 })).toThrow(RangeError);
  });
});

describe('meanDifference (Welch)', () => {
  it('tests small samples with Welch–Satterthwaite degrees of freedom (hand-computed)', () => {
    // Var of the means: 16/10 = 1.6 and 36/12 = 3; SE = √4.6 = 2.144761
    // t = 5 / 2.144761 = 2.331262
    // df = 4.6² / (1.6²/9 + 3²/11) = 21.16 / (0.284444 + 0.818182) = 19.190546
    // p = 2·P(T₁₉.₁₉ > 2.331262) = 0.0307855 (scipy ttest_ind_from_stats, equal_var=False)
    // t* = 2.091618; CI = 5 ± 2.091618·2.144761 = [0.513978, 9.486022]
    const result = meanDifference({ n: 10, mean: 20, variance: 16 }, { n: 12, mean: 25, variance: 36 });
    expect(result.difference).toBe(5);
    expect(result.lift).toBeCloseTo(0.25, 12);
    expect(result.standardError).toBeCloseTo(2.144761, 6);
    expect(result.t).toBeCloseTo(2.331262, 6);
    expect(result.degreesOfFreedom).toBeCloseTo(19.190546, 6);
    expect(result.pValue).toBeCloseTo(0.0307855, 7);
    expect(result.confidenceInterval![0]).toBeCloseTo(0.513978, 6);
    expect(result.confidenceInterval![1]).toBeCloseTo(9.486022, 6);
    expect(result.significant).toBe(true);
  });

  it('tests revenue per user of large groups (hand-computed)', () => {
    // SE = √(100/5000 + 121/5000) = √0.0442 = 0.210238; t = 0.6 / 0.210238 = 2.853909
    // df = 0.0442² / ((0.02² + 0.0242²)/4999) = 9908.53; p = 0.0043274; t* = 1.960203
    // CI = 0.6 ± 1.960203·0.210238 = [0.187891, 1.012109]
    const result = meanDifference({ n: 5000, mean: 2, variance: 100 }, { n: 5000, mean: 2.6, variance: 121 });
    expect(result.t).toBeCloseTo(2.853909, 6);
    expect(result.degreesOfFreedom).toBeCloseTo(9908.53, 2);
    expect(result.pValue).toBeCloseTo(0.0043274, 7);
    expect(result.confidenceInterval![0]).toBeCloseTo(0.187891, 6);
    expect(result.confidenceInterval![1]).toBeCloseTo(1.012109, 6);
    expect(result.lift).toBeCloseTo(0.3, 12);
  });

  it('takes the degrees of freedom from the varying side when the other has no spread', () => {
    // SE = √(0 + 1/4) = 0.5; t = 2; df = 3 exactly; p = 0.139326; t*(3) = 3.182446
    const result = meanDifference({ n: 3, mean: 1, variance: 0 }, { n: 4, mean: 2, variance: 1 });
    expect(result.degreesOfFreedom).toBeCloseTo(3, 12);
    expect(result.pValue).toBeCloseTo(0.139326, 6);
    expect(result.confidenceInterval![0]).toBeCloseTo(1 - 3.182446 * 0.5, 6);
    expect(result.significant).toBe(false);
  });

  it('finds nothing between equal means', () => {
    const result = meanDifference({ n: 50, mean: 3, variance: 4 }, { n: 60, mean: 3, variance: 9 });
    expect(result.t).toBe(0);
    expect(result.pValue).toBe(1);
    expect(result.significant).toBe(false);
  });

  it('returns nulls and a reason instead of NaN', () => {
    expect(meanDifference({ n: 0, mean: 0, variance: 0 }, { n: 10, mean: 5, variance: 1 })).toMatchObject({ meanA: null, meanB: 5, difference: null, t: null, pValue: null, significant: false, reason: 'too_few_samples' });
    expect(meanDifference({ n: 1, mean: 4, variance: 0 }, { n: 10, mean: 5, variance: 1 })).toMatchObject({ difference: 1, lift: 0.25, t: null, reason: 'too_few_samples' });
    expect(meanDifference({ n: 5, mean: 4, variance: 0 }, { n: 5, mean: 6, variance: 0 })).toMatchObject({ difference: 2, t: null, confidenceInterval: null, reason: 'no_variance' });
    expect(meanDifference({ n: 5, mean: 0, variance: 1 }, { n: 5, mean: 6, variance: 1 }).lift).toBeNull();
  });

  it('rejects impossible summaries', () => {
    expect(() => meanDifference({ n: -1, mean: 0, variance: 1 }, { n: 5, mean: 0, variance: 1 })).toThrow(RangeError);
    expect(() => meanDifference({ n: 5, mean: 0, variance: -1 }, { n: 5, mean: 0, variance: 1 })).toThrow(RangeError);
    expect(() => meanDifference({ n: 5, mean: Number.NaN, variance: 1 }, { n: 5, mean: 0, variance: 1 })).toThrow(RangeError);
  });
});
