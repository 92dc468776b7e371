import { lnGamma } from './special-functions.ts';
import { invertMatrix, minimizeNelderMead, numericalHessian } from './nelder-mead.ts';
import { expectedPurchases, InvalidModelInputError, type BgNbdParams, type PurchaseSummary } from './bg-nbd.ts';

/**
 * Gamma-Gamma spend model (Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"): each
 * transaction's value is Gamma(p, ν), the customer's ν is Gamma(q, γ) across customers, independent of
 * the purchase process. Fitted on customers with x ≥ 1 repeat purchases and their mean value m_x. Pure.
 */
export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface SpendSummary {
  /** Number of transactions averaged (repeat purchases, x ≥ 1). */
  x: number;
  /** Their mean value, > 0. */
  mx: number;
}

export function validateSpendSummary(summary: SpendSummary, index?: number): void {
  const where = index === undefined ? 'spend summary' : `spend summary #${index}`;
  if (!Number.isInteger(summary.x) || summary.x < 1) throw new InvalidModelInputError(`${where}: x must be a whole number ≥ 1 (got ${summary.x})`);
  if (!Number.isFinite(summary.mx) || summary.mx <= 0) throw new InvalidModelInputError(`${where}: mx must be a finite number > 0 (got ${summary.mx})`);
}

export function validateGammaGammaParams(params: GammaGammaParams): void {
  for (const key of ['p', 'q', 'gamma'] as const) {
    const value = params[key];
    if (!Number.isFinite(value) || value <= 0) throw new InvalidModelInputError(`Gamma-Gamma parameter ${key} must be a finite number > 0 (got ${value})`);
  }
}

/**
 * ln f(m_x | p, q, γ, x) summed over customers (paper eq. 5):
 * ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m_x + px ln x − (px+q) ln(γ + x m_x).
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, customers: readonly SpendSummary[]): number {
  validateGammaGammaParams(params);
  customers.forEach(validateSpendSummary);
  return logLikelihoodUnchecked(params, customers);
}

function logLikelihoodUnchecked({ p, q, gamma }: GammaGammaParams, customers: readonly SpendSummary[]): number {
  const shared = -lnGamma(q) + q * Math.log(gamma);
  // The Γ terms depend on x alone: computed once per distinct x (a few dozen), not per customer.
  const byFrequency = new Map<number, number>();
  let total = 0;
  for (const { x, mx } of customers) {
    const px = p * x;
    let head = byFrequency.get(x);
    if (head === undefined) {
      head = lnGamma(px + q) - lnGamma(px) + px * Math.log(x) + shared;
      byFrequency.set(x, head);
    }
    total += head + (px - 1) * Math.log(mx) - (px + q) * Math.log(gamma + x * mx);
  }
  return total;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  /** Asymptotic standard errors of ln p, ln q, ln γ; undefined if the information is singular. */
  logParamStandardErrors: GammaGammaParams | undefined;
  customers: number;
  evaluations: number;
  converged: boolean;
}

/** Maximum likelihood over ln p, ln q, ln γ by restarted Nelder-Mead from p = 1, q = 2, γ = mean m_x. */
export function fitGammaGamma(customers: readonly SpendSummary[]): GammaGammaFit {
  if (customers.length === 0) throw new InvalidModelInputError('Gamma-Gamma fit needs at least one customer with x ≥ 1');
  customers.forEach(validateSpendSummary);
  const n = customers.length;
  const meanValue = customers.reduce((sum, c) => sum + c.mx, 0) / n;
  const fromLog = (v: number[]): GammaGammaParams => ({ p: Math.exp(v[0]!), q: Math.exp(v[1]!), gamma: Math.exp(v[2]!) });
  const objective = (v: number[]): number => {
    if (v.some((u) => Math.abs(u) > 30)) return Number.POSITIVE_INFINITY;
    return -logLikelihoodUnchecked(fromLog(v), customers) / n;
  };
  const result = minimizeNelderMead(objective, [0, Math.log(2), Math.log(meanValue)]);
  const covariance = invertMatrix(numericalHessian(objective, result.x).map((row) => row.map((h) => h * n)));
  const se = covariance?.map((row, i) => Math.sqrt(row[i]!));
  return {
    params: fromLog(result.x),
    logLikelihood: -result.value * n,
    logParamStandardErrors: se && se.every(Number.isFinite) ? { p: se[0]!, q: se[1]!, gamma: se[2]! } : undefined,
    customers: n,
    evaluations: result.evaluations,
    converged: result.converged,
  };
}

/**
 * E[M | p, q, γ, m_x, x] (paper eq. 8): a weighted mean of the population mean pγ/(q−1) and the
 * customer's own m_x, weight px/(px+q−1) on m_x. With x = 0 it is the population mean. Needs q > 1
 * (otherwise the population mean spend is infinite).
 */
export function expectedOrderValue(params: GammaGammaParams, summary: { x: number; mx: number }): number {
  validateGammaGammaParams(params);
  const { p, q, gamma } = params;
  if (q <= 1) throw new InvalidModelInputError(`Gamma-Gamma q must be > 1 for a finite expected order value (got ${q})`);
  if (summary.x === 0) return (p * gamma) / (q - 1);
  validateSpendSummary(summary);
  return (p * (gamma + summary.x * summary.mx)) / (p * summary.x + q - 1);
}

/**
 * Customer value over (T, T + horizon]: expected purchases (BG/NBD) × expected order value (Gamma-Gamma).
 * With `discountPerPeriod` d > 0 the horizon is cut into `periods` equal steps and each step's expected
 * purchases are discounted by (1 + d)^-k (k = 1 … periods), as is usual for this pair of models (the
 * discounted expected transactions have no closed form); d = 0 gives the undiscounted product.
 */
export function customerValue(input: {
  purchase: BgNbdParams;
  spend: GammaGammaParams;
  summary: PurchaseSummary & { mx: number };
  horizon: number;
  discountPerPeriod?: number;
  periods?: number;
}): number {
  const { purchase, spend, summary, horizon } = input;
  const discount = input.discountPerPeriod ?? 0;
  const periods = input.periods ?? 1;
  if (!Number.isFinite(discount) || discount < 0) throw new InvalidModelInputError(`discountPerPeriod must be ≥ 0 (got ${discount})`);
  if (!Number.isInteger(periods) || periods < 1) throw new InvalidModelInputError(`periods must be a whole number ≥ 1 (got ${periods})`);
  const value = expectedOrderValue(spend, { x: summary.x, mx: summary.mx });
  let total = 0;
  let previous = 0;
  for (let k = 1; k <= periods; k++) {
    const cumulative = expectedPurchases(purchase, summary, (horizon * k) / periods);
    total += (cumulative - previous) / (1 + discount) ** k;
    previous = cumulative;
  }
  return total * value;
}
