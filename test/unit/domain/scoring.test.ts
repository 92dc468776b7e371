import { describe, expect, it } from 'vitest';
import { engagementModels, scoringModels } from '#shared/catalog/scoring-models.ts';
import { factsFrom } from '#shared/domain/profile-facts.ts';
import { computeScore, computeScores, contributionsByGroup, primaryScore, ScoringModel } from '#shared/domain/scoring.ts';

const models = scoringModels.map((model) => ScoringModel.parse(model));
const model = (id: string): ScoringModel => models.find((m) => m.id === id)!;

describe('engagement (weighted_capped), document 000', () => {
  it('sums weight x capped part per component and names the level', () => {
    // Prepare
    const facts = factsFrom({
      metrics: {
        email_interaction_rate: 0.2,
        purchase_count: 1,
        avg_session_seconds: 150,
        interactions_90d: 20,
        full_days_since_last_activity: 3,
      },
    });

    // Act
    const score = computeScore(model('engagement'), facts);

    // Assess
    // email 0.2 x 2 = 0.4 x 0.3 = 0.12; purchases 1/10 = 0.1 x 0.25 = 0.025; session 150/300 = 0.5 x 0.2 = 0.1;
    // frequency 20/50 = 0.4 x 0.15 = 0.06; recency 1 - 3/30 = 0.9 x 0.1 = 0.09
    // total 0.395 -> low_engagement (>= 0.3, < 0.6)
    expect(score.value).toBe(0.395);
    expect(score.level).toBe('low_engagement');
    expect(score.components.map((c) => [c.name, c.input, c.contribution])).toEqual([
      ['email', 0.2, 0.12],
      ['purchases', 1, 0.025],
      ['session', 150, 0.1],
      ['frequency', 20, 0.06],
      ['recency', 3, 0.09],
    ]);
    expect(contributionsByGroup(score)).toEqual({ email: 0.12, purchases: 0.025, session: 0.1, frequency: 0.06, recency: 0.09 });
  });

  it('caps every part at its full weight and reaches highly_engaged', () => {
    // Prepare: everything at or beyond its cap (a 50% email rate is the document's cap), active today
    const facts = factsFrom({
      metrics: {
        email_interaction_rate: 1.5,
        purchase_count: 10,
        avg_session_seconds: 900,
        interactions_90d: 50,
        full_days_since_last_activity: 0,
      },
    });

    // Act
    const score = computeScore(model('engagement'), facts);

    // Assess: 0.3 + 0.25 + 0.2 + 0.15 + 0.1 = 1
    expect(score).toMatchObject({ value: 1, level: 'highly_engaged' });
  });

  it('gives no recency credit to a customer never active and none for missing metrics', () => {
    // Prepare: only the email rate known; no last activity
    const facts = factsFrom({ metrics: { email_interaction_rate: 0.5, full_days_since_last_activity: null } });

    // Act
    const score = computeScore(model('engagement'), facts);

    // Assess: email 0.5 x 2 = 1 x 0.3 = 0.3, everything else 0 -> 0.3 -> low_engagement (>= 0.3)
    expect(score).toMatchObject({ value: 0.3, level: 'low_engagement' });
    expect(score.components.find((c) => c.name === 'recency')).toMatchObject({ input: null, contribution: 0 });
  });

  it('puts recency beyond its cap at 0, not below', () => {
    // Prepare
    const facts = factsFrom({ metrics: { full_days_since_last_activity: 45 } });

    // Act
    const score = computeScore(model('engagement'), facts);

    // Assess: max(0, 1 - 45/30) = 0 -> 0 -> churned
    expect(score).toMatchObject({ value: 0, level: 'churned' });
  });
});

describe("engagement, Nudge's previous model (engagementModels.nudge)", () => {
  it('keeps its own caps: opens/10 + clicks/4, purchases/5, 600 s, active days/15', () => {
    // Prepare
    const nudge = ScoringModel.parse(engagementModels.nudge);
    const facts = factsFrom({
      metrics: { email_opens_30d: 8, email_clicks_30d: 2, purchase_count: 1, avg_session_seconds: 300, active_days_30d: 6, days_since_last_activity: 3 },
    });

    // Act
    const score = computeScore(nudge, facts);

    // Assess: 0.12 + 0.075 + 0.05 + 0.1 + 0.06 + 0.09 = 0.495 -> low_engagement
    expect(score).toMatchObject({ modelId: 'engagement', value: 0.495, level: 'low_engagement' });
    expect(contributionsByGroup(score)).toEqual({ email: 0.195, purchases: 0.05, session: 0.1, frequency: 0.06, recency: 0.09 });
  });
});

describe('activity_30d (behavior_weighted)', () => {
  it('normalises weighted 30-day counts by 2 actions a day x 30 days', () => {
    // Prepare
    const facts = factsFrom({
      metrics: {},
      eventCounts: { page_view: { 30: 20 }, email_open: { 30: 10 }, email_click: { 30: 5 }, purchase: { 30: 2 }, cart_add: { 30: 3 } },
    });

    // Act
    const score = computeScore(model('activity_30d'), facts);

    // Assess: 20 x 0.2 + 10 x 0.1 + 5 x 0.3 + 2 x 1 + 3 x 0.4 = 4 + 1 + 1.5 + 2 + 1.2 = 9.7; 9.7 / 60 = 0.16166.. -> 0.1617
    expect(score.value).toBe(0.1617);
    expect(score.level).toBeUndefined();
    expect(score.components.find((c) => c.eventType === 'page_view')).toEqual({
      name: 'page_view',
      eventType: 'page_view',
      windowDays: 30,
      input: 20,
      weight: 0.2,
      contribution: 0.0667, // 4 / 60
    });
  });

  it('clamps at 1', () => {
    // Prepare: 70 purchases = 70 > 60
    const facts = factsFrom({ metrics: {}, eventCounts: { purchase: { 30: 70 } } });

    // Act / Assess
    expect(computeScore(model('activity_30d'), facts).value).toBe(1);
  });
});

describe('interaction (interaction_points)', () => {
  it.each([
    // opens 3 x 1 + clicks 1 x 3 + forwards 1 x 2 = 8
    [{ email_open: 3, email_click: 1, email_forward: 1 }, 8],
    // 5 x 1 + 2 x 3 + 1 x 5 = 16 -> clamped to 10
    [{ email_open: 5, email_click: 2, email_reply: 1 }, 10],
    // 2 x 1 - 10 = -8 -> clamped to 0
    [{ email_open: 2, unsubscribe: 1 }, 0],
  ])('counts points for %j -> %d', (counts, expected) => {
    // Prepare
    const eventCounts = Object.fromEntries(Object.entries(counts).map(([type, n]) => [type, { 30: n }]));
    const facts = factsFrom({ metrics: {}, eventCounts });

    // Act / Assess
    expect(computeScore(model('interaction'), facts).value).toBe(expected);
  });
});

describe('computeScores and primaryScore', () => {
  it('keys every score by model id and finds the primary one', () => {
    // Prepare
    const facts = factsFrom({ metrics: { purchase_count: 5 } });

    // Act
    const scores = computeScores(models, facts);

    // Assess: purchases 5/10 x 0.25 = 0.125 -> dormant (>= 0.1, < 0.3)
    expect(Object.keys(scores)).toEqual(['engagement', 'activity_30d', 'interaction']);
    expect(primaryScore(models, scores)).toMatchObject({ modelId: 'engagement', value: 0.125, level: 'dormant' });
  });
});

describe('scoring model schema', () => {
  const base = { kind: 'weighted_capped', id: 'm', description: 'x' } as const;

  it('rejects weights that do not sum to 1', () => {
    const result = ScoringModel.safeParse({
      ...base,
      components: [
        { name: 'a', metric: 'purchase_count', weight: 0.5, cap: 1 },
        { name: 'b', metric: 'lifetime_value', weight: 0.4, cap: 1 },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/sum to 1/);
  });

  it('rejects levels out of order or without a floor', () => {
    const components = [{ name: 'a', metric: 'purchase_count', weight: 1, cap: 1 }];
    expect(ScoringModel.safeParse({ ...base, components, levels: [{ level: 'low', min: 0.2 }, { level: 'high', min: 0.8 }, { level: 'none', min: 0 }] }).success).toBe(false);
    expect(ScoringModel.safeParse({ ...base, components, levels: [{ level: 'high', min: 0.8 }] }).success).toBe(false);
  });

  it('accepts windows up to the 365 days the profile keeps, and rejects longer ones', () => {
    const model = (windowDays: number) => ScoringModel.safeParse({ kind: 'interaction_points', id: 'i', description: 'x', windowDays, points: [{ eventType: 'email_open', points: 1 }] });
    expect(model(365).success).toBe(true);
    expect(model(366).success).toBe(false);
  });
});
