import { DAY_MS } from '../clock.ts';
import type { RollupCounter, RollupIncrement } from './rollups.ts';
import { round2, round4 } from './numbers.ts';
import { successMetricSpec, type SuccessMetric, type SuccessMetricSpec } from '../success-metrics.ts';
import { SUCCESS_CRITERIA, successVerdict, type Interval, type SuccessCriteria, type SuccessVerdict } from './success-verdict.ts';
import { groupTotalsOf } from './exposure-rollups.ts';
import { estimateIncrementality, type IncrementalityVerdict, type Interval as IncrementalInterval } from './incrementality.ts';
import { lastClosedCohortDay } from './incrementality-report.ts';

/** What a rule or sequence step did over a period, from its daily rollups. */
export type TriggerTotals = {
  matched: number;
  fired: number;
  sequencesStarted: number;
  holdout: number;
  droppedPriority: number;
  deferred: number;
  goalMet: number;
  suppressed: { total: number; byReason: Record<'no_email' | 'no_consent' | 'promotional_pause' | 'cooldown' | 'rule_cap' | 'global_cap', number> };
  sent: number;
  failed: number;
  delivered: number;
  bounced: number;
  complained: number;
  opened: number;
  clicked: number;
  converted: number;
  revenue: number;
  /** Null where the denominator is 0. */
  rates: {
    /** fired / matched */
    fire: number | null;
    /** delivered / sent */
    delivery: number | null;
    /** opened / delivered (unique per send) */
    open: number | null;
    /** clicked / delivered */
    click: number | null;
    /** clicked / opened */
    clickToOpen: number | null;
    /** converted / delivered */
    conversion: number | null;
    /** revenue / sent */
    revenuePerSend: number | null;
  };
};

export type TriggerPerformanceRow = {
  id: string;
  kind: 'rule' | 'sequence_step';
  description: string;
  active: boolean;
  last30Days: TriggerTotals;
  allTime: TriggerTotals;
  /** The rule's or step's own success metrics (catalog `successMetrics`), last 30 days: see SuccessRow. */
  success: SuccessRow[];
  /** The sequence a rule starts (its emails are that sequence's step rows, `seq_<sequence>__<step>`). */
  startsSequence?: string;
  /** A rule with a holdout: its conversion window (hours). */
  holdout?: { windowHours: number };
  /** A rule with a holdout: what its emails added beside the revenue attributed to them, over the closed cohorts of the last 30 days and of all time. */
  incrementality?: { last30Days: TriggerIncrementality; allTime: TriggerIncrementality };
};

/** Incremental against attributed revenue: the decision days of the last 30 days whose windows have closed (incrementality-report.ts). */
export type TriggerIncrementality = {
  cohorts: { from: string; to: string } | null;
  treated: number;
  control: number;
  incrementalRevenue: IncrementalInterval | null;
  incrementalConversions: IncrementalInterval | null;
  verdict: IncrementalityVerdict;
};

/**
 * One success metric of a rule or step, last 30 days: its count and rate per delivered email; with a
 * target, the 95 % Wilson interval of the rate and the verdict (success-verdict.ts). `target`,
 * `interval` and `verdict` are null without a target; `interval` is null without deliveries too.
 */
export type SuccessRow = {
  metric: SuccessMetric;
  count: number;
  delivered: number;
  rate: number | null;
  target: number | null;
  interval: Interval | null;
  verdict: SuccessVerdict | null;
};

export type TriggerPerformanceReport = {
  report: 'trigger-performance';
  generatedAt: string;
  /** The 30-day window: the 30 UTC days ending with today. */
  last30Days: { from: string; to: string };
  rows: TriggerPerformanceRow[];
  /** How success metrics are judged against their targets: the interval, its confidence, the fewest delivered emails for a verdict. */
  successCriteria: SuccessCriteria;
  totals: { last30Days: TriggerTotals; allTime: TriggerTotals };
  /** All triggers together per day of the 30-day window, oldest first (the trend lines). */
  daily: Array<{ day: string; sent: number; delivered: number; opened: number; clicked: number; converted: number; revenue: number }>;
};

export type TriggerDescription = {
  id: string;
  kind: 'rule' | 'sequence_step';
  description: string;
  active: boolean;
  successMetrics?: ReadonlyArray<SuccessMetric | SuccessMetricSpec>;
  startsSequence?: string;
  holdout?: { windowHours: number };
};

/** The counter each success metric reads: opens, clicks and attributed purchases of the rule's emails. */
const SUCCESS_COUNTERS: Record<SuccessMetric, 'opened' | 'clicked' | 'converted'> = { email_open: 'opened', email_click: 'clicked', purchase: 'converted' };

/**
 * The trigger-performance report from daily rollups: per rule and per sequence step, the last 30
 * days and all time. Rules and steps with no rollups are listed with zeros (a rule that never
 * matched is worth seeing). Pure.
 */
export function triggerPerformance(input: { triggers: readonly TriggerDescription[]; rollups: ReadonlyMap<string, readonly RollupIncrement[]>; now: Date }): TriggerPerformanceReport {
  const to = input.now.toISOString().slice(0, 10);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
  const rows = input.triggers.map((trigger): TriggerPerformanceRow => {
    const days = input.rollups.get(trigger.id) ?? [];
    const { successMetrics = [], ...described } = trigger;
    const last30Days = totalsOf(days.filter((d) => d.day >= from && d.day <= to));
    const success = successMetrics.map((spec) => successRow(successMetricSpec(spec), last30Days));
    return { ...described, last30Days, allTime: totalsOf(days), success, ...(trigger.holdout ? { incrementality: { last30Days: incrementalityOf(days, { from, to }, trigger.holdout.windowHours, input.now), allTime: incrementalityOf(days, { from: days.reduce((first, d) => (d.day < first ? d.day : first), to), to }, trigger.holdout.windowHours, input.now) } } : {}) };
  });
  const all = input.triggers.flatMap((trigger) => input.rollups.get(trigger.id) ?? []);
  return {
    report: 'trigger-performance',
    generatedAt: input.now.toISOString(),
    last30Days: { from, to },
    rows,
    successCriteria: SUCCESS_CRITERIA,
    totals: { last30Days: totalsOf(all.filter((d) => d.day >= from && d.day <= to)), allTime: totalsOf(all) },
    daily: Array.from({ length: 30 }, (_, i) => {
      const day = new Date(Date.parse(`${from}T00:00:00Z`) + i * DAY_MS).toISOString().slice(0, 10);
      const { sent, delivered, opened, clicked, converted, revenue } = totalsOf(all.filter((d) => d.day === day));
      return { day, sent, delivered, opened, clicked, converted, revenue };
    }),
  };
}

function successRow({ metric, target }: SuccessMetricSpec, totals: TriggerTotals): SuccessRow {
  const count = totals[SUCCESS_COUNTERS[metric]];
  const { delivered } = totals;
  const rate = ratio(count, delivered);
  if (target === undefined) return { metric, count, delivered, rate, target: null, interval: null, verdict: null };
  const { verdict, interval } = successVerdict({ count, delivered, target });
  return { metric, count, delivered, rate, target, interval: interval && { low: round4(interval.low), high: round4(interval.high) }, verdict };
}

function totalsOf(days: readonly RollupIncrement[]): TriggerTotals {
  const sum = (counter: RollupCounter) => round2(days.reduce((total, d) => total + (d.counters[counter] ?? 0), 0));
  const sent = sum('sent');
  const delivered = sum('delivered');
  const opened = sum('opened');
  const clicked = sum('clicked');
  const matched = sum('matched');
  const fired = sum('fired');
  const converted = sum('converted');
  const revenue = sum('revenue');
  return {
    matched,
    fired,
    sequencesStarted: sum('sequences_started'),
    holdout: sum('holdout'),
    droppedPriority: sum('dropped_priority'),
    deferred: sum('deferred'),
    goalMet: sum('goal_met'),
    suppressed: {
      total: sum('suppressed'),
      byReason: {
        no_email: sum('suppressed_no_email'),
        no_consent: sum('suppressed_no_consent'),
        promotional_pause: sum('suppressed_promotional_pause'),
        cooldown: sum('suppressed_cooldown'),
        rule_cap: sum('suppressed_rule_cap'),
        global_cap: sum('suppressed_global_cap'),
      },
    },
    sent,
    failed: sum('failed'),
    delivered,
    bounced: sum('bounced'),
    complained: sum('complained'),
    opened,
    clicked,
    converted,
    revenue,
    rates: {
      fire: ratio(fired, matched),
      delivery: ratio(delivered, sent),
      open: ratio(opened, delivered),
      click: ratio(clicked, delivered),
      clickToOpen: ratio(clicked, opened),
      conversion: ratio(converted, delivered),
      revenuePerSend: sent > 0 ? round2(revenue / sent) : null,
    },
  };
}

function ratio(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
}

/** The incremental effect of a rule with a holdout over the period's closed cohorts (the incrementality report's estimate, defaults). */
function incrementalityOf(days: readonly RollupIncrement[], period: { from: string; to: string }, windowHours: number, now: Date): TriggerIncrementality {
  const closedThrough = lastClosedCohortDay(now, windowHours);
  const to = closedThrough < period.to ? closedThrough : period.to;
  const closed = days.filter((d) => d.day >= period.from && d.day <= to);
  const treated = groupTotalsOf(closed, 'treated');
  const control = groupTotalsOf(closed, 'control');
  const estimate = estimateIncrementality(treated, control);
  return {
    cohorts: to >= period.from ? { from: period.from, to } : null,
    treated: treated.exposures,
    control: control.exposures,
    incrementalRevenue: estimate.incrementalRevenue,
    incrementalConversions: estimate.incrementalConversions,
    verdict: estimate.verdict,
  };
}
