/**
 * What scoring models, segments and lifecycle stages read about a customer: named metrics computed
 * from the profile at a given `now`, windowed event counts, and category shares. One interface, so
 * the definitions in the catalog stay data and the evaluation stays pure.
 */
export type FactValue = number | boolean | string | null;

export interface ProfileFacts {
  /** A named metric (see METRIC_NAMES); null when it has no value yet (e.g. days_since_last_purchase for a non-buyer). */
  metric(name: string): FactValue | undefined;
  /** Events of `eventType` with occurredAt in the last `windowDays` days (exact up to 30 days, to the nearest week start beyond: activity-ring.ts). */
  eventCount(eventType: string, windowDays: number): number;
  /** Share (0..1) of the customer's category interactions (product views, cart items, purchases) that were in `category`. */
  categoryShare(category: string): number;
}

/** The longest window a count, criterion or score may use: the profile keeps 30 days per day and weeks to a year (activity-ring.ts). */
export const MAX_WINDOW_DAYS = 365;

/** Why a longer window is refused, naming the item (`segment long`, `scoring model activity_30d`). */
export function windowTooLong(where: string, windowDays: number): string {
  return `${where} uses a ${windowDays}-day window; the profile keeps ${MAX_WINDOW_DAYS} days`;
}

/**
 * The metric names every evaluation can use. Values are numbers unless noted; `days_since_*` are
 * whole-or-fractional days, null when the thing never happened.
 */
export const METRIC_NAMES = [
  // time
  'days_since_signup',
  'days_since_first_seen',
  'days_since_last_activity',
  'full_days_since_last_activity',
  'days_since_last_purchase',
  'days_since_last_open',
  'days_since_last_click',
  'customer_lifetime_months',
  // email
  'email_sends_30d',
  'email_opens_30d',
  'email_clicks_30d',
  'open_rate_30d',
  'click_rate_30d',
  'email_sends_total',
  'email_opens_total',
  'email_clicks_total',
  'email_replies_total',
  'email_forwards_total',
  'email_engagement_rate',
  'email_interaction_rate',
  'unsubscribes_total',
  // commerce
  'purchase_count',
  'purchases_30d',
  'purchases_90d',
  'purchases_365d',
  'lifetime_value',
  'average_order_value',
  'purchase_frequency',
  'cart_adds_30d',
  'cart_abandons_30d',
  'cart_abandonment_24h',
  // sessions and browsing
  'sessions_total',
  'sessions_30d',
  'avg_session_seconds',
  'active_days_30d',
  'interactions_90d',
  'page_views_30d',
  'pricing_page_visits',
  'product_page_visits',
  'feature_page_visits',
  'documentation_reads',
  'product_page_time',
  'declining_engagement_trend',
  // support, voice, advocacy
  'support_tickets_total',
  'open_support_tickets',
  'satisfaction_average',
  'support_satisfaction_5',
  'last_nps_score',
  'referrals_total',
  'social_mentions_total',
  'social_shares_total',
  // state
  'subscribed_marketing',
  'subscription_cancelled',
  'loyalty_enrolled',
  // predictions (written by the scheduled scoring; null until it has run)
  'predicted_churn_probability',
  'churn_risk_segment',
  'predicted_purchase_intent',
  'predicted_value',
  'value_potential_segment',
  'predicted_days_to_next_purchase',
  'next_purchase_segment',
  'top_content_interest',
  'content_interest_count',
  // lifecycle stages (document 001)
  'days_since_first_purchase',
  'support_satisfaction',
  // scores: `<modelId>_score` for every scoring model; engagement_score/engagement_level are the primary model's
  'engagement_score',
  'engagement_level',
  'activity_30d_score',
  'interaction_score',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** A fixed set of facts, for tests and for explaining a decision from recorded values. */
export function factsFrom(input: {
  metrics: Partial<Record<string, FactValue>>;
  eventCounts?: Record<string, Record<number, number>>;
  categoryShares?: Record<string, number>;
}): ProfileFacts {
  return {
    metric: (name) => input.metrics[name],
    eventCount: (eventType, windowDays) => input.eventCounts?.[eventType]?.[windowDays] ?? 0,
    categoryShare: (category) => input.categoryShares?.[category] ?? 0,
  };
}
