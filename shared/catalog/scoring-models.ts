import type { ScoringModelInput, ScoreLevel } from '../domain/scoring.ts';

/** Document 000's engagement levels (both engagement models use them). */
const ENGAGEMENT_LEVELS: ScoreLevel[] = [
  { level: 'highly_engaged', min: 0.8 },
  { level: 'moderately_engaged', min: 0.6 },
  { level: 'low_engagement', min: 0.3 },
  { level: 'dormant', min: 0.1 },
  { level: 'churned', min: 0 },
];

/**
 * The engagement score as document 000 defines it, shipped by default: five parts, each capped at 1.
 *
 * | part | document 000 | Nudge before (`engagementModels.nudge`) |
 * |---|---|---|
 * | email 30% | (opens + clicks) / sends x 2, capped (full at a 50% rate) | opens/10 + clicks/4 over 30 days, 15% each |
 * | purchases 25% | purchases / 10 | purchases / 5 |
 * | session 20% | average session / 300 s | average session / 600 s |
 * | frequency 15% | interactions in 90 days / 50 | active days in 30 days / 15 |
 * | recency 10% | 1 - whole days since the last interaction / 30 | the same over fractional days |
 *
 * Why the document's is the default: a user who reads the document must see its number (issue 22);
 * Nudge's caps were guesses made while the document was not available (docs/decisions.md #10).
 * Nudge's model stays one catalog line away (`withEngagementModel(catalog, 'nudge')`).
 * Precision: `interactions_90d` counts the last 30 days by day and the weeks before them whole, so it
 * is exact for a window of 87 to 93 days (activity-ring.ts); sessions are Nudge's sessions (a session id
 * or an app_session), where the document averages a `session_duration` sent with each page view.
 */
const documentedEngagementModel: ScoringModelInput = {
  kind: 'weighted_capped',
  id: 'engagement',
  description: "Engagement as document 000 defines it, 0..1: email rate, purchases, session length, 90-day interactions and recency.",
  primary: true,
  components: [
    // cap 0.5: the document doubles the rate and caps the part, so a 50% rate earns the full weight.
    { name: 'email', group: 'email', metric: 'email_interaction_rate', weight: 0.3, cap: 0.5 },
    { name: 'purchases', group: 'purchases', metric: 'purchase_count', weight: 0.25, cap: 10 },
    { name: 'session', group: 'session', metric: 'avg_session_seconds', weight: 0.2, cap: 300 },
    { name: 'frequency', group: 'frequency', metric: 'interactions_90d', weight: 0.15, cap: 50 },
    { name: 'recency', group: 'recency', metric: 'full_days_since_last_activity', weight: 0.1, cap: 30, invert: true },
  ],
  levels: ENGAGEMENT_LEVELS,
};

/** Nudge's engagement model until issue 22: its own caps over 30-day windows (kept for users who tuned segments to it). */
const nudgeEngagementModel: ScoringModelInput = {
  kind: 'weighted_capped',
  id: 'engagement',
  description: 'Overall engagement, 0..1: email, purchases, session length, active days and recency.',
  primary: true,
  components: [
    // The email part reads two metrics (a component reads one), so it is split evenly between opens and clicks.
    { name: 'email_opens', group: 'email', metric: 'email_opens_30d', weight: 0.15, cap: 10 },
    { name: 'email_clicks', group: 'email', metric: 'email_clicks_30d', weight: 0.15, cap: 4 },
    { name: 'purchases', group: 'purchases', metric: 'purchase_count', weight: 0.25, cap: 5 },
    { name: 'session', group: 'session', metric: 'avg_session_seconds', weight: 0.2, cap: 600 },
    { name: 'frequency', group: 'frequency', metric: 'active_days_30d', weight: 0.15, cap: 15 },
    { name: 'recency', group: 'recency', metric: 'days_since_last_activity', weight: 0.1, cap: 30, invert: true },
  ],
  levels: ENGAGEMENT_LEVELS,
};

/** The engagement models a catalog can ship, by name; both have id `engagement`, so segments read either unchanged. */
export const engagementModels = { documented: documentedEngagementModel, nudge: nudgeEngagementModel } as const;
export type EngagementModelName = keyof typeof engagementModels;

/** A catalog input whose engagement score is the named model (e.g. `nudge` for the pre-issue-22 numbers). */
export function withEngagementModel<C extends { scoringModels: ScoringModelInput[] }>(catalog: C, name: EngagementModelName): C {
  return { ...catalog, scoringModels: catalog.scoringModels.map((model) => (model.id === 'engagement' ? engagementModels[name] : model)) };
}

/**
 * The default scoring models. Their ids are the keys of `profile.scores` and name the metrics
 * `<id>_score` (engagement_score, activity_30d_score, interaction_score).
 */
export const scoringModels: ScoringModelInput[] = [
  engagementModels.documented,
  {
    // The source's 30-day activity score: weighted actions normalised by 2 high-value actions a day.
    kind: 'behavior_weighted',
    id: 'activity_30d',
    description: 'Weighted actions of the last 30 days against 2 high-value actions a day, 0..1.',
    actionsPerDay: 2,
    windowDays: 30,
    // Document 002 weighs every event type it does not list 0.1.
    otherWeight: 0.1,
    weights: [
      { eventType: 'email_open', weight: 0.1 },
      { eventType: 'email_click', weight: 0.3 },
      { eventType: 'page_view', weight: 0.2 },
      { eventType: 'purchase', weight: 1.0 },
      { eventType: 'cart_add', weight: 0.4 },
      { eventType: 'download', weight: 0.5 },
      { eventType: 'form_submit', weight: 0.6 },
      { eventType: 'video_watch', weight: 0.3 },
      { eventType: 'search', weight: 0.2 },
    ],
  },
  {
    // The source's 0-10 interaction score. email_forward is a custom event type (not in the catalog
    // of event types); it counts once producers send it.
    kind: 'interaction_points',
    id: 'interaction',
    description: 'Email interactions of the last 30 days in points, 0..10; an unsubscribe costs 10.',
    windowDays: 30,
    max: 10,
    points: [
      { eventType: 'email_open', points: 1 },
      { eventType: 'email_click', points: 3 },
      { eventType: 'email_forward', points: 2 },
      { eventType: 'email_reply', points: 5 },
      { eventType: 'unsubscribe', points: -10 },
    ],
  },
];
