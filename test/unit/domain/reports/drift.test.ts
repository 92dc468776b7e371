import { describe, expect, it } from 'vitest';
import {
  checkDrift,
  driftEventDetail,
  populationStabilityIndex,
  type SegmentDriftInput,
  type SegmentPeriodPerformance,
} from '#shared/domain/reports/drift.ts';
import type { SegmentFeature, SegmentStats } from '#shared/domain/reports/segment-stats.ts';

const NOW = new Date('2025-03-29T06:00:00Z');

/** 100 members, average engagement 0.5, every histogram holding the 100. */
function stats(segmentId = 'seg', overrides: Partial<Omit<SegmentStats, 'histograms'>> & { histograms?: Partial<Record<SegmentFeature, number[]>> } = {}): SegmentStats {
  const { histograms, ...rest } = overrides;
  return {
    segmentId,
    members: 100,
    engagementSum: 50,
    engagementSumSquares: 30,
    histograms: {
      engagement: [0, 0, 10, 20, 40, 20, 10, 0, 0, 0],
      revenue: [20, 20, 20, 20, 10, 10],
      purchases: [30, 20, 20, 10, 10, 10],
      churn_risk: [40, 30, 20, 5, 5],
      ...histograms,
    },
    ...rest,
  };
}

function period(from: string, to: string, counts: Partial<SegmentPeriodPerformance> = {}): SegmentPeriodPerformance {
  return { from, to, delivered: 1000, opened: 250, clicked: 40, converted: 50, ...counts };
}

/** A segment identical on both days with identical email results: nothing to report. */
function input(overrides: Partial<SegmentDriftInput> = {}, segmentId = overrides.segmentId ?? 'seg'): SegmentDriftInput {
  return {
    segmentId,
    baseline: { stats: stats(segmentId), day: '2025-03-01' },
    current: { stats: stats(segmentId), day: '2025-03-29' },
    performance: { baseline: period('2025-02-22', '2025-03-01'), current: period('2025-03-22', '2025-03-28') },
    ...overrides,
  };
}

/** The same segment with different email counts in the current period. */
function withCurrentPerformance(counts: Partial<SegmentPeriodPerformance>, baselineCounts: Partial<SegmentPeriodPerformance> = {}): SegmentDriftInput {
  return input({ performance: { baseline: period('2025-02-22', '2025-03-01', baselineCounts), current: period('2025-03-22', '2025-03-28', counts) } });
}

function only(inputs: SegmentDriftInput[]) {
  const [segment, ...rest] = checkDrift(inputs, NOW).segments;
  expect(rest).toEqual([]);
  return segment!;
}

describe('populationStabilityIndex', () => {
  it('sums (a − e)·ln(a / e) over the bins’ shares', () => {
    // e = [0.5, 0.3, 0.2], a = [0.4, 0.3, 0.3]:
    // (0.4 − 0.5)·ln(0.4/0.5) + 0 + (0.3 − 0.2)·ln(0.3/0.2) = 0.1·0.223144 + 0.1·0.405465 = 0.0628609
    expect(populationStabilityIndex([50, 30, 20], [40, 30, 30])).toBeCloseTo(0.0628609, 6);
    // Shares, not counts: a tenth of the counts gives the same index.
    expect(populationStabilityIndex([5, 3, 2], [4, 3, 3])).toBeCloseTo(0.0628609, 6);
  });

  it('is 0 for identical distributions, whatever their sizes', () => {
    expect(populationStabilityIndex([10, 0, 30], [10, 0, 30])).toBe(0);
    expect(populationStabilityIndex([1, 2, 3], [2, 4, 6])).toBeCloseTo(0, 12);
  });

  it('gives an empty bin a share of 0.0001 instead of an infinite log', () => {
    // e = [1, 0 → 0.0001], a = [0.5, 0.5]: (0.5 − 1)·ln(0.5) + (0.5 − 0.0001)·ln(0.5/0.0001)
    // = 0.346574 + 0.4999·8.517193 = 0.346574 + 4.257745 = 4.604318
    expect(populationStabilityIndex([100, 0], [50, 50])).toBeCloseTo(4.604318, 5);
  });

  it('is null when either side has no counts', () => {
    expect(populationStabilityIndex([0, 0], [1, 2])).toBeNull();
    expect(populationStabilityIndex([1, 2], [0, 0])).toBeNull();
    expect(populationStabilityIndex([], [])).toBeNull();
  });

  it('rejects bins that do not line up and counts that are not counts', () => {
    expect(() => populationStabilityIndex([1, 2], [1, 2, 3])).toThrow(new RangeError('expected and actual must have the same number of bins, got 2 and 3'));
    expect(() => populationStabilityIndex([1, -1], [1, 2])).toThrow(new RangeError('expected[1] must be a finite non-negative count, got -1'));
    expect(() => populationStabilityIndex([1, 2], [Number.NaN, 2])).toThrow(new RangeError('actual[0] must be a finite non-negative count, got NaN'));
    expect(() => populationStabilityIndex([Number.POSITIVE_INFINITY, 2], [1, 2])).toThrow(RangeError);
  });
});

describe('checkDrift: performance', () => {
  it('finds a high open-rate drift: 25% → 10% on 1,000 delivered each', () => {
    // change (0.10 − 0.25) / 0.25 = −0.6, past the high level 0.5; z = −0.15 / √(0.175·0.825·(2/1000)) = −8.83
    const segment = only([withCurrentPerformance({ opened: 100 })]);
    expect(segment.severity).toBe('high');
    expect(segment.findings).toEqual([
      {
        kind: 'performance',
        metric: 'open_rate',
        baseline: 0.25,
        current: 0.1,
        change: -0.6,
        severity: 'high',
        message: 'open rate fell from 25.0% to 10.0% (−60%)',
        pValue: expect.any(Number),
      },
    ]);
    expect(segment.findings[0]!.pValue).toBeLessThan(1e-15);
    expect(segment.notes).toEqual([]);
  });

  it('finds a medium open-rate drift above 20%, none at 20%', () => {
    // 30% → 22.5% on 2,000 each: change −0.25, z = −0.075 / √(0.2625·0.7375·(2/2000)) = −5.39
    const medium = only([withCurrentPerformance({ delivered: 2000, opened: 450 }, { delivered: 2000, opened: 600 })]);
    expect(medium.findings.map((f) => [f.metric, f.severity, f.message])).toEqual([['open_rate', 'medium', 'open rate fell from 30.0% to 22.5% (−25%)']]);
    // 25% → 20% on 5,000 each is a significant −20% (z = −5.99): at the threshold, not past it.
    expect(only([withCurrentPerformance({ delivered: 5000, opened: 1000, converted: 250 }, { delivered: 5000, opened: 1250, converted: 250 })]).findings).toEqual([]);
    // 995 opens: (0.199 − 0.25) / 0.25 = −0.204.
    const [justPast] = only([withCurrentPerformance({ delivered: 5000, opened: 995, converted: 250 }, { delivered: 5000, opened: 1250, converted: 250 })]).findings;
    expect(justPast).toMatchObject({ metric: 'open_rate', severity: 'medium', message: 'open rate fell from 25.0% to 19.9% (−20.4%)' });
  });

  it('finds a critical conversion drift: 5% → 2% on 1,000 delivered each', () => {
    // change (0.02 − 0.05) / 0.05 = −0.6, past 0.3; z = −0.03 / √(0.035·0.965·(2/1000)) = −3.65, p = 0.00026
    const segment = only([withCurrentPerformance({ converted: 20 })]);
    expect(segment.severity).toBe('critical');
    expect(segment.findings).toHaveLength(1);
    expect(segment.findings[0]).toMatchObject({ metric: 'conversion_rate', baseline: 0.05, current: 0.02, severity: 'critical', message: 'conversion rate fell from 5.0% to 2.0% (−60%)' });
    expect(segment.findings[0]!.change).toBeCloseTo(-0.6, 12);
    expect(segment.findings[0]!.pValue).toBeCloseTo(0.000262, 6);
  });

  it('reports rises as well as falls, and conversions only past 30%', () => {
    // 0.4% → 0.7% of 10,000 conversions: +75%, z = 0.003 / √(0.0055·0.9945·(2/10000)) = 2.86
    const [rise] = only([withCurrentPerformance({ delivered: 10_000, opened: 2500, converted: 70 }, { delivered: 10_000, opened: 2500, converted: 40 })]).findings;
    expect(rise!.message).toBe('conversion rate rose from 0.40% to 0.70% (+75%)');
    // 5% → 4% on 10,000 each is significant (z = −3.41) but only −20%.
    expect(only([withCurrentPerformance({ delivered: 10_000, opened: 2500, converted: 400 }, { delivered: 10_000, opened: 2500, converted: 500 })]).findings).toEqual([]);
  });

  it('stays quiet over a stable period with ordinary noise: 25.0% vs 24.2% on 1,000', () => {
    // −3.2%, z = −0.42: neither large nor significant.
    const segment = only([withCurrentPerformance({ opened: 242, converted: 48 })]);
    expect(segment).toMatchObject({ severity: 'none', findings: [], notes: [] });
  });

  it('ignores a large change that is not significant: 12% → 9% opens, 5% → 3% conversions on 100 each', () => {
    // Opens −25% but z = −0.03 / √(0.105·0.895·(2/100)) = −0.69 (p 0.49); conversions −40% but z = −0.02 / √(0.04·0.96·(2/100)) = −0.72.
    const segment = only([withCurrentPerformance({ delivered: 100, opened: 9, converted: 3 }, { delivered: 100, opened: 12, converted: 5 })]);
    expect(segment).toMatchObject({ severity: 'none', findings: [], notes: [] });
  });

  it('notes insufficient data instead of judging rates on fewer than 50 delivered emails', () => {
    const segment = only([withCurrentPerformance({ opened: 10, converted: 0 }, { delivered: 40, opened: 30, converted: 20 })]);
    expect(segment.findings).toEqual([]);
    expect(segment.severity).toBe('none');
    expect(segment.notes).toEqual(['insufficient data: open and conversion rates need at least 50 delivered emails in both periods (baseline 40, current 1,000)']);
    expect(only([withCurrentPerformance({ delivered: 49, opened: 0, converted: 0 })]).notes).toEqual([
      'insufficient data: open and conversion rates need at least 50 delivered emails in both periods (baseline 1,000, current 49)',
    ]);
  });

  it('notes a significant rise from a zero baseline rate rather than inventing a relative change', () => {
    // 0 → 30 of 1,000 conversions: z = 0.03 / √(0.015·0.985·(2/1000)) = 5.52, but (0.03 − 0) / 0 is undefined.
    const segment = only([withCurrentPerformance({ converted: 30 }, { converted: 0 })]);
    expect(segment.findings).toEqual([]);
    expect(segment.notes).toEqual(['conversion rate rose from 0% to 3.0%: no baseline rate to measure the change against']);
    // Zero on both sides: no variance, nothing to say.
    expect(only([withCurrentPerformance({ converted: 0 }, { converted: 0 })])).toMatchObject({ findings: [], notes: [] });
  });
});

describe('checkDrift: composition', () => {
  it('finds a high PSI when the engagement histogram moves up by 3 buckets', () => {
    // Shares e = [·, ·, .1, .2, .4, .2, .1, ·, ·, ·], a = [·, ·, ·, ·, ·, .1, .2, .4, .2, .1], · = 0.0001:
    // emptied bins (−.0999·ln .001) + (−.1999·ln .0005) + (−.3999·ln .00025) = 0.690085 + 1.519420 + 3.316791
    // shared bins (.1 − .2)·ln .5 + (.2 − .1)·ln 2 = 0.138629; filled bins mirror the emptied: 5.526296
    // total 5.526296 + 0.138629 + 5.526296 = 11.191221
    const moved = stats('seg', { engagementSum: 80, histograms: { engagement: [0, 0, 0, 0, 0, 10, 20, 40, 20, 10] } });
    const segment = only([input({ current: { stats: moved, day: '2025-03-29' } })]);
    expect(segment.severity).toBe('high');
    const psi = segment.findings.find((f) => f.metric === 'engagement_psi')!;
    expect(psi).toMatchObject({ kind: 'composition', baseline: 0, severity: 'high', message: 'the engagement score distribution shifted significantly (PSI 11.19)' });
    expect(psi.current).toBeCloseTo(11.191221, 5);
    expect(psi.change).toBe(psi.current);
    // Average engagement 0.5 → 0.8 (sums 50 and 80 over 100 members): +0.3, past 0.1.
    const average = segment.findings.find((f) => f.metric === 'average_engagement')!;
    expect(average).toMatchObject({ baseline: 0.5, current: 0.8, severity: 'medium', message: 'average engagement rose from 0.50 to 0.80 (+0.30)' });
    expect(average.change).toBeCloseTo(0.3, 12);
    expect(segment.findings.map((f) => f.metric)).toEqual(['engagement_psi', 'average_engagement']);
  });

  it('reads PSI between 0.1 and 0.25 as a moderate shift, below 0.1 as stable', () => {
    // Revenue shares [.2, .2, .2, .2, .1, .1] → [.1, .2, .2, .2, .1, .2]:
    // (.1 − .2)·ln .5 + (.2 − .1)·ln 2 = 2·0.1·0.693147 = 0.138629
    const moderate = stats('seg', { histograms: { revenue: [10, 20, 20, 20, 10, 20] } });
    const [finding] = only([input({ current: { stats: moderate, day: '2025-03-29' } })]).findings;
    expect(finding).toMatchObject({ metric: 'revenue_psi', severity: 'medium', message: 'the lifetime revenue distribution shifted moderately (PSI 0.14)' });
    expect(finding!.current).toBeCloseTo(0.138629, 6);
    // Purchases [.3, .2, .2, .1, .1, .1] → [.25, .25, .2, .1, .1, .1]: (−.05)·ln(.25/.3) + .05·ln(.25/.2) = 0.009116 + 0.011157 = 0.020273
    const slight = stats('seg', { histograms: { purchases: [25, 25, 20, 10, 10, 10] } });
    expect(only([input({ current: { stats: slight, day: '2025-03-29' } })])).toMatchObject({ severity: 'none', findings: [], notes: [] });
  });

  it('finds a members change past 50% either way, not at 50%', () => {
    const sized = (members: number) =>
      only([input({ current: { stats: stats('seg', { members, engagementSum: members / 2, histograms: { engagement: [0, 0, 0, 0, members, 0, 0, 0, 0, 0] } }), day: '2025-03-29' } })]).findings.filter(
        (f) => f.metric === 'members',
      );
    expect(sized(150)).toEqual([]);
    expect(sized(1600)).toEqual([{ kind: 'composition', metric: 'members', baseline: 100, current: 1600, change: 15, severity: 'medium', message: 'members rose from 100 to 1,600 (+1500%)' }]);
    expect(sized(40)).toMatchObject([{ change: -0.6, severity: 'medium', message: 'members fell from 100 to 40 (−60%)' }]);
  });

  it('notes composition on fewer than 30 members on either day instead of judging it', () => {
    const tiny = stats('seg', { members: 29, engagementSum: 29 * 0.9, histograms: { engagement: [0, 0, 0, 0, 0, 0, 0, 0, 29, 0] } });
    const segment = only([input({ current: { stats: tiny, day: '2025-03-29' } })]);
    expect(segment.findings).toEqual([]);
    expect(segment.notes).toEqual(['insufficient data: composition needs at least 30 members on both days (baseline 100, current 29)']);
    expect(segment.members).toEqual({ baseline: 100, current: 29 });
  });

  it('skips a feature nobody has a value for, and notes one with too few values on a side', () => {
    const unscored = stats('seg', { histograms: { churn_risk: [0, 0, 0, 0, 0] } });
    expect(only([input({ baseline: { stats: unscored, day: '2025-03-01' }, current: { stats: unscored, day: '2025-03-29' } })])).toMatchObject({ findings: [], notes: [] });
    // Scoring started after the baseline day.
    const segment = only([input({ baseline: { stats: unscored, day: '2025-03-01' } })]);
    expect(segment.findings).toEqual([]);
    expect(segment.notes).toEqual(['insufficient data: the churn risk distribution needs at least 30 values on both days (baseline 0, current 100)']);
  });

  it('notes a missing baseline snapshot and still judges performance', () => {
    const segment = only([{ ...withCurrentPerformance({ opened: 100 }), baseline: null }]);
    expect(segment.notes).toEqual(['no baseline snapshot yet (a new segment?): composition not compared']);
    expect(segment.findings.map((f) => f.metric)).toEqual(['open_rate']);
    expect(segment.members).toEqual({ baseline: null, current: 100 });
    expect(segment).not.toHaveProperty('baselineDay');
    expect(segment.currentDay).toBe('2025-03-29');
  });
});

describe('checkDrift: the report', () => {
  it('lists drifted segments first, most severe first, then by id, and counts them', () => {
    const report = checkDrift(
      [
        input({}, 'quiet-b'),
        { ...withCurrentPerformance({ opened: 100 }), segmentId: 'open-high', baseline: { stats: stats('open-high'), day: '2025-03-01' }, current: { stats: stats('open-high'), day: '2025-03-29' } },
        input({}, 'quiet-a'),
        { ...withCurrentPerformance({ converted: 20 }), segmentId: 'conv-critical', baseline: null, current: { stats: stats('conv-critical'), day: '2025-03-29' } },
      ],
      NOW,
    );
    expect(report.report).toBe('drift');
    expect(report.generatedAt).toBe('2025-03-29T06:00:00.000Z');
    expect(report.segments.map((s) => [s.segmentId, s.severity])).toEqual([
      ['conv-critical', 'critical'],
      ['open-high', 'high'],
      ['quiet-a', 'none'],
      ['quiet-b', 'none'],
    ]);
    expect(report.drifted).toBe(2);
    expect(report.segments[1]).toMatchObject({ baselineDay: '2025-03-01', currentDay: '2025-03-29', periods: { baseline: { from: '2025-02-22', to: '2025-03-01' }, current: { from: '2025-03-22', to: '2025-03-28' } } });
  });

  it('is empty without segments', () => {
    expect(checkDrift([], NOW)).toEqual({ report: 'drift', generatedAt: '2025-03-29T06:00:00.000Z', segments: [], drifted: 0 });
  });

  it('rejects bad input with the segment and field named', () => {
    const base = input();
    const withStats = (patch: Partial<SegmentStats>) => ({ ...base, current: { stats: { ...stats(), ...patch }, day: '2025-03-29' } });
    const withPeriod = (patch: Partial<SegmentPeriodPerformance>) => ({ ...base, performance: { ...base.performance, current: { ...base.performance.current, ...patch } } });
    const cases: [SegmentDriftInput[], string][] = [
      [[base, base], 'segment seg appears more than once'],
      [[withStats({ segmentId: 'other' })], 'segment seg current snapshot: stats are of segment other'],
      [[withStats({ members: -1 })], 'segment seg current snapshot: members must be a non-negative integer, got -1'],
      [[withStats({ engagementSum: Number.NaN })], 'segment seg current snapshot: engagementSum must be finite and non-negative, got NaN'],
      [[withStats({ histograms: { ...stats().histograms, revenue: [1, 2] } })], 'segment seg current snapshot: histograms.revenue must have 6 buckets, got 2'],
      [[withStats({ histograms: { ...stats().histograms, churn_risk: undefined! } })], 'segment seg current snapshot: histograms.churn_risk must have 5 buckets, got none'],
      [[withStats({ histograms: { ...stats().histograms, purchases: [1, 2, 3, -4, 5, 6] } })], 'segment seg current snapshot histograms.purchases[3] must be a finite non-negative count, got -4'],
      [[{ ...base, current: { ...base.current, day: '2025-02-30' } }], 'segment seg current snapshot day must be a yyyy-mm-dd date, got "2025-02-30"'],
      [[{ ...base, current: { ...base.current, day: '2025-03-01' } }], 'segment seg: baseline day 2025-03-01 must be before the current day 2025-03-01'],
      [[withPeriod({ from: '2025-03-01' })], 'segment seg: the baseline period (to 2025-03-01) must end before the current period starts (2025-03-01)'],
      [[withPeriod({ from: '2025-03-29', to: '2025-03-28' })], 'segment seg current performance: from 2025-03-29 is after to 2025-03-28'],
      [[withPeriod({ to: '28/03/2025' })], 'segment seg current performance to must be a yyyy-mm-dd date, got "28/03/2025"'],
      [[withPeriod({ delivered: -5 })], 'segment seg current performance: delivered must be finite and non-negative, got -5'],
      [[withPeriod({ opened: 1001 })], 'segment seg current performance: opened (1001) exceeds delivered (1000)'],
      [[withPeriod({ converted: Number.POSITIVE_INFINITY })], 'segment seg current performance: converted must be finite and non-negative, got Infinity'],
    ];
    for (const [inputs, message] of cases) expect(() => checkDrift(inputs, NOW)).toThrow(new RangeError(message));
  });
});

describe('driftEventDetail', () => {
  it('carries the numbers of the findings and the days compared, no messages', () => {
    const [segment] = checkDrift([withCurrentPerformance({ opened: 100, converted: 20 })], NOW).segments;
    expect(driftEventDetail(segment!)).toEqual({
      segmentId: 'seg',
      severity: 'critical',
      baselineDay: '2025-03-01',
      currentDay: '2025-03-29',
      periods: { baseline: { from: '2025-02-22', to: '2025-03-01' }, current: { from: '2025-03-22', to: '2025-03-28' } },
      findings: [
        { metric: 'conversion_rate', baseline: 0.05, current: 0.02, change: segment!.findings[0]!.change, severity: 'critical' },
        { metric: 'open_rate', baseline: 0.25, current: 0.1, change: -0.6, severity: 'high' },
      ],
      omittedFindings: 0,
      transitionId: 'segment-drift:seg:2025-03-29',
    });
  });

  it('keeps the 5 most severe findings when everything drifted', () => {
    // Every histogram moves to its other end, members double, engagement 0.25 → 0.85, opens and conversions fall.
    const before = stats('seg', {
      engagementSum: 25,
      histograms: { engagement: [0, 0, 100, 0, 0, 0, 0, 0, 0, 0], revenue: [100, 0, 0, 0, 0, 0], purchases: [100, 0, 0, 0, 0, 0], churn_risk: [100, 0, 0, 0, 0] },
    });
    const after = stats('seg', {
      members: 200,
      engagementSum: 170,
      histograms: { engagement: [0, 0, 0, 0, 0, 0, 0, 0, 200, 0], revenue: [0, 0, 0, 0, 0, 200], purchases: [0, 0, 0, 0, 0, 200], churn_risk: [0, 0, 0, 0, 200] },
    });
    const [segment] = checkDrift([{ ...withCurrentPerformance({ opened: 100, converted: 20 }), baseline: { stats: before, day: '2025-03-01' }, current: { stats: after, day: '2025-03-29' } }], NOW).segments;
    expect(segment!.findings.map((f) => [f.metric, f.severity])).toEqual([
      ['conversion_rate', 'critical'],
      ['engagement_psi', 'high'],
      ['revenue_psi', 'high'],
      ['purchases_psi', 'high'],
      ['churn_risk_psi', 'high'],
      ['open_rate', 'high'],
      ['members', 'medium'],
      ['average_engagement', 'medium'],
    ]);
    const detail = driftEventDetail(segment!);
    expect(detail.findings.map((f) => f.metric)).toEqual(['conversion_rate', 'engagement_psi', 'revenue_psi', 'purchases_psi', 'churn_risk_psi']);
    expect(detail.omittedFindings).toBe(3);
  });

  it('refuses a segment that has not drifted', () => {
    const [segment] = checkDrift([input()], NOW).segments;
    expect(() => driftEventDetail(segment!)).toThrow(new RangeError('segment seg has not drifted: there is no event to send'));
  });
});
