import { describe, expect, it } from 'vitest';
import { segments as catalogSegments } from '#shared/catalog/segments.ts';
import { factsFrom } from '#shared/domain/profile-facts.ts';
import {
  channelShare,
  evaluateMetricConditionGroup,
  evaluateSegments,
  explainSegment,
  membershipChanges,
  MetricCondition,
  rankSegments,
  segmentFrequency,
  SegmentDefinition,
  type SegmentEvaluation,
} from '#shared/domain/segments.ts';

const definitions = catalogSegments.map((definition) => SegmentDefinition.parse(definition));
const evaluationOf = (evaluations: SegmentEvaluation[], id: string): SegmentEvaluation => evaluations.find((e) => e.segmentId === id)!;

describe('behavioral segments', () => {
  it('is a member when every condition holds, with the mean strength as match score (document 001)', () => {
    // Prepare
    const facts = factsFrom({ metrics: { email_opens_30d: 12, click_rate_30d: 0.2, days_since_last_click: 2 } });

    // Act
    const evaluation = explainSegment(definitions, facts, 'high_engagement')!;

    // Assess
    // opens min(1, 12/10) = 1; click rate min(1, 0.2/0.15) = 1; last click 2 <= 7: 1; mean 1
    expect(evaluation).toMatchObject({ segmentId: 'high_engagement', definitionId: 'high_engagement', member: true, matchScore: 1, priority: 'high' });
    expect(evaluation.conditions).toEqual([
      { description: 'email_opens_30d >= 10', metric: 'email_opens_30d', op: '>=', expected: 10, actual: 12, passed: true, strength: 1 },
      { description: 'click_rate_30d >= 0.15', metric: 'click_rate_30d', op: '>=', expected: 0.15, actual: 0.2, passed: true, strength: 1 },
      { description: 'days_since_last_click <= 7', metric: 'days_since_last_click', op: '<=', expected: 7, actual: 2, passed: true, strength: 1 },
    ]);
    expect(evaluation.recommendedActions.length).toBeGreaterThan(0);
  });

  it('scores a near miss between 0 and 1 and fails a metric without a value', () => {
    // Prepare: never clicked (days_since_last_click null)
    const facts = factsFrom({ metrics: { email_opens_30d: 5, click_rate_30d: 0.3, days_since_last_click: null } });

    // Act
    const evaluation = explainSegment(definitions, facts, 'high_engagement')!;

    // Assess: opens 5/10 = 0.5; click rate 1; last click: missing counts as 0 in the score, 0 <= 7 -> 1
    // (but a metric without a value fails membership) -> (0.5 + 1 + 1) / 3 = 0.8333
    expect(evaluation).toMatchObject({ member: false, matchScore: 0.8333 });
    expect(evaluation.conditions.map((c) => c.passed)).toEqual([false, true, false]);
  });

  it('gives a met == on a boolean full strength', () => {
    // Prepare
    const unhappy = factsFrom({ metrics: { days_since_last_open: 45, declining_engagement_trend: true, support_satisfaction_5: 2 } });
    const content = factsFrom({ metrics: { days_since_last_open: 45, declining_engagement_trend: true, support_satisfaction_5: 4 } });

    // Act
    const member = explainSegment(definitions, unhappy, 'at_risk_churn')!;
    const nearMiss = explainSegment(definitions, content, 'at_risk_churn')!;

    // Assess: min(1, 45/30) = 1; boolean == 1; 2 <= 3: 1 -> 1. Satisfaction 4 > 3: 3/4 = 0.75 -> 2.75 / 3 = 0.9167
    expect(member).toMatchObject({ member: true, matchScore: 1, priority: 'critical' });
    expect(nearMiss).toMatchObject({ member: false, matchScore: 0.9167 });
  });
});

describe('criteria segments', () => {
  it('expands each criterion to checks with the values read', () => {
    // Prepare: a missing purchase_count counts as no purchase
    const facts = factsFrom({ metrics: {}, eventCounts: { cart_add: { 7: 2 } } });

    // Act
    const evaluation = explainSegment(definitions, facts, 'potential_buyers')!;

    // Assess: min(1, 2/1) = 1; purchase_count 0 == 0: 1 -> 1
    expect(evaluation).toMatchObject({ member: true, matchScore: 1 });
    expect(evaluation.conditions.map((c) => [c.criterion, c.description, c.actual, c.passed])).toEqual([
      ['event_count', 'cart_add events in the last 7 days >= 1', 2, true],
      ['purchase_history', 'has not purchased (purchase_count == 0)', 0, true],
    ]);
  });

  it('reads the engagement score and fails without one', () => {
    // Prepare
    const scored = factsFrom({ metrics: { engagement_score: 0.3 }, eventCounts: { page_view: { 30: 12 } } });
    const unscored = factsFrom({ metrics: { engagement_score: null }, eventCounts: { page_view: { 30: 12 } } });

    // Act
    const withScore = explainSegment(definitions, scored, 'engaged_readers')!;
    const withoutScore = explainSegment(definitions, unscored, 'engaged_readers')!;

    // Assess: min(1, 12/10) = 1; 0.3 < 0.4: 0.3/0.4 = 0.75 -> 0.875; without a score (1 + 0) / 2 = 0.5
    expect(withScore).toMatchObject({ member: false, matchScore: 0.875 });
    expect(withoutScore).toMatchObject({ member: false, matchScore: 0.5 });
  });

  it('checks content preference and purchase totals', () => {
    // Prepare
    const definition = SegmentDefinition.parse({
      kind: 'criteria',
      id: 'shoe_lovers',
      description: 'x',
      criteria: [
        { type: 'content_preference', category: 'shoes', minRatio: 0.4 },
        { type: 'purchase_history', hasPurchased: true, minTotal: 100 },
      ],
    });
    const facts = factsFrom({ metrics: { purchase_count: 2, lifetime_value: 90 }, categoryShares: { shoes: 0.5 } });

    // Act
    const [evaluation] = evaluateSegments([definition], facts);

    // Assess: share min(1, 0.5/0.4) = 1; min(1, 2/1) = 1; 90/100 = 0.9 -> 2.9 / 3 = 0.9667
    expect(evaluation).toMatchObject({ member: false, matchScore: 0.9667 });
    expect(evaluation!.conditions.map((c) => c.passed)).toEqual([true, true, false]);
  });
});

describe('channel_preference criteria (document 002)', () => {
  const definition = SegmentDefinition.parse({
    kind: 'criteria',
    id: 'email_people',
    description: 'x',
    criteria: [{ type: 'channel_preference', channel: 'email', minShare: 0.5 }],
  });

  it('reads the channel share of the email, web and app events of the window', () => {
    // Prepare: 6 opens + 2 clicks (email) against 7 page views + 1 search (web) and 4 app sessions: 8 / 20 = 0.4
    const facts = factsFrom({
      metrics: {},
      eventCounts: { email_open: { 30: 6 }, email_click: { 30: 2 }, page_view: { 30: 7 }, search: { 30: 1 }, app_session: { 30: 4 } },
    });

    // Act
    const [evaluation] = evaluateSegments([definition], facts);

    // Assess: 0.4 < 0.5 -> not a member, strength 0.4 / 0.5 = 0.8
    expect(channelShare(facts, 'email', 30)).toBe(0.4);
    expect(evaluation).toMatchObject({ member: false, matchScore: 0.8, frequency: 'daily' });
    expect(evaluation!.conditions[0]!.description).toBe('share of email events in the last 30 days >= 0.5');
  });

  it('is 0 for a customer without any channel event, and 1 for one on a single channel', () => {
    expect(channelShare(factsFrom({ metrics: {} }), 'web', 30)).toBe(0);
    expect(channelShare(factsFrom({ metrics: {}, eventCounts: { app_session: { 7: 3 } } }), 'app', 7)).toBe(1);
  });
});

describe('segment families', () => {
  it('puts a customer in exactly one band, the first that holds', () => {
    // Prepare
    const facts = factsFrom({ metrics: { engagement_score: 0.62 } });

    // Act
    const bands = evaluateSegments(definitions, facts).filter((e) => e.definitionId === 'engagement_level');

    // Assess
    // high: 0.62/0.8 = 0.775
    // medium: min(1, 0.62/0.5) = 1, no earlier band 1 -> 1
    // low: min(1, 0.62/0.2) = 1, earlier band matched 0 -> 0.5
    // inactive: earlier band matched 0 -> 0
    expect(bands.map((b) => [b.segmentId, b.member, b.matchScore])).toEqual([
      ['engagement_high', false, 0.775],
      ['engagement_medium', true, 1],
      ['engagement_low', false, 0.5],
      ['engagement_inactive', false, 0],
    ]);
    expect(bands[2]!.conditions[1]).toEqual({
      description: 'no earlier engagement_level band matched',
      criterion: 'band_order',
      op: '==',
      expected: null,
      actual: 'engagement_medium',
      passed: false,
      strength: 0,
    });
  });

  it('puts a repeat buyer above 1,000 in high_value_customer as well as repeat_buyer (document 002)', () => {
    // Prepare
    const facts = factsFrom({ metrics: { lifetime_value: 1500, purchase_count: 3 } });

    // Act
    const highValue = explainSegment(definitions, facts, 'high_value_customer')!;
    const repeat = explainSegment(definitions, facts, 'repeat_buyer')!;

    // Assess: min(1, 3/2) = 1 and min(1, 1500/1000) = 1; repeat 3 >= 2: 1, first band: 1
    expect(highValue).toMatchObject({ member: true, matchScore: 1, definitionId: 'high_value_customer', priority: 'high' });
    expect(repeat).toMatchObject({ member: true, matchScore: 1, definitionId: 'purchase_behavior' });
  });

  it.each([
    [{ purchase_count: 0, lifetime_value: 0 }, ['non_purchaser']],
    [{ purchase_count: 1, lifetime_value: 40 }, ['first_time_buyer']],
    [{ purchase_count: 2, lifetime_value: 80 }, ['repeat_buyer']],
    // One order of 1,500 is not high value: the document asks for a repeat buyer.
    [{ purchase_count: 1, lifetime_value: 1500 }, ['first_time_buyer']],
    [{ purchase_count: 2, lifetime_value: 1000 }, ['repeat_buyer']],
    [{ purchase_count: 2, lifetime_value: 1000.01 }, ['high_value_customer', 'repeat_buyer']],
  ])('purchase behavior of %j is %j', (metrics, expected) => {
    const members = evaluateSegments(definitions, factsFrom({ metrics })).filter(
      (e) => (e.definitionId === 'purchase_behavior' || e.segmentId === 'high_value_customer') && e.member,
    );
    expect(members.map((e) => e.segmentId)).toEqual(expected);
  });

  it.each([
    [3, 'activity_recently_active'],
    [7, 'activity_recently_active'],
    [30, 'activity_moderately_active'],
    [45, 'activity_at_risk'],
    [91, 'activity_churned'],
    [null, 'activity_churned'],
  ])('activity pattern at %s idle days is %s', (days, expected) => {
    const members = evaluateSegments(definitions, factsFrom({ metrics: { full_days_since_last_activity: days } })).filter(
      (e) => e.definitionId === 'activity_pattern' && e.member,
    );
    expect(members.map((e) => e.segmentId)).toEqual([expected]);
  });

  it.each([
    [10, 'new_user'],
    [30, 'new_user'],
    [31, 'established_user'],
    [365, 'established_user'],
    [400, 'veteran_user'],
    [null, 'new_user'],
  ])('account age at %s days is %s', (days, expected) => {
    const members = evaluateSegments(definitions, factsFrom({ metrics: { days_since_signup: days } })).filter(
      (e) => e.definitionId === 'account_age' && e.member,
    );
    expect(members.map((e) => e.segmentId)).toEqual([expected]);
  });

  it('requires the last band, and only it, to be the catch-all', () => {
    const base = { kind: 'family', id: 'f', description: 'x', metric: 'engagement_score' } as const;
    expect(SegmentDefinition.safeParse({ ...base, bands: [{ segment: 'a', min: 0.5 }, { segment: 'b', min: 0 }] }).success).toBe(false);
    expect(SegmentDefinition.safeParse({ ...base, bands: [{ segment: 'a' }, { segment: 'b' }] }).success).toBe(false);
    expect(SegmentDefinition.safeParse({ ...base, metric: undefined, bands: [{ segment: 'a', min: 0.5 }, { segment: 'b' }] }).success).toBe(false);
  });
});

describe('evaluateSegments', () => {
  it('returns one evaluation per segment id, families expanded', () => {
    // Act
    const ids = evaluateSegments(definitions, factsFrom({ metrics: {} })).map((e) => e.segmentId);

    // Assess: 7 behavioral (win_back, document 001's 5, high_value_customer) + 9 predictive + 2 criteria + 4 + 3 + 4 + 3 bands
    expect(ids).toHaveLength(32);
    expect(new Set(ids).size).toBe(32);
  });

  it('derives the re-evaluation frequency from what a segment reads when it is not set', () => {
    const timeBased = SegmentDefinition.parse({ kind: 'behavioral', id: 'a', description: 'x', conditions: [{ metric: 'days_since_last_open', op: '>=', value: 3 }] });
    const eventDriven = SegmentDefinition.parse({ kind: 'behavioral', id: 'b', description: 'x', conditions: [{ metric: 'purchase_count', op: '>=', value: 3 }] });
    expect([segmentFrequency(timeBased), segmentFrequency(eventDriven)]).toEqual(['daily', 'real_time']);
  });
});

describe('membershipChanges', () => {
  it('lists entered evaluations and exited ids in stable order', () => {
    // Prepare
    const facts = factsFrom({ metrics: { engagement_score: 0.9, purchase_count: 1, lifetime_value: 30, full_days_since_last_activity: 2, days_since_signup: 5 } });
    const evaluations = evaluateSegments(definitions, facts);
    const previous = ['engagement_medium', 'first_time_buyer', 'retired_segment', 'activity_moderately_active'];

    // Act
    const changes = membershipChanges(previous, evaluations);

    // Assess
    expect(changes.entered.map((e) => e.segmentId)).toEqual(['engagement_high', 'activity_recently_active', 'new_user']);
    expect(changes.exited).toEqual(['engagement_medium', 'retired_segment', 'activity_moderately_active']);
    expect(changes.current).toEqual(['engagement_high', 'first_time_buyer', 'activity_recently_active', 'new_user']);
  });
});

describe('rankSegments (document 001: priority, then match score)', () => {
  it('orders critical, high, medium, low, then segments without a priority, each by match score', () => {
    const ranked = rankSegments([
      { segmentId: 'a', matchScore: 1 },
      { segmentId: 'b', priority: 'medium' as const, matchScore: 0.9 },
      { segmentId: 'c', priority: 'critical' as const, matchScore: 0.7 },
      { segmentId: 'd', priority: 'medium' as const, matchScore: 1 },
      { segmentId: 'e', priority: 'low' as const, matchScore: 1 },
      { segmentId: 'f', priority: 'critical' as const, matchScore: 0.95 },
      { segmentId: 'g', priority: 'high' as const, matchScore: 0.5 },
    ]);
    expect(ranked.map((s) => s.segmentId)).toEqual(['f', 'c', 'g', 'd', 'b', 'e', 'a']);
  });

  it('puts entered and current segments in that order', () => {
    // purchase_intent (critical) and high_engagement (high) both hold; definition order would list high_engagement first
    const facts = factsFrom({
      metrics: { email_opens_30d: 10, click_rate_30d: 0.2, days_since_last_click: 1, pricing_page_visits: 3, product_page_time: 200, cart_abandonment_24h: 1 },
    });
    const changes = membershipChanges([], evaluateSegments(definitions, facts));
    expect(changes.current.slice(0, 2)).toEqual(['purchase_intent', 'high_engagement']);
    expect(changes.entered.slice(0, 2).map((e) => e.segmentId)).toEqual(['purchase_intent', 'high_engagement']);
  });
});

describe('explainSegment', () => {
  it('is undefined for an unknown segment id', () => {
    expect(explainSegment(definitions, factsFrom({ metrics: {} }), 'nope')).toBeUndefined();
  });
});

describe('metric conditions', () => {
  it('needs a number for ordering operators', () => {
    expect(MetricCondition.safeParse({ metric: 'purchase_count', op: '>=', value: 'many' }).success).toBe(false);
    expect(MetricCondition.safeParse({ metric: 'subscribed_marketing', op: '==', value: true }).success).toBe(true);
  });

  it('fails != on a metric without a value', () => {
    const { passed } = evaluateMetricConditionGroup({ all: [{ metric: 'last_nps_score', op: '!=', value: 3 }] }, factsFrom({ metrics: { last_nps_score: null } }));
    expect(passed).toBe(false);
  });

  it('takes the mean strength of all and the best of any', () => {
    // Prepare: 4 >= 2: min(1, 4/2) = 1; 600 >= 1000 fails, 600/1000 = 0.6
    const facts = factsFrom({ metrics: { purchase_count: 4, lifetime_value: 600 } });
    const conditions = [
      { metric: 'purchase_count', op: '>=', value: 2 },
      { metric: 'lifetime_value', op: '>=', value: 1000 },
    ] as const;

    // Act
    const all = evaluateMetricConditionGroup({ all: [...conditions] }, facts);
    const any = evaluateMetricConditionGroup({ any: [...conditions] }, facts);

    // Assess
    expect([all.passed, all.strength, any.passed, any.strength]).toEqual([false, 0.8, true, 1]);
    expect(any.results).toHaveLength(2);
  });
});
