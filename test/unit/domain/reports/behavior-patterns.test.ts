import { describe, expect, it } from 'vitest';
import { behaviorPatterns, type BehaviorPatternsInput } from '#shared/domain/reports/behavior-patterns.ts';
import { emptySegmentStats, type SegmentStats } from '#shared/domain/reports/segment-stats.ts';

const now = new Date('2026-11-20T12:00:00Z');

/** Ten customers; engagement buckets (tenths) [2, 1, 1, 0, 1, 1, 0, 1, 2, 1]; sum 5, squares 3.4. */
function population(histogram = [2, 1, 1, 0, 1, 1, 0, 1, 2, 1], sum = 5, squares = 3.4): SegmentStats {
  const stats = emptySegmentStats('*');
  stats.members = histogram.reduce((a, b) => a + b, 0);
  stats.engagementSum = sum;
  stats.engagementSumSquares = squares;
  stats.histograms.engagement = histogram;
  return stats;
}

const behaviorDays: BehaviorPatternsInput['behaviorDays'] = [
  {
    scope: 'behavior',
    day: '2026-11-19',
    counters: {
      'event:page_view': 5,
      'event:cart_add': 2,
      'category:shoes': 3,
      'category:hats': 1,
      'hour:14': 4,
      'hour:9': 3,
      'weekday:3': 7,
      'hour_weekday:3:14': 4,
      'hour_weekday:3:9': 3,
      'transition:page_view>cart_add': 2,
    },
  },
  {
    scope: 'behavior',
    day: '2026-11-20',
    counters: {
      'event:page_view': 3,
      'event:purchase': 1,
      'category:shoes': 1,
      'hour:9': 4,
      'weekday:4': 4,
      'hour_weekday:4:9': 4,
      'transition:page_view>page_view': 1,
      'transition:cart_add>purchase': 1,
      'unknown:x': 9,
    },
  },
  // Before the 30-day period (2026-10-22 .. 2026-11-20), and another scope: both left out.
  { scope: 'behavior', day: '2026-10-21', counters: { 'event:page_view': 100, 'hour:3': 100 } },
  { scope: 'segstats:*', day: '2026-11-20', counters: { 'event:page_view': 100 } },
];

const input = (extra: Partial<BehaviorPatternsInput> = {}): BehaviorPatternsInput => ({
  now,
  periodDays: 30,
  behaviorDays,
  population: population(),
  sequences: [
    { sequenceId: 'seq_a', sent: 100, converted: 5, revenue: 250 },
    { sequenceId: 'seq_b', sent: 80, converted: 8, revenue: 250 },
    { sequenceId: 'seq_c', sent: 10, converted: 0, revenue: 0 },
  ],
  segments: [
    { segmentId: 'vip', delivered: 40, converted: 20 },
    { segmentId: 'loyal', delivered: 50, converted: 5 },
    { segmentId: 'new', delivered: 200, converted: 16 },
  ],
  ...extra,
});

describe('behaviorPatterns', () => {
  it('summarises engagement: exact mean and std from the sums, median and bands from the histogram', () => {
    const { engagement } = behaviorPatterns(input());
    // mean 5 / 10 = 0.5; variance 3.4 / 10 − 0.5² = 0.09, std 0.3.
    // median: 5th of 10 customers; 4 lie below 0.4 and bucket (0.4, 0.5] holds 1: 0.4 + (5 − 4) / 1 × 0.1 = 0.5.
    // high: buckets above 0.7 hold 1 + 2 + 1 = 4; low: buckets up to 0.3 hold 2 + 1 + 1 = 4.
    expect(engagement).toMatchObject({ customers: 10, mean: 0.5, median: 0.5, std: 0.3, high: 4, low: 4 });
    expect(engagement.histogram[0]).toEqual({ from: 0, to: 0.1, count: 2 });
    expect(engagement.histogram[9]).toEqual({ from: 0.9, to: 1, count: 1 });
    expect(engagement.histogram).toHaveLength(10);
  });

  it('interpolates the median within its bucket', () => {
    // Four customers all in (0.2, 0.3]: half is 2, so 0.2 + 2 / 4 × 0.1 = 0.25. Sum 1, squares 0.26: std √(0.065 − 0.0625) = 0.05.
    const { engagement } = behaviorPatterns(input({ population: population([0, 0, 4, 0, 0, 0, 0, 0, 0, 0], 1, 0.26) }));
    expect(engagement).toMatchObject({ customers: 4, mean: 0.25, median: 0.25, std: 0.05, high: 0, low: 4 });
  });

  it('sums the behavior days within the period', () => {
    const report = behaviorPatterns(input());
    expect(report.period).toEqual({ from: '2026-10-22', to: '2026-11-20', days: 30 });
    expect(report.behaviors).toEqual([
      { type: 'page_view', count: 8 },
      { type: 'cart_add', count: 2 },
      { type: 'purchase', count: 1 },
    ]);
    // Ties (1 and 1) in order of the first event, then the second.
    expect(report.transitions).toEqual([
      { from: 'page_view', to: 'cart_add', count: 2 },
      { from: 'cart_add', to: 'purchase', count: 1 },
      { from: 'page_view', to: 'page_view', count: 1 },
    ]);
    // shoes 3 + 1 = 4 of 5, hats 1 of 5.
    expect(report.categories).toEqual([
      { category: 'shoes', count: 4, share: 0.8 },
      { category: 'hats', count: 1, share: 0.2 },
    ]);
    const { byHour, byWeekday, hourByWeekday } = report.activity;
    expect(byHour).toHaveLength(24);
    expect(byHour.map((count, hour) => [hour, count]).filter(([, count]) => count! > 0)).toEqual([
      [9, 7],
      [14, 4],
    ]);
    expect(byWeekday).toEqual([0, 0, 0, 7, 4, 0, 0]);
    expect(hourByWeekday).toHaveLength(7);
    expect(hourByWeekday[3]![9]).toBe(3);
    expect(hourByWeekday[3]![14]).toBe(4);
    expect(hourByWeekday[4]![9]).toBe(4);
    expect(hourByWeekday.flat().reduce((a, b) => a + b, 0)).toBe(11);
  });

  it('keeps the top 10 transitions', () => {
    const counters = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`transition:a${String(i).padStart(2, '0')}>b`, 12 - i]));
    const { transitions } = behaviorPatterns(input({ behaviorDays: [{ scope: 'behavior', day: '2026-11-20', counters }] }));
    expect(transitions.map((t) => t.from)).toEqual(['a00', 'a01', 'a02', 'a03', 'a04', 'a05', 'a06', 'a07', 'a08', 'a09']);
  });

  it('gives the insights the data supports', () => {
    expect(behaviorPatterns(input()).insights).toEqual([
      // Mean 0.5 is fine, but 4 of 10 (40% ≥ 25%) are in the low band.
      '40% of customers (4 of 10) have low engagement (0.3 or less). Move them to a re-engagement sequence.',
      // Document 002: more than 30% highly engaged; buckets above 0.7: 1 + 2 + 1 = 4 of 10 = 40%.
      '40% of customers (4 of 10) are highly engaged (above 0.7). Create a VIP segment for them: early access, loyalty rewards or upsell offers.',
      // Hour 9: 3 + 4 = 7 of 11 events = 63.64%.
      "Activity peaks at 09:00 in customers' local time (63.64% of events). Schedule sends around 09:00.",
      // Document 002's most common behavior sequence: page_view -> cart_add, twice.
      'The most common step is page_view followed by cart_add (2 times). Automate a flow for customers who take it.',
      // seq_a and seq_b tie on revenue (250); seq_b has more conversions.
      'seq_b is your top sequence: 250.00 in revenue from 8 conversions (80 emails sent). Use it as the model for new sequences.',
      // vip (50%) has only 40 delivered; loyal 5 / 50 = 10% beats new 16 / 200 = 8%.
      'loyal converts best: 10% of its 50 delivered emails led to a purchase. Give it priority in your campaigns.',
    ]);
  });

  it('advises re-engagement when the mean is below 0.5 (document 002), instead of the low-band share', () => {
    const { insights } = behaviorPatterns(input({ population: population([0, 0, 4, 0, 0, 0, 0, 0, 0, 0], 1, 0.26), behaviorDays: [], sequences: [], segments: [] }));
    expect(insights).toEqual([
      'Average engagement is 0.25, below 0.5: most customers are drifting away. Start a re-engagement sequence before sending them more regular campaigns.',
    ]);
    // A mean of 0.45 with nobody in the low band: still below the document's 0.5.
    const justBelow = behaviorPatterns(input({ population: population([0, 0, 0, 0, 10, 0, 0, 0, 0, 0], 4.5, 2.05), behaviorDays: [], sequences: [], segments: [] }));
    expect(justBelow.insights).toEqual([
      'Average engagement is 0.45, below 0.5: most customers are drifting away. Start a re-engagement sequence before sending them more regular campaigns.',
    ]);
  });

  it('proposes a VIP segment only above 30% highly engaged (document 002), not at 30%', () => {
    const vip = (histogram: number[]) => behaviorPatterns(input({ population: population(histogram, 6, 4), behaviorDays: [], sequences: [], segments: [] })).insights.filter((i) => i.includes('VIP'));
    expect(vip([0, 0, 0, 0, 3, 4, 0, 1, 1, 1])).toEqual([]);
    expect(vip([0, 0, 0, 0, 3, 3, 0, 2, 1, 1])).toEqual(['40% of customers (4 of 10) are highly engaged (above 0.7). Create a VIP segment for them: early access, loyalty rewards or upsell offers.']);
  });

  it('says nothing about a low band under 25%, no VIPs, a sequence that earned nothing or a segment that never converts', () => {
    // 1 of 10 low (10%), none above 0.7; mean 0.5.
    const { insights } = behaviorPatterns(
      input({
        population: population([1, 0, 0, 0, 4, 4, 1, 0, 0, 0], 5, 2.6),
        behaviorDays: [],
        sequences: [{ sequenceId: 'seq_c', sent: 10, converted: 0, revenue: 0 }],
        segments: [{ segmentId: 'new', delivered: 200, converted: 0 }],
      }),
    );
    expect(insights).toEqual([]);
  });

  it('takes hours and weekdays from the hour-by-weekday grid, counting items written before issue 23 (which hold both) once', () => {
    const grid = { 'hour_weekday:0:9': 2, 'hour_weekday:6:9': 1, 'hour_weekday:6:21': 3 };
    const fresh = behaviorPatterns(input({ behaviorDays: [{ scope: 'behavior', day: '2026-11-20', counters: grid }] })).activity;
    const old = behaviorPatterns(input({ behaviorDays: [{ scope: 'behavior', day: '2026-11-20', counters: { ...grid, 'hour:9': 3, 'hour:21': 3, 'weekday:0': 2, 'weekday:6': 4 } }] })).activity;
    expect(fresh.byHour[9]).toBe(3);
    expect(fresh.byHour[21]).toBe(3);
    expect(fresh.byWeekday).toEqual([2, 0, 0, 0, 0, 0, 4]);
    expect(old).toEqual(fresh);
  });

  it('picks the earliest hour of a tie for the peak', () => {
    const days = [{ scope: 'behavior', day: '2026-11-20', counters: { 'hour_weekday:2:18': 5, 'hour_weekday:4:7': 5 } }];
    expect(behaviorPatterns(input({ behaviorDays: days })).insights).toContain("Activity peaks at 07:00 in customers' local time (50% of events). Schedule sends around 07:00.");
  });

  it('reports zeros and no insights for empty data, never NaN', () => {
    const report = behaviorPatterns({ now, periodDays: 7, behaviorDays: [], population: emptySegmentStats('*'), sequences: [], segments: [] });
    expect(report).toMatchObject({
      report: 'behavior-patterns',
      generatedAt: '2026-11-20T12:00:00.000Z',
      period: { from: '2026-11-14', to: '2026-11-20', days: 7 },
      engagement: { customers: 0, mean: 0, median: 0, std: 0, high: 0, low: 0 },
      behaviors: [],
      transitions: [],
      categories: [],
      insights: [],
    });
    expect(report.activity.byHour).toEqual(Array(24).fill(0));
    expect(report.activity.byWeekday).toEqual(Array(7).fill(0));
    expect(JSON.stringify(report)).not.toContain('null');
  });

  it('rejects a bad period or bad sequence and segment numbers', () => {
    expect(() => behaviorPatterns(input({ periodDays: 0 }))).toThrow(new RangeError('days must be a whole number from 1 to 366, got 0'));
    expect(() => behaviorPatterns(input({ periodDays: 1.5 }))).toThrow(RangeError);
    expect(() => behaviorPatterns(input({ sequences: [{ sequenceId: 's', sent: 1, converted: 0, revenue: Number.NaN }] }))).toThrow(
      new RangeError('sequence s: revenue must be finite and non-negative, got NaN'),
    );
    expect(() => behaviorPatterns(input({ segments: [{ segmentId: 'g', delivered: -1, converted: 0 }] }))).toThrow(
      new RangeError('segment g: delivered must be finite and non-negative, got -1'),
    );
  });
});
