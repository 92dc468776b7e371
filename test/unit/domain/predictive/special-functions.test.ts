import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gammaSign, hyp2f1, hyp2f1Series, HypergeometricError, lnGamma } from '#shared/domain/predictive/special-functions.ts';

/** Composite Simpson on [lo, hi] with n (even) panels. */
function simpson(f: (x: number) => number, lo: number, hi: number, n: number): number {
  const h = (hi - lo) / n;
  let sum = f(lo) + f(hi);
  for (let i = 1; i < n; i++) sum += (i % 2 === 0 ? 2 : 4) * f(lo + i * h);
  return (sum * h) / 3;
}

/**
 * Euler's integral, an independent reference for b ≥ 2 and c − b ≥ 2 (integrand smooth enough at both ends):
 * 2F1(a,b;c;z) = Γ(c)/(Γ(b)Γ(c−b)) ∫₀¹ s^(b−1) (1−s)^(c−b−1) (1−zs)^(−a) ds.
 */
function eulerIntegral(a: number, b: number, c: number, z: number): number {
  const lead = Math.exp(lnGamma(c) - lnGamma(b) - lnGamma(c - b));
  return lead * simpson((s) => s ** (b - 1) * (1 - s) ** (c - b - 1) * (1 - z * s) ** -a, 0, 1, 20_000);
}

describe('lnGamma', () => {
  it('matches factorials, Γ(1/2) = √π and the reflection to 1e-13', () => {
    let factorial = 1;
    for (let n = 1; n <= 30; n++) {
      expect(Math.abs(lnGamma(n) - Math.log(factorial))).toBeLessThan(1e-13 * Math.max(1, Math.log(factorial)));
      factorial *= n;
    }
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(lnGamma(-0.5)).toBeCloseTo(Math.log(2 * Math.sqrt(Math.PI)), 13); // Γ(−1/2) = −2√π
    expect(lnGamma(1e-8)).toBeCloseTo(-Math.log(1e-8) - 0.5772156649015329e-8, 10);
  });

  it('satisfies Γ(x+1) = xΓ(x) over the positive reals (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 500, noNaN: true }), (x) => {
        expect(Math.abs(lnGamma(x + 1) - lnGamma(x) - Math.log(x))).toBeLessThan(1e-12 * Math.max(1, Math.abs(lnGamma(x + 1))));
      }),
    );
  });

  it('signs Γ on the negative axis and is infinite at the poles', () => {
    expect([gammaSign(2.5), gammaSign(-0.5), gammaSign(-1.5), gammaSign(-2.5), gammaSign(-3)]).toEqual([1, -1, 1, -1, 0]);
    expect(lnGamma(0)).toBe(Number.POSITIVE_INFINITY);
    expect(lnGamma(-2)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('2F1', () => {
  it('matches closed forms, including the integer c − a − b cases near z = 1', () => {
    for (const z of [0.1, 0.5, 0.8, 0.81, 0.9, 0.99, 0.999999]) {
      // c − a − b = 0, interpolated in c: its error grows like ln(1 − z)⁴, still < 1e-8 at 1 − 1e-6.
      expect(Math.abs(hyp2f1(1, 1, 2, z) / (-Math.log1p(-z) / z) - 1)).toBeLessThan(z < 0.99 ? 1e-11 : 1e-8);
      expect(hyp2f1(0.5, 0.5, 1.5, z) / (Math.asin(Math.sqrt(z)) / Math.sqrt(z)) - 1).toBeCloseTo(0, 12);
      expect(hyp2f1(2.5, 1.7, 1.7, z) / (1 - z) ** -2.5 - 1).toBeCloseTo(0, 11); // 2F1(a,b;b;z) = (1−z)^−a
      expect(hyp2f1(-3, 2, 1.5, z)).toBeCloseTo(1 - 4 * z + 4.8 * z * z - (64 / 35) * z ** 3, 10); // a polynomial
    }
    expect(hyp2f1(0.3, 0.4, 2, 0)).toBe(1);
  });

  it('approaches Gauss’s value Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)) as z → 1 when c > a + b', () => {
    const [a, b, c] = [0.7, 1.3, 3.1];
    const gauss = Math.exp(lnGamma(c) + lnGamma(c - a - b) - lnGamma(c - a) - lnGamma(c - b));
    expect(hyp2f1(a, b, c, 1 - 1e-12) / gauss - 1).toBeCloseTo(0, 9);
  });

  it('agrees with Euler’s integral on the BG/NBD range of parameters (property)', () => {
    // c − b whole keeps the reference integrand smooth at s = 1. The example is where the 1 − z
    // transformation, once used from z = 0.8, lost 5 digits to cancellation (relative error 6e-5).
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 40, noNaN: true }),
        fc.double({ min: 2, max: 40, noNaN: true }),
        fc.integer({ min: 2, max: 5 }),
        fc.double({ min: 0, max: 0.9, noNaN: true }), // sharper peaks at s = 1 outrun the Simpson reference
        (a, b, cMinusB, z) => {
          const c = b + cMinusB;
          const reference = eulerIntegral(a, b, c, z);
          expect(Math.abs(hyp2f1(a, b, c, z) / reference - 1)).toBeLessThan(1e-7);
        },
      ),
      { numRuns: 60, examples: [[6.370536639541387, 35.80323131866753, 2, 0.8059966746252031]] },
    );
  });

  it('gives the same value by the direct series and by the 1 − z transformation above z = 0.99 (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 40, noNaN: true }),
        fc.double({ min: 0.05, max: 40, noNaN: true }),
        fc.double({ min: -0.99, max: 3, noNaN: true }),
        fc.double({ min: 0.9901, max: 0.999, noNaN: true }),
        (r, b, aMinusOne, z) => {
          // The BG/NBD shape: 2F1(r+x, b+x; a+b+x−1; z) with a > 0, so c − b may be below zero.
          const c = b + aMinusOne;
          if (c <= 0) return;
          const series = hyp2f1Series(r, b, c, z);
          expect(Math.abs(hyp2f1(r, b, c, z) / series - 1)).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 100, examples: [[39.998, 0.05, 0, 0.995]] },
    );
  });

  it('rejects arguments outside [0, 1) and a pole in c', () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(HypergeometricError);
    expect(() => hyp2f1(1, 1, 2, -0.1)).toThrow(/outside \[0, 1\)/);
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(/pole/);
    expect(() => hyp2f1(Number.NaN, 1, 2, 0.5)).toThrow(/non-finite/);
  });
});
