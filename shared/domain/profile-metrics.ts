import { countInWindow, dailyCounts, dayNumber } from './activity-ring.ts';
import { DAY_MS, HOUR_MS } from './clock.ts';
import { MAX_WINDOW_DAYS, type FactValue, type MetricName, type ProfileFacts } from './profile-facts.ts';
import { loyaltyEnrolledAt, type Profile } from './profile.ts';
import { countOf } from './bounded-counter.ts';

const AVERAGE_MONTH_DAYS = 30.4375;
/** Event types whose decline marks "declining engagement" (the customer's own interest, not our sends). */
const ENGAGEMENT_TYPES = ['email_open', 'email_click', 'page_view', 'product_view', 'cart_add', 'purchase', 'app_session', 'search'];
const TREND_HALF_DAYS = 15;
/** A drop to under 60% of the earlier half, from at least 3 events, is a declining trend. */
const TREND_DROP_RATIO = 0.6;
const TREND_MIN_EVENTS = 3;

/**
 * The named metrics of a profile at `now` (pure). Windowed metrics read the activity ring: exact
 * per UTC day for windows up to 30 days, to the nearest week start (within 3 days) for longer ones
 * (activity-ring.ts); "24 h" cart abandons read the exact recent timestamps.
 */
export function profileFacts(profile: Profile, now: Date): ProfileFacts {
  const today = dayNumber(now);
  const window = (key: string, days: number) => countInWindow(profile.activity, key, today, Math.min(days, MAX_WINDOW_DAYS));
  const metrics = computeMetrics(profile, now, window);
  return {
    metric: (name) => metrics[name as MetricName],
    eventCount: (eventType, windowDays) => window(eventType, windowDays) + window(`custom:${eventType}`, windowDays),
    categoryShare: (category) => (profile.categoryTotal > 0 ? (countOf(profile.categories, category) ?? 0) / profile.categoryTotal : 0),
  };
}

/** Adds score values (computed from the other facts) as metrics of their own. */
export function withMetrics(facts: ProfileFacts, extra: Partial<Record<string, FactValue>>): ProfileFacts {
  return { ...facts, metric: (name) => (name in extra ? extra[name] : facts.metric(name)) };
}

function computeMetrics(profile: Profile, now: Date, window: (key: string, days: number) => number): Partial<Record<MetricName, FactValue>> {
  const daysSince = (instant: string | undefined): number | null =>
    instant === undefined ? null : round(Math.max(0, (now.getTime() - Date.parse(instant)) / DAY_MS), 2);
  const counts = profile.eventCounts;
  const sends30 = window('email_send', 30);
  const opens30 = window('email_open', 30);
  const clicks30 = window('email_click', 30);
  const { commerce, sessions, support } = profile;
  const lifetimeDays = Math.max(0, (now.getTime() - Date.parse(profile.firstSeenAt)) / DAY_MS);
  const lifetimeMonths = lifetimeDays / AVERAGE_MONTH_DAYS;
  const totalOpens = counts.email_open ?? 0;
  const emailSends = profile.emailActivity.sends;

  return {
    days_since_signup: daysSince(profile.signedUpAt ?? profile.firstSeenAt),
    days_since_first_seen: daysSince(profile.firstSeenAt),
    days_since_last_activity: daysSince(profile.lastActivityAt),
    // Whole days, as document 000's recency counts them (a day and 23 hours is 1 day).
    full_days_since_last_activity: Math.floor(Math.max(0, now.getTime() - Date.parse(profile.lastActivityAt)) / DAY_MS),
    days_since_last_purchase: daysSince(commerce.lastPurchaseAt),
    days_since_last_open: daysSince(profile.emailActivity.lastOpenAt),
    days_since_last_click: daysSince(profile.emailActivity.lastClickAt),
    customer_lifetime_months: round(lifetimeMonths, 2),

    email_sends_30d: sends30,
    email_opens_30d: opens30,
    email_clicks_30d: clicks30,
    // Rates over sends; a customer mailed by another tool (opens but no sends here) is rated over opens.
    open_rate_30d: ratio(opens30, sends30),
    click_rate_30d: ratio(clicks30, Math.max(sends30, opens30)),
    email_sends_total: emailSends,
    email_opens_total: totalOpens,
    email_clicks_total: counts.email_click ?? 0,
    email_replies_total: counts.email_reply ?? 0,
    email_forwards_total: counts['custom:email_forward'] ?? 0,
    email_engagement_rate: emailSends > 0 ? round(Math.min(1, totalOpens / emailSends), 4) : 0,
    // Document 000's email engagement rate: opens and clicks per send, uncapped (the score caps it).
    // With no send recorded here the document divides by 1, so a customer mailed by another tool still counts.
    email_interaction_rate: round((totalOpens + (counts.email_click ?? 0)) / Math.max(1, emailSends), 4),
    unsubscribes_total: counts.unsubscribe ?? 0,

    purchase_count: commerce.purchaseCount,
    purchases_30d: window('purchase', 30),
    purchases_90d: window('purchase', 90),
    purchases_365d: window('purchase', 365),
    lifetime_value: round(commerce.revenue - commerce.refunds, 2),
    average_order_value: commerce.purchaseCount > 0 ? round(commerce.revenue / commerce.purchaseCount, 2) : 0,
    // Purchases per month of the customer's life with us (at least one month, so new buyers are not inflated).
    purchase_frequency: round(commerce.purchaseCount / Math.max(1, lifetimeMonths), 4),
    cart_adds_30d: window('cart_add', 30),
    cart_abandons_30d: window('cart_abandon', 30),
    cart_abandonment_24h: profile.recentCartAbandons.filter((at) => at > now.getTime() - 24 * HOUR_MS && at <= now.getTime()).length,

    sessions_total: sessions.count,
    sessions_30d: window('session', 30),
    avg_session_seconds: sessions.count > 0 ? round(sessions.seconds / sessions.count, 1) : 0,
    active_days_30d: dailyCounts(profile.activity, '*', dayNumber(now), 30).filter((count) => count > 0).length,
    // Document 000 keeps the interactions of the last 90 days: every behavior event counts.
    interactions_90d: window('*', 90),
    page_views_30d: window('page_view', 30),
    pricing_page_visits: window('page:pricing', 30),
    product_page_visits: window('page:product', 30),
    feature_page_visits: window('page:feature', 30),
    documentation_reads: window('page:docs', 30),
    product_page_time: profile.productPageSeconds,
    declining_engagement_trend: decliningTrend(profile, now),

    support_tickets_total: counts.support_ticket ?? 0,
    open_support_tickets: support.openTickets.length,
    satisfaction_average: support.ratingCount > 0 ? round(support.ratingSum / support.ratingCount, 4) : null,
    // The same average on a 1-5 scale, as document 001's at_risk_churn segment reads support satisfaction
    // (its at_risk stage reads the same metric name on 0-10: support_satisfaction below).
    support_satisfaction_5: support.ratingCount > 0 ? round((5 * support.ratingSum) / support.ratingCount, 2) : null,
    last_nps_score: support.lastNpsScore ?? null,
    referrals_total: counts.referral ?? 0,
    social_mentions_total: counts.social_mention ?? 0,
    social_shares_total: counts.social_share ?? 0,

    subscribed_marketing: profile.consent.marketing === 'subscribed',
    subscription_cancelled: profile.subscriptionCancelledAt !== undefined,
    loyalty_enrolled: loyaltyEnrolledAt(profile) !== undefined,
    predicted_churn_probability: profile.predictions.churn?.probability ?? null,
    churn_risk_segment: profile.predictions.churn?.segment ?? null,
    predicted_purchase_intent: profile.predictions.purchaseIntent?.probability ?? null,
    predicted_value: profile.predictions.value?.predicted ?? null,
    value_potential_segment: profile.predictions.value?.potential ?? null,
    predicted_days_to_next_purchase: profile.predictions.nextPurchase?.days ?? null,
    next_purchase_segment: profile.predictions.nextPurchase?.segment ?? null,
    top_content_interest: profile.predictions.interests?.[0]?.category ?? null,
    content_interest_count: profile.predictions.interests?.length ?? 0,

    // Lifecycle stages (document 001): new_customer reads the first purchase's age; at_risk reads
    // support satisfaction on the document's 0-10 scale (ratings are kept as rating / scale, 0..1).
    days_since_first_purchase: daysSince(commerce.firstPurchaseAt),
    support_satisfaction: support.ratingCount > 0 ? round((10 * support.ratingSum) / support.ratingCount, 2) : null,

    engagement_score: profile.scores.engagement ?? null,
    engagement_level: profile.engagementLevel ?? null,
    activity_30d_score: profile.scores.activity_30d ?? null,
    interaction_score: profile.scores.interaction ?? null,
  };
}

/** The last 15 days against the 15 before them, over the customer's own engagement events. */
function decliningTrend(profile: Profile, now: Date): boolean {
  const today = dayNumber(now);
  const perDay = ENGAGEMENT_TYPES.map((type) => dailyCounts(profile.activity, type, today, 2 * TREND_HALF_DAYS));
  const sumDays = (from: number, to: number) => perDay.reduce((sum, days) => sum + days.slice(from, to).reduce((a, b) => a + b, 0), 0);
  const earlier = sumDays(0, TREND_HALF_DAYS);
  const recent = sumDays(TREND_HALF_DAYS, 2 * TREND_HALF_DAYS);
  return earlier >= TREND_MIN_EVENTS && recent < earlier * TREND_DROP_RATIO;
}

function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? round(Math.min(1, numerator / denominator), 4) : 0;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
