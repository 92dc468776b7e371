import type { ExitGoal, SequenceInput } from '../domain/sequences.ts';

/**
 * The default nurture sequences. welcome_series, cart_recovery and win_back are Nudge's flows
 * (started by rules and the win_back segment); high_engagement_sequence and content_recommendation
 * are the campaigns document 001's real-time rules and document 003's content-interest trigger name
 * (001's loyalty_program_enrollment is the enrolment itself, at the first purchase, told in the
 * onboarding thank-you: a fourth email in a first buyer's first week would spend the weekly
 * marketing cap the purchase-intent email needs; a sequence may still start on the
 * `loyalty_enrolled` signal); the others are the nurture sequences each lifecycle stage names
 * (lifecycle-stages.ts), started on entering the stage and stopped when the stage changes.
 * Every step's template is `<sequence>_<step>` in templates.ts.
 *
 * The stage sequences of one stage are staggered (different days), so a customer entering a stage
 * gets one email at a time; the global marketing cap applies to sequence mail as to rule mail.
 */

const unsubscribed: ExitGoal = { type: 'unsubscribed' };
const stageChanged: ExitGoal = { type: 'stage_changed' };
const onEvent = (eventType: string): ExitGoal => ({ type: 'event', eventType });
/**
 * Document 001's `stop_active_campaigns`: a subscription cancellation ends every running sequence
 * at its next step (the dispatcher also drops their queued emails), except win_back, which the
 * cancellation starts.
 */
export const cancelled: ExitGoal = onEvent('subscription_cancel');
/**
 * A stage's sequence: stops when the customer unsubscribes, the stage changes or the customer
 * cancels. The unsubscribe is checked first: it also ends the prospect stage (document 001's exit),
 * and it is the reason to report.
 */
const stageExits: ExitGoal[] = [unsubscribed, stageChanged, cancelled];

const days = (n: number) => ({ type: 'offset' as const, days: n });
const hours = (n: number) => ({ type: 'offset' as const, hours: n });
const nextSendWindow = { type: 'next_send_window' as const };

/**
 * Cart reminders' targets, per delivered email: the averages of two published studies of abandoned
 * cart emails, rounded down. Opens 40 % and clicks 9 %: Klaviyo's abandoned cart benchmark (9.3 M
 * deliveries, Q2 2017: 41.18 % open, 9.50 % click); purchases 2 %: Bluecore's 2018 Retail Email
 * Benchmark (2.05 % conversion within 5 days of the send; Nudge credits a purchase within its
 * attribution window). These are series averages: a first reminder usually does better, a last call
 * worse. Opens predate Apple's Mail Privacy Protection, which inflates them.
 */
const cartReminderTargets = [
  { metric: 'email_open' as const, target: 0.4 },
  { metric: 'email_click' as const, target: 0.09 },
  { metric: 'purchase' as const, target: 0.02 },
];

/** Steps named `<sequence>_<step>` for their templates. */
function steps(sequenceId: string, list: Array<Omit<SequenceInput['steps'][number], 'templateId'>>): SequenceInput['steps'] {
  return list.map((step) => ({ ...step, templateId: `${sequenceId}_${step.id}` }));
}

export const sequences: SequenceInput[] = [
  // --- the source's flows -------------------------------------------------------------------
  {
    id: 'welcome_series',
    description: 'Three welcome emails for a new prospect: hello, what we stand for, how to find their way around.',
    priority: 90,
    // Started by the welcome_new_subscriber rule on subscribe (not on entering prospect, which comes
    // with the first event, before consent): its day-0 step is the welcome email, once per customer.
    startOnce: true,
    exitGoals: stageExits,
    steps: steps('welcome_series', [
      { id: 'hello', timing: days(0) },
      { id: 'our_story', timing: days(2) },
      { id: 'getting_started', timing: days(5) },
    ]),
  },
  {
    id: 'cart_recovery',
    description: 'Reminds of an abandoned cart after 1, 24 and 72 hours; a purchase ends it.',
    priority: 100,
    exitGoals: [onEvent('purchase'), unsubscribed, cancelled],
    steps: steps('cart_recovery', [
      { id: 'reminder', timing: hours(1), successMetrics: cartReminderTargets },
      { id: 'still_saved', timing: hours(24), successMetrics: cartReminderTargets },
      { id: 'last_call', timing: hours(72), successMetrics: cartReminderTargets },
    ]),
  },
  {
    id: 'win_back',
    description: 'Three emails for a customer who cancelled; any sign of activity (or re-subscribing) ends it.',
    priority: 80,
    startOn: { segmentEntered: 'win_back' },
    exitGoals: [
      ...['page_view', 'product_view', 'purchase', 'app_session', 'email_click'].map(onEvent),
      { type: 'segment_exited', segmentId: 'win_back' },
      unsubscribed,
    ],
    steps: steps('win_back', [
      { id: 'we_miss_you', timing: days(0) },
      { id: 'whats_new', timing: days(7) },
      { id: 'last_note', timing: days(14) },
    ]),
  },

  // --- document 001's real-time campaigns and document 003's content recommendation ---------
  {
    // 001: an email open checks the engagement thresholds; reaching high engagement triggers this.
    id: 'high_engagement_sequence',
    description: 'For a reader who just became highly engaged: our best guides first, then early access to what is new.',
    priority: 55,
    startOn: { segmentEntered: 'high_engagement' },
    exitGoals: [{ type: 'segment_exited', segmentId: 'high_engagement' }, unsubscribed, cancelled],
    steps: steps('high_engagement_sequence', [
      { id: 'best_of', timing: nextSendWindow },
      { id: 'early_access', timing: days(10) },
    ]),
  },
  {
    // 003: content_interest_prediction -> a personalized content sequence by interest progression:
    // each step is about the next interest, strongest first; a step is skipped when the customer has
    // fewer interests by then (the interests are re-read at every step).
    id: 'content_recommendation',
    description: 'Content picked from the predicted interests, one interest per email, strongest first.',
    priority: 35,
    startOn: { signal: 'content_interest_predicted' },
    exitGoals: [unsubscribed, cancelled],
    steps: steps('content_recommendation', [
      { id: 'first_interest', timing: nextSendWindow, conditions: { all: [{ field: 'calculated.content_interest_count', op: 'at_least', value: 1 }] } },
      { id: 'second_interest', timing: days(7), conditions: { all: [{ field: 'calculated.content_interest_count', op: 'at_least', value: 2 }] } },
      { id: 'third_interest', timing: days(14), conditions: { all: [{ field: 'calculated.content_interest_count', op: 'at_least', value: 3 }] } },
    ]),
  },

  // --- prospect -----------------------------------------------------------------------------
  {
    id: 'educational_content',
    description: 'Guides that help a prospect choose well.',
    priority: 40,
    startOn: { lifecycleStage: 'prospect' },
    exitGoals: stageExits,
    steps: steps('educational_content', [
      { id: 'buying_guide', timing: days(7) },
      { id: 'care_guide', timing: days(14) },
    ]),
  },
  {
    id: 'social_proof',
    description: 'What other customers say, for a prospect still deciding.',
    priority: 30,
    startOn: { lifecycleStage: 'prospect' },
    exitGoals: stageExits,
    steps: steps('social_proof', [{ id: 'customer_favourites', timing: days(10) }]),
  },

  // --- new_customer -------------------------------------------------------------------------
  {
    id: 'onboarding_series',
    description: 'Thanks a first-time buyer and helps them get started.',
    priority: 70,
    startOn: { lifecycleStage: 'new_customer' },
    exitGoals: stageExits,
    steps: steps('onboarding_series', [
      { id: 'thank_you', timing: nextSendWindow },
      { id: 'first_steps', timing: days(4) },
    ]),
  },
  {
    id: 'support_resources',
    description: 'Where a new customer finds help.',
    priority: 50,
    startOn: { lifecycleStage: 'new_customer' },
    exitGoals: stageExits,
    steps: steps('support_resources', [{ id: 'help_is_here', timing: days(2) }]),
  },
  {
    id: 'product_education',
    description: 'How to get more out of what a new customer bought.',
    priority: 40,
    startOn: { lifecycleStage: 'new_customer' },
    exitGoals: stageExits,
    steps: steps('product_education', [{ id: 'get_more_out', timing: days(8) }]),
  },

  // --- repeat_customer ----------------------------------------------------------------------
  {
    id: 'loyalty_content',
    description: 'Thanks a repeat customer for coming back.',
    priority: 50,
    startOn: { lifecycleStage: 'repeat_customer' },
    exitGoals: stageExits,
    steps: steps('loyalty_content', [{ id: 'thank_you', timing: days(1) }]),
  },
  {
    id: 'advanced_features',
    description: 'Ideas for customers who know the shop: combining, reordering, personal picks.',
    priority: 40,
    startOn: { lifecycleStage: 'repeat_customer' },
    exitGoals: stageExits,
    steps: steps('advanced_features', [{ id: 'next_level', timing: days(6) }]),
  },
  {
    id: 'exclusive_offers',
    description: 'Tells an engaged repeat customer that member offers will reach them first.',
    priority: 45,
    startOn: { lifecycleStage: 'repeat_customer' },
    exitGoals: stageExits,
    steps: steps('exclusive_offers', [
      // Only for customers who still read our mail: an offer note to a silent inbox is noise.
      { id: 'first_in_line', timing: days(12), conditions: { all: [{ field: 'calculated.email_opens_30d', op: 'at_least', value: 1 }] } },
    ]),
  },

  // --- vip_customer -------------------------------------------------------------------------
  {
    id: 'vip_content',
    description: 'Behind-the-scenes content for VIPs.',
    priority: 60,
    startOn: { lifecycleStage: 'vip_customer' },
    exitGoals: stageExits,
    steps: steps('vip_content', [{ id: 'behind_the_scenes', timing: days(5) }]),
  },
  {
    id: 'early_access',
    description: 'Tells a VIP they hear about new arrivals first.',
    priority: 55,
    startOn: { lifecycleStage: 'vip_customer' },
    exitGoals: stageExits,
    steps: steps('early_access', [{ id: 'first_look', timing: days(10) }]),
  },
  {
    id: 'personal_account_manager',
    description: 'Introduces a VIP to their personal contact on our team.',
    priority: 65,
    startOn: { lifecycleStage: 'vip_customer' },
    exitGoals: stageExits,
    steps: steps('personal_account_manager', [{ id: 'introduction', timing: days(2) }]),
  },

  // --- at_risk ------------------------------------------------------------------------------
  {
    id: 'win_back_campaign',
    description: 'Two notes for a customer idle for 60 days; any activity changes the stage and ends it.',
    priority: 85,
    startOn: { lifecycleStage: 'at_risk' },
    // A customer who cancelled gets win_back (segment win_back) instead: the more specific series wins.
    exitGoals: [...stageExits, onEvent('purchase'), { type: 'condition', conditions: { all: [{ field: 'profile.segments.win_back', op: 'exists', value: true }] } }],
    steps: steps('win_back_campaign', [
      { id: 'hello_again', timing: days(0) },
      { id: 'picked_for_you', timing: days(10) },
    ]),
  },
  {
    id: 'feedback_request',
    description: 'Asks an idle customer what we could do better.',
    priority: 50,
    startOn: { lifecycleStage: 'at_risk' },
    exitGoals: stageExits,
    steps: steps('feedback_request', [{ id: 'tell_us', timing: days(4) }]),
  },
  {
    id: 'special_incentives',
    description: 'A member offer notice for an idle customer who used to buy.',
    priority: 60,
    startOn: { lifecycleStage: 'at_risk' },
    exitGoals: [...stageExits, onEvent('purchase')],
    steps: steps('special_incentives', [
      { id: 'something_for_you', timing: days(20), conditions: { all: [{ field: 'calculated.purchase_count', op: 'at_least', value: 1 }] } },
    ]),
  },

  // --- advocate -----------------------------------------------------------------------------
  {
    id: 'advocate_rewards',
    description: 'Thanks an advocate for recommending us.',
    priority: 60,
    startOn: { lifecycleStage: 'advocate' },
    exitGoals: stageExits,
    steps: steps('advocate_rewards', [{ id: 'thank_you', timing: days(1) }]),
  },
  {
    id: 'beta_programs',
    description: 'Invites an advocate to try new products before launch.',
    priority: 45,
    startOn: { lifecycleStage: 'advocate' },
    exitGoals: stageExits,
    steps: steps('beta_programs', [{ id: 'invitation', timing: days(7) }]),
  },
  {
    id: 'co_marketing_opportunities',
    description: 'Asks an advocate whether they would like to share their story with us.',
    priority: 40,
    startOn: { lifecycleStage: 'advocate' },
    exitGoals: stageExits,
    steps: steps('co_marketing_opportunities', [{ id: 'share_your_story', timing: days(14) }]),
  },
];
