import type { ScoringModelInput } from '../domain/scoring.ts';

/**
 * The default scoring models. Their ids are the keys of `profile.scores` and name the metrics
 * `<id>_score` (engagement_score, activity_30d_score, interaction_score).
 */
export const scoringModels: ScoringModelInput[] = [
  {
    // The source's five-part engagement score: email 30%, purchases 25%, session 20%, frequency 15%,
    // recency 10%. The source does not give its caps: the caps below are Nudge's choice, each the
    // value of a customer we would call fully engaged on that part. The email part reads two metrics
    // (a component reads one), so it is split evenly between opens and clicks.
    kind: 'weighted_capped',
    id: 'engagement',
    description: 'Overall engagement, 0..1: email, purchases, session length, active days and recency.',
    primary: true,
    components: [
      { name: 'email_opens', group: 'email', metric: 'email_opens_30d', weight: 0.15, cap: 10 },
      { name: 'email_clicks', group: 'email', metric: 'email_clicks_30d', weight: 0.15, cap: 4 },
      { name: 'purchases', group: 'purchases', metric: 'purchase_count', weight: 0.25, cap: 5 },
      { name: 'session', group: 'session', metric: 'avg_session_seconds', weight: 0.2, cap: 600 },
      { name: 'frequency', group: 'frequency', metric: 'active_days_30d', weight: 0.15, cap: 15 },
      // Recency: full marks when active today, nothing after 30 idle days or when never active.
      { name: 'recency', group: 'recency', metric: 'days_since_last_activity', weight: 0.1, cap: 30, invert: true },
    ],
    levels: [
      { level: 'highly_engaged', min: 0.8 },
      { level: 'moderately_engaged', min: 0.6 },
      { level: 'low_engagement', min: 0.3 },
      { level: 'dormant', min: 0.1 },
      { level: 'churned', min: 0 },
    ],
  },
  {
    // The source's 30-day activity score: weighted actions normalised by 2 high-value actions a day.
    kind: 'behavior_weighted',
    id: 'activity_30d',
    description: 'Weighted actions of the last 30 days against 2 high-value actions a day, 0..1.',
    actionsPerDay: 2,
    windowDays: 30,
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
