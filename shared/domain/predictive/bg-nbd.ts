import { hyp2f1 } from './special-functions.ts';
import { invertMatrix, minimizeNelderMead, numericalHessian } from './nelder-mead.ts';

/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive a customer buys
 * as a Poisson process of rate λ ~ Gamma(r, α); after each repeat purchase they drop out for good with
 * probability p ~ Beta(a, b). Fitted by maximum likelihood on each customer's (x, t_x, T) alone, no labels.
 *
 * Time unit: the caller's, one unit for t_x, T, the horizon t and the scale α (α is "time units per
 * purchase" in the prior). `summarizeOrders` builds summaries in days by default; the published CDNOW
 * estimates (r 0.243, α 4.414, a 0.793, b 2.426) are in weeks. Pure.
 */
export interface PurchaseSummary {
  /** Repeat purchases (purchase occasions after the first). */
  x: number;
  /** Time of the last repeat purchase, measured from the first purchase (0 when x = 0). */
  tx: number;
  /** Age: time from the first purchase to the end of observation. */
  T: number;
}

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export class InvalidModelInputError extends Error {
  override name = 'InvalidModelInputError';
}

/** Rejects a summary the model cannot describe, naming the customer index and the field. */
export function validatePurchaseSummary(summary: PurchaseSummary, index?: number): void {
  const where = index === undefined ? 'purchase summary' : `purchase summary #${index}`;
  const { x, tx, T } = summary;
  if (!Number.isInteger(x) || x < 0) throw new InvalidModelInputError(`${where}: x must be a whole number ≥ 0 (got ${x})`);
  if (!Number.isFinite(T) || T < 0) throw new InvalidModelInputError(`${where}: T must be a finite number ≥ 0 (got ${T})`);
  if (!Number.isFinite(tx) || tx < 0 || tx > T) throw new InvalidModelInputError(`${where}: t_x must lie in [0, T] (got t_x ${tx}, T ${T})`);
  if (x === 0 && tx !== 0) throw new InvalidModelInputError(`${where}: t_x must be 0 when x is 0 (got ${tx})`);
  if (x > 0 && tx === 0) throw new InvalidModelInputError(`${where}: t_x must be > 0 when x > 0`);
}

export function validateBgNbdParams(params: BgNbdParams): void {
  for (const key of ['r', 'alpha', 'a', 'b'] as const) {
    const value = params[key];
    if (!Number.isFinite(value) || value <= 0) throw new InvalidModelInputError(`BG/NBD parameter ${key} must be a finite number > 0 (got ${value})`);
  }
}

function validateHorizon(t: number, name = 't'): void {
  if (!Number.isFinite(t) || t < 0) throw new InvalidModelInputError(`horizon ${name} must be a finite number ≥ 0 (got ${t})`);
}

/**
 * Total log-likelihood (paper eq. 6, with the Γ and B ratios written as products since x is whole):
 * ln L = ln[Γ(r+x)α^r/Γ(r)] + ln[B(a,b+x)/B(a,b)] + ln[(α+T)^-(r+x) + δ(x>0) a/(b+x−1) (α+t_x)^-(r+x)].
 */
export function bgNbdLogLikelihood(params: BgNbdParams, customers: readonly PurchaseSummary[]): number {
  validateBgNbdParams(params);
  customers.forEach(validatePurchaseSummary);
  return logLikelihoodUnchecked(params, customers, maxFrequency(customers));
}

function maxFrequency(customers: readonly PurchaseSummary[]): number {
  let max = 0;
  for (const c of customers) if (c.x > max) max = c.x;
  return max;
}

function logLikelihoodUnchecked(params: BgNbdParams, customers: readonly (PurchaseSummary & { count?: number })[], maxX: number): number {
  const { r, alpha, a, b } = params;
  // prefix[x] = ln Γ(r+x)/Γ(r) + ln B(a,b+x)/B(a,b) = Σ_{k<x} ln(r+k) + ln((b+k)/(a+b+k)).
  const prefix = new Float64Array(maxX + 1);
  for (let k = 0; k < maxX; k++) prefix[k + 1] = prefix[k]! + Math.log(r + k) + Math.log((b + k) / (a + b + k));
  const rLnAlpha = r * Math.log(alpha);
  const lnA = Math.log(a);
  let total = 0;
  for (const { x, tx, T, count } of customers) {
    const shape = r + x;
    const alive = -shape * Math.log(alpha + T);
    let mix = alive;
    if (x > 0) {
      const dropped = lnA - Math.log(b + x - 1) - shape * Math.log(alpha + tx);
      mix = logAddExp(alive, dropped);
    }
    total += (count ?? 1) * (prefix[x]! + rLnAlpha + mix);
  }
  return total;
}

function logAddExp(u: number, v: number): number {
  const hi = Math.max(u, v);
  return hi + Math.log(Math.exp(u - hi) + Math.exp(v - hi));
}

export interface BgNbdFit {
  params: BgNbdParams;
  logLikelihood: number;
  /** Asymptotic standard errors of ln r, ln α, ln a, ln b (observed information); undefined if singular. */
  logParamStandardErrors: BgNbdParams | undefined;
  customers: number;
  evaluations: number;
  converged: boolean;
}

/**
 * Maximum likelihood over the log-parameters (so all four stay positive), by restarted Nelder-Mead
 * from r = a = b = 1 and α = mean T (the prior's time scale in the data's unit).
 */
export function fitBgNbd(customers: readonly PurchaseSummary[], options: { start?: BgNbdParams } = {}): BgNbdFit {
  if (customers.length === 0) throw new InvalidModelInputError('BG/NBD fit needs at least one customer');
  customers.forEach(validatePurchaseSummary);
  if (customers.every((c) => c.x === 0)) throw new InvalidModelInputError('BG/NBD fit needs at least one customer with a repeat purchase');
  if (customers.every((c) => c.T === 0)) throw new InvalidModelInputError('BG/NBD fit needs at least one customer observed for T > 0');
  const maxX = maxFrequency(customers);
  const meanT = customers.reduce((sum, c) => sum + c.T, 0) / customers.length;
  const start = options.start ?? { r: 1, alpha: Math.max(meanT, 1e-6), a: 1, b: 1 };
  validateBgNbdParams(start);
  const fromLog = (v: number[]): BgNbdParams => ({ r: Math.exp(v[0]!), alpha: Math.exp(v[1]!), a: Math.exp(v[2]!), b: Math.exp(v[3]!) });
  const n = customers.length;
  const distinct = countDistinct(customers);
  const objective = (v: number[]): number => {
    // Keep the search out of regions where exp under/overflows.
    if (v.some((u) => Math.abs(u) > 30)) return Number.POSITIVE_INFINITY;
    return -logLikelihoodUnchecked(fromLog(v), distinct, maxX) / n;
  };
  const result = minimizeNelderMead(objective, [Math.log(start.r), Math.log(start.alpha), Math.log(start.a), Math.log(start.b)]);
  const params = fromLog(result.x);
  const covariance = invertMatrix(numericalHessian(objective, result.x).map((row) => row.map((h) => h * n)));
  const se = covariance?.map((row, i) => Math.sqrt(row[i]!));
  return {
    params,
    logLikelihood: -result.value * n,
    logParamStandardErrors: se && se.every(Number.isFinite) ? { r: se[0]!, alpha: se[1]!, a: se[2]!, b: se[3]! } : undefined,
    customers: n,
    evaluations: result.evaluations,
    converged: result.converged,
  };
}

/**
 * Identical summaries counted once with their multiplicity: histories measured in whole days repeat a
 * lot (every one-time buyer of the same day has the same (0, 0, T)), and the likelihood is a sum.
 */
function countDistinct(customers: readonly PurchaseSummary[]): (PurchaseSummary & { count: number })[] {
  const byKey = new Map<string, PurchaseSummary & { count: number }>();
  for (const { x, tx, T } of customers) {
    const key = `${x}|${tx}|${T}`;
    const seen = byKey.get(key);
    if (seen) seen.count++;
    else byKey.set(key, { x, tx, T, count: 1 });
  }
  return [...byKey.values()];
}

/**
 * P(alive | x, t_x, T) (paper eq. 13). Dropout happens only right after a repeat purchase, so a
 * customer with x = 0 is alive with probability 1 in this model (the paper's convention; a known
 * weakness for one-time buyers, which the expected-purchase figures carry instead).
 */
export function probabilityAlive(params: BgNbdParams, summary: PurchaseSummary): number {
  validateBgNbdParams(params);
  validatePurchaseSummary(summary);
  const { r, alpha, a, b } = params;
  const { x, tx, T } = summary;
  if (x === 0) return 1;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * E[purchases in (T, T + t] | x, t_x, T] (paper eq. 10):
 * (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) 2F1(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive),
 * computed in the Euler-transformed form below.
 * The a = 1 singularity is removable: within 1e-4 of it the value is interpolated between a = 1 ± 1e-4.
 */
export function expectedPurchases(params: BgNbdParams, summary: PurchaseSummary, t: number): number {
  validateBgNbdParams(params);
  validatePurchaseSummary(summary);
  validateHorizon(t);
  if (t === 0) return 0;
  const gap = 1e-4;
  if (Math.abs(params.a - 1) < gap) {
    const below = expectedPurchasesAlive({ ...params, a: 1 - gap }, summary, t);
    const above = expectedPurchasesAlive({ ...params, a: 1 + gap }, summary, t);
    return (below + ((above - below) * (params.a - (1 - gap))) / (2 * gap)) * probabilityAlive(params, summary);
  }
  return expectedPurchasesAlive(params, summary, t) * probabilityAlive(params, summary);
}

function expectedPurchasesAlive(params: BgNbdParams, summary: PurchaseSummary, t: number): number {
  const { r, alpha, a, b } = params;
  const { x, T } = summary;
  const z = t / (alpha + T + t);
  const c = a + b + x - 1;
  // Euler's transformation (1−z)^(r+x) 2F1(r+x, b+x; c; z) = (1−z)^(a−1) 2F1(c−r−x, a−1; c; z): the
  // factors of the paper's form under- and overflow for frequent buyers over long horizons (x ≈ 100,
  // z ≈ 1: 0 × ∞), while here the upper parameters do not grow with x and the series stays short.
  const scaled = Math.exp((a - 1) * Math.log1p(-z)) * hyp2f1(c - r - x, a - 1, c, z);
  return (c / (a - 1)) * (1 - scaled);
}

/**
 * E[purchases in (0, t]] for a customer just acquired (paper eq. 9), the population curve:
 * (a+b−1)/(a−1) · [1 − (α/(α+t))^r 2F1(r, b; a+b−1; t/(α+t))].
 */
export function expectedPurchasesNewCustomer(params: BgNbdParams, t: number): number {
  return expectedPurchases(params, { x: 0, tx: 0, T: 0 }, t);
}

/**
 * P(at least one purchase in (T, T + t] | x, t_x, T). No hypergeometric is needed: a customer alive at
 * T can only drop out right after a purchase, so "no purchase in t" given alive and λ is e^(−λt), and
 * given alive the history updates λ to Gamma(r + x, α + T), whose Laplace transform is closed:
 * P = P(alive) · [1 − ((α+T)/(α+T+t))^(r+x)].
 */
export function probabilityPurchaseWithin(params: BgNbdParams, summary: PurchaseSummary, t: number): number {
  validateHorizon(t);
  const alive = probabilityAlive(params, summary);
  const shape = params.r + summary.x;
  const base = params.alpha + summary.T;
  return alive * -Math.expm1(shape * (Math.log(base) - Math.log(base + t)));
}

/**
 * Time from T to the next purchase, as a quantile: the smallest t with P(purchase within t) ≥ q,
 * inverted from the closed form above. Undefined when q ≥ P(alive): a customer who may have dropped
 * out has a defective waiting time (no mean), so Nudge ranks by P(purchase within t) or a quantile.
 */
export function nextPurchaseQuantile(params: BgNbdParams, summary: PurchaseSummary, q: number): number | undefined {
  if (!(q > 0 && q < 1)) throw new InvalidModelInputError(`quantile q must lie in (0, 1) (got ${q})`);
  const alive = probabilityAlive(params, summary);
  if (q >= alive) return undefined;
  const shape = params.r + summary.x;
  const base = params.alpha + summary.T;
  // alive · (1 − (base/(base+t))^shape) = q  ⇔  t = base · ((1 − q/alive)^(−1/shape) − 1)
  return base * Math.expm1(-Math.log1p(-q / alive) / shape);
}

/**
 * Summaries from dated orders, with `now` passed in. Orders in the same unit period (a day by default)
 * are one purchase occasion, as in the literature's data preparation; times count whole periods from
 * the first order's period. Also returns each occasion's total spend, for Gamma-Gamma (repeat occasions only).
 */
export function summarizeOrders(
  orders: readonly { at: string; amount: number }[],
  now: Date,
  unitDays = 1,
): PurchaseSummary & { repeatOccasionValues: number[] } {
  if (orders.length === 0) throw new InvalidModelInputError('summarizeOrders needs at least one order');
  if (!(unitDays > 0)) throw new InvalidModelInputError(`unitDays must be > 0 (got ${unitDays})`);
  const unitMs = unitDays * 86_400_000;
  const occasions = new Map<number, number>();
  const times = orders.map((o, i) => {
    const ms = Date.parse(o.at);
    if (Number.isNaN(ms)) throw new InvalidModelInputError(`order #${i}: at is not a date (got ${JSON.stringify(o.at)})`);
    if (ms > now.getTime()) throw new InvalidModelInputError(`order #${i}: at ${o.at} is after now`);
    if (!Number.isFinite(o.amount) || o.amount < 0) throw new InvalidModelInputError(`order #${i}: amount must be a finite number ≥ 0 (got ${o.amount})`);
    return ms;
  });
  const first = Math.floor(Math.min(...times) / unitMs);
  times.forEach((ms, i) => {
    const period = Math.floor(ms / unitMs) - first;
    occasions.set(period, (occasions.get(period) ?? 0) + orders[i]!.amount);
  });
  const periods = [...occasions.keys()].sort((p, q) => p - q);
  const T = Math.floor(now.getTime() / unitMs) - first;
  return {
    x: periods.length - 1,
    tx: periods[periods.length - 1]!,
    T,
    repeatOccasionValues: periods.slice(1).map((p) => occasions.get(p)!),
  };
}
