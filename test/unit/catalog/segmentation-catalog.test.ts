import { describe, expect, it } from 'vitest';
import { lifecycleStages } from '#shared/catalog/lifecycle-stages.ts';
import { scoringModels } from '#shared/catalog/scoring-models.ts';
import { segments } from '#shared/catalog/segments.ts';
import { LifecycleStage } from '#shared/domain/lifecycle.ts';
import { ScoringModel } from '#shared/domain/scoring.ts';
import { SegmentDefinition, segmentIdsOf, validateSegmentationCatalog } from '#shared/domain/segments.ts';

const parsed = {
  scoringModels: scoringModels.map((model) => ScoringModel.parse(model)),
  segments: segments.map((segment) => SegmentDefinition.parse(segment)),
  lifecycleStages: lifecycleStages.map((stage) => LifecycleStage.parse(stage)),
};

describe('the shipped segmentation catalog', () => {
  it('parses and has no cross-reference problem', () => {
    expect(validateSegmentationCatalog(parsed)).toEqual([]);
  });

  it('ships the documented ids', () => {
    expect(parsed.scoringModels.map((m) => [m.id, m.primary])).toEqual([
      ['engagement', true],
      ['activity_30d', false],
      ['interaction', false],
    ]);
    expect(parsed.segments.flatMap(segmentIdsOf)).toEqual([
      'win_back',
      'high_engagement',
      'purchase_intent',
      'feature_interest',
      'at_risk_churn',
      'loyal_advocate',
      'high_value_customer',
      'high_churn_risk',
      'medium_churn_risk',
      'low_churn_risk',
      'high_value_potential',
      'medium_value_potential',
      'low_value_potential',
      'imminent_purchase',
      'near_term_purchase',
      'long_term_nurture',
      'engaged_readers',
      'potential_buyers',
      'engagement_high',
      'engagement_medium',
      'engagement_low',
      'engagement_inactive',
      'repeat_buyer',
      'first_time_buyer',
      'non_purchaser',
      'activity_recently_active',
      'activity_moderately_active',
      'activity_at_risk',
      'activity_churned',
      'veteran_user',
      'established_user',
      'new_user',
    ]);
    expect(parsed.lifecycleStages.map((s) => [s.id, s.nurtureSequences.length])).toEqual([
      ['prospect', 3],
      ['new_customer', 3],
      ['repeat_customer', 3],
      ['vip_customer', 3],
      ['advocate', 3],
      ['at_risk', 3],
    ]);
  });
});

describe('validateSegmentationCatalog', () => {
  it('names unknown metrics in scoring components, segment conditions, family bands and stage conditions', () => {
    // Prepare
    const [engagement, ...otherModels] = parsed.scoringModels;
    if (engagement?.kind !== 'weighted_capped') throw new Error('engagement is a weighted_capped model');
    const [email, ...otherComponents] = engagement.components;
    const model = { ...engagement, components: [{ ...email!, metric: 'email_interaction_ratez' }, ...otherComponents] };
    const segment = SegmentDefinition.parse({ kind: 'behavioral', id: 'typo', description: 'x', conditions: [{ metric: 'purchase_cnt', op: '>=', value: 1 }] });
    const family = SegmentDefinition.parse({ kind: 'family', id: 'fam', description: 'x', bands: [{ segment: 'fam_a', when: [{ metric: 'ltv', op: '>', value: 1 }] }, { segment: 'fam_b' }] });
    const stage = LifecycleStage.parse({ ...lifecycleStages[4]!, entry: { all: [{ any: [{ metric: 'nps', op: '>=', value: 9 }] }] } });

    // Act
    const problems = validateSegmentationCatalog({
      scoringModels: [model, ...otherModels],
      segments: [...parsed.segments, segment, family],
      lifecycleStages: [...parsed.lifecycleStages.slice(0, 4), stage, ...parsed.lifecycleStages.slice(5)],
    });

    // Assess
    expect(problems).toEqual([
      'scoring model engagement component email reads unknown metric "email_interaction_ratez"',
      'segment typo reads unknown metric "purchase_cnt"',
      'segment fam reads unknown metric "ltv"',
      'lifecycle stage advocate reads unknown metric "nps"',
    ]);
  });

  it('needs exactly one primary scoring model', () => {
    const none = parsed.scoringModels.map((m) => ({ ...m, primary: false }));
    const two = parsed.scoringModels.map((m) => ({ ...m, primary: m.id !== 'interaction' }));
    expect(validateSegmentationCatalog({ ...parsed, scoringModels: none })).toEqual(['exactly one scoring model must be primary (found 0)']);
    expect(validateSegmentationCatalog({ ...parsed, scoringModels: two })).toEqual([
      'exactly one scoring model must be primary (found 2: engagement, activity_30d)',
    ]);
  });

  it('reports duplicate segment ids, band ids included, and clashes with stage ids', () => {
    // Prepare
    const clash = SegmentDefinition.parse({ kind: 'behavioral', id: 'repeat_buyer', description: 'x', conditions: [{ metric: 'purchase_count', op: '>=', value: 2 }] });
    const stageNamed = SegmentDefinition.parse({ kind: 'behavioral', id: 'at_risk', description: 'x', conditions: [{ metric: 'purchase_count', op: '>=', value: 2 }] });

    // Act
    const problems = validateSegmentationCatalog({ ...parsed, segments: [...parsed.segments, clash, stageNamed] });

    // Assess
    expect(problems).toEqual(['duplicate segment id "repeat_buyer"', 'segment id "at_risk" is also a lifecycle stage id']);
  });

  it('reports progressions to unknown stages', () => {
    const stage = { ...parsed.lifecycleStages[0]!, progressions: ['new_customer', 'lead'] };
    expect(validateSegmentationCatalog({ ...parsed, lifecycleStages: [stage, ...parsed.lifecycleStages.slice(1)] })).toEqual([
      'lifecycle stage prospect progresses to unknown stage "lead"',
    ]);
  });

  it('reports windows beyond 365 days in data that bypassed the schema', () => {
    // Prepare: already-parsed objects edited by hand
    const segment = { kind: 'criteria', id: 'long', description: 'x', recommendedActions: [], criteria: [{ type: 'event_count', eventType: 'page_view', windowDays: 400, min: 1 }] } satisfies SegmentDefinition;
    const model = { ...parsed.scoringModels[1]!, windowDays: 366 } as ScoringModel;

    // Act
    const problems = validateSegmentationCatalog({ ...parsed, scoringModels: [parsed.scoringModels[0]!, model], segments: [segment] });

    // Assess
    expect(problems).toEqual([
      'scoring model activity_30d uses a 366-day window; the profile keeps 365 days',
      'segment long uses a 400-day window; the profile keeps 365 days',
    ]);
    expect(SegmentDefinition.safeParse(segment).success).toBe(false);
  });

  it('reports a time-based segment marked real_time, which the daily sweep would skip', () => {
    const segment = SegmentDefinition.parse({ kind: 'behavioral', id: 'lapsed', description: 'x', frequency: 'real_time', conditions: [{ metric: 'days_since_last_purchase', op: '>=', value: 90 }] });
    expect(validateSegmentationCatalog({ ...parsed, segments: [segment] })).toEqual([
      'segment lapsed changes with time alone but is marked real_time: make it daily (or leave frequency out)',
    ]);
  });
});
