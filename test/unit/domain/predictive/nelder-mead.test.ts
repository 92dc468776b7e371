import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { invertMatrix, minimizeNelderMead, numericalHessian } from '#shared/domain/predictive/nelder-mead.ts';

describe('Nelder-Mead', () => {
  it('finds the Rosenbrock minimum at (1, 1) from (−1.2, 1)', () => {
    const rosenbrock = ([x, y]: number[]): number => 100 * (y! - x! * x!) ** 2 + (1 - x!) ** 2;
    const result = minimizeNelderMead(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
  });

  it('finds the centre of any positive-definite quadratic in four dimensions, treating NaN as +∞ (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 4, maxLength: 4 }), fc.array(fc.double({ min: 0.2, max: 10, noNaN: true }), { minLength: 4, maxLength: 4 }), (centre, scales) => {
        const f = (v: number[]): number => (v[0]! > 50 ? Number.NaN : v.reduce((sum, u, i) => sum + scales[i]! * (u - centre[i]!) ** 2 + 0.1 * u * (v[(i + 1) % 4]! - centre[(i + 1) % 4]!), 0));
        const result = minimizeNelderMead(f, [0, 0, 0, 0]);
        // Diagonal 2·scale ≥ 0.4 beats the two 0.1 cross terms per row: positive definite. The cross
        // terms shift the optimum, so check stationarity rather than the position.
        const h = 1e-5;
        for (let i = 0; i < 4; i++) {
          const up = result.x.slice();
          const down = result.x.slice();
          up[i]! += h;
          down[i]! -= h;
          expect(Math.abs((f(up) - f(down)) / (2 * h))).toBeLessThan(1e-3);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('the Hessian of a quadratic and its inverse are exact', () => {
    const f = ([x, y]: number[]): number => 3 * x! * x! + 2 * x! * y! + 2 * y! * y!;
    const hessian = numericalHessian(f, [0.3, -0.7]);
    expect(hessian[0]![0]).toBeCloseTo(6, 4);
    expect(hessian[0]![1]).toBeCloseTo(2, 4);
    expect(hessian[1]![1]).toBeCloseTo(4, 4);
    const inverse = invertMatrix([[6, 2], [2, 4]])!;
    expect(inverse[0]![0]).toBeCloseTo(0.2, 12);
    expect(inverse[0]![1]).toBeCloseTo(-0.1, 12);
    expect(inverse[1]![1]).toBeCloseTo(0.3, 12);
    expect(invertMatrix([[1, 2], [2, 4]])).toBeUndefined();
  });
});
