import type { SegmentDefinition } from '#shared/domain/segments.ts';

/**
 * The segments of documents 001 and 002 as the documents give them, written from the documents (not
 * from the catalog), with the Nudge metric that reads each of the documents' metrics. The source
 * tests compare every shipped segment with these rows.
 */
export type DocumentedCondition = {
  /** The document's metric name, and the Nudge metric that holds it. */
  documented: string;
  metric: string;
  op: '>=' | '<=' | '==' | '>' | '<';
  value: number | boolean | string;
};
export type DocumentedSegment = {
  source: '001' | '002';
  priority?: 'critical' | 'high' | 'medium' | 'low';
  recommendedActions?: string[];
  conditions: DocumentedCondition[];
};

const c = (documented: string, metric: string, op: DocumentedCondition['op'], value: DocumentedCondition['value']): DocumentedCondition => ({ documented, metric, op, value });

/** Document 001, behavioral segment rules. */
export const DOCUMENT_001_BEHAVIORAL: Record<string, DocumentedSegment> = {
  high_engagement: {
    source: '001',
    priority: 'high',
    recommendedActions: ['premium_content', 'exclusive_offers', 'early_access'],
    conditions: [c('email_opens_30d', 'email_opens_30d', '>=', 10), c('click_rate_30d', 'click_rate_30d', '>=', 0.15), c('time_since_last_click', 'days_since_last_click', '<=', 7)],
  },
  purchase_intent: {
    source: '001',
    priority: 'critical',
    recommendedActions: ['product_demos', 'special_offers', 'testimonials'],
    // The document's `cart_abandonment_24h == True` is a flag; Nudge counts abandons in 24 h, and
    // `count >= 1` is the same membership and the same match score (1 or 0).
    conditions: [c('pricing_page_visits', 'pricing_page_visits', '>=', 3), c('product_page_time', 'product_page_time', '>=', 180), c('cart_abandonment_24h', 'cart_abandonment_24h', '>=', 1)],
  },
  feature_interest: {
    source: '001',
    priority: 'medium',
    recommendedActions: ['feature_tutorials', 'use_case_examples', 'implementation_guides'],
    conditions: [c('feature_page_visits', 'feature_page_visits', '>=', 2), c('documentation_reads', 'documentation_reads', '>=', 1), c('support_tickets', 'support_tickets_total', '>', 0)],
  },
  at_risk_churn: {
    source: '001',
    priority: 'critical',
    recommendedActions: ['reengagement_campaigns', 'feedback_surveys', 'win_back_offers'],
    conditions: [
      c('days_since_last_open', 'days_since_last_open', '>=', 30),
      c('declining_engagement_trend', 'declining_engagement_trend', '==', true),
      c('support_satisfaction', 'support_satisfaction_5', '<=', 3),
    ],
  },
  loyal_advocate: {
    source: '001',
    priority: 'medium',
    recommendedActions: ['loyalty_rewards', 'advocate_programs', 'beta_access'],
    conditions: [c('customer_lifetime_months', 'customer_lifetime_months', '>=', 12), c('referrals_made', 'referrals_total', '>=', 2), c('nps_score', 'last_nps_score', '>=', 9)],
  },
};

/**
 * Document 001, predictive segments: the class the scoring run gives (thresholds in
 * settings.predictive: churn 0.8 / 0.5, value at the 75th / 50th percentile, next purchase 7 / 30 days).
 */
export const DOCUMENT_001_PREDICTIVE: Record<string, DocumentedSegment> = {
  high_churn_risk: { source: '001', recommendedActions: ['immediate_intervention', 'personal_outreach', 'retention_incentives'], conditions: [c('churn_risk >= 0.8', 'churn_risk_segment', '==', 'high')] },
  medium_churn_risk: { source: '001', recommendedActions: ['proactive_engagement', 'value_reinforcement'], conditions: [c('churn_risk >= 0.5', 'churn_risk_segment', '==', 'medium')] },
  low_churn_risk: { source: '001', recommendedActions: [], conditions: [c('churn_risk < 0.5', 'churn_risk_segment', '==', 'low')] },
  high_value_potential: {
    source: '001',
    recommendedActions: ['premium_experiences', 'account_management', 'expansion_opportunities'],
    conditions: [c('predicted_ltv >= 75th percentile', 'value_potential_segment', '==', 'high')],
  },
  medium_value_potential: { source: '001', recommendedActions: ['nurture_programs', 'feature_education'], conditions: [c('predicted_ltv >= 50th percentile', 'value_potential_segment', '==', 'medium')] },
  low_value_potential: { source: '001', recommendedActions: [], conditions: [c('predicted_ltv < 50th percentile', 'value_potential_segment', '==', 'low')] },
  imminent_purchase: { source: '001', recommendedActions: ['purchase_incentives', 'product_recommendations'], conditions: [c('next_purchase_days <= 7', 'next_purchase_segment', '==', 'imminent')] },
  near_term_purchase: { source: '001', recommendedActions: ['consideration_content', 'social_proof'], conditions: [c('next_purchase_days <= 30', 'next_purchase_segment', '==', 'near_term')] },
  long_term_nurture: { source: '001', recommendedActions: ['educational_content', 'relationship_building'], conditions: [c('next_purchase_days > 30', 'next_purchase_segment', '==', 'long_term_nurture')] },
};

/**
 * Document 002: the two sample segments (criteria, expanded to the checks they make) and the
 * built-in rules (engagement 0.8 / 0.5 / 0.2; purchases; activity 7 / 30 / 90 whole days; account
 * age 30 / 365 days), each band with the conditions that put a customer in it.
 */
export const DOCUMENT_002: Record<string, DocumentedSegment> = {
  engaged_readers: { source: '002', conditions: [c('page_view events in 30 days', 'event_count:page_view:30', '>=', 10), c('engagement_score', 'engagement_score', '>=', 0.4)] },
  potential_buyers: { source: '002', conditions: [c('cart_add events in 7 days', 'event_count:cart_add:7', '>=', 1), c('has_purchased == False', 'purchase_count', '==', 0)] },
  engagement_high: { source: '002', conditions: [c('engagement_score', 'engagement_score', '>=', 0.8)] },
  engagement_medium: { source: '002', conditions: [c('engagement_score', 'engagement_score', '>=', 0.5)] },
  engagement_low: { source: '002', conditions: [c('engagement_score', 'engagement_score', '>=', 0.2)] },
  engagement_inactive: { source: '002', conditions: [] },
  repeat_buyer: { source: '002', conditions: [c('purchases', 'purchase_count', '>=', 2)] },
  first_time_buyer: { source: '002', conditions: [c('purchases', 'purchase_count', '==', 1)] },
  non_purchaser: { source: '002', conditions: [] },
  high_value_customer: { source: '002', conditions: [c('purchases (repeat buyer)', 'purchase_count', '>=', 2), c('total purchase value', 'lifetime_value', '>', 1000)] },
  activity_recently_active: { source: '002', conditions: [c('days since activity', 'full_days_since_last_activity', '<=', 7)] },
  activity_moderately_active: { source: '002', conditions: [c('days since activity', 'full_days_since_last_activity', '<=', 30)] },
  activity_at_risk: { source: '002', conditions: [c('days since activity', 'full_days_since_last_activity', '<=', 90)] },
  activity_churned: { source: '002', conditions: [] },
  new_user: { source: '002', conditions: [] },
  established_user: { source: '002', conditions: [c('account age', 'days_since_signup', '>', 30)] },
  veteran_user: { source: '002', conditions: [c('account age', 'days_since_signup', '>', 365)] },
};

/** Shipped segments no document lists as a segment: win_back is document 001's real-time rule for a cancelled subscription. */
export const NUDGE_ONLY_SEGMENTS = ['win_back'];

/** A shipped segment's own conditions in the rows' shape ([metric, op, value]), criteria expanded as the evaluation does. */
export function shippedConditions(definition: SegmentDefinition, segmentId: string): Array<[string, string, number | boolean | string]> {
  switch (definition.kind) {
    case 'behavioral':
      return definition.conditions.map((x) => [x.metric, x.op, x.value]);
    case 'criteria':
      return definition.criteria.flatMap((x): Array<[string, string, number | boolean | string]> => {
        switch (x.type) {
          case 'event_count':
            return [...(x.min !== undefined ? [[`event_count:${x.eventType}:${x.windowDays}`, '>=', x.min] as [string, string, number]] : []), ...(x.max !== undefined ? [[`event_count:${x.eventType}:${x.windowDays}`, '<=', x.max] as [string, string, number]] : [])];
          case 'engagement_score':
            return [...(x.min !== undefined ? [['engagement_score', '>=', x.min] as [string, string, number]] : []), ...(x.max !== undefined ? [['engagement_score', '<=', x.max] as [string, string, number]] : [])];
          case 'purchase_history':
            return x.hasPurchased === false ? [['purchase_count', '==', 0]] : [['purchase_count', '>=', x.minCount ?? 1]];
          default:
            return [[x.type, '?', JSON.stringify(x)]];
        }
      });
    case 'family': {
      const band = definition.bands.find((b) => b.segment === segmentId)!;
      return [
        ...(band.min !== undefined ? [[definition.metric!, '>=', band.min] as [string, string, number]] : []),
        ...(band.max !== undefined ? [[definition.metric!, '<=', band.max] as [string, string, number]] : []),
        ...(band.when ?? []).map((x): [string, string, number | boolean | string] => [x.metric, x.op, x.value]),
      ];
    }
  }
}
