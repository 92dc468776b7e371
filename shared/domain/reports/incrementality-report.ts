import { DAY_MS, HOUR_MS } from '../clock.ts';
import { groupTotalsOf } from './exposure-rollups.ts';
import { combineIncrements, DEFAULT_MIN_EXPOSURES_PER_GROUP, estimateIncrementality, sumTotals, type CombinedIncrement, type GroupTotals, type IncrementalityEstimate } from './incrementality.ts';
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
  /**
   * Every row's closed cohorts together (null without any rule with a holdout): the exposures summed,
   * and `incremental`, the sum of the rows' estimates (combineIncrements: not the pooled groups,
   * whose mix of rules differs when their holdout shares do).
   */
  total: { treatedTotals: GroupTotals; controlTotals: GroupTotals; openExposures: { treated: number; control: number }; incremental: CombinedIncrement } | null;
  /**
   * With `settings.globalControlPercent` on: each marketing rule's treated exposures against the
   * decisions the global control group would have received, so the rows measure being in the
   * programme at all (this rule's email and every other), and their sum what the programme adds
   * at these triggers. Null when the global control group is off.
   */
  globalControl: { percent: number; rows: GlobalControlRow[]; total: CombinedIncrement } | null;
};

/** A marketing rule's treated exposures against the global control group's, closed cohorts. */
export type GlobalControlRow = Omit<HoldoutTrigger, 'holdoutPercent'> & {
  cohorts: { from: string; to: string } | null;
  treatedTotals: GroupTotals;
  globalControlTotals: GroupTotals;
  openExposures: { treated: number; globalControl: number };
  estimate: IncrementalityEstimate;
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
  /** The global control group: its share and the marketing rules measured against it (none: off). */
  globalControl?: { percent: number; triggers: ReadonlyArray<Omit<HoldoutTrigger, 'holdoutPercent'>> };
}): IncrementalityReport {
  const confidence = input.confidence ?? 0.95;
  const minExposuresPerGroup = input.minExposuresPerGroup ?? DEFAULT_MIN_EXPOSURES_PER_GROUP;
  const options = { confidence, minExposuresPerGroup };
  const cohortsOf = (id: string, windowHours: number) => {
    const days = (input.rollups.get(id) ?? []).filter((day) => day.day >= input.period.from && day.day <= input.period.to);
    const closedThrough = lastClosedCohortDay(input.now, windowHours);
    const cohortsTo = closedThrough < input.period.to ? closedThrough : input.period.to;
    return {
      closed: days.filter((day) => day.day <= closedThrough),
      open: days.filter((day) => day.day > closedThrough),
      cohorts: cohortsTo >= input.period.from ? { from: input.period.from, to: cohortsTo } : null,
    };
  };
  const rows = input.triggers.map((trigger): IncrementalityRow => {
    const { closed, open, cohorts } = cohortsOf(trigger.id, trigger.windowHours);
    const treatedTotals = groupTotalsOf(closed, 'treated');
    const controlTotals = groupTotalsOf(closed, 'control');
    return {
      ...trigger,
      cohorts,
      treatedTotals,
      controlTotals,
      openExposures: { treated: groupTotalsOf(open, 'treated').exposures, control: groupTotalsOf(open, 'control').exposures },
      estimate: estimateIncrementality(treatedTotals, controlTotals, options),
    };
  });
  const total =
    rows.length === 0
      ? null
      : {
          treatedTotals: sumTotals(rows.map((row) => row.treatedTotals)),
          controlTotals: sumTotals(rows.map((row) => row.controlTotals)),
          openExposures: { treated: rows.reduce((sum, row) => sum + row.openExposures.treated, 0), control: rows.reduce((sum, row) => sum + row.openExposures.control, 0) },
          incremental: combineIncrements(rows.map((row) => row.estimate)),
        };
  const globalRows = (input.globalControl?.triggers ?? []).map((trigger): GlobalControlRow => {
    const { closed, open, cohorts } = cohortsOf(trigger.id, trigger.windowHours);
    const treatedTotals = groupTotalsOf(closed, 'treated');
    const globalControlTotals = groupTotalsOf(closed, 'global_control');
    return {
      ...trigger,
      cohorts,
      treatedTotals,
      globalControlTotals,
      openExposures: { treated: groupTotalsOf(open, 'treated').exposures, globalControl: groupTotalsOf(open, 'global_control').exposures },
      estimate: estimateIncrementality(treatedTotals, globalControlTotals, options),
    };
  });
  const globalControl = input.globalControl && input.globalControl.percent > 0 ? { percent: input.globalControl.percent, rows: globalRows, total: combineIncrements(globalRows.map((row) => row.estimate)) } : null;
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
    globalControl,
  };
}
