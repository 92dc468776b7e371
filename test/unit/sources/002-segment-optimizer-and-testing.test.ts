import { describe, expect, it } from 'vitest';
import { DEFAULT_PERIOD_DAYS, SegmentExperimentRequest } from '#shared/domain/reports/segment-experiment.ts';
import { SEGMENT_OPTIMIZER_THRESHOLDS, segmentOptimizerRecommendations } from '#shared/domain/reports/segment-recommendations.ts';

/**
 * Document 002's segment optimizer (size under 1% or over 50% of users, average engagement under
 * 0.3 or over 0.8, fewer than 100 members) and its segment A/B test (evaluated over 14 days unless
 * told otherwise). Expected values are the document's, written here by hand.
 */
describe('document 002: the segment optimizer', () => {
  it('ships the document’s thresholds', () => {
    expect(SEGMENT_OPTIMIZER_THRESHOLDS).toEqual({ minShare: 0.01, minMembers: 100, maxShare: 0.5, lowEngagement: 0.3, highEngagement: 0.8 });
  });

  it('advises on each side of every threshold, and never on a segment inside all of them', () => {
    const advice = (members: number, totalUsers: number, averageEngagement: number) =>
      segmentOptimizerRecommendations([{ segmentId: 's', members, totalUsers, averageEngagement }]).map((r) => r.metric);
    expect(advice(1_000, 10_000, 0.5)).toEqual([]);
    expect(advice(99, 10_000, 0.5)).toEqual(['size']); // 0.99%
    expect(advice(99, 500, 0.5)).toEqual(['size']); // 19.8%, but 99 members
    expect(advice(5_001, 10_000, 0.5)).toEqual(['size']); // > 50%
    expect(advice(1_000, 10_000, 0.29)).toEqual(['engagement']);
    expect(advice(1_000, 10_000, 0.81)).toEqual(['engagement']);
  });
});

describe('document 002: segment A/B testing', () => {
  it('evaluates over 14 days by default', () => {
    expect(DEFAULT_PERIOD_DAYS).toBe(14);
    const parsed = SegmentExperimentRequest.parse({ name: 't', control: [{ metric: 'purchase_count', op: '>=', value: 1 }], variant: [{ metric: 'purchase_count', op: '>=', value: 2 }] });
    expect(parsed.periodDays).toBe(14);
  });
});
