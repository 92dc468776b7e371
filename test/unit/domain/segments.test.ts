import { describe, expect, it } from 'vitest';
import { segments as catalogSegments } from '#shared/catalog/segments.ts';
import { factsFrom } from '#shared/domain/profile-facts.ts';
import {
  evaluateMetricConditionGroup,
  evaluateSegments,
  explainSegment,
  membershipChanges,
  MetricCondition,
  segmentFrequency,
  SegmentDefinition,
  type SegmentEvaluation,
} from '#shared/domain/segments.ts';

const definitions = catalogSegments.map((definition) => SegmentDefinition.parse(definition));
const evaluationOf = (evaluations: SegmentEvaluation[], id: string): SegmentEvaluation => evaluations.find((e) => e.segmentId === id)!;

describe('behavioral segments', () => {
  it('is a member when every condition holds, with the mean strength as match score', () => {
    // Prepare
    const facts = factsFrom({ metrics: { email_opens_30d: 12, click_rate_30d: 0.2, days_since_last_click: 2 } });

    // Act
    const evaluation = explainSegment(definitions, facts, 'high_engagement')!;

    // Assess
    // opens: 0.5 + 0.5 x |12 - 10| / 10 = 0.6; click rate: 0.5 + 0.5 x 0.05 / max(0.15, 1) = 0.525;
    // last click: 0.5 + 0.5 x |2 - 7| / 7 = 0.857142.. -> 0.8571; mean (0.6 + 0.525 + 0.8571) / 3 = 0.6607
    expect(evaluation).toMatchObject({ segmentId: 'high_engagement', definitionId: 'high_engagement', member: true, matchScore: 0.6607, priority: 'high' });
    expect(evaluation.conditions).toEqual([
      { description: 'email_opens_30d >= 10', metric: 'email_opens_30d', op: '>=', expected: 10, actual: 12, passed: true, strength: 0.6 },
      { description: 'click_rate_30d >= 0.15', metric: 'click_rate_30d', op: '>=', expected: 0.15, actual: 0.2, passed: true, strength: 0.525 },
      { description: 'days_since_last_click <= 7', metric: 'days_since_last_click', op: '<=', expected: 7, actual: 2, passed: true, strength: 0.8571 },
    ]);
    expect(evaluation.recommendedActions.length).toBeGreaterThan(0);
  });

  it('scores a near miss between 0 and 1 and fails a metric without a value', () => {
    // Prepare: never clicked (days_since_last_click null)
    const facts = factsFrom({ metrics: { email_opens_30d: 5, click_rate_30d: 0.3, days_since_last_click: null } });

    // Act
    const evaluation = explainSegment(definitions, facts, 'high_engagement')!;

    // Assess: opens fail 0; click rate 0.5 + 0.5 x 0.15 / 1 = 0.575; last click null fails 0 -> 0.575 / 3 = 0.19166.. -> 0.1917
    expect(evaluation).toMatchObject({ member: false, matchScore: 0.1917 });
    expect(evaluation.conditions.map((c) => c.passed)).toEqual([false, true, false]);
  });

  it('gives a met == on a boolean full strength', () => {
    // Prepare
    const facts = factsFrom({ metrics: { days_since_last_open: 45, declining_engagement_trend: true, purchase_count: 1 } });

    // Act
    const evaluation = explainSegment(definitions, facts, 'at_risk_churn')!;

    // Assess: 0.5 + 0.5 x 15 / 30 = 0.75; boolean == 1; 1 >= 1 exactly 0.5 -> (0.75 + 1 + 0.5) / 3 = 0.75
    expect(evaluation).toMatchObject({ member: true, matchScore: 0.75, priority: 'critical' });
  });
});

describe('criteria segments', () => {
  it('expands each criterion to checks with the values read', () => {
    // Prepare: a missing purchase_count counts as no purchase
    const facts = factsFrom({ metrics: { days_since_last_activity: 1 }, eventCounts: { product_view: { 14: 4 } } });

    // Act
    const evaluation = explainSegment(definitions, facts, 'potential_buyers')!;

    // Assess: 4 >= 3: 0.5 + 0.5 x 1/3 = 0.6667; purchase_count 0 == 0: 1; 1 <= 7: 0.5 + 0.5 x 6/7 = 0.9286
    // mean (0.6667 + 1 + 0.9286) / 3 = 0.8651
    expect(evaluation).toMatchObject({ member: true, matchScore: 0.8651 });
    expect(evaluation.conditions.map((c) => [c.criterion, c.description, c.actual, c.passed])).toEqual([
      ['event_count', 'product_view events in the last 14 days >= 3', 4, true],
      ['purchase_history', 'has not purchased (purchase_count == 0)', 0, true],
      ['last_activity', 'active in the last 7 days', 1, true],
    ]);
  });

  it('reads the engagement score and fails without one', () => {
    // Prepare
    const scored = factsFrom({ metrics: { engagement_score: 0.55 }, eventCounts: { page_view: { 30: 12 } } });
    const unscored = factsFrom({ metrics: { engagement_score: null }, eventCounts: { page_view: { 30: 12 } } });

    // Act
    const withScore = explainSegment(definitions, scored, 'engaged_readers')!;
    const withoutScore = explainSegment(definitions, unscored, 'engaged_readers')!;

    // Assess: 12 >= 10: 0.6; 0.55 >= 0.5: 0.5 + 0.5 x 0.05 = 0.525 -> 0.5625; without a score (0.6 + 0) / 2 = 0.3
    expect(withScore).toMatchObject({ member: true, matchScore: 0.5625 });
    expect(withoutScore).toMatchObject({ member: false, matchScore: 0.3 });
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

    // Assess: share 0.5 >= 0.4: 0.5 + 0.5 x 0.1 = 0.55; 2 >= 1: 0.5 + 0.5 x 1 = 1; 90 >= 100 fails 0 -> 1.55 / 3 = 0.5167
    expect(evaluation).toMatchObject({ member: false, matchScore: 0.5167 });
    expect(evaluation!.conditions.map((c) => c.passed)).toEqual([true, true, false]);
  });
});

describe('segment families', () => {
  it('puts a customer in exactly one band, the first that holds', () => {
    // Prepare
    const facts = factsFrom({ metrics: { engagement_score: 0.62 } });

    // Act
    const bands = evaluateSegments(definitions, facts).filter((e) => e.definitionId === 'engagement_level');

    // Assess
    // high: 0.62 >= 0.8 fails -> 0
    // medium: 0.5 + 0.5 x 0.12 = 0.56, no earlier band 1 -> 0.78
    // low: 0.5 + 0.5 x 0.42 = 0.71, earlier band matched 0 -> 0.355
    // inactive: earlier band matched 0 -> 0
    expect(bands.map((b) => [b.segmentId, b.member, b.matchScore])).toEqual([
      ['engagement_high', false, 0],
      ['engagement_medium', true, 0.78],
      ['engagement_low', false, 0.355],
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

  it('lets high value win over repeat buyer', () => {
    // Prepare
    const facts = factsFrom({ metrics: { lifetime_value: 1500, purchase_count: 3 } });

    // Act
    const highValue = explainSegment(definitions, facts, 'high_value_customer')!;
    const repeat = explainSegment(definitions, facts, 'repeat_buyer')!;

    // Assess: 1500 > 1000: 0.5 + 0.5 x 0.5 = 0.75; repeat 3 >= 2: 0.75 but lost to high value: (0.75 + 0) / 2 = 0.375
    expect(highValue).toMatchObject({ member: true, matchScore: 0.75, definitionId: 'purchase_behavior' });
    expect(repeat).toMatchObject({ member: false, matchScore: 0.375 });
  });

  it.each([
    [{ purchase_count: 0, lifetime_value: 0 }, 'non_purchaser'],
    [{ purchase_count: 1, lifetime_value: 40 }, 'first_time_buyer'],
    [{ purchase_count: 2, lifetime_value: 80 }, 'repeat_buyer'],
    [{ purchase_count: 1, lifetime_value: 1500 }, 'high_value_customer'],
  ])('purchase behavior of %j is %s', (metrics, expected) => {
    const members = evaluateSegments(definitions, factsFrom({ metrics })).filter((e) => e.definitionId === 'purchase_behavior' && e.member);
    expect(members.map((e) => e.segmentId)).toEqual([expected]);
  });

  it.each([
    [3, 'activity_recently_active'],
    [7, 'activity_recently_active'],
    [30, 'activity_moderately_active'],
    [45, 'activity_at_risk'],
    [91, 'activity_churned'],
    [null, 'activity_churned'],
  ])('activity pattern at %s idle days is %s', (days, expected) => {
    const members = evaluateSegments(definitions, factsFrom({ metrics: { days_since_last_activity: days } })).filter(
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

    // Assess: 6 behavioral (win_back + the source's 5) + 2 criteria + 4 + 4 + 4 + 3 bands
    expect(ids).toHaveLength(23);
    expect(new Set(ids).size).toBe(23);
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
    const facts = factsFrom({ metrics: { engagement_score: 0.9, purchase_count: 1, lifetime_value: 30, days_since_last_activity: 2, days_since_signup: 5 } });
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
    // Prepare: 4 >= 2: 0.5 + 0.5 x 1 = 1; 600 >= 1000 fails 0
    const facts = factsFrom({ metrics: { purchase_count: 4, lifetime_value: 600 } });
    const conditions = [
      { metric: 'purchase_count', op: '>=', value: 2 },
      { metric: 'lifetime_value', op: '>=', value: 1000 },
    ] as const;

    // Act
    const all = evaluateMetricConditionGroup({ all: [...conditions] }, facts);
    const any = evaluateMetricConditionGroup({ any: [...conditions] }, facts);

    // Assess
    expect([all.passed, all.strength, any.passed, any.strength]).toEqual([false, 0.5, true, 1]);
    expect(any.results).toHaveLength(2);
  });
});
