import { meanDifference, twoProportionZTest, type MeanDifferenceResult, type ProportionTestResult } from './significance.ts';

/**
 * How much a rule, a sequence or the whole programme adds: the customers its decisions sent to
 * (treated) against the customers its holdout kept out (control), both followed for the same
 * conversion window from the decision, not from an open. Attribution answers "which emails came
 * before the purchases"; this answers "which purchases would not have happened without them".
 *
 * The unit is an exposure: one decision that sent (or started a sequence) or, for the control, one
 * decision that would have. A customer decided twice by one rule within a window is two exposures;
 * both groups are counted the same way, so the comparison stays fair (the variance of correlated
 * exposures is slightly understated, which docs/decisions.md section 31 notes). Pure.
 */

/** What the exposures of one group added up to: how many, how many bought within the window, and their revenue (with its sum of squares, for Welch). */
export type GroupTotals = { exposures: number; converted: number; revenue: number; revenueSq: number };

export type IncrementalityOptions = {
  /** 0.95 by default. */
  confidence?: number;
  /** No verdict until each group has this many exposures; 100 by default. */
  minExposuresPerGroup?: number;
};

export const DEFAULT_MIN_EXPOSURES_PER_GROUP = 100;

export type GroupSummary = { exposures: number; converted: number; conversionRate: number | null; revenue: number; revenuePerExposure: number | null };

/** An estimate with its confidence interval (null when there is no test). */
export type Interval = { estimate: number; low: number; high: number };

export type IncrementalityVerdict =
  /** The treated group converts (or spends) more than the control, significantly. */
  | 'lift'
  /** It converts less, significantly: the emails cost conversions. */
  | 'harm'
  /** The interval spans zero: no effect detectable at this sample size. */
  | 'no_detectable_effect'
  /** Below the minimum sample, or nothing to compare: no verdict yet. */
  | 'insufficient_data';

export type IncrementalityEstimate = {
  treated: GroupSummary;
  control: GroupSummary;
  /** Conversion rate, treated against control (A = control, B = treated): two-proportion z test, Wald interval for the difference. */
  conversion: ProportionTestResult;
  /** Revenue per exposure, treated against control: Welch's t test. */
  revenuePerExposure: MeanDifferenceResult;
  /** (treated rate − control rate) × treated exposures: the conversions the emails added, with the interval scaled alike. */
  incrementalConversions: Interval | null;
  /** (treated − control revenue per exposure) × treated exposures. */
  incrementalRevenue: Interval | null;
  verdict: IncrementalityVerdict;
  /** Why there is no verdict, in words (insufficient_data only). */
  reason?: string;
};

/**
 * The incremental effect of one rule (or sequence, or all marketing) from its two groups' totals.
 * The verdict follows the conversion test (the rarer but cleaner signal), and revenue's test is
 * reported beside it; both need the minimum sample on each side.
 */
export function estimateIncrementality(treated: GroupTotals, control: GroupTotals, options: IncrementalityOptions = {}): IncrementalityEstimate {
  checkTotals(treated, 'treated');
  checkTotals(control, 'control');
  const confidence = options.confidence ?? 0.95;
  const minimum = options.minExposuresPerGroup ?? DEFAULT_MIN_EXPOSURES_PER_GROUP;
  if (!(Number.isInteger(minimum) && minimum >= 2)) throw new RangeError(`minExposuresPerGroup must be an integer of at least 2, got ${minimum}`);
  const conversion = twoProportionZTest({ successes: control.converted, trials: control.exposures }, { successes: treated.converted, trials: treated.exposures }, { confidence });
  const revenuePerExposure = meanDifference(sampleOf(control), sampleOf(treated), { confidence });
  const scaled = (difference: number | null, interval: [number, number] | null): Interval | null =>
    difference === null || interval === null ? null : { estimate: difference * treated.exposures, low: interval[0] * treated.exposures, high: interval[1] * treated.exposures };
  const base = {
    treated: summaryOf(treated),
    control: summaryOf(control),
    conversion,
    revenuePerExposure,
    incrementalConversions: scaled(conversion.difference, conversion.confidenceInterval),
    incrementalRevenue: scaled(revenuePerExposure.difference, revenuePerExposure.confidenceInterval),
  };
  const short = [treated.exposures < minimum ? `treated ${treated.exposures}` : '', control.exposures < minimum ? `control ${control.exposures}` : ''].filter(Boolean);
  if (short.length > 0) return { ...base, verdict: 'insufficient_data', reason: `${short.join(' and ')} exposures; a verdict needs ${minimum} in each group` };
  if (conversion.confidenceInterval === null) return { ...base, verdict: 'insufficient_data', reason: `no conversions to compare (${conversion.reason ?? 'no test'})` };
  const verdict = !conversion.significant ? 'no_detectable_effect' : conversion.difference! > 0 ? 'lift' : 'harm';
  return { ...base, verdict };
}

/** Sums the totals of several rules (the programme as a whole, a sequence's steps). */
export function sumTotals(groups: readonly GroupTotals[]): GroupTotals {
  return groups.reduce((sum, g) => ({ exposures: sum.exposures + g.exposures, converted: sum.converted + g.converted, revenue: sum.revenue + g.revenue, revenueSq: sum.revenueSq + g.revenueSq }), emptyTotals());
}

export function emptyTotals(): GroupTotals {
  return { exposures: 0, converted: 0, revenue: 0, revenueSq: 0 };
}

/** Revenue per exposure as a sample summary: mean and the n − 1 variance from the running sums (clamped at 0 against rounding). */
function sampleOf(totals: GroupTotals): { n: number; mean: number; variance: number } {
  const n = totals.exposures;
  if (n === 0) return { n, mean: 0, variance: 0 };
  const mean = totals.revenue / n;
  const variance = n < 2 ? 0 : Math.max(0, (totals.revenueSq - n * mean * mean) / (n - 1));
  return { n, mean, variance };
}

function summaryOf(totals: GroupTotals): GroupSummary {
  const n = totals.exposures;
  return {
    exposures: n,
    converted: totals.converted,
    conversionRate: n > 0 ? totals.converted / n : null,
    revenue: totals.revenue,
    revenuePerExposure: n > 0 ? totals.revenue / n : null,
  };
}

function checkTotals(totals: GroupTotals, name: string): void {
  const { exposures, converted, revenue, revenueSq } = totals;
  if (!(Number.isInteger(exposures) && exposures >= 0)) throw new RangeError(`${name}: exposures must be a non-negative integer, got ${exposures}`);
  if (!(Number.isInteger(converted) && converted >= 0 && converted <= exposures)) throw new RangeError(`${name}: converted must be an integer between 0 and exposures (${exposures}), got ${converted}`);
  if (!(Number.isFinite(revenue) && Number.isFinite(revenueSq) && revenueSq >= 0)) throw new RangeError(`${name}: revenue and revenueSq must be finite (revenueSq non-negative), got ${revenue} and ${revenueSq}`);
}

/** Several rules' incremental effects added up: each rule compared with its own control, then summed. */
export type CombinedIncrement = {
  incrementalConversions: Interval | null;
  incrementalRevenue: Interval | null;
  verdict: IncrementalityVerdict;
  /** The rules with a verdict that were added (the others are left out: below the minimum sample). */
  rulesCounted: number;
  reason?: string;
};

/**
 * The programme's incremental conversions and revenue as the sum of each rule's estimate, with the
 * interval of the sum from the rules' standard errors added in quadrature (the rules' samples are
 * treated as independent). Not the pooled treated against the pooled control: rules hold out
 * different shares, so pooled groups mix the rules in different proportions and the difference
 * would partly measure which rules they came from (Simpson's paradox). Rules without a verdict are
 * left out, and the verdict follows the conversions' interval.
 */
export function combineIncrements(estimates: readonly IncrementalityEstimate[]): CombinedIncrement {
  const counted = estimates.filter((estimate) => estimate.verdict !== 'insufficient_data');
  if (counted.length === 0) return { incrementalConversions: null, incrementalRevenue: null, verdict: 'insufficient_data', rulesCounted: 0, reason: 'no rule has a verdict yet' };
  const sum = (intervals: ReadonlyArray<Interval | null>): Interval | null => {
    if (intervals.some((interval) => interval === null)) return null;
    const estimate = intervals.reduce((total, interval) => total + interval!.estimate, 0);
    // Each half-width is the rule's quantile times its standard error, all at one confidence: adding them in quadrature adds the variances (Welch's t quantiles differ a little from z; the sum takes them as they are).
    const half = Math.sqrt(intervals.reduce((total, interval) => total + ((interval!.high - interval!.low) / 2) ** 2, 0));
    return { estimate, low: estimate - half, high: estimate + half };
  };
  const incrementalConversions = sum(counted.map((estimate) => estimate.incrementalConversions));
  const incrementalRevenue = sum(counted.map((estimate) => estimate.incrementalRevenue));
  const verdict: IncrementalityVerdict =
    incrementalConversions === null ? 'insufficient_data' : incrementalConversions.low > 0 ? 'lift' : incrementalConversions.high < 0 ? 'harm' : 'no_detectable_effect';
  return { incrementalConversions, incrementalRevenue, verdict, rulesCounted: counted.length };
}
