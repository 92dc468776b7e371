import { BEHAVIOR_SCOPE, parseBehaviorCounter } from './profile-aggregates.ts';
import { reportPeriod } from './period.ts';
import type { RollupIncrement } from './rollups.ts';
import { SEGMENT_FEATURE_BUCKETS, averageEngagement, type SegmentStats } from './segment-stats.ts';
import { compareIds, percent, round4 } from './numbers.ts';

/**
 * The behavior-patterns report: how engaged the population is, what customers do and when, which
 * categories they care about, and plain-English insights, from the daily behavior rollups and the
 * population's live statistics (profile-aggregates.ts). Pure.
 */

/** Engagement bands of the report's summary. */
export const ENGAGEMENT_BANDS = { high: 0.7, low: 0.3 } as const;

/** Document 002's insight thresholds, and Nudge's additions (marked). */
export const BEHAVIOR_INSIGHT_THRESHOLDS = {
  /** Below this mean engagement the whole audience needs re-engaging (document 002: 0.5). */
  lowMeanEngagement: 0.5,
  /** Nudge's: otherwise, from this share of customers in the low band, that group does. */
  lowBandShare: 0.25,
  /** More than this share of customers highly engaged (the high band) calls for a VIP program (document 002: 30%). */
  vipShare: 0.3,
  /** Segments with fewer delivered emails are too small to rank by conversion rate. */
  minSegmentDelivered: 50,
} as const;

/** Transitions listed, most frequent first. */
export const TOP_TRANSITIONS = 10;

export type SequenceResult = { sequenceId: string; sent: number; converted: number; revenue: number };
export type SegmentResult = { segmentId: string; delivered: number; converted: number };

export type BehaviorPatternsInput = {
  now: Date;
  /** The period: this many UTC days, ending with today. */
  periodDays: number;
  /** Behavior rollups (scope `behavior`); other scopes and days outside the period are left out. */
  behaviorDays: readonly RollupIncrement[];
  /** The whole population's live statistics (segment ALL_PROFILES). */
  population: SegmentStats;
  sequences: readonly SequenceResult[];
  segments: readonly SegmentResult[];
};

export type BehaviorPatternsReport = {
  report: 'behavior-patterns';
  generatedAt: string;
  period: { from: string; to: string; days: number };
  /**
   * The population's engagement scores now (not over the period). Mean and std (population) are
   * exact; the median is an approximation, interpolated linearly within the histogram bucket that
   * holds it. The high and low counts come from the histogram too, whose buckets include their upper
   * bound: high counts scores above 0.7, low counts scores of 0.3 or less.
   */
  engagement: {
    customers: number;
    mean: number;
    median: number;
    std: number;
    high: number;
    low: number;
    histogram: Array<{ from: number; to: number; count: number }>;
  };
  /** Events per type, most frequent first. */
  behaviors: Array<{ type: string; count: number }>;
  /** One event followed by another within a session, most frequent first. */
  transitions: Array<{ from: string; to: string; count: number }>;
  /** Categories counted by events, most frequent first; share of all category counts, 0..1. */
  categories: Array<{ category: string; count: number; share: number }>;
  /** Events by the customer's local hour and weekday (index 0 = Monday). */
  activity: { byHour: number[]; byWeekday: number[]; hourByWeekday: number[][] };
  insights: string[];
};

/**
 * The behavior-patterns report for the `periodDays` UTC days ending with `now`'s. Empty data gives
 * zeros and no insights. Insights appear only when the data supports them: low engagement, VIP
 * candidates, the peak hour, the top sequence and the best converting segment.
 */
export function behaviorPatterns(input: BehaviorPatternsInput): BehaviorPatternsReport {
  const { now, periodDays } = input;
  const { from, to } = reportPeriod(now, periodDays);
  input.sequences.forEach(checkSequence);
  input.segments.forEach(checkSegment);
  const days = input.behaviorDays.filter((d) => d.scope === BEHAVIOR_SCOPE && d.day >= from && d.day <= to);
  const engagement = engagementSummary(input.population);
  const behavior = behaviorTotals(days);
  return {
    report: 'behavior-patterns',
    generatedAt: now.toISOString(),
    period: { from, to, days: periodDays },
    engagement,
    ...behavior,
    insights: [
      ...engagementInsights(engagement),
      ...peakHourInsight(behavior.activity.byHour),
      ...topTransitionInsight(behavior.transitions),
      ...topSequenceInsight(input.sequences),
      ...bestSegmentInsight(input.segments),
    ],
  };
}

// --- engagement ---------------------------------------------------------------------------------

function engagementSummary(population: SegmentStats): BehaviorPatternsReport['engagement'] {
  const customers = Math.max(0, population.members);
  const mean = averageEngagement(population);
  const variance = customers > 0 ? population.engagementSumSquares / customers - mean * mean : 0;
  const histogram = engagementHistogram(population);
  return {
    customers,
    mean: round4(mean),
    median: round4(medianOf(histogram)),
    std: round4(Math.sqrt(Math.max(0, variance))),
    high: countWhere(histogram, (bucket) => bucket.from >= ENGAGEMENT_BANDS.high),
    low: countWhere(histogram, (bucket) => bucket.to <= ENGAGEMENT_BANDS.low),
    histogram,
  };
}

function engagementHistogram(population: SegmentStats): BehaviorPatternsReport['engagement']['histogram'] {
  const bounds = SEGMENT_FEATURE_BUCKETS.engagement;
  return bounds.map((to, index) => ({ from: index === 0 ? 0 : bounds[index - 1]!, to, count: Math.max(0, population.histograms.engagement[index] ?? 0) }));
}

/** The grouped-data median: the bucket holding the middle customer, entered linearly by how far in it is. */
function medianOf(histogram: BehaviorPatternsReport['engagement']['histogram']): number {
  const half = histogram.reduce((sum, bucket) => sum + bucket.count, 0) / 2;
  let below = 0;
  for (const { from, to, count } of histogram) {
    if (count > 0 && below + count >= half) return from + ((half - below) / count) * (to - from);
    below += count;
  }
  return 0;
}

function countWhere(histogram: BehaviorPatternsReport['engagement']['histogram'], predicate: (bucket: { from: number; to: number }) => boolean): number {
  return histogram.filter(predicate).reduce((sum, bucket) => sum + bucket.count, 0);
}

/** Shares are of `customers`; the histogram is kept by separate counters, so a share is capped at 100% while they catch up. */
function engagementInsights(engagement: BehaviorPatternsReport['engagement']): string[] {
  const { customers, mean, low } = engagement;
  if (customers === 0) return [];
  const insights: string[] = [];
  const thresholds = BEHAVIOR_INSIGHT_THRESHOLDS;
  if (mean < thresholds.lowMeanEngagement) {
    insights.push(
      `Average engagement is ${mean.toFixed(2)}, below ${thresholds.lowMeanEngagement}: most customers are drifting away. Start a re-engagement sequence before sending them more regular campaigns.`,
    );
  } else if (low / customers >= thresholds.lowBandShare) {
    insights.push(
      `${percent(Math.min(1, low / customers))} of customers (${low} of ${customers}) have low engagement (${ENGAGEMENT_BANDS.low} or less). Move them to a re-engagement sequence.`,
    );
  }
  const { high } = engagement;
  if (high / customers > thresholds.vipShare) {
    insights.push(
      `${percent(Math.min(1, high / customers))} of customers (${high} of ${customers}) are highly engaged (above ${ENGAGEMENT_BANDS.high}). Create a VIP segment for them: early access, loyalty rewards or upsell offers.`,
    );
  }
  return insights;
}

// --- behavior -----------------------------------------------------------------------------------

type BehaviorTotals = Pick<BehaviorPatternsReport, 'behaviors' | 'transitions' | 'categories' | 'activity'>;

function behaviorTotals(days: readonly RollupIncrement[]): BehaviorTotals {
  const events = new Map<string, number>();
  const transitions = new Map<string, { from: string; to: string; count: number }>();
  const categories = new Map<string, number>();
  const byHour = zeros(24);
  const byWeekday = zeros(7);
  const hourByWeekday = Array.from({ length: 7 }, () => zeros(24));
  for (const { counters } of days) {
    for (const [name, count] of Object.entries(counters)) {
      const counter = parseBehaviorCounter(name);
      if (!counter || !Number.isFinite(count)) continue;
      switch (counter.kind) {
        case 'event':
          events.set(counter.type, (events.get(counter.type) ?? 0) + count);
          break;
        case 'category':
          categories.set(counter.category, (categories.get(counter.category) ?? 0) + count);
          break;
        // Items written before issue 23 hold hours and weekdays alone too: the same events as the
        // grid, which is what is read.
        case 'hour':
        case 'weekday':
          break;
        case 'hour_weekday':
          hourByWeekday[counter.weekday]![counter.hour]! += count;
          byHour[counter.hour]! += count;
          byWeekday[counter.weekday]! += count;
          break;
        case 'transition': {
          const key = `${counter.from}>${counter.to}`;
          const total = transitions.get(key) ?? { from: counter.from, to: counter.to, count: 0 };
          total.count += count;
          transitions.set(key, total);
          break;
        }
      }
    }
  }
  const categoryTotal = [...categories.values()].reduce((sum, count) => sum + count, 0);
  return {
    behaviors: [...events].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count || compareIds(a.type, b.type)),
    transitions: [...transitions.values()].sort((a, b) => b.count - a.count || compareIds(a.from, b.from) || compareIds(a.to, b.to)).slice(0, TOP_TRANSITIONS),
    categories: [...categories]
      .map(([category, count]) => ({ category, count, share: categoryTotal > 0 ? round4(count / categoryTotal) : 0 }))
      .sort((a, b) => b.count - a.count || compareIds(a.category, b.category)),
    activity: { byHour, byWeekday, hourByWeekday },
  };
}

/** The busiest local hour (the earliest of a tie). */
function peakHourInsight(byHour: readonly number[]): string[] {
  const total = byHour.reduce((sum, count) => sum + count, 0);
  if (total <= 0) return [];
  const peak = byHour.reduce((best, count, hour) => (count > byHour[best]! ? hour : best), 0);
  const clock = `${String(peak).padStart(2, '0')}:00`;
  return [`Activity peaks at ${clock} in customers' local time (${percent(byHour[peak]! / total)} of events). Schedule sends around ${clock}.`];
}

/** Document 002's "most common behavior sequence": the most frequent transition (already sorted first). */
function topTransitionInsight(transitions: BehaviorPatternsReport['transitions']): string[] {
  const [top] = transitions;
  if (!top || top.count <= 0) return [];
  return [`The most common step is ${top.from} followed by ${top.to} (${top.count} times). Automate a flow for customers who take it.`];
}

// --- sequences and segments ---------------------------------------------------------------------

/** The sequence with the most revenue (then conversions, then id), if any earned something. */
function topSequenceInsight(sequences: readonly SequenceResult[]): string[] {
  const [top] = [...sequences].sort((a, b) => b.revenue - a.revenue || b.converted - a.converted || compareIds(a.sequenceId, b.sequenceId));
  if (!top || (top.revenue <= 0 && top.converted <= 0)) return [];
  return [
    `${top.sequenceId} is your top sequence: ${top.revenue.toFixed(2)} in revenue from ${top.converted} conversions (${top.sent} emails sent). Use it as the model for new sequences.`,
  ];
}

/** The highest conversion rate among segments large enough to trust (then more delivered, then id), if it converts at all. */
function bestSegmentInsight(segments: readonly SegmentResult[]): string[] {
  const [best] = segments
    .filter((segment) => segment.delivered >= BEHAVIOR_INSIGHT_THRESHOLDS.minSegmentDelivered)
    .map((segment) => ({ ...segment, rate: segment.converted / segment.delivered }))
    .sort((a, b) => b.rate - a.rate || b.delivered - a.delivered || compareIds(a.segmentId, b.segmentId));
  if (!best || best.rate <= 0) return [];
  return [
    `${best.segmentId} converts best: ${percent(best.rate)} of its ${best.delivered} delivered emails led to a purchase. Give it priority in your campaigns.`,
  ];
}

function checkSequence({ sequenceId, sent, converted, revenue }: SequenceResult): void {
  for (const [field, value] of Object.entries({ sent, converted, revenue })) {
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`sequence ${sequenceId}: ${field} must be finite and non-negative, got ${value}`);
  }
}

function checkSegment({ segmentId, delivered, converted }: SegmentResult): void {
  for (const [field, value] of Object.entries({ delivered, converted })) {
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`segment ${segmentId}: ${field} must be finite and non-negative, got ${value}`);
  }
}

// --- helpers ------------------------------------------------------------------------------------

function zeros(length: number): number[] {
  return Array.from({ length }, () => 0);
}
