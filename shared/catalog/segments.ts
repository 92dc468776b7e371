import type { SegmentDefinitionInput } from '../domain/segments.ts';

/**
 * The default segments. Thresholds marked "source" come from the source documents; the others are
 * Nudge's defaults, chosen to be reachable by a normal customer of the demo shop. Segments that read
 * days_since_*, 30-day or 24-hour windows change with time alone and are re-evaluated daily.
 */
export const segments: SegmentDefinitionInput[] = [
  // --- behavioral -------------------------------------------------------------------------
  {
    kind: 'behavioral',
    id: 'win_back',
    description: 'Cancelled their subscription: promotional sequences stop, win-back begins (real-time rule of the source).',
    priority: 'critical',
    frequency: 'real_time',
    conditions: [{ metric: 'subscription_cancelled', op: '==', value: true }],
    recommendedActions: ['start_win_back_sequence', 'stop_promotional_sequences', 'request_cancellation_feedback'],
  },
  {
    kind: 'behavioral',
    id: 'high_engagement',
    description: 'Opens and clicks a lot and clicked in the last week.',
    priority: 'high',
    frequency: 'daily',
    // All three thresholds are the source's.
    conditions: [
      { metric: 'email_opens_30d', op: '>=', value: 10 },
      { metric: 'click_rate_30d', op: '>=', value: 0.15 },
      { metric: 'days_since_last_click', op: '<=', value: 7 },
    ],
    recommendedActions: ['send_premium_content', 'invite_to_referral_program', 'offer_early_access'],
  },
  {
    kind: 'behavioral',
    id: 'purchase_intent',
    description: 'Compares prices, studies products and left a cart in the last 24 hours.',
    priority: 'critical',
    frequency: 'daily',
    // Nudge's defaults: 3 pricing visits, 2 minutes on product pages, 1 abandoned cart.
    conditions: [
      { metric: 'pricing_page_visits', op: '>=', value: 3 },
      { metric: 'product_page_time', op: '>=', value: 120 },
      { metric: 'cart_abandonment_24h', op: '>=', value: 1 },
    ],
    recommendedActions: ['send_cart_reminder', 'offer_limited_discount', 'show_social_proof'],
  },
  {
    kind: 'behavioral',
    id: 'feature_interest',
    description: 'Reads about features and their documentation.',
    priority: 'medium',
    frequency: 'real_time',
    // Nudge's defaults.
    conditions: [
      { metric: 'feature_page_visits', op: '>=', value: 3 },
      { metric: 'documentation_reads', op: '>=', value: 2 },
    ],
    recommendedActions: ['send_feature_guide', 'invite_to_webinar', 'offer_demo'],
  },
  {
    kind: 'behavioral',
    id: 'at_risk_churn',
    description: 'A buyer who stopped opening email and whose engagement is declining.',
    priority: 'critical',
    frequency: 'daily',
    // Nudge's defaults: 30 days without an open, a declining trend, and at least one purchase.
    conditions: [
      { metric: 'days_since_last_open', op: '>=', value: 30 },
      { metric: 'declining_engagement_trend', op: '==', value: true },
      { metric: 'purchase_count', op: '>=', value: 1 },
    ],
    recommendedActions: ['send_win_back_offer', 'request_feedback', 'reduce_email_frequency'],
  },
  {
    kind: 'behavioral',
    id: 'loyal_advocate',
    description: 'A customer of six months or more who buys again and refers others.',
    priority: 'high',
    frequency: 'daily',
    // Nudge's defaults.
    conditions: [
      { metric: 'customer_lifetime_months', op: '>=', value: 6 },
      { metric: 'purchase_count', op: '>=', value: 3 },
      { metric: 'referrals_total', op: '>=', value: 1 },
    ],
    recommendedActions: ['invite_to_advocate_program', 'request_review', 'offer_referral_reward'],
  },

  // --- criteria ---------------------------------------------------------------------------
  {
    kind: 'criteria',
    id: 'engaged_readers',
    description: 'Reads at least 10 pages a month and is at least moderately engaged.',
    priority: 'medium',
    frequency: 'daily',
    criteria: [
      { type: 'event_count', eventType: 'page_view', windowDays: 30, min: 10 },
      { type: 'engagement_score', min: 0.5 },
    ],
    recommendedActions: ['send_content_digest'],
  },
  {
    kind: 'criteria',
    id: 'potential_buyers',
    description: 'Viewed 3 products in two weeks, active this week, has never bought.',
    priority: 'high',
    frequency: 'daily',
    criteria: [
      { type: 'event_count', eventType: 'product_view', windowDays: 14, min: 3 },
      { type: 'purchase_history', hasPurchased: false },
      { type: 'last_activity', maxDaysAgo: 7 },
    ],
    recommendedActions: ['send_first_purchase_offer', 'show_bestsellers'],
  },

  // --- families: exactly one band each ------------------------------------------------------
  {
    kind: 'family',
    id: 'engagement_level',
    description: 'Engagement bands over the primary engagement score.',
    metric: 'engagement_score',
    frequency: 'daily',
    bands: [
      { segment: 'engagement_high', min: 0.8 },
      { segment: 'engagement_medium', min: 0.5 },
      { segment: 'engagement_low', min: 0.2 },
      // Also customers without a score yet.
      { segment: 'engagement_inactive', recommendedActions: ['send_re_engagement_campaign'] },
    ],
  },
  {
    kind: 'family',
    id: 'purchase_behavior',
    description: 'What a customer has bought so far; high value wins over repeat and first-time.',
    frequency: 'real_time',
    bands: [
      { segment: 'high_value_customer', when: [{ metric: 'lifetime_value', op: '>', value: 1000 }], priority: 'high' },
      { segment: 'repeat_buyer', when: [{ metric: 'purchase_count', op: '>=', value: 2 }] },
      { segment: 'first_time_buyer', when: [{ metric: 'purchase_count', op: '==', value: 1 }] },
      { segment: 'non_purchaser' },
    ],
  },
  {
    kind: 'family',
    id: 'activity_pattern',
    description: 'Days since the last activity of any kind.',
    metric: 'days_since_last_activity',
    frequency: 'daily',
    bands: [
      { segment: 'activity_recently_active', max: 7 },
      { segment: 'activity_moderately_active', max: 30 },
      { segment: 'activity_at_risk', max: 90, priority: 'high' },
      // Also customers never active.
      { segment: 'activity_churned' },
    ],
  },
  {
    kind: 'family',
    id: 'account_age',
    description: 'Days since signup (or since first seen): new <= 30, established <= 365, veteran beyond.',
    frequency: 'daily',
    // Listed oldest first so that the catch-all is new_user: a customer without a signup date is new.
    bands: [
      { segment: 'veteran_user', when: [{ metric: 'days_since_signup', op: '>', value: 365 }] },
      { segment: 'established_user', when: [{ metric: 'days_since_signup', op: '>', value: 30 }] },
      { segment: 'new_user' },
    ],
  },
];
