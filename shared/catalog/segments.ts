import type { SegmentDefinitionInput } from '../domain/segments.ts';

/** A predictive class of the daily scoring run as a behavioral segment (one condition: the class). */
function predictiveSegment(metric: string, value: string, id: string, description: string, recommendedActions: string[]): SegmentDefinitionInput {
  return { kind: 'behavioral', id, description, frequency: 'daily', conditions: [{ metric, op: '==', value }], recommendedActions };
}

/**
 * The default segments: documents 001 (behavioral, predictive) and 002 (criteria samples, the
 * built-in families) with their thresholds; `win_back` is 001's real-time cancellation rule. Where a
 * value is Nudge's own, the entry says so. Segments that read days_since_*, windows or predictions
 * change without an event of the customer's and are re-evaluated daily.
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
  // Document 001's five behavioral segments: its thresholds, priorities and recommended actions.
  // (Its `frequency` is how often to mail the segment; Nudge's `frequency` is when membership is
  // re-evaluated, so it is not the document's value.)
  {
    kind: 'behavioral',
    id: 'high_engagement',
    description: 'Opens and clicks a lot and clicked in the last week.',
    priority: 'high',
    frequency: 'daily',
    conditions: [
      { metric: 'email_opens_30d', op: '>=', value: 10 },
      { metric: 'click_rate_30d', op: '>=', value: 0.15 },
      { metric: 'days_since_last_click', op: '<=', value: 7 },
    ],
    recommendedActions: ['premium_content', 'exclusive_offers', 'early_access'],
  },
  {
    kind: 'behavioral',
    id: 'purchase_intent',
    description: 'Compares prices, studies products and left a cart in the last 24 hours.',
    priority: 'critical',
    frequency: 'daily',
    // The document's "cart abandoned in 24 h == true" over Nudge's count of abandons in 24 h: `>= 1`
    // is the same membership and the same match score (min(1, count/1) is 1 or 0).
    conditions: [
      { metric: 'pricing_page_visits', op: '>=', value: 3 },
      { metric: 'product_page_time', op: '>=', value: 180 },
      { metric: 'cart_abandonment_24h', op: '>=', value: 1 },
    ],
    recommendedActions: ['product_demos', 'special_offers', 'testimonials'],
  },
  {
    kind: 'behavioral',
    id: 'feature_interest',
    description: 'Reads about features and their documentation, and has asked support.',
    priority: 'medium',
    frequency: 'daily',
    conditions: [
      { metric: 'feature_page_visits', op: '>=', value: 2 },
      { metric: 'documentation_reads', op: '>=', value: 1 },
      { metric: 'support_tickets_total', op: '>', value: 0 },
    ],
    recommendedActions: ['feature_tutorials', 'use_case_examples', 'implementation_guides'],
  },
  {
    kind: 'behavioral',
    id: 'at_risk_churn',
    description: 'Stopped opening email, engagement declining, and unhappy with support.',
    priority: 'critical',
    frequency: 'daily',
    // Support satisfaction on the document's 1-5 scale (any 1-5 or 1-10 rating, rescaled).
    conditions: [
      { metric: 'days_since_last_open', op: '>=', value: 30 },
      { metric: 'declining_engagement_trend', op: '==', value: true },
      { metric: 'support_satisfaction_5', op: '<=', value: 3 },
    ],
    recommendedActions: ['reengagement_campaigns', 'feedback_surveys', 'win_back_offers'],
  },
  {
    kind: 'behavioral',
    id: 'loyal_advocate',
    description: 'A customer of a year or more who refers others and would recommend us.',
    priority: 'medium',
    frequency: 'daily',
    conditions: [
      { metric: 'customer_lifetime_months', op: '>=', value: 12 },
      { metric: 'referrals_total', op: '>=', value: 2 },
      { metric: 'last_nps_score', op: '>=', value: 9 },
    ],
    recommendedActions: ['loyalty_rewards', 'advocate_programs', 'beta_access'],
  },
  {
    kind: 'behavioral',
    id: 'high_value_customer',
    description: 'A repeat buyer whose orders add up to more than 1,000 (document 002).',
    priority: 'high',
    frequency: 'real_time',
    // Document 002 adds this to repeat_buyer (not instead of it); one order of 1,500 is not enough.
    conditions: [
      { metric: 'purchase_count', op: '>=', value: 2 },
      { metric: 'lifetime_value', op: '>', value: 1000 },
    ],
    recommendedActions: [],
  },

  // --- predictive (document 001): the daily scoring run's classes as segments ----------------
  // Thresholds live in settings.predictive (churn 0.8/0.5, value at the 75th/50th percentile of
  // the run's sampled predictions, next purchase within 7/30 days); the run stores each class on the
  // profile, so these read it and follow the settings. Members change at the next event or sweep.
  predictiveSegment('churn_risk_segment', 'high', 'high_churn_risk', 'Predicted churn probability of 0.8 or more.', ['immediate_intervention', 'personal_outreach', 'retention_incentives']),
  predictiveSegment('churn_risk_segment', 'medium', 'medium_churn_risk', 'Predicted churn probability from 0.5 to below 0.8.', ['proactive_engagement', 'value_reinforcement']),
  predictiveSegment('churn_risk_segment', 'low', 'low_churn_risk', 'Predicted churn probability below 0.5.', []),
  predictiveSegment('value_potential_segment', 'high', 'high_value_potential', 'Predicted value at or above the 75th percentile of customers.', ['premium_experiences', 'account_management', 'expansion_opportunities']),
  predictiveSegment('value_potential_segment', 'medium', 'medium_value_potential', 'Predicted value from the 50th to below the 75th percentile.', ['nurture_programs', 'feature_education']),
  predictiveSegment('value_potential_segment', 'low', 'low_value_potential', 'Predicted value below the 50th percentile (or none).', []),
  predictiveSegment('next_purchase_segment', 'imminent', 'imminent_purchase', 'Next purchase predicted within 7 days.', ['purchase_incentives', 'product_recommendations']),
  predictiveSegment('next_purchase_segment', 'near_term', 'near_term_purchase', 'Next purchase predicted within 30 days.', ['consideration_content', 'social_proof']),
  predictiveSegment('next_purchase_segment', 'long_term_nurture', 'long_term_nurture', 'Next purchase not predicted within 30 days.', ['educational_content', 'relationship_building']),

  // --- criteria (document 002's sample segments) ------------------------------------------
  {
    kind: 'criteria',
    id: 'engaged_readers',
    description: 'Reads at least 10 pages a month and is at least moderately engaged.',
    priority: 'medium',
    frequency: 'daily',
    criteria: [
      { type: 'event_count', eventType: 'page_view', windowDays: 30, min: 10 },
      { type: 'engagement_score', min: 0.4 },
    ],
    recommendedActions: ['send_content_digest'],
  },
  {
    kind: 'criteria',
    id: 'potential_buyers',
    description: 'Added something to the cart this week and has never bought.',
    priority: 'high',
    frequency: 'daily',
    criteria: [
      { type: 'event_count', eventType: 'cart_add', windowDays: 7, min: 1 },
      { type: 'purchase_history', hasPurchased: false },
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
    description: 'How often a customer has bought: repeat, first-time or not yet (high value is a segment of its own).',
    frequency: 'real_time',
    bands: [
      { segment: 'repeat_buyer', when: [{ metric: 'purchase_count', op: '>=', value: 2 }] },
      { segment: 'first_time_buyer', when: [{ metric: 'purchase_count', op: '==', value: 1 }] },
      { segment: 'non_purchaser' },
    ],
  },
  {
    kind: 'family',
    id: 'activity_pattern',
    description: 'Whole days since the last activity of any kind (document 002 counts whole days).',
    metric: 'full_days_since_last_activity',
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
