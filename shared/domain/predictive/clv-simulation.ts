import type { BgNbdParams, PurchaseSummary } from './bg-nbd.ts';
import type { GammaGammaParams } from './gamma-gamma.ts';

/**
 * Data from the BG/NBD and Gamma-Gamma generative processes, for parameter-recovery tests and the
 * shipped evaluation data. `random` is a seeded uniform on [0, 1) (shared/domain/seeded-random.ts),
 * never Math.random. Gamma variates by Marsaglia & Tsang (2000), with the u^(1/k) boost for k < 1.
 */
export function standardNormal(random: () => number): number {
  // Box-Muller; 1 − u keeps the logarithm finite since u ∈ [0, 1).
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, rate) variate. */
export function gammaVariate(shape: number, rate: number, random: () => number): number {
  if (shape < 1) return gammaVariate(shape + 1, rate, random) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = standardNormal(random);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

export function betaVariate(a: number, b: number, random: () => number): number {
  const x = gammaVariate(a, 1, random);
  const y = gammaVariate(b, 1, random);
  return x / (x + y);
}

export interface SimulatedCustomer {
  lambda: number;
  p: number;
  /** Repeat-purchase times after the first purchase (at 0), up to `until`. */
  purchaseTimes: number[];
  /** The purchase right after which the customer dropped out, if they did by `until`. */
  dropoutAt: number | undefined;
}

/**
 * One customer: λ ~ Gamma(r, α), p ~ Beta(a, b); exponential gaps of rate λ; right after each repeat
 * purchase the customer drops out with probability p. Simulated up to `until` (T plus any holdout).
 */
export function simulateBgNbdCustomer(params: BgNbdParams, until: number, random: () => number): SimulatedCustomer {
  const lambda = gammaVariate(params.r, params.alpha, random);
  const p = betaVariate(params.a, params.b, random);
  const purchaseTimes: number[] = [];
  let time = 0;
  for (;;) {
    time += -Math.log(1 - random()) / lambda;
    if (!(time <= until)) break;
    purchaseTimes.push(time);
    if (random() < p) return { lambda, p, purchaseTimes, dropoutAt: time };
  }
  return { lambda, p, purchaseTimes, dropoutAt: undefined };
}

/** The (x, t_x, T) summary of simulated purchase times observed up to T. */
export function summarizeAt(purchaseTimes: readonly number[], T: number): PurchaseSummary {
  const seen = purchaseTimes.filter((t) => t <= T);
  return { x: seen.length, tx: seen.length > 0 ? seen[seen.length - 1]! : 0, T };
}

/** Purchases in (T, T + t]. */
export function purchasesBetween(purchaseTimes: readonly number[], T: number, t: number): number {
  return purchaseTimes.filter((time) => time > T && time <= T + t).length;
}

/**
 * A cohort of `customers`, each with age T drawn uniformly from [minT, maxT] (customers acquired over
 * a window, observed to one cutoff, as in CDNOW), simulated up to T + holdout.
 */
export function simulateBgNbdCohort(input: {
  params: BgNbdParams;
  customers: number;
  minT: number;
  maxT: number;
  holdout?: number;
  random: () => number;
}): { summary: PurchaseSummary; customer: SimulatedCustomer }[] {
  const { params, customers, minT, maxT, random } = input;
  const holdout = input.holdout ?? 0;
  return Array.from({ length: customers }, () => {
    const T = minT + (maxT - minT) * random();
    const customer = simulateBgNbdCustomer(params, T + holdout, random);
    return { summary: summarizeAt(customer.purchaseTimes, T), customer };
  });
}

/** x transaction values for one customer: ν ~ Gamma(q, γ), each value ~ Gamma(p, ν). */
export function simulateSpends(params: GammaGammaParams, x: number, random: () => number): { nu: number; values: number[] } {
  const nu = gammaVariate(params.q, params.gamma, random);
  return { nu, values: Array.from({ length: x }, () => gammaVariate(params.p, nu, random)) };
}
