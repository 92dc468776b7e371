import { feature } from './profile-features.ts';

/**
 * The documented fallbacks while an account has too little history to train (and the baselines a
 * trained purchase or value model must beat). Each reads only a feature row, so the training can
 * score its holdout snapshots with exactly what the scoring would have used. Pure.
 */

/** Model id of every fallback (no trained model yet). */
export const HEURISTIC_MODEL_ID = 'heuristic-v1';

/**
 * Churn: half the source's fixed-weight engagement score turned around (1 − engagement), half
 * recency against the churn window. Engagement alone would call every brand-new customer a churn
 * risk (their score starts low); recency alone would ignore how engaged they were.
 */
export function heuristicChurn(row: readonly number[], churnWindowDays: number): number {
  const disengagement = 1 - feature(row, 'engagement_score');
  const recency = Math.min(1, feature(row, 'days_since_last_activity') / churnWindowDays);
  return clamp01(0.5 * disengagement + 0.5 * recency);
}

/**
 * Purchase intent: the customer's own purchase rate since signup (at least a month of tenure, so
 * one early order is not a daily habit), damped by how long they have been idle, plus a small
 * pull for recently active non-buyers; turned into "at least one purchase in the window" by a
 * Poisson process: 1 − e^(−expected purchases).
 */
export function heuristicPurchaseIntent(row: readonly number[], settings: { purchaseWindowDays: number; churnWindowDays: number }): number {
  const tenure = Math.max(30, feature(row, 'days_since_signup'));
  const rate = feature(row, 'purchase_count') / tenure;
  const freshness = 1 - Math.min(1, feature(row, 'days_since_last_activity') / settings.churnWindowDays);
  const browsing = 0.01 * Math.min(30, feature(row, 'active_days_30d'));
  const expected = (rate * settings.purchaseWindowDays + browsing) * freshness;
  return clamp01(1 - Math.exp(-expected));
}

/**
 * Value over the horizon: the customer's revenue per day of tenure carried forward over the
 * horizon, times the chance they stay (1 − churn).
 */
export function heuristicValue(row: readonly number[], settings: { valueHorizonDays: number; churnWindowDays: number }): number {
  const tenure = Math.max(30, feature(row, 'days_since_signup'));
  const perDay = feature(row, 'lifetime_value') / tenure;
  return roundMoney(perDay * settings.valueHorizonDays * (1 - heuristicChurn(row, settings.churnWindowDays)));
}

export function clamp01(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 10_000) / 10_000;
}

export function roundMoney(value: number): number {
  return Math.round(Math.max(0, value) * 100) / 100;
}
