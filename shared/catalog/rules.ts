import type { TriggerRuleInput } from '../domain/trigger-rules.ts';

/**
 * The default trigger rules: the source's rules, one per trigger type a business starts with.
 * Every rule sends at the customer's optimal time (document 000: their stated contact time, else
 * their learned hour, else 10:00 on the next business day: `sendTime: optimal`) unless it opts out.
 *
 * Three ship inactive (`active: false`), as opt-in flows: browse abandonment, the post-purchase
 * follow-up and premium content are high-volume marketing mail that competes with the core flows
 * (welcome, cart, churn, win-back) for the customer's marketing allowance (3 per 7 days). A fresh
 * install should not start spending that allowance on flows nobody chose; set `active: true` to
 * run them. Their behaviour is covered by tests all the same.
 *
 * Welcome, cart abandonment and win-back start nurture sequences (`startSequence`) rather than send
 * one email: the source describes each both as a rule and as a flow, and one customer must not get
 * both (decision #19). The single-email templates (`welcome`, `cart_reminder`, `win_back`) stay in
 * the catalog for a business that prefers one email: set `templateId` instead of `startSequence`.
 */
export const rules: TriggerRuleInput[] = [
  {
    id: 'cart_abandonment_1hour',
    description: 'Remind a customer of an abandoned cart worth more than 50: once per 24 hours at most.',
    priority: 100,
    // cart_abandon is what producers emit after an hour without checkout (events/README.md).
    trigger: { type: 'behavioral', eventType: 'cart_abandon' },
    conditions: { all: [{ field: 'event.properties.cartValue', op: 'greater_than', value: 50 }] },
    cooldownHours: 24,
    maxSends: { count: 1, periodHours: 24 },
    // The reminders are cart_recovery's steps (1 h, 24 h, 72 h after the abandon; a purchase ends it).
    sendTime: { policy: 'optimal' },
    startSequence: 'cart_recovery',
    // Its emails are cart_recovery's steps: their rows carry the targets (catalog sequences.ts).
    successMetrics: ['email_open', 'email_click', 'purchase'],
  },
  {
    id: 'welcome_new_subscriber',
    description: 'Welcome a new subscriber (segment new_user) once, ever.',
    priority: 90,
    trigger: { type: 'behavioral', eventType: 'subscribe' },
    conditions: {
      all: [
        { field: 'profile.email', op: 'exists', value: true },
        { field: 'profile.segments.new_user', op: 'exists', value: true },
      ],
    },
    maxSends: { count: 1 },
    // The greeting is welcome_series' first step (day 0), followed by days 2 and 5.
    // A welcome is expected right after signing up (it starts welcome_series, whose steps have their own timing).
    sendTime: { policy: 'immediate' },
    startSequence: 'welcome_series',
    successMetrics: ['email_open'],
  },
  {
    id: 'churn_prevention_high_risk',
    description: 'A valuable customer (lifetime value over 100) whose churn probability rose above 0.7: a personal win-back offer.',
    priority: 95,
    trigger: { type: 'predictive', eventType: 'ChurnRiskChanged' },
    conditions: {
      all: [
        { field: 'event.properties.probability', op: 'greater_than', value: 0.7 },
        { field: 'calculated.lifetime_value', op: 'greater_than', value: 100 },
      ],
    },
    // Document 000: a 7-day cooldown and at most 2 a day (its counter expires 24 h after the last send).
    cooldownHours: 168,
    maxSends: { count: 2, periodHours: 24 },
    sendTime: { policy: 'optimal' },
    templateId: 'churn_prevention',
    successMetrics: ['email_open', 'email_click', 'purchase'],
  },
  {
    id: 'purchase_intent_picks',
    description:
      'Likely to buy soon (purchase intent above 0.8) and no purchase in the last 7 days: picks from their favourite categories, timed to the optimal window (their optimal send time).',
    priority: 70,
    // Document 003's trigger: more than 0.8 (the model announces crossings of 0.8: catalog settings.predictive).
    // Its `timing: optimal_purchase_window` is undefined there; Nudge times the offer with the optimal send
    // time (document 000), the default of every rule. (A window read from the predicted next purchase was
    // tried: the scoring announces before it writes, so the rule read the previous run's prediction.)
    trigger: { type: 'predictive', eventType: 'PurchaseIntentChanged' },
    conditions: {
      all: [
        { field: 'event.properties.probability', op: 'greater_than', value: 0.8 },
        { any: [{ field: 'calculated.days_since_last_purchase', op: 'exists', value: false }, { field: 'calculated.days_since_last_purchase', op: 'at_least', value: 7 }] },
      ],
    },
    cooldownHours: 24 * 14,
    sendTime: { policy: 'optimal' },
    templateId: 'picked_for_you',
    successMetrics: ['purchase', 'email_click'],
  },
  {
    id: 'browse_abandonment',
    description: 'Viewed products but added nothing to the cart and bought nothing within an hour: show what they looked at.',
    active: false, // opt-in: see the note at the top of this file
    priority: 60,
    trigger: { type: 'temporal', kind: 'absence', eventType: 'product_view', absentEventTypes: ['cart_add', 'purchase'], withinHours: 1 },
    conditions: { all: [{ field: 'calculated.product_page_visits', op: 'at_least', value: 2 }] },
    cooldownHours: 72,
    sendTime: { policy: 'optimal' },
    templateId: 'browse_reminder',
    // Bluecore's 2018 Retail Email Benchmark, product (browse) abandonment emails: 8.40 % click, 0.62 %
    // conversion within 5 days; rounded down. The other rules' metrics have no published figure to hold them to.
    successMetrics: [
      { metric: 'email_click', target: 0.08 },
      { metric: 'purchase', target: 0.006 },
    ],
  },
  {
    id: 'post_purchase_follow_up',
    description: 'Three days after a purchase: how to get the most out of it. Waits a day when a higher rule wins the purchase.',
    active: false, // opt-in: see the note at the top of this file
    priority: 70,
    trigger: { type: 'behavioral', eventType: 'purchase' },
    sendTime: { policy: 'delay', minutes: 3 * 24 * 60 },
    maxSends: { count: 1, periodHours: 168 },
    onConflict: { action: 'defer', deferHours: 24 },
    templateId: 'post_purchase',
    successMetrics: ['purchase'],
  },
  {
    id: 'win_back_60_days',
    description: 'A past buyer with no activity for 60 days: a win-back note (checked by the daily sweep).',
    priority: 80,
    trigger: { type: 'temporal', kind: 'inactivity', days: 60 },
    conditions: { all: [{ field: 'calculated.purchase_count', op: 'at_least', value: 1 }] },
    maxSends: { count: 1, periodHours: 24 * 90 },
    // Document 001's at_risk stage (180 days without a purchase) starts win_back_campaign too, much
    // later; this rule reaches idle buyers at 60 days. One run per customer and sequence, so never twice.
    sendTime: { policy: 'optimal' },
    startSequence: 'win_back_campaign',
    successMetrics: ['email_open', 'purchase'],
  },
  {
    id: 'high_engagement_premium_content',
    description: 'A highly engaged reader who clicks: premium content, at their preferred hour, at most monthly.',
    active: false, // opt-in: see the note at the top of this file
    priority: 50,
    trigger: { type: 'behavioral', eventType: 'email_click' },
    // The primary engagement model's top level (document 000: score >= 0.8); 'high' was never a level, so the rule never fired.
    conditions: { all: [{ field: 'calculated.engagement_level', op: 'equals', value: 'highly_engaged' }] },
    maxSends: { count: 1, periodHours: 24 * 30 },
    sendTime: { policy: 'optimal' },
    templateId: 'premium_content',
    successMetrics: ['email_click', 'purchase'],
  },
  {
    id: 'vip_onboarding',
    description: 'A purchase that makes the customer a VIP: welcome them to the VIP programme, once.',
    priority: 85,
    trigger: { type: 'behavioral', eventType: 'purchase' },
    conditions: { all: [{ field: 'profile.lifecycleStage', op: 'equals', value: 'vip_customer' }] },
    maxSends: { count: 1 },
    sendTime: { policy: 'optimal' },
    templateId: 'vip_welcome',
    successMetrics: ['purchase'],
  },
  {
    id: 'segment_entry_campaign',
    description:
      'Document 001: a customer who newly enters a critical or high priority segment gets that segment\'s campaign (its own content variant), once a day at most.',
    priority: 75,
    trigger: { type: 'segment', on: 'entered' },
    conditions: {
      all: [
        { field: 'event.properties.priority', op: 'in', value: ['critical', 'high'] },
        // win_back starts its own sequence on entry (sequences.ts startOn): one flow per segment.
        { field: 'event.properties.segmentId', op: 'not_in', value: ['win_back'] },
      ],
    },
    // Document 001 sets no limit; flapping in and out of segments must not become daily mail.
    cooldownHours: 24,
    maxSends: { count: 2, periodHours: 168 },
    sendTime: { policy: 'optimal' },
    templateId: 'segment_welcome',
    successMetrics: ['purchase', 'email_click'],
  },
  {
    id: 'support_follow_up',
    description: 'A support ticket was solved: ask how it went. Service mail, so it is sent during a promotional pause.',
    priority: 40,
    trigger: { type: 'behavioral', eventType: 'support_ticket' },
    conditions: { all: [{ field: 'event.properties.status', op: 'in', value: ['solved', 'closed'] }] },
    cooldownHours: 24,
    category: 'transactional',
    transactional: true,
    // Service mail answers what the customer just did: it goes at once.
    sendTime: { policy: 'immediate' },
    templateId: 'support_follow_up',
    successMetrics: ['email_open'],
  },
  {
    id: 'confirm_subscription',
    description:
      'Opt-in categories chosen on the preference page: mail a 48-hour confirmation link to the address on file (the page link may have been forwarded). Service mail: it needs no marketing consent.',
    priority: 110,
    trigger: { type: 'behavioral', eventType: 'consent_confirmation_requested' },
    // A forwarded preference link must not become a way to flood someone's inbox.
    maxSends: { count: 3, periodHours: 24 },
    category: 'transactional',
    transactional: true,
    // The customer waits for this link on the preference page.
    sendTime: { policy: 'immediate' },
    templateId: 'confirm_subscription',
    successMetrics: ['email_click'],
  },
];

/**
 * The single-email templates of the rules that start a sequence: what to set as `templateId` (in
 * place of `startSequence`) for one email instead of the flow. Kept rendered and tested.
 */
export const singleEmailTemplates: Readonly<Record<string, string>> = {
  welcome_new_subscriber: 'welcome',
  cart_abandonment_1hour: 'cart_reminder',
  win_back_60_days: 'win_back',
};
