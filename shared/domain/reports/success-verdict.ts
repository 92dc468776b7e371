import { zFor } from './significance.ts';

/**
 * Is a rule's success metric on target? The rate (count per delivered email) is a sample: a rule
 * with 3 opens of 5 emails has not shown a 60 % open rate. The verdict reads the Wilson score
 * interval of the rate at 95 % confidence (it stays inside 0..1 and behaves near 0 and with few
 * emails, where the textbook p ± z·SE interval does not):
 * - `insufficient_data` below `minDelivered` delivered emails (100), whatever the interval;
 * - `pass` when the interval's lower bound is above the target (the rate is above it with 95 % confidence);
 * - `fail` when the interval's upper bound is below the target;
 * - `insufficient_data` otherwise: the interval holds the target (a bound equal to it included), so
 *   more emails are needed to tell.
 * Pure.
 */
export type SuccessVerdict = 'pass' | 'fail' | 'insufficient_data';

export type SuccessCriteria = { interval: 'wilson'; confidence: number; minDelivered: number };
export const SUCCESS_CRITERIA: SuccessCriteria = { interval: 'wilson', confidence: 0.95, minDelivered: 100 };

export type Interval = { low: number; high: number };

/**
 * The Wilson score interval of `successes` out of `trials` (null without trials). Counts may be
 * fractional; a rate above 1 (more conversions than emails) is read as 1.
 */
export function wilsonInterval(successes: number, trials: number, confidence = SUCCESS_CRITERIA.confidence): Interval | null {
  if (!(trials > 0) || !Number.isFinite(trials)) return null;
  if (!(successes >= 0) || !Number.isFinite(successes)) throw new RangeError(`successes must be a finite count ≥ 0, got ${successes}`);
  const p = Math.min(1, successes / trials);
  const z = zFor(confidence);
  const z2n = (z * z) / trials;
  const center = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials))) / (1 + z2n);
  // At p = 0 (or 1) the bound is 0 (or 1) exactly; computed, it rounds a hair above (below), which read a zero rate as passing a target of 0.
  return { low: p === 0 ? 0 : Math.max(0, center - half), high: p === 1 ? 1 : Math.min(1, center + half) };
}

/** The verdict of `count` successes out of `delivered` emails against `target`, with the interval it read. */
export function successVerdict(input: { count: number; delivered: number; target: number }, criteria: SuccessCriteria = SUCCESS_CRITERIA): { verdict: SuccessVerdict; interval: Interval | null } {
  const interval = wilsonInterval(input.count, input.delivered, criteria.confidence);
  if (!interval || input.delivered < criteria.minDelivered) return { verdict: 'insufficient_data', interval };
  if (interval.low > input.target) return { verdict: 'pass', interval };
  if (interval.high < input.target) return { verdict: 'fail', interval };
  return { verdict: 'insufficient_data', interval };
}
