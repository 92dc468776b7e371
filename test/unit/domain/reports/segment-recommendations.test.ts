import { describe, expect, it } from 'vitest';
import {
  segmentOptimizerRecommendations,
  segmentPerformanceRecommendations,
  type SegmentLifts,
  type SegmentSummary,
} from '#shared/domain/reports/segment-recommendations.ts';

/** Lifts that trigger nothing: each comfortably past its threshold. */
const healthy: SegmentLifts = { openLift: 0.3, clickLift: 0.5, conversionLift: 1, revenueLift: 2, unsubscribeImpact: 0 };

describe('segmentPerformanceRecommendations', () => {
  it('says nothing about a segment that clears every threshold, or about metrics without data', () => {
    expect(segmentPerformanceRecommendations(healthy)).toEqual([]);
    expect(segmentPerformanceRecommendations({ openLift: null, clickLift: null, conversionLift: null, revenueLift: null, unsubscribeImpact: null })).toEqual([]);
  });

  it.each([
    ['openLift', 0.1, 'info', /subject lines/],
    ['clickLift', 0.2, 'info', /call to action/],
    ['conversionLift', 0.5, 'warning', /offer and the landing page/],
    ['revenueLift', 1, 'warning', /who this segment targets/],
  ] as const)('advises on %s below %d, not at it', (metric, threshold, severity, advice) => {
    expect(segmentPerformanceRecommendations({ ...healthy, [metric]: threshold })).toEqual([]);
    const [recommendation, ...rest] = segmentPerformanceRecommendations({ ...healthy, [metric]: threshold - 0.001 });
    expect(rest).toEqual([]);
    expect(recommendation).toMatchObject({ metric, severity });
    expect(recommendation!.message).toMatch(advice);
    expect(recommendation!.message).toContain(`aim for at least ${threshold * 100}% above`);
  });

  it('says how far the segment is above or below the control', () => {
    const [above] = segmentPerformanceRecommendations({ ...healthy, openLift: 0.045 });
    expect(above!.message).toBe('Opens are only 4.5% above the control; aim for at least 10% above. Test more specific subject lines and preview text.');
    const [below] = segmentPerformanceRecommendations({ ...healthy, conversionLift: -0.12 });
    expect(below!.message).toBe('Conversions are 12% below the control; aim for at least 50% above. Review the offer and the landing page these emails lead to.');
  });

  it('warns critically when unsubscribes rise more than 20% over the control, not at 20%', () => {
    expect(segmentPerformanceRecommendations({ ...healthy, unsubscribeImpact: 0.2 })).toEqual([]);
    expect(segmentPerformanceRecommendations({ ...healthy, unsubscribeImpact: -0.5 })).toEqual([]);
    expect(segmentPerformanceRecommendations({ ...healthy, unsubscribeImpact: 0.35 })).toEqual([
      {
        severity: 'critical',
        metric: 'unsubscribeImpact',
        message:
          'Unsubscribes are 35% higher than in the control (limit 20%): this segment is wearing out your list. Send it fewer emails and check they match what these customers signed up for.',
      },
    ]);
    expect(segmentPerformanceRecommendations({ ...healthy, unsubscribeImpact: 0.201 })).toHaveLength(1);
  });

  it('lists every problem, funnel order first and the unsubscribe warning last', () => {
    const all = segmentPerformanceRecommendations({ openLift: 0, clickLift: 0, conversionLift: 0, revenueLift: 0, unsubscribeImpact: 1 });
    expect(all.map((r) => r.metric)).toEqual(['openLift', 'clickLift', 'conversionLift', 'revenueLift', 'unsubscribeImpact']);
  });
});

describe('segmentOptimizerRecommendations', () => {
  const segment = (members: number, averageEngagement = 0.5, segmentId = 'seg'): SegmentSummary => ({ segmentId, members, totalUsers: 10_000, averageEngagement });

  it('says nothing about a mid-sized, moderately engaged segment', () => {
    expect(segmentOptimizerRecommendations([segment(2_000)])).toEqual([]);
  });

  it('calls a segment under 1% of users too small, not at 1%', () => {
    expect(segmentOptimizerRecommendations([segment(100)])).toEqual([]);
    expect(segmentOptimizerRecommendations([segment(99, 0.5, 'vip_lapsed')])).toEqual([
      {
        segmentId: 'vip_lapsed',
        severity: 'info',
        metric: 'size',
        message: 'vip_lapsed holds 0.99% of users (99 of 10000): too small to measure reliably. Merge it with a similar segment or broaden its conditions.',
      },
    ]);
  });

  it('calls a segment of fewer than 100 members too small even above 1% of users (document 002), not at 100', () => {
    const small = (members: number, totalUsers: number): SegmentSummary => ({ segmentId: 'seg', members, totalUsers, averageEngagement: 0.5 });
    expect(segmentOptimizerRecommendations([small(100, 1_000)])).toEqual([]);
    expect(segmentOptimizerRecommendations([small(99, 1_000)])).toEqual([
      { segmentId: 'seg', severity: 'info', metric: 'size', message: 'seg holds 9.9% of users (99 of 1000): too small to measure reliably. Merge it with a similar segment or broaden its conditions.' },
    ]);
  });

  it('calls a segment over 50% of users too broad, not at 50%', () => {
    expect(segmentOptimizerRecommendations([segment(5_000)])).toEqual([]);
    const [advice] = segmentOptimizerRecommendations([segment(5_001)]);
    expect(advice).toMatchObject({ severity: 'info', metric: 'size' });
    expect(advice!.message).toMatch(/holds 50\.01% of users \(5001 of 10000\): too broad to target\. Split it/);
  });

  it('flags engagement under 0.3 for re-engagement, not at 0.3', () => {
    expect(segmentOptimizerRecommendations([segment(2_000, 0.3)])).toEqual([]);
    expect(segmentOptimizerRecommendations([segment(2_000, 0.29, 'dormant')])).toEqual([
      {
        segmentId: 'dormant',
        severity: 'warning',
        metric: 'engagement',
        message: 'dormant has low engagement (average 0.29). Move its members to a re-engagement sequence before sending them regular campaigns.',
      },
    ]);
  });

  it('flags engagement over 0.8 for VIP treatment, not at 0.8', () => {
    expect(segmentOptimizerRecommendations([segment(2_000, 0.8)])).toEqual([]);
    const [advice] = segmentOptimizerRecommendations([segment(2_000, 0.81)]);
    expect(advice).toMatchObject({ severity: 'info', metric: 'engagement' });
    expect(advice!.message).toMatch(/highly engaged \(average 0\.81\)\. Give its members VIP treatment/);
  });

  it('gives size and engagement advice together, segment by segment in input order', () => {
    const advice = segmentOptimizerRecommendations([segment(6_000, 0.1, 'everyone'), segment(2_000, 0.5, 'fine'), segment(50, 0.9, 'fans')]);
    expect(advice.map((a) => `${a.segmentId}:${a.metric}`)).toEqual(['everyone:size', 'everyone:engagement', 'fans:size', 'fans:engagement']);
  });

  it('gives an empty segment no engagement advice, and no size advice without users', () => {
    expect(segmentOptimizerRecommendations([segment(0, 0)]).map((a) => a.metric)).toEqual(['size']);
    expect(segmentOptimizerRecommendations([{ segmentId: 'none', members: 0, totalUsers: 0, averageEngagement: 0 }])).toEqual([]);
  });

  it('rejects impossible summaries', () => {
    expect(() => segmentOptimizerRecommendations([segment(10_001)])).toThrow(RangeError);
    expect(() => segmentOptimizerRecommendations([segment(-1)])).toThrow(RangeError);
    expect(() => segmentOptimizerRecommendations([segment(10, 1.5)])).toThrow(RangeError);
    expect(() => segmentOptimizerRecommendations([segment(10, Number.NaN)])).toThrow(RangeError);
  });
});
