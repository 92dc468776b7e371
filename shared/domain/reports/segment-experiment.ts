import * as z from 'zod';
import { fieldPath, issueMessage } from '../../contract/index.ts';
import { countInWindow, dayNumber, RING_DAYS } from '../activity-ring.ts';
import { DAY_MS } from '../clock.ts';
import { METRIC_NAMES } from '../profile-facts.ts';
import { profileFacts } from '../profile-metrics.ts';
import type { Profile } from '../profile.ts';
import { evaluateSegments, MetricCondition, type SegmentDefinition } from '../segments.ts';
import { meanDifference, twoProportionZTest, type MeanDifferenceResult, type Proportion, type ProportionTestResult } from './significance.ts';
import { percent } from './numbers.ts';

/**
 * The segment experiment: two definitions of a segment (control and variant criteria) compared
 * over the same period on the customers each one selects: email engagement, conversion and
 * engagement score, with significance and a plain-English recommendation. Pure.
 *
 * The criteria are ad hoc, so no stored membership can answer: every profile is evaluated, and the
 * accumulator keeps counters only, so any number of profiles streams through in constant memory.
 */

/** Document 002 evaluates a segment test over 14 days unless told otherwise. */
export const DEFAULT_PERIOD_DAYS = 14;
/** Below either of these, a group is too small for its rates to be trusted. */
export const MIN_GROUP_MEMBERS = 100;
export const MIN_GROUP_SENDS = 100;
/** Above this share of the smaller group matching both definitions, the two barely differ. */
export const MAX_OVERLAP_SHARE = 0.5;

const KNOWN_METRICS: ReadonlySet<string> = new Set(METRIC_NAMES);

/** A behavioral segment's conditions (catalog format): every one must hold, each reading a known metric. */
const Criteria = z
  .array(MetricCondition)
  .min(1)
  .superRefine((conditions, ctx) => {
    conditions.forEach((condition, index) => {
      if (!KNOWN_METRICS.has(condition.metric)) {
        ctx.addIssue({ code: 'custom', path: [index, 'metric'], message: `unknown metric "${condition.metric}" (known: ${[...KNOWN_METRICS].sort().join(', ')})` });
      }
    });
  });

export const SegmentExperimentRequest = z
  .object({
    name: z.string().min(1),
    control: Criteria,
    variant: Criteria,
    periodDays: z
      .number()
      .int()
      .min(1)
      .max(RING_DAYS, { error: (issue) => `must be at most ${RING_DAYS}: profiles keep daily activity for ${RING_DAYS} days, got ${String(issue.input)}` })
      .default(DEFAULT_PERIOD_DAYS),
  })
  .strict();
export type SegmentExperimentRequest = z.infer<typeof SegmentExperimentRequest>;
export type SegmentExperimentRequestInput = z.input<typeof SegmentExperimentRequest>;

// An enum's message lists the allowed values; naming the rejected one too makes a typo obvious.
const PARSE_OPTIONS = {
  reportInput: true,
  error: (issue: z.core.$ZodRawIssue) => (issue.code === 'invalid_value' ? `${issueMessage(issue)}, got ${JSON.stringify(issue.input)}` : issueMessage(issue)),
} as const;

/** Validates a request payload; a RangeError lists every problem by field (`control.0.op: ...`). */
export function parseSegmentExperimentRequest(input: unknown): SegmentExperimentRequest {
  const parsed = SegmentExperimentRequest.safeParse(input, PARSE_OPTIONS);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${fieldPath('', [...issue.path, key])}: unknown field`)
      : [`${fieldPath('', issue.path) || '(request)'}: ${issue.message}`],
  );
  throw new RangeError(`invalid segment-experiment request: ${problems.join('; ')}`);
}

// --- report ---------------------------------------------------------------------------------------

/** What one definition's members did over the period. */
export type ExperimentGroup = {
  members: number;
  /** Members sent at least one email in the period. */
  emailRecipients: number;
  sends: number;
  opens: number;
  clicks: number;
  /** Members with at least one purchase in the period. */
  purchasers: number;
  purchases: number;
  /** Mean `scores.engagement` of the members that have one; null when none has. */
  averageEngagement: number | null;
  /** Members with an engagement score: the average's sample size. */
  scoredMembers: number;
};

/** A rate of each group; the test is of the variant against the control (difference and lift are variant − control). */
export type RateComparison = {
  control: Proportion & { rate: number | null };
  variant: Proportion & { rate: number | null };
} & Omit<ProportionTestResult, 'rateA' | 'rateB'>;

export type MeanComparison = {
  control: { n: number; mean: number | null };
  variant: { n: number; mean: number | null };
} & Omit<MeanDifferenceResult, 'meanA' | 'meanB'>;

export type ExperimentDecision = 'adopt_variant' | 'keep_control' | 'inconclusive';

export type SegmentExperimentReport = {
  report: 'segment-experiment';
  generatedAt: string;
  name: string;
  /** UTC days, both included: the `days` days ending with today. */
  period: { from: string; to: string; days: number };
  profilesScanned: number;
  groups: { control: ExperimentGroup; variant: ExperimentGroup };
  /** Customers in both groups (counted in each), and their share of the smaller group (null when a group is empty). */
  overlap: { members: number; shareOfSmallerGroup: number | null };
  comparisons: {
    /**
     * Opens / sends and clicks / sends. Each member's opens and clicks count up to their own sends:
     * repeat opens of one email and opens of mail sent by another tool would otherwise push a rate past 1.
     */
    openRate: RateComparison;
    clickRate: RateComparison;
    /** Purchasers / members: the experiment's decision metric. */
    conversionRate: RateComparison;
    averageEngagement: MeanComparison;
  };
  recommendation: { decision: ExperimentDecision; message: string; notes: string[] };
};

export type SegmentExperiment = {
  add(profile: Profile): void;
  result(): SegmentExperimentReport;
};

type GroupTotals = {
  members: number;
  emailRecipients: number;
  sends: number;
  opens: number;
  clicks: number;
  /** Opens and clicks capped per member at their sends: the rates' numerators. */
  countedOpens: number;
  countedClicks: number;
  purchasers: number;
  purchases: number;
  /** Welford's running mean and sum of squared deviations of the engagement scores. */
  scored: number;
  engagementMean: number;
  engagementM2: number;
};

/**
 * An accumulator over profiles, evaluated at `now` (pass a parsed request). A profile matching both
 * definitions counts in both groups and in the overlap; the test then treats the groups as
 * independent, which a large overlap undermines (the recommendation notes it).
 */
export function createSegmentExperiment(request: SegmentExperimentRequest, now: Date): SegmentExperiment {
  if (Number.isNaN(now.getTime())) throw new RangeError('now must be a valid date, got Invalid Date');
  const days = request.periodDays;
  if (!(Number.isInteger(days) && days >= 1 && days <= RING_DAYS)) throw new RangeError(`periodDays must be a whole number from 1 to ${RING_DAYS}, got ${days}`);
  const today = dayNumber(now);
  // The segments' own evaluation path, so the criteria mean exactly what they mean in the catalog.
  const definitions = (['control', 'variant'] as const).map((id): SegmentDefinition => ({
    kind: 'behavioral',
    id,
    description: `${request.name}: ${id} criteria`,
    recommendedActions: [],
    conditions: request[id],
  }));
  const control = emptyTotals();
  const variant = emptyTotals();
  let scanned = 0;
  let overlap = 0;

  return {
    add(profile) {
      scanned += 1;
      const [inControl, inVariant] = evaluateSegments(definitions, profileFacts(profile, now)).map((evaluation) => evaluation.member);
      if (inControl) addMember(control, profile, today, days);
      if (inVariant) addMember(variant, profile, today, days);
      if (inControl && inVariant) overlap += 1;
    },
    result() {
      const smaller = Math.min(control.members, variant.members);
      const comparisons = {
        openRate: compareRates({ successes: control.countedOpens, trials: control.sends }, { successes: variant.countedOpens, trials: variant.sends }),
        clickRate: compareRates({ successes: control.countedClicks, trials: control.sends }, { successes: variant.countedClicks, trials: variant.sends }),
        conversionRate: compareRates({ successes: control.purchasers, trials: control.members }, { successes: variant.purchasers, trials: variant.members }),
        averageEngagement: compareMeans(control, variant),
      };
      const overlapShare = smaller > 0 ? overlap / smaller : null;
      return {
        report: 'segment-experiment',
        generatedAt: now.toISOString(),
        name: request.name,
        period: { from: new Date((today - days + 1) * DAY_MS).toISOString().slice(0, 10), to: now.toISOString().slice(0, 10), days },
        profilesScanned: scanned,
        groups: { control: groupOf(control), variant: groupOf(variant) },
        overlap: { members: overlap, shareOfSmallerGroup: overlapShare },
        comparisons,
        recommendation: {
          ...decide(comparisons.conversionRate),
          notes: [...sampleNote('control', control), ...sampleNote('variant', variant), ...overlapNote(overlap, overlapShare)],
        },
      };
    },
  };
}

function emptyTotals(): GroupTotals {
  return { members: 0, emailRecipients: 0, sends: 0, opens: 0, clicks: 0, countedOpens: 0, countedClicks: 0, purchasers: 0, purchases: 0, scored: 0, engagementMean: 0, engagementM2: 0 };
}

function addMember(totals: GroupTotals, profile: Profile, today: number, days: number): void {
  const count = (series: string) => countInWindow(profile.activity, series, today, days);
  const sends = count('email_send');
  const opens = count('email_open');
  const clicks = count('email_click');
  const purchases = count('purchase');
  totals.members += 1;
  totals.sends += sends;
  totals.opens += opens;
  totals.clicks += clicks;
  totals.countedOpens += Math.min(opens, sends);
  totals.countedClicks += Math.min(clicks, sends);
  totals.purchases += purchases;
  if (sends > 0) totals.emailRecipients += 1;
  if (purchases > 0) totals.purchasers += 1;
  const score = profile.scores.engagement;
  if (score !== undefined && Number.isFinite(score)) {
    // Welford's update: a numerically stable variance in one pass without keeping the scores.
    totals.scored += 1;
    const delta = score - totals.engagementMean;
    totals.engagementMean += delta / totals.scored;
    totals.engagementM2 += delta * (score - totals.engagementMean);
  }
}

function groupOf(totals: GroupTotals): ExperimentGroup {
  const { members, emailRecipients, sends, opens, clicks, purchasers, purchases, scored } = totals;
  return { members, emailRecipients, sends, opens, clicks, purchasers, purchases, averageEngagement: scored > 0 ? totals.engagementMean : null, scoredMembers: scored };
}

function compareRates(control: Proportion, variant: Proportion): RateComparison {
  const { rateA, rateB, ...test } = twoProportionZTest(control, variant);
  return { control: { ...control, rate: rateA }, variant: { ...variant, rate: rateB }, ...test };
}

function compareMeans(control: GroupTotals, variant: GroupTotals): MeanComparison {
  const summary = (t: GroupTotals) => ({ n: t.scored, mean: t.engagementMean, variance: t.scored > 1 ? t.engagementM2 / (t.scored - 1) : 0 });
  const { meanA, meanB, ...test } = meanDifference(summary(control), summary(variant));
  return { control: { n: control.scored, mean: meanA }, variant: { n: variant.scored, mean: meanB }, ...test };
}

// --- recommendation -------------------------------------------------------------------------------

/** Conversion decides, as in any A/B test of who to target: opens and clicks are only early signals. */
function decide(conversion: RateComparison): { decision: ExperimentDecision; message: string } {
  const evidence = conversionEvidence(conversion);
  if (conversion.significant && conversion.difference !== null && conversion.difference > 0) {
    return { decision: 'adopt_variant', message: `Adopt the variant's criteria: its members convert significantly better (${evidence}).` };
  }
  if (conversion.significant && conversion.difference !== null && conversion.difference < 0) {
    return { decision: 'keep_control', message: `Keep the control: the variant's members convert significantly worse (${evidence}).` };
  }
  return { decision: 'inconclusive', message: `No significant difference: keep the control or run longer (${evidence}).` };
}

function conversionEvidence({ control, variant, lift, pValue, reason }: RateComparison): string {
  if (control.rate === null || variant.rate === null) return 'a group has no members to compare';
  const rates = `conversion ${percent(variant.rate)} for the variant against ${percent(control.rate)} for the control`;
  if (reason === 'no_variance') return `${rates}: no difference to test`;
  const liftText = lift === null ? '' : `, lift ${lift >= 0 ? '+' : '−'}${percent(Math.abs(lift))}`;
  return `${rates}${liftText}, ${pValue === null ? 'untested' : pValue < 0.001 ? 'p < 0.001' : `p = ${pValue.toFixed(3)}`}`;
}

function sampleNote(group: 'control' | 'variant', totals: GroupTotals): string[] {
  const short = [
    ...(totals.members < MIN_GROUP_MEMBERS ? [`${totals.members} members`] : []),
    ...(totals.sends < MIN_GROUP_SENDS ? [`${totals.sends} emails sent`] : []),
  ];
  if (short.length === 0) return [];
  return [
    `The ${group} group is small (${short.join(', ')}; at least ${MIN_GROUP_MEMBERS} members and ${MIN_GROUP_SENDS} sends are needed for reliable rates): ` +
      'run the experiment over a longer period or broaden the criteria before acting on it.',
  ];
}

function overlapNote(overlap: number, share: number | null): string[] {
  if (share === null || share <= MAX_OVERLAP_SHARE) return [];
  return [
    `${overlap} customers (${percent(share)} of the smaller group) match both definitions: the two barely differ, ` +
      'so the comparison says little. Make the variant criteria more distinct from the control.',
  ];
}
