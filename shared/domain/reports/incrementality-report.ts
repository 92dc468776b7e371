import { DAY_MS, HOUR_MS } from '../clock.ts';
import { groupTotalsOf } from './exposure-rollups.ts';
import { DEFAULT_MIN_EXPOSURES_PER_GROUP, estimateIncrementality, sumTotals, type GroupTotals, type IncrementalityEstimate } from './incrementality.ts';
import type { ReportPeriod } from './period.ts';
import type { RollupIncrement } from './rollups.ts';

/** A rule with a holdout, as the report names it: a rule that starts a sequence is reported as the sequence. */
export type HoldoutTrigger = { id: string; kind: 'rule' | 'sequence'; sequenceId?: string; description: string; holdoutPercent: number; windowHours: number };

export type IncrementalityRow = HoldoutTrigger & {
  /** The decision days counted: from the period's start through the last day whose windows have all closed (null: none yet). */
  cohorts: { from: string; to: string } | null;
  treatedTotals: GroupTotals;
  controlTotals: GroupTotals;
  /** Exposures of the period still inside their window (decided after `cohorts.to`): not counted yet. */
  openExposures: { treated: number; control: number };
  estimate: IncrementalityEstimate;
};

export type IncrementalityReport = {
  report: 'incrementality';
  generatedAt: string;
  period: ReportPeriod;
  confidence: number;
  minExposuresPerGroup: number;
  /** How to read it, in words. */
  note: string;
  rows: IncrementalityRow[];
  /** Every row's closed cohorts together (null without any rule with a holdout). */
  total: { treatedTotals: GroupTotals; controlTotals: GroupTotals; openExposures: { treated: number; control: number }; estimate: IncrementalityEstimate } | null;
};

/**
 * The last decision day whose every exposure's window has closed by `now`: a decision of day D was
 * triggered before D + 1 (00:00 UTC), so its window ends before D + 1 + window.
 */
export function lastClosedCohortDay(now: Date, windowHours: number): string {
  return new Date(now.getTime() - windowHours * HOUR_MS - DAY_MS).toISOString().slice(0, 10);
}

/**
 * The incrementality report from the per-rule rollups alone: for each rule with a holdout, its
 * exposures (treated: sent; control: held out) of the decision days in the period whose windows
 * have closed, their conversions and revenue within the window, and the estimate with its
 * intervals and verdict; the total over all rules. Pure.
 */
export function incrementalityReport(input: {
  triggers: readonly HoldoutTrigger[];
  rollups: ReadonlyMap<string, readonly RollupIncrement[]>;
  period: ReportPeriod;
  now: Date;
  confidence?: number;
  minExposuresPerGroup?: number;
}): IncrementalityReport {
  const confidence = input.confidence ?? 0.95;
  const minExposuresPerGroup = input.minExposuresPerGroup ?? DEFAULT_MIN_EXPOSURES_PER_GROUP;
  const options = { confidence, minExposuresPerGroup };
  const rows = input.triggers.map((trigger): IncrementalityRow => {
    const days = (input.rollups.get(trigger.id) ?? []).filter((day) => day.day >= input.period.from && day.day <= input.period.to);
    const closedThrough = lastClosedCohortDay(input.now, trigger.windowHours);
    const closed = days.filter((day) => day.day <= closedThrough);
    const open = days.filter((day) => day.day > closedThrough);
    const treatedTotals = groupTotalsOf(closed, 'treated');
    const controlTotals = groupTotalsOf(closed, 'control');
    const cohortsTo = closedThrough < input.period.to ? closedThrough : input.period.to;
    return {
      ...trigger,
      cohorts: cohortsTo >= input.period.from ? { from: input.period.from, to: cohortsTo } : null,
      treatedTotals,
      controlTotals,
      openExposures: { treated: groupTotalsOf(open, 'treated').exposures, control: groupTotalsOf(open, 'control').exposures },
      estimate: estimateIncrementality(treatedTotals, controlTotals, options),
    };
  });
  const total =
    rows.length === 0
      ? null
      : (() => {
          const treatedTotals = sumTotals(rows.map((row) => row.treatedTotals));
          const controlTotals = sumTotals(rows.map((row) => row.controlTotals));
          const openExposures = { treated: rows.reduce((sum, row) => sum + row.openExposures.treated, 0), control: rows.reduce((sum, row) => sum + row.openExposures.control, 0) };
          return { treatedTotals, controlTotals, openExposures, estimate: estimateIncrementality(treatedTotals, controlTotals, options) };
        })();
  return {
    report: 'incrementality',
    generatedAt: input.now.toISOString(),
    period: input.period,
    confidence,
    minExposuresPerGroup,
    note:
      'Treated: decisions that sent (or started a sequence); control: the holdout, who would have been sent. Each is followed for the ' +
      "rule's conversion window from its trigger. Only decision days whose windows have all closed are counted; exposures still in " +
      'their window are listed as open. Incremental = (treated − control rate or revenue per exposure) × treated exposures, with its ' +
      `${Math.round(confidence * 1000) / 10}% interval; no verdict below ${minExposuresPerGroup} exposures per group.`,
    rows,
    total,
  };
}
