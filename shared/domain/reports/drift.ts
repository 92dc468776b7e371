import { averageEngagement, SEGMENT_FEATURE_BUCKETS, SEGMENT_FEATURES, type SegmentFeature, type SegmentStats } from './segment-stats.ts';
import { twoProportionZTest } from './significance.ts';
import { compareIds } from './numbers.ts';

/**
 * Segment drift: has a segment changed who it holds (composition) or how its emails do
 * (performance) since a baseline? The daily drift check compares each segment's snapshot and recent
 * email results with a baseline period, stores the report and announces drifted segments with
 * `SegmentDriftDetected`. Pure.
 *
 * Composition compares two censuses of the members, not samples, so it needs no significance test,
 * only enough members for the numbers to mean something. Performance compares samples of emails, so
 * a rate change counts only when it is also statistically significant: a stable period stays quiet.
 */

/** A segment's email results over a period of whole UTC days. */
export type SegmentPeriodPerformance = {
  /** yyyy-mm-dd, inclusive */
  from: string;
  /** yyyy-mm-dd, inclusive */
  to: string;
  delivered: number;
  opened: number;
  clicked: number;
  converted: number;
};

/** A daily snapshot of a segment's composition. */
export type SegmentSnapshot = { stats: SegmentStats; /** yyyy-mm-dd */ day: string };

export type SegmentDriftInput = {
  segmentId: string;
  /** The snapshot at the baseline day; null when there is none yet (a new segment): composition is then not compared. */
  baseline: SegmentSnapshot | null;
  current: SegmentSnapshot;
  /** The baseline and the current period (see driftPeriods: they overlap only when the catalog says so). */
  performance: { baseline: SegmentPeriodPerformance; current: SegmentPeriodPerformance };
};

export type DriftSeverity = 'medium' | 'high' | 'critical';

export type DriftMetric = 'members' | 'average_engagement' | `${SegmentFeature}_psi` | 'open_rate' | 'conversion_rate';

export type DriftFinding = {
  kind: 'composition' | 'performance';
  metric: DriftMetric;
  /**
   * The metric on each side and the change: relative for members and rates (0.5 = +50%), absolute
   * for average engagement. A distribution has no single value, so a PSI finding reports the index
   * itself: baseline 0 (the baseline against itself), current and change the PSI.
   */
  baseline: number;
  current: number;
  change: number;
  severity: DriftSeverity;
  /** Plain English, e.g. "open rate fell from 24.0% to 9.5% (−60%)". */
  message: string;
  /** Performance findings: the two-proportion z-test's two-sided p-value. */
  pValue?: number;
};

export type DayRange = { from: string; to: string };

/**
 * Which days the drift check compares (catalog `settings.drift`). Document 001 compares a segment's
 * last 30 days with its last 90 and its composition with 90 days ago; Nudge keeps the lengths but,
 * by default, takes the 90 days *before* the current 30 as the baseline: the z-test behind every rate
 * finding assumes two independent samples, and a baseline that contains the current period dilutes
 * every change by the third it shares. `baselineIncludesCurrent: true` is the document's reading.
 */
export type DriftPeriodSettings = { currentDays: number; baselineDays: number; baselineIncludesCurrent: boolean };

export type DriftPeriods = {
  current: DayRange;
  baseline: DayRange;
  /** The composition snapshot is taken from this day (the baseline period's length ago). */
  compositionBaselineDay: string;
};

/** The current and baseline email periods ending `today` (yyyy-mm-dd, inclusive), and the composition baseline day. */
export function driftPeriods(today: string, settings: DriftPeriodSettings): DriftPeriods {
  checkDay(today, 'today');
  const { currentDays, baselineDays, baselineIncludesCurrent } = settings;
  for (const [name, days] of [['currentDays', currentDays], ['baselineDays', baselineDays]] as const) {
    if (!(Number.isInteger(days) && days >= 1)) throw new RangeError(`drift ${name} must be a whole number of days >= 1, got ${days}`);
  }
  const current = { from: shiftDay(today, -(currentDays - 1)), to: today };
  const baseline = baselineIncludesCurrent
    ? { from: shiftDay(today, -(baselineDays - 1)), to: today }
    : { from: shiftDay(current.from, -baselineDays), to: shiftDay(current.from, -1) };
  return { current, baseline, compositionBaselineDay: shiftDay(today, -baselineDays) };
}

function shiftDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export type SegmentDrift = {
  segmentId: string;
  /** The most severe finding's, 'none' without findings. */
  severity: DriftSeverity | 'none';
  /** Most severe first, then composition before performance in a fixed metric order. */
  findings: DriftFinding[];
  /** What could not be judged and why ("insufficient data: ..."); never drift. */
  notes: string[];
  baselineDay?: string;
  currentDay: string;
  /** The email periods whose rates were compared. */
  periods: { baseline: DayRange; current: DayRange };
  members: { baseline: number | null; current: number };
};

export type DriftReport = {
  report: 'drift';
  generatedAt: string;
  /** Drifted segments first, most severe first, then by segment id. */
  segments: SegmentDrift[];
  /** Segments with at least one finding. */
  drifted: number;
};

/** Severity levels: a finding takes the most severe level whose threshold |change| exceeds. */
type Levels = Partial<Record<DriftSeverity, number>>;

export const DRIFT_THRESHOLDS = {
  /** Composition is judged only when both snapshots have this many members (and a feature this many values): below it, a few people joining or leaving swing every figure. */
  minMembers: 30,
  /** Relative change in members. */
  membersChange: { medium: 0.5 },
  /** Absolute change in average engagement, on its 0..1 scale. */
  averageEngagementChange: { medium: 0.1 },
  /** Population stability index per feature: the usual reading is < 0.1 stable, 0.1–0.25 a moderate shift, > 0.25 a significant one. */
  psi: { medium: 0.1, high: 0.25 },
  /** Rates are judged only when both periods delivered this many emails. */
  minDelivered: 50,
  /** A rate change counts only when the two-proportion z-test finds it significant at this confidence. */
  confidence: 0.95,
  /** Relative open-rate change (the product's fixed rule). */
  openRateChange: { medium: 0.2, high: 0.5 },
  /** Relative conversion-rate change (the product's fixed rule): conversions are what the emails are for. */
  conversionRateChange: { critical: 0.3 },
} as const satisfies Record<string, number | Levels>;

/**
 * The share an empty bin is given in PSI, the common practice: ln(share ratio) of an empty bin
 * would be infinite, and a tiny share keeps a bin that empties or fills counting heavily, finitely.
 */
export const PSI_EMPTY_BIN_SHARE = 0.0001;

/** An EventBridge entry holds at most 256 KB: the event carries the most severe findings, the report has them all. */
export const DRIFT_EVENT_MAX_FINDINGS = 5;

/**
 * Population stability index of `actual` against `expected`, from counts over the same bins:
 * Σ (aᵢ − eᵢ)·ln(aᵢ / eᵢ) over the bins' shares, an empty bin's share taken as PSI_EMPTY_BIN_SHARE.
 * 0 for identical distributions; null (not measurable) when either side has no counts.
 */
export function populationStabilityIndex(expected: readonly number[], actual: readonly number[]): number | null {
  if (expected.length !== actual.length) throw new RangeError(`expected and actual must have the same number of bins, got ${expected.length} and ${actual.length}`);
  checkCounts(expected, 'expected');
  checkCounts(actual, 'actual');
  const expectedShares = sharesOf(expected);
  const actualShares = sharesOf(actual);
  if (expectedShares === null || actualShares === null) return null;
  return expectedShares.reduce((psi, e, i) => {
    const a = actualShares[i]!;
    return psi + (a - e) * Math.log(a / e);
  }, 0);
}

/** Drift per segment against its baseline, and how many drifted. */
export function checkDrift(inputs: readonly SegmentDriftInput[], now: Date): DriftReport {
  const seen = new Set<string>();
  const segments = inputs.map((input) => {
    if (seen.has(input.segmentId)) throw new RangeError(`segment ${input.segmentId} appears more than once`);
    seen.add(input.segmentId);
    return segmentDrift(input);
  });
  segments.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || compareIds(a.segmentId, b.segmentId));
  return { report: 'drift', generatedAt: now.toISOString(), segments, drifted: segments.filter((s) => s.severity !== 'none').length };
}

export type SegmentDriftEventDetail = {
  segmentId: string;
  severity: DriftSeverity;
  baselineDay: string | null;
  currentDay: string;
  periods: { baseline: DayRange; current: DayRange };
  findings: Pick<DriftFinding, 'metric' | 'baseline' | 'current' | 'change' | 'severity'>[];
  /** Findings left out past DRIFT_EVENT_MAX_FINDINGS. */
  omittedFindings: number;
  /** One per segment and day, so a consumer can drop a redelivered copy. */
  transitionId: string;
};

/** The detail of the `SegmentDriftDetected` bus event: the numbers of the most severe findings, no messages. */
export function driftEventDetail(drift: SegmentDrift): SegmentDriftEventDetail {
  if (drift.severity === 'none') throw new RangeError(`segment ${drift.segmentId} has not drifted: there is no event to send`);
  // SegmentDrift keeps its findings most severe first.
  const findings = drift.findings.slice(0, DRIFT_EVENT_MAX_FINDINGS);
  return {
    segmentId: drift.segmentId,
    severity: drift.severity,
    baselineDay: drift.baselineDay ?? null,
    currentDay: drift.currentDay,
    periods: drift.periods,
    findings: findings.map(({ metric, baseline, current, change, severity }) => ({ metric, baseline, current, change, severity })),
    omittedFindings: drift.findings.length - findings.length,
    transitionId: `segment-drift:${drift.segmentId}:${drift.currentDay}`,
  };
}

// --- one segment ---------------------------------------------------------------------------------

const SEVERITY_RANK: Record<SegmentDrift['severity'], number> = { none: 0, medium: 1, high: 2, critical: 3 };

function segmentDrift(input: SegmentDriftInput): SegmentDrift {
  checkInput(input);
  const { segmentId, baseline, current, performance } = input;
  const findings: DriftFinding[] = [];
  const notes: string[] = [];
  if (baseline === null) notes.push('no baseline snapshot yet (a new segment?): composition not compared');
  else compositionDrift(baseline.stats, current.stats, findings, notes);
  performanceDrift(performance.baseline, performance.current, findings, notes);

  // Stable: findings were pushed in the fixed metric order.
  findings.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
  const severity = findings[0]?.severity ?? 'none';
  return {
    segmentId,
    severity,
    findings,
    notes,
    ...(baseline === null ? {} : { baselineDay: baseline.day }),
    currentDay: current.day,
    periods: { baseline: rangeOf(performance.baseline), current: rangeOf(performance.current) },
    members: { baseline: baseline?.stats.members ?? null, current: current.stats.members },
  };
}

function compositionDrift(baseline: SegmentStats, current: SegmentStats, findings: DriftFinding[], notes: string[]): void {
  const { minMembers } = DRIFT_THRESHOLDS;
  if (baseline.members < minMembers || current.members < minMembers) {
    notes.push(`insufficient data: composition needs at least ${minMembers} members on both days (baseline ${count(baseline.members)}, current ${count(current.members)})`);
    return;
  }

  const membersChange = (current.members - baseline.members) / baseline.members;
  const membersSeverity = severityOf(membersChange, DRIFT_THRESHOLDS.membersChange);
  if (membersSeverity) {
    findings.push({
      kind: 'composition',
      metric: 'members',
      baseline: baseline.members,
      current: current.members,
      change: membersChange,
      severity: membersSeverity,
      message: `members ${direction(membersChange)} from ${count(baseline.members)} to ${count(current.members)} (${signedPercent(membersChange)})`,
    });
  }

  const engagementBefore = averageEngagement(baseline);
  const engagementNow = averageEngagement(current);
  const engagementChange = engagementNow - engagementBefore;
  const engagementSeverity = severityOf(engagementChange, DRIFT_THRESHOLDS.averageEngagementChange);
  if (engagementSeverity) {
    findings.push({
      kind: 'composition',
      metric: 'average_engagement',
      baseline: engagementBefore,
      current: engagementNow,
      change: engagementChange,
      severity: engagementSeverity,
      message: `average engagement ${direction(engagementChange)} from ${engagementBefore.toFixed(2)} to ${engagementNow.toFixed(2)} (${sign(engagementChange)}${Math.abs(engagementChange).toFixed(2)})`,
    });
  }

  for (const feature of SEGMENT_FEATURES) {
    const before = baseline.histograms[feature];
    const now = current.histograms[feature];
    const valuesBefore = sum(before);
    const valuesNow = sum(now);
    // Neither side has values: the feature is not recorded (churn risk before scoring starts), nothing to say.
    if (valuesBefore === 0 && valuesNow === 0) continue;
    if (valuesBefore < minMembers || valuesNow < minMembers) {
      notes.push(`insufficient data: the ${FEATURE_LABELS[feature]} distribution needs at least ${minMembers} values on both days (baseline ${count(valuesBefore)}, current ${count(valuesNow)})`);
      continue;
    }
    const psi = populationStabilityIndex(before, now)!;
    const severity = severityOf(psi, DRIFT_THRESHOLDS.psi);
    if (!severity) continue;
    const shift = severity === 'medium' ? 'moderately' : 'significantly';
    findings.push({
      kind: 'composition',
      metric: `${feature}_psi`,
      baseline: 0,
      current: psi,
      change: psi,
      severity,
      message: `the ${FEATURE_LABELS[feature]} distribution shifted ${shift} (PSI ${psi.toFixed(2)})`,
    });
  }
}

const FEATURE_LABELS: Record<SegmentFeature, string> = {
  engagement: 'engagement score',
  revenue: 'lifetime revenue',
  purchases: 'purchase count',
  churn_risk: 'churn risk',
};

type RateSpec = { metric: 'open_rate' | 'conversion_rate'; label: string; successes: 'opened' | 'converted'; levels: Levels };

const RATES: readonly RateSpec[] = [
  { metric: 'open_rate', label: 'open rate', successes: 'opened', levels: DRIFT_THRESHOLDS.openRateChange },
  { metric: 'conversion_rate', label: 'conversion rate', successes: 'converted', levels: DRIFT_THRESHOLDS.conversionRateChange },
];

function performanceDrift(baseline: SegmentPeriodPerformance, current: SegmentPeriodPerformance, findings: DriftFinding[], notes: string[]): void {
  const { minDelivered, confidence } = DRIFT_THRESHOLDS;
  if (baseline.delivered < minDelivered || current.delivered < minDelivered) {
    notes.push(
      `insufficient data: open and conversion rates need at least ${minDelivered} delivered emails in both periods (baseline ${count(baseline.delivered)}, current ${count(current.delivered)})`,
    );
    return;
  }
  for (const { metric, label, successes, levels } of RATES) {
    const test = twoProportionZTest({ successes: baseline[successes], trials: baseline.delivered }, { successes: current[successes], trials: current.delivered }, { confidence });
    if (!test.significant) continue;
    const rateBefore = test.rateA!;
    const rateNow = test.rateB!;
    // From 0 a relative change is undefined; a significant rise from nothing is news, not drift
    // (it is an improvement, or tracking coming back), so it is noted rather than given a made-up size.
    if (test.lift === null) {
      notes.push(`${label} rose from 0% to ${rate(rateNow)}: no baseline rate to measure the change against`);
      continue;
    }
    const severity = severityOf(test.lift, levels);
    if (!severity) continue;
    findings.push({
      kind: 'performance',
      metric,
      baseline: rateBefore,
      current: rateNow,
      change: test.lift,
      severity,
      message: `${label} ${direction(test.lift)} from ${rate(rateBefore)} to ${rate(rateNow)} (${signedPercent(test.lift)})`,
      pValue: test.pValue!,
    });
  }
}

/** The most severe level whose threshold |change| exceeds, or undefined. */
function severityOf(change: number, levels: Levels): DriftSeverity | undefined {
  const magnitude = Math.abs(change);
  return (['critical', 'high', 'medium'] as const).find((severity) => levels[severity] !== undefined && magnitude > levels[severity]);
}

// --- arithmetic and wording ----------------------------------------------------------------------

/** Each count's share of the total, an empty bin's share PSI_EMPTY_BIN_SHARE; null when the total is 0. */
function sharesOf(counts: readonly number[]): number[] | null {
  const total = sum(counts);
  if (total === 0) return null;
  return counts.map((c) => (c === 0 ? PSI_EMPTY_BIN_SHARE : c / total));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function rangeOf({ from, to }: SegmentPeriodPerformance): DayRange {
  return { from, to };
}

function direction(change: number): string {
  return change < 0 ? 'fell' : 'rose';
}

function sign(change: number): string {
  return change < 0 ? '−' : '+';
}

/** −0.6 → "−60%", 0.2014 → "+20.1%": one decimal at most, so a change just past a threshold rarely reads as the threshold. */
function signedPercent(change: number): string {
  return `${sign(change)}${Math.round(Math.abs(change) * 1000) / 10}%`;
}

/** 0.095 → "9.5%", 0.0035 → "0.35%": rates under 1% (conversions) keep two decimals. */
function rate(value: number): string {
  return `${(value * 100).toFixed(value < 0.01 ? 2 : 1)}%`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}


// --- inputs --------------------------------------------------------------------------------------

function checkInput({ segmentId, baseline, current, performance }: SegmentDriftInput): void {
  checkSnapshot(segmentId, current, 'current');
  if (baseline !== null) {
    checkSnapshot(segmentId, baseline, 'baseline');
    if (baseline.day >= current.day) throw new RangeError(`segment ${segmentId}: baseline day ${baseline.day} must be before the current day ${current.day}`);
  }
  checkPeriod(segmentId, performance.baseline, 'baseline');
  checkPeriod(segmentId, performance.current, 'current');
  // Overlapping periods share emails: the z-test needs independent samples.
  if (performance.baseline.to >= performance.current.from) {
    throw new RangeError(`segment ${segmentId}: the baseline period (to ${performance.baseline.to}) must end before the current period starts (${performance.current.from})`);
  }
}

function checkSnapshot(segmentId: string, { stats, day }: SegmentSnapshot, side: string): void {
  const what = `segment ${segmentId} ${side} snapshot`;
  checkDay(day, `${what} day`);
  if (stats.segmentId !== segmentId) throw new RangeError(`${what}: stats are of segment ${stats.segmentId}`);
  if (!(Number.isInteger(stats.members) && stats.members >= 0)) throw new RangeError(`${what}: members must be a non-negative integer, got ${stats.members}`);
  if (!(Number.isFinite(stats.engagementSum) && stats.engagementSum >= 0)) throw new RangeError(`${what}: engagementSum must be finite and non-negative, got ${stats.engagementSum}`);
  for (const feature of SEGMENT_FEATURES) {
    const histogram = stats.histograms[feature];
    const bins = SEGMENT_FEATURE_BUCKETS[feature].length;
    if (histogram?.length !== bins) throw new RangeError(`${what}: histograms.${feature} must have ${bins} buckets, got ${histogram?.length ?? 'none'}`);
    checkCounts(histogram, `${what} histograms.${feature}`);
  }
}

function checkPeriod(segmentId: string, period: SegmentPeriodPerformance, side: string): void {
  const what = `segment ${segmentId} ${side} performance`;
  checkDay(period.from, `${what} from`);
  checkDay(period.to, `${what} to`);
  if (period.from > period.to) throw new RangeError(`${what}: from ${period.from} is after to ${period.to}`);
  for (const field of ['delivered', 'opened', 'clicked', 'converted'] as const) {
    const value = period[field];
    if (!(Number.isFinite(value) && value >= 0)) throw new RangeError(`${what}: ${field} must be finite and non-negative, got ${value}`);
    if (field !== 'delivered' && value > period.delivered) throw new RangeError(`${what}: ${field} (${value}) exceeds delivered (${period.delivered})`);
  }
}

function checkCounts(counts: readonly number[], what: string): void {
  counts.forEach((c, i) => {
    if (!(Number.isFinite(c) && c >= 0)) throw new RangeError(`${what}[${i}] must be a finite non-negative count, got ${c}`);
  });
}

function checkDay(day: string, what: string): void {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  // Date.parse rolls 2024-02-30 over to March: the round trip rejects it.
  const valid = Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === day;
  if (!valid) throw new RangeError(`${what} must be a yyyy-mm-dd date, got ${JSON.stringify(day)}`);
}
