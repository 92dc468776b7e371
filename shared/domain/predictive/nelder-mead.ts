/**
 * Nelder-Mead minimisation (standard coefficients 1, 2, 0.5, 0.5), restarted from the best point
 * until a restart no longer improves: the models have 3-4 parameters, so a derivative-free simplex
 * is fast enough and needs no gradients. Hand-written: the npm `fmin` package (0.0.4, untyped,
 * unreleased since 2017) does the same in more code we could not tune. Pure and deterministic.
 */
export interface MinimizeResult {
  x: number[];
  value: number;
  evaluations: number;
  converged: boolean;
}

export function minimizeNelderMead(
  f: (x: number[]) => number,
  start: number[],
  options: { step?: number; tolerance?: number; maxEvaluations?: number; restarts?: number } = {},
): MinimizeResult {
  const step = options.step ?? 0.5;
  const tolerance = options.tolerance ?? 1e-10;
  const maxEvaluations = options.maxEvaluations ?? 20_000;
  let evaluations = 0;
  const evaluate = (x: number[]): number => {
    evaluations++;
    const value = f(x);
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };
  let best = { x: start.slice(), value: evaluate(start) };
  let converged = false;
  for (let restart = 0; restart <= (options.restarts ?? 5); restart++) {
    const run = simplexRun(evaluate, best.x, restart === 0 ? step : step / 4, tolerance, () => evaluations < maxEvaluations);
    const improved = best.value - run.value;
    if (run.value <= best.value) best = run;
    if (run.converged && improved <= tolerance * (1 + Math.abs(best.value))) {
      converged = true;
      break;
    }
  }
  return { x: best.x, value: best.value, evaluations, converged };
}

function simplexRun(
  evaluate: (x: number[]) => number,
  start: number[],
  step: number,
  tolerance: number,
  budgetLeft: () => boolean,
): { x: number[]; value: number; converged: boolean } {
  const n = start.length;
  let points: { x: number[]; value: number }[] = [{ x: start.slice(), value: evaluate(start) }];
  for (let i = 0; i < n; i++) {
    const x = start.slice();
    x[i]! += step;
    points.push({ x, value: evaluate(x) });
  }
  while (budgetLeft()) {
    points.sort((p, q) => p.value - q.value);
    const bestPoint = points[0]!;
    const worst = points[n]!;
    const spread = Math.abs(worst.value - bestPoint.value);
    const size = Math.max(...points.map((p) => Math.max(...p.x.map((v, i) => Math.abs(v - bestPoint.x[i]!)))));
    if (spread <= tolerance * (1 + Math.abs(bestPoint.value)) && size <= 1e-7) return { ...bestPoint, converged: true };
    const centroid = new Array<number>(n).fill(0);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) centroid[i]! += points[j]!.x[i]! / n;
    const along = (t: number): number[] => centroid.map((c, i) => c + t * (worst.x[i]! - c));
    const reflected = along(-1);
    const reflectedValue = evaluate(reflected);
    if (reflectedValue < bestPoint.value) {
      const expanded = along(-2);
      const expandedValue = evaluate(expanded);
      points[n] = expandedValue < reflectedValue ? { x: expanded, value: expandedValue } : { x: reflected, value: reflectedValue };
    } else if (reflectedValue < points[n - 1]!.value) {
      points[n] = { x: reflected, value: reflectedValue };
    } else {
      const outside = reflectedValue < worst.value;
      const contracted = along(outside ? -0.5 : 0.5);
      const contractedValue = evaluate(contracted);
      if (contractedValue < (outside ? reflectedValue : worst.value)) {
        points[n] = { x: contracted, value: contractedValue };
      } else {
        points = points.map((p, j) => {
          if (j === 0) return p;
          const x = p.x.map((v, i) => bestPoint.x[i]! + 0.5 * (v - bestPoint.x[i]!));
          return { x, value: evaluate(x) };
        });
      }
    }
  }
  points.sort((p, q) => p.value - q.value);
  return { ...points[0]!, converged: false };
}

/** Central-difference Hessian of f at x (for standard errors from the observed information). */
export function numericalHessian(f: (x: number[]) => number, x: number[], h = 1e-4): number[][] {
  const n = x.length;
  const at = (di: number, dj: number, i: number, j: number): number => {
    const y = x.slice();
    y[i]! += di;
    y[j]! += dj;
    return f(y);
  };
  const f0 = f(x);
  const hessian = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    hessian[i]![i] = (at(h, 0, i, i) - 2 * f0 + at(-h, 0, i, i)) / (h * h);
    for (let j = i + 1; j < n; j++) {
      const value = (at(h, h, i, j) - at(h, -h, i, j) - at(-h, h, i, j) + at(-h, -h, i, j)) / (4 * h * h);
      hessian[i]![j] = value;
      hessian[j]![i] = value;
    }
  }
  return hessian;
}

/** Inverse of a small symmetric positive-definite matrix (Gauss-Jordan); undefined when singular. */
export function invertMatrix(matrix: number[][]): number[][] | undefined {
  const n = matrix.length;
  const a = matrix.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row;
    if (Math.abs(a[pivot]![col]!) < 1e-300) return undefined;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]![col]!;
    for (let k = 0; k < 2 * n; k++) a[col]![k]! /= p;
    for (let row = 0; row < n; row++) {
      if (row === col) continue;
      const factor = a[row]![col]!;
      for (let k = 0; k < 2 * n; k++) a[row]![k]! -= factor * a[col]![k]!;
    }
  }
  return a.map((row) => row.slice(n));
}
