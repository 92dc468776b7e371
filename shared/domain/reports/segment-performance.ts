import { reportPeriod } from './period.ts';
import type { RollupIncrement } from './rollups.ts';
import { segmentPerformanceRecommendations, type SegmentLifts, type SegmentPerformanceRecommendation } from './segment-recommendations.ts';
import { meanDifference, twoProportionZTest, type MeanDifferenceResult, type ProportionTestResult } from './significance.ts';
import { round2 } from './numbers.ts';

/**
 * How each segment's emails do against its control group, from the per-segment daily rollups.
 *
 * The control group of a segment is every recipient outside it over the same period: all sends
 * (`segment:*`) minus the segment's own. Nudge's holdouts receive nothing, so they have no open or
 * click rate to compare with; the recipients outside the segment do, and the question the source's
 * recommendations answer is whether targeting this segment earns more than mailing everyone else
 * (decisions.md #23). Every rate is per delivered email; "revenue per user" is revenue per
 * delivered email (a rollup cannot count distinct recipients across days), its variance from the
 * conversions' squared revenue (a send converting twice counts as two emails: a small overstatement
 * of n). Pure.
 */

export type SegmentGroupTotals = {
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  converted: number;
  unsubscribed: number;
  complained: number;
  revenue: number;
  /** Null where nothing was delivered. */
  rates: { open: number | null; click: number | null; conversion: number | null; unsubscribe: number | null; revenuePerRecipient: number | null };
};

export type SegmentComparison = {
  open: ProportionTestResult;
  click: ProportionTestResult;
  conversion: ProportionTestResult;
  unsubscribe: ProportionTestResult;
  revenuePerRecipient: MeanDifferenceResult;
};

export type SegmentPerformanceRow = {
  segmentId: string;
  description: string;
  /** The catalog's priority and recommended actions for the segment (document 001), shown beside its results. */
  priority: string | null;
  recommendedActions: string[];
  segment: SegmentGroupTotals;
  control: SegmentGroupTotals;
  /** Segment (B) against control (A): lift = (segment − control) / control. */
  comparison: SegmentComparison;
  recommendations: SegmentPerformanceRecommendation[];
  /** Why a segment has no recommendations: too few emails on one side. */
  note?: string;
};

export type SegmentPerformanceReport = {
  report: 'segment-performance';
  generatedAt: string;
  period: { from: string; to: string; days: number };
  /** All recipients together over the period. */
  all: SegmentGroupTotals;
  rows: SegmentPerformanceRow[];
};

/** Fewer delivered emails than this on either side and a lift is noise: no advice is given. */
export const MIN_DELIVERED_FOR_ADVICE = 30;

/**
 * The report over the `days` UTC days ending today. `rollups` maps a scope (`segment:<id>`, and
 * `segment:*` for all sends) to its daily rollups; segments without any are listed with zeros.
 * Rows: most delivered first, then by id.
 */
export function segmentPerformance(input: {
  segments: ReadonlyArray<{ id: string; description: string; priority?: string; recommendedActions?: readonly string[] }>;
  rollups: ReadonlyMap<string, readonly RollupIncrement[]>;
  allScope: string;
  scopeOf: (segmentId: string) => string;
  now: Date;
  days: number;
}): SegmentPerformanceReport {
  const { from, to } = reportPeriod(input.now, input.days);
  const sumOf = (scope: string) => sumCounters((input.rollups.get(scope) ?? []).filter((d) => d.day >= from && d.day <= to));
  const all = sumOf(input.allScope);
  const rows = input.segments.map(({ id, description, priority, recommendedActions }): SegmentPerformanceRow => {
    const member = sumOf(input.scopeOf(id));
    const control = subtract(all, member);
    const comparison = compare(control, member);
    const enough = member.delivered >= MIN_DELIVERED_FOR_ADVICE && control.delivered >= MIN_DELIVERED_FOR_ADVICE;
    const lifts: SegmentLifts = {
      openLift: comparison.open.lift,
      clickLift: comparison.click.lift,
      conversionLift: comparison.conversion.lift,
      revenueLift: comparison.revenuePerRecipient.lift,
      unsubscribeImpact: comparison.unsubscribe.lift,
    };
    return {
      segmentId: id,
      description,
      priority: priority ?? null,
      recommendedActions: [...(recommendedActions ?? [])],
      segment: totalsOf(member),
      control: totalsOf(control),
      comparison,
      recommendations: enough ? segmentPerformanceRecommendations(lifts) : [],
      ...(enough ? {} : { note: `too few emails to judge (${member.delivered} delivered in the segment, ${control.delivered} outside it; at least ${MIN_DELIVERED_FOR_ADVICE} each)` }),
    };
  });
  rows.sort((a, b) => b.segment.delivered - a.segment.delivered || (a.segmentId < b.segmentId ? -1 : 1));
  return { report: 'segment-performance', generatedAt: input.now.toISOString(), period: { from, to, days: input.days }, all: totalsOf(all), rows };
}

/** The counters of a segment's rollups this report reads (drift and behavior read a subset). */
export const SEGMENT_PERFORMANCE_COUNTERS = ['sent', 'delivered', 'opened', 'clicked', 'converted', 'unsubscribed', 'complained', 'revenue', 'revenue_sq'] as const;
const COUNTERS = SEGMENT_PERFORMANCE_COUNTERS;
type Sums = Record<(typeof COUNTERS)[number], number>;

function sumCounters(days: readonly RollupIncrement[]): Sums {
  const sums = Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Sums;
  for (const day of days) for (const name of COUNTERS) sums[name] += day.counters[name] ?? 0;
  return sums;
}

/** Everyone else: clamped at 0, since the two rollups are written in one transaction but read apart. */
function subtract(all: Sums, part: Sums): Sums {
  return Object.fromEntries(COUNTERS.map((name) => [name, Math.max(0, round2(all[name] - part[name]))])) as Sums;
}

function compare(control: Sums, member: Sums): SegmentComparison {
  // Opens, clicks and conversions are counted once per send; clamp to delivered in case an open
  // arrives for a send whose delivery notice has not (SES can report them in either order).
  const rate = (sums: Sums, name: 'opened' | 'clicked' | 'converted' | 'unsubscribed') => ({ successes: Math.min(sums[name], sums.delivered), trials: sums.delivered });
  return {
    open: twoProportionZTest(rate(control, 'opened'), rate(member, 'opened')),
    click: twoProportionZTest(rate(control, 'clicked'), rate(member, 'clicked')),
    conversion: twoProportionZTest(rate(control, 'converted'), rate(member, 'converted')),
    unsubscribe: twoProportionZTest(rate(control, 'unsubscribed'), rate(member, 'unsubscribed')),
    revenuePerRecipient: meanDifference(revenueSample(control), revenueSample(member)),
  };
}

/** Revenue per delivered email as a sample: n emails, the revenue spread over them, variance from the sums. */
function revenueSample(sums: Sums): { n: number; mean: number; variance: number } {
  const n = sums.delivered;
  if (n === 0) return { n: 0, mean: 0, variance: 0 };
  const mean = sums.revenue / n;
  const variance = n > 1 ? Math.max(0, (sums.revenue_sq - n * mean * mean) / (n - 1)) : 0;
  return { n, mean, variance };
}

function totalsOf(sums: Sums): SegmentGroupTotals {
  const per = (value: number) => (sums.delivered > 0 ? Math.round((value / sums.delivered) * 10_000) / 10_000 : null);
  return {
    sent: sums.sent,
    delivered: sums.delivered,
    opened: sums.opened,
    clicked: sums.clicked,
    converted: sums.converted,
    unsubscribed: sums.unsubscribed,
    complained: sums.complained,
    revenue: round2(sums.revenue),
    rates: {
      open: per(sums.opened),
      click: per(sums.clicked),
      conversion: per(sums.converted),
      unsubscribe: per(sums.unsubscribed),
      revenuePerRecipient: sums.delivered > 0 ? round2(sums.revenue / sums.delivered) : null,
    },
  };
}
