import { dailyCounts, dayNumber } from '../activity-ring.ts';
import type { Profile } from '../profile.ts';
import type { ProfileFacts } from '../profile-facts.ts';

/**
 * The predictive models' features (churn, purchase intent, 90-day value): what a profile says at an
 * instant, in a fixed order. Every value
 * comes from the profile (its metrics and its 30-day daily ring), never from raw events, so the
 * features of a stored profile today and of a training snapshot are computed the same way.
 */
export const PROFILE_FEATURES = [
  'engagement_score',
  'lifetime_value',
  'purchase_count',
  'email_engagement_rate',
  'avg_session_seconds',
  'days_since_last_activity',
  'days_since_last_purchase',
  'days_since_signup',
  'interactions_30d',
  'active_days_30d',
  'page_views_30d',
  'email_opens_30d',
  'support_tickets_total',
  'open_support_tickets',
  /** (last 15 days − the 15 before) / both: -1 (stopped) .. +1 (just started). */
  'momentum',
] as const;
export type ProfileFeature = (typeof PROFILE_FEATURES)[number];

/** "Never" for a days-since feature: far beyond any window, so trees split it off cleanly. */
export const NEVER_DAYS = 999;

/** A feature's value in a row (rows are in {@link PROFILE_FEATURES} order). */
export function feature(row: readonly number[], name: ProfileFeature): number {
  return row[PROFILE_FEATURES.indexOf(name)] ?? 0;
}

export function profileFeatures(profile: Profile, facts: ProfileFacts, now: Date): number[] {
  const number = (metric: string, fallback = 0): number => {
    const value = facts.metric(metric);
    return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
  };
  const today = dayNumber(now);
  const daily = dailyCounts(profile.activity, '*', today, 30);
  const earlier = daily.slice(0, 15).reduce((a, b) => a + b, 0);
  const later = daily.slice(15).reduce((a, b) => a + b, 0);
  const values: Record<ProfileFeature, number> = {
    engagement_score: number('engagement_score'),
    lifetime_value: number('lifetime_value'),
    purchase_count: number('purchase_count'),
    email_engagement_rate: number('email_engagement_rate'),
    avg_session_seconds: number('avg_session_seconds'),
    days_since_last_activity: number('days_since_last_activity', NEVER_DAYS),
    days_since_last_purchase: number('days_since_last_purchase', NEVER_DAYS),
    days_since_signup: number('days_since_signup', number('days_since_first_seen')),
    interactions_30d: earlier + later,
    active_days_30d: number('active_days_30d'),
    page_views_30d: number('page_views_30d'),
    email_opens_30d: number('email_opens_30d'),
    support_tickets_total: number('support_tickets_total'),
    open_support_tickets: number('open_support_tickets'),
    momentum: earlier + later === 0 ? -1 : (later - earlier) / (later + earlier),
  };
  return PROFILE_FEATURES.map((feature) => values[feature]);
}
