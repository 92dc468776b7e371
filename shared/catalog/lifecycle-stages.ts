import type { LifecycleStageInput } from '../domain/lifecycle.ts';

/**
 * The lifecycle stages as document 001 defines them, shipped by default: its entry criteria, named
 * exits, progressions and nurture sequences. How each document metric is read here:
 *
 * | document 001 | Nudge metric | note |
 * |---|---|---|
 * | email_subscribed | subscribed_marketing | marketing consent |
 * | days_since_signup | days_since_signup | first subscribe, else first seen |
 * | first_purchase_date <= 30_days_ago | days_since_first_purchase <= 30 | read as "first purchase within 30 days": a new customer (the literal date comparison would mean the opposite) |
 * | purchase_frequency >= 0.25 "quarterly" | purchase_frequency (per month of the customer's life, at least one month) | per month is the unit in which 0.25 is roughly quarterly (one purchase every 4 months) |
 * | engagement_score >= 8 | interaction_score (0-10) | 001's 0-10 real-time score (opens 1, clicks 3, forwards 2, replies 5, unsubscribe -10); Nudge sums it over 30 days |
 * | engagement_decline | declining_engagement_trend | the last 15 days under 60% of the 15 before (from at least 3 events) |
 * | support_satisfaction <= 6 | support_satisfaction (0-10) | mean support rating, rating / scale x 10; none until a rating arrives |
 * | nps_score, referrals_made, social_mentions | last_nps_score, referrals_total, social_mentions_total | lifetime counts |
 *
 * As in the document's evaluation, a metric without a value fails its condition: a customer who
 * never rated support is never at_risk, and a non-buyer never new_customer. Nudge adds precedence
 * (`rank`), stickiness and fixed-point evaluation (domain/lifecycle.ts): the document's
 * first-listed-wins loop would move a customer who qualifies for both vip_customer and advocate
 * back and forth on every evaluation. A customer who matches no stage has none (`lifecycleStage`
 * absent): the document's stages deliberately leave people out (an unsubscribed non-buyer, a
 * one-time buyer after 30 days who was never staged) and no nurture sequence is meant for them.
 * Documented progression triggers (first_purchase, high_engagement, demo_request, ...) are the
 * target stage's entry criteria here: a stage is entered when its criteria hold, whatever caused them.
 *
 * Nudge's previous rules stay one catalog line away: `withLifecycleModel(catalog, 'nudge')`.
 */
const documentedStages: LifecycleStageInput[] = [
  {
    id: 'prospect',
    description: 'Subscribed, has not bought, signed up within 30 days (document 001).',
    rank: 10,
    entry: {
      all: [
        { metric: 'subscribed_marketing', op: '==', value: true },
        { metric: 'purchase_count', op: '==', value: 0 },
        { metric: 'days_since_signup', op: '<=', value: 30 },
      ],
    },
    exits: [
      { id: 'purchase_made', description: 'Bought something.', when: { all: [{ metric: 'purchase_count', op: '>=', value: 1 }] } },
      { id: 'unsubscribed', description: 'Left marketing email.', when: { all: [{ metric: 'subscribed_marketing', op: '==', value: false }] } },
      { id: 'inactive_60d', description: 'No activity for 60 days.', when: { all: [{ metric: 'days_since_last_activity', op: '>=', value: 60 }] } },
    ],
    // at_risk needs a purchase 180 days ago, so a prospect never qualifies for it: listed as documented.
    progressions: ['new_customer', 'at_risk'],
    nurtureSequences: ['welcome_series', 'educational_content', 'social_proof'],
  },
  {
    id: 'new_customer',
    description: 'Exactly one purchase, made within the last 30 days (document 001).',
    rank: 20,
    entry: {
      all: [
        { metric: 'days_since_first_purchase', op: '<=', value: 30 },
        { metric: 'purchase_count', op: '==', value: 1 },
      ],
    },
    exits: [
      { id: 'repeat_purchase', description: 'Bought a second time.', when: { all: [{ metric: 'purchase_count', op: '>=', value: 2 }] } },
      // The predictive scoring's churn segment (settings.predictive.churnSegments: high from 0.8).
      { id: 'churn_risk_high', description: 'Churn risk is high.', when: { all: [{ metric: 'churn_risk_segment', op: '==', value: 'high' }] } },
    ],
    progressions: ['repeat_customer', 'at_risk'],
    nurtureSequences: ['onboarding_series', 'product_education', 'support_resources'],
  },
  {
    id: 'repeat_customer',
    description: 'Two purchases or more, the last within 90 days (document 001).',
    rank: 30,
    entry: {
      all: [
        { metric: 'purchase_count', op: '>=', value: 2 },
        { metric: 'days_since_last_purchase', op: '<=', value: 90 },
      ],
    },
    exits: [
      {
        id: 'churn_risk_medium',
        description: 'Churn risk is medium or worse (from 0.5).',
        when: { any: [{ metric: 'churn_risk_segment', op: '==', value: 'medium' }, { metric: 'churn_risk_segment', op: '==', value: 'high' }] },
      },
      {
        id: 'advocate_qualified',
        description: "Meets advocate's criteria (advocate is also a progression, so it is entered rather than left for no stage).",
        when: {
          all: [
            { metric: 'last_nps_score', op: '>=', value: 9 },
            { metric: 'referrals_total', op: '>=', value: 3 },
            { metric: 'social_mentions_total', op: '>=', value: 2 },
          ],
        },
      },
    ],
    progressions: ['vip_customer', 'advocate', 'at_risk'],
    nurtureSequences: ['loyalty_content', 'advanced_features', 'exclusive_offers'],
  },
  {
    id: 'vip_customer',
    description: 'Lifetime value 1,000 or more, buys about quarterly (0.25 a month) and interaction score 8 or more of 10 (document 001).',
    rank: 40,
    entry: {
      all: [
        { metric: 'lifetime_value', op: '>=', value: 1000 },
        { metric: 'purchase_frequency', op: '>=', value: 0.25 },
        { metric: 'interaction_score', op: '>=', value: 8 },
      ],
    },
    exits: [
      {
        // The document does not define it: its value trajectory needs revenue per period, which the profile
        // does not keep; refunds taking the value under the VIP line, or a low predicted value, stand for it.
        id: 'value_decline',
        description: 'Lifetime value fell under 1,000 (refunds), or the predicted 90-day value is in the bottom half.',
        when: { any: [{ metric: 'lifetime_value', op: '<', value: 1000 }, { metric: 'value_potential_segment', op: '==', value: 'low' }] },
      },
      // 001's low-engagement line on the same 0-10 score (its real-time rules: <= 2 is low engagement).
      { id: 'engagement_drop', description: 'Interaction score 2 or less of 10.', when: { all: [{ metric: 'interaction_score', op: '<=', value: 2 }] } },
    ],
    progressions: ['advocate', 'at_risk'],
    nurtureSequences: ['vip_content', 'early_access', 'personal_account_manager'],
  },
  {
    id: 'advocate',
    description: 'NPS 9 or more, 3 referrals or more and 2 social mentions or more (document 001).',
    rank: 50,
    entry: {
      all: [
        { metric: 'last_nps_score', op: '>=', value: 9 },
        { metric: 'referrals_total', op: '>=', value: 3 },
        { metric: 'social_mentions_total', op: '>=', value: 2 },
      ],
    },
    exits: [
      {
        id: 'advocate_fatigue',
        description: 'Tired of advocacy asks.',
        unexpressed: 'No data: Nudge records no advocacy asks or their refusals, and document 001 does not define fatigue.',
      },
      // A detractor on the NPS scale (0-6).
      { id: 'negative_feedback', description: 'Latest NPS 6 or less.', when: { all: [{ metric: 'last_nps_score', op: '<=', value: 6 }] } },
    ],
    progressions: ['vip_customer', 'at_risk'],
    nurtureSequences: ['advocate_rewards', 'co_marketing_opportunities', 'beta_programs'],
  },
  {
    id: 'at_risk',
    description: 'Last purchase 180 days ago or more, engagement declining, support satisfaction 6 or less of 10 (document 001).',
    // Highest rank: a customer at risk is treated as such whatever else they qualify for.
    rank: 100,
    entry: {
      all: [
        { metric: 'days_since_last_purchase', op: '>=', value: 180 },
        { metric: 'declining_engagement_trend', op: '==', value: true },
        { metric: 'support_satisfaction', op: '<=', value: 6 },
      ],
    },
    exits: [
      // Document 000's lowest engagement level (score under 0.1).
      { id: 'churned', description: "Engagement level is 'churned'.", when: { all: [{ metric: 'engagement_level', op: '==', value: 'churned' }] } },
      {
        // Disjoint from the entry by construction, so nobody enters and leaves on the same facts.
        id: 'reactivated',
        description: 'Bought again, or active in the last 7 days with engagement no longer declining.',
        when: {
          any: [
            { metric: 'days_since_last_purchase', op: '<', value: 180 },
            { all: [{ metric: 'declining_engagement_trend', op: '==', value: false }, { metric: 'days_since_last_activity', op: '<=', value: 7 }] },
          ],
        },
      },
    ],
    progressions: ['prospect', 'new_customer', 'repeat_customer'],
    nurtureSequences: ['win_back_campaign', 'feedback_request', 'special_incentives'],
  },
];

/**
 * Nudge's stage rules until issue 22, kept for users who built on them: cumulative purchase stages,
 * vip by 1,000 spent OR five purchases, advocate as a repeat buyer who refers or is a promoter,
 * at_risk after 60 idle days. Differences from the document: see docs/decisions.md #10.
 */
const nudgeStages: LifecycleStageInput[] = [
  {
    id: 'prospect',
    description: 'Known, has not bought yet.',
    rank: 10,
    entry: { all: [{ metric: 'purchase_count', op: '==', value: 0 }] },
    progressions: ['new_customer', 'at_risk'],
    nurtureSequences: ['welcome_series', 'educational_content', 'social_proof'],
  },
  {
    id: 'new_customer',
    description: 'Bought once.',
    rank: 20,
    entry: { all: [{ metric: 'purchase_count', op: '>=', value: 1 }] },
    progressions: ['repeat_customer', 'at_risk'],
    nurtureSequences: ['onboarding_series', 'product_education', 'support_resources'],
  },
  {
    id: 'repeat_customer',
    description: 'Bought twice or more.',
    rank: 30,
    entry: { all: [{ metric: 'purchase_count', op: '>=', value: 2 }] },
    progressions: ['vip_customer', 'advocate', 'at_risk'],
    nurtureSequences: ['loyalty_content', 'advanced_features', 'exclusive_offers'],
  },
  {
    id: 'vip_customer',
    description: 'Spent 1000 or more, or bought five times or more.',
    rank: 40,
    entry: {
      any: [
        { metric: 'lifetime_value', op: '>=', value: 1000 },
        { metric: 'purchase_count', op: '>=', value: 5 },
      ],
    },
    progressions: ['advocate', 'at_risk'],
    nurtureSequences: ['vip_content', 'early_access', 'personal_account_manager'],
  },
  {
    id: 'advocate',
    description: 'A repeat buyer who refers others or is a promoter (NPS 9-10).',
    rank: 50,
    entry: {
      all: [
        { metric: 'purchase_count', op: '>=', value: 2 },
        {
          any: [
            { metric: 'referrals_total', op: '>=', value: 1 },
            { metric: 'last_nps_score', op: '>=', value: 9 },
          ],
        },
      ],
    },
    // A detractor (NPS 0-6) is no advocate, whatever they did before; they go back to vip_customer if they qualify.
    exits: [{ id: 'detractor', description: 'Latest NPS 6 or less.', when: { all: [{ metric: 'last_nps_score', op: '<=', value: 6 }] } }],
    progressions: ['vip_customer', 'at_risk'],
    nurtureSequences: ['advocate_rewards', 'co_marketing_opportunities', 'beta_programs'],
  },
  {
    id: 'at_risk',
    description: 'No activity for 60 days.',
    // The highest rank, so that 60 idle days move any customer there; it is left only through its exit (activity again).
    rank: 100,
    entry: { all: [{ metric: 'days_since_last_activity', op: '>=', value: 60 }] },
    exits: [{ id: 'active_again', description: 'Active within 60 days.', when: { all: [{ metric: 'days_since_last_activity', op: '<', value: 60 }] } }],
    progressions: ['prospect', 'new_customer', 'repeat_customer'],
    nurtureSequences: ['win_back_campaign', 'feedback_request', 'special_incentives'],
  },
];

/** The stage sets a catalog can ship, by name; both use the same ids, so sequences and rules read either unchanged. */
export const lifecycleModels = { documented: documentedStages, nudge: nudgeStages } as const;
export type LifecycleModelName = keyof typeof lifecycleModels;

/** A catalog input whose lifecycle stages are the named set (e.g. `nudge` for the pre-issue-22 rules). */
export function withLifecycleModel<C extends { lifecycleStages: LifecycleStageInput[] }>(catalog: C, name: LifecycleModelName): C {
  return { ...catalog, lifecycleStages: lifecycleModels[name] };
}

/** The default lifecycle stages: document 001's. */
export const lifecycleStages: LifecycleStageInput[] = lifecycleModels.documented;
