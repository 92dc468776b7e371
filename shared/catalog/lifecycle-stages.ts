import type { LifecycleStageInput } from '../domain/lifecycle.ts';

/**
 * The default lifecycle stages. The stages, their nurture sequences and the progressions are the
 * source's; the entry and exit conditions and the ranks are Nudge's defaults. at_risk has the highest
 * rank so that 60 idle days move any customer there; it is left only through its exit (activity again).
 */
export const lifecycleStages: LifecycleStageInput[] = [
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
    exit: { all: [{ metric: 'last_nps_score', op: '<=', value: 6 }] },
    progressions: ['vip_customer', 'at_risk'],
    nurtureSequences: ['advocate_rewards', 'co_marketing_opportunities', 'beta_programs'],
  },
  {
    id: 'at_risk',
    description: 'No activity for 60 days.',
    rank: 100,
    entry: { all: [{ metric: 'days_since_last_activity', op: '>=', value: 60 }] },
    exit: { all: [{ metric: 'days_since_last_activity', op: '<', value: 60 }] },
    progressions: ['prospect', 'new_customer', 'repeat_customer'],
    nurtureSequences: ['win_back_campaign', 'feedback_request', 'special_incentives'],
  },
];
