import { DAY_MS } from '../clock.ts';

export type NextPurchaseSegment = 'imminent' | 'near_term' | 'long_term_nurture';

/** Longest horizon we name; beyond a year "days to next purchase" means "not in sight". */
const MAX_DAYS = 365;

/**
 * Days to the next purchase, from two signals (not a separately trained model):
 * - a repeat buyer's own cadence: the mean gap between their first and last purchase, minus the
 *   days since the last one, while they are not overdue;
 * - otherwise (one purchase, none, or overdue) the purchase intent read as a constant daily hazard:
 *   intent p over a window of W days has mean waiting time −W / ln(1 − p).
 * Pure.
 */
export function predictNextPurchaseDays(input: {
  purchaseCount: number;
  firstPurchaseAt: string | undefined;
  lastPurchaseAt: string | undefined;
  purchaseIntent: number;
  purchaseWindowDays: number;
  now: Date;
}): number {
  const { purchaseCount, firstPurchaseAt, lastPurchaseAt, now } = input;
  if (purchaseCount >= 2 && firstPurchaseAt && lastPurchaseAt) {
    const gap = (Date.parse(lastPurchaseAt) - Date.parse(firstPurchaseAt)) / DAY_MS / (purchaseCount - 1);
    const due = gap - (now.getTime() - Date.parse(lastPurchaseAt)) / DAY_MS;
    if (gap > 0 && due >= 0) return round1(due);
  }
  const p = Math.min(0.9999, Math.max(0, input.purchaseIntent));
  if (p <= 0) return MAX_DAYS;
  return round1(Math.min(MAX_DAYS, -input.purchaseWindowDays / Math.log(1 - p)));
}

export function nextPurchaseSegment(days: number, thresholds: { imminent: number; nearTerm: number }): NextPurchaseSegment {
  return days <= thresholds.imminent ? 'imminent' : days <= thresholds.nearTerm ? 'near_term' : 'long_term_nurture';
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
