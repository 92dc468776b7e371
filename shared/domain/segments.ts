import * as z from 'zod';
import { MAX_WINDOW_DAYS, METRIC_NAMES, windowTooLong, type FactValue, type ProfileFacts } from './profile-facts.ts';
import type { LifecycleStage } from './lifecycle.ts';
import { round4, type ScoringModel } from './scoring.ts';

/**
 * Segments: named groups a customer is in or not, recomputed from their facts. Every evaluation
 * lists each check with the value it read, so membership can be explained ("nudge why-segment"),
 * and carries a 0..1 match score that says how clearly the customer qualifies (or how close they are).
 */

const SNAKE_ID = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const SnakeId = z.string().regex(SNAKE_ID, 'must be snake_case');
/** Document 002's criteria count over 30 days unless they say otherwise (not the longest window the profile keeps). */
const DEFAULT_CRITERION_WINDOW_DAYS = 30;
/** Up to MAX_WINDOW_DAYS, checked where the segment's id can be named (CriteriaSegment). */
const WindowDays = z.number().int().min(1);

// --- metric conditions (shared with lifecycle stages) ---------------------------------------

export const ComparisonOp = z.enum(['>=', '<=', '==', '>', '<', '!=']);
export type ComparisonOp = z.infer<typeof ComparisonOp>;
const ORDERING_OPS: ReadonlySet<ComparisonOp> = new Set(['>=', '<=', '>', '<']);

/** A named metric compared with a value. A metric without a value (null/undefined) fails every operator, `!=` included. */
export const MetricCondition = z
  .object({ metric: SnakeId, op: ComparisonOp, value: z.union([z.number(), z.boolean(), z.string()]) })
  .strict()
  .superRefine((condition, ctx) => {
    if (ORDERING_OPS.has(condition.op) && (typeof condition.value !== 'number' || !Number.isFinite(condition.value))) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `operator ${condition.op} needs a finite number` });
    }
  });
export type MetricCondition = z.infer<typeof MetricCondition>;

export type MetricConditionGroup = { all: MetricConditionNode[] } | { any: MetricConditionNode[] };
export type MetricConditionNode = MetricCondition | MetricConditionGroup;

/** `{ all: [...] }` or `{ any: [...] }`, nestable, for lifecycle entry and exit conditions. */
export const MetricConditionGroup: z.ZodType<MetricConditionGroup, MetricConditionGroup> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(MetricConditionNode).min(1) }).strict(),
    z.object({ any: z.array(MetricConditionNode).min(1) }).strict(),
  ]),
);
export const MetricConditionNode: z.ZodType<MetricConditionNode, MetricConditionNode> = z.lazy(() =>
  z.union([MetricCondition, MetricConditionGroup]),
);

/** One check of a segment or stage with the value it read. Shaped like the trigger rules' ConditionResult. */
export type SegmentConditionResult = {
  /** Human-readable, e.g. "email_opens_30d >= 10" or "page_view events in the last 30 days >= 10". */
  description: string;
  /** The metric read (behavioral, family and stage conditions, metric-based criteria). */
  metric?: string;
  /** The criterion type for criteria segments; `band_order` for a family band's "no earlier band matched". */
  criterion?: string;
  op: ComparisonOp;
  expected: number | boolean | string | null;
  actual: FactValue | undefined;
  passed: boolean;
  /** How close the customer is to the check, 0..1 (document 001's formula, see {@link conditionStrength}). */
  strength: number;
};

export function evaluateMetricCondition(condition: MetricCondition, facts: ProfileFacts): SegmentConditionResult {
  const actual = facts.metric(condition.metric);
  return {
    description: `${condition.metric} ${condition.op} ${String(condition.value)}`,
    metric: condition.metric,
    ...check(condition.op, actual, condition.value),
  };
}

/**
 * Evaluates every condition (no short-circuit, so the explanation lists them all). Strength of a
 * group: the mean of its children for `all`, the best child for `any`.
 */
export function evaluateMetricConditionGroup(
  group: MetricConditionGroup,
  facts: ProfileFacts,
): { passed: boolean; strength: number; results: SegmentConditionResult[] } {
  const results: SegmentConditionResult[] = [];
  const { passed, strength } = evaluateNode(group, facts, results);
  return { passed, strength: round4(strength), results };
}

function evaluateNode(
  node: MetricConditionNode,
  facts: ProfileFacts,
  results: SegmentConditionResult[],
): { passed: boolean; strength: number } {
  if ('all' in node || 'any' in node) {
    const children = ('all' in node ? node.all : node.any).map((child) => evaluateNode(child, facts, results));
    const strengths = children.map((child) => child.strength);
    return 'all' in node
      ? { passed: children.every((c) => c.passed), strength: mean(strengths) }
      : { passed: children.some((c) => c.passed), strength: Math.max(...strengths) };
  }
  const result = evaluateMetricCondition(node, facts);
  results.push(result);
  return result;
}

/**
 * Document 001's strength of one condition, 0..1, whether it holds or not (how close the customer is):
 * `>=`/`>`: min(1, value / threshold); `<=`/`<`: 1 at or below the threshold, else threshold / value;
 * `==`: 1 when equal, else 0. A metric without a value counts as 0 (a boolean as 0/1, as the document
 * compares them). Where the document's formula divides by zero (`> 0`), or would go negative, Nudge
 * gives 1 for a holding check and 0 otherwise. `!=` (not in the document): 1 when it holds.
 */
export function conditionStrength(op: ComparisonOp, actual: FactValue | undefined, expected: number | boolean | string): number {
  const value = comparable(actual ?? 0);
  const threshold = comparable(expected);
  if (op === '==') return value === threshold ? 1 : 0;
  if (op === '!=') return actual !== null && actual !== undefined && actual !== expected ? 1 : 0;
  if (typeof value !== 'number' || typeof threshold !== 'number') return 0;
  const holds = op === '>=' ? value >= threshold : op === '>' ? value > threshold : op === '<=' ? value <= threshold : value < threshold;
  if (op === '>=' || op === '>') {
    return threshold > 0 ? round4(clamp01(value / threshold)) : holds ? 1 : 0;
  }
  if (value <= threshold) return 1;
  return threshold > 0 ? round4(clamp01(threshold / value)) : holds ? 1 : 0;
}

/** Booleans as 0/1, as the document's comparisons treat them (a missing flag is 0, i.e. false). */
function comparable(value: number | boolean | string): number | string {
  return typeof value === 'boolean' ? Number(value) : value;
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** Facts whose metrics without a value read 0 (document 001's `get(metric, 0)`). */
function missingAsZero(facts: ProfileFacts): ProfileFacts {
  return { ...facts, metric: (name) => facts.metric(name) ?? 0 };
}

/**
 * Whether a check holds (a metric without a value fails every operator, so "never clicked" is not
 * "clicked 0 days ago"), and its strength (see {@link conditionStrength}).
 */
function check(
  op: ComparisonOp,
  actual: FactValue | undefined,
  expected: number | boolean | string,
): Pick<SegmentConditionResult, 'op' | 'expected' | 'actual' | 'passed' | 'strength'> {
  const strength = conditionStrength(op, actual, expected);
  if (actual === null || actual === undefined) return { op, expected, actual, passed: false, strength };
  if (op === '==' || op === '!=') {
    // A boolean metric read as 0 (missingMetrics: zero) equals false, as in the document.
    const equal = comparable(actual) === comparable(expected);
    const passed = op === '==' ? equal : !equal;
    return { op, expected, actual, passed, strength };
  }
  if (typeof actual !== 'number' || typeof expected !== 'number') return { op, expected, actual, passed: false, strength: 0 };
  const passed =
    op === '>=' ? actual >= expected : op === '<=' ? actual <= expected : op === '>' ? actual > expected : actual < expected;
  return { op, expected, actual, passed, strength };
}

// --- definitions ----------------------------------------------------------------------------

export const SegmentPriority = z.enum(['critical', 'high', 'medium', 'low']);
export type SegmentPriority = z.infer<typeof SegmentPriority>;

/**
 * When a segment is re-evaluated: `real_time` on each of the customer's events; `daily` also by the
 * daily sweep, needed when membership can change with time alone (days_since_*, 30-day windows).
 * When omitted it is derived from what the segment reads (see {@link segmentFrequency}).
 */
export const SegmentFrequency = z.enum(['real_time', 'daily']);
export type SegmentFrequency = z.infer<typeof SegmentFrequency>;

const RecommendedActions = z.array(z.string().min(1)).default([]);

const segmentFields = {
  id: SnakeId,
  description: z.string().min(1),
  priority: SegmentPriority.optional(),
  recommendedActions: RecommendedActions,
  frequency: SegmentFrequency.optional(),
};

/** Every condition must hold; the match score is the mean strength of the conditions. */
export const BehavioralSegment = z
  .object({
    kind: z.literal('behavioral'),
    ...segmentFields,
    conditions: z.array(MetricCondition).min(1),
    /**
     * A metric without a value: `fail` (Nudge's, also when omitted: "never clicked" is not "clicked 0 days ago",
     * "never rated" is not "rated 0") or `zero`, document 001's rule, which reads it as 0 for
     * membership too (a customer who never rated support passes "satisfaction <= 3").
     */
    missingMetrics: z.enum(['fail', 'zero']).optional(),
  })
  .strict();
export type BehavioralSegment = z.infer<typeof BehavioralSegment>;

const NonNegativeInt = z.number().int().min(0);

export const EventCountCriterion = z
  .object({ type: z.literal('event_count'), eventType: SnakeId, windowDays: WindowDays, min: NonNegativeInt.optional(), max: NonNegativeInt.optional() })
  .strict()
  .refine((c) => c.min !== undefined || c.max !== undefined, 'event_count needs min or max')
  .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, 'min must not exceed max');

/** Reads the metric `engagement_score` (the primary scoring model's value). */
export const EngagementScoreCriterion = z
  .object({ type: z.literal('engagement_score'), min: z.number().min(0).max(1).optional(), max: z.number().min(0).max(1).optional() })
  .strict()
  .refine((c) => c.min !== undefined || c.max !== undefined, 'engagement_score needs min or max');

/** Reads `days_since_last_activity`; a customer never active fails it. */
export const LastActivityCriterion = z.object({ type: z.literal('last_activity'), maxDaysAgo: z.number().min(0) }).strict();

/** Reads `purchase_count` and `lifetime_value`; a missing value counts as 0 (nothing bought). */
export const PurchaseHistoryCriterion = z
  .object({
    type: z.literal('purchase_history'),
    hasPurchased: z.boolean().optional(),
    minCount: z.number().int().min(1).optional(),
    minTotal: z.number().positive().optional(),
  })
  .strict()
  .refine((c) => c.hasPurchased !== undefined || c.minCount !== undefined || c.minTotal !== undefined, 'purchase_history needs hasPurchased, minCount or minTotal')
  .refine((c) => c.hasPurchased !== false || (c.minCount === undefined && c.minTotal === undefined), 'hasPurchased false contradicts minCount/minTotal');

/** Reads the customer's share of interactions in `category`. */
export const ContentPreferenceCriterion = z
  .object({ type: z.literal('content_preference'), category: z.string().min(1), minRatio: z.number().gt(0).max(1) })
  .strict();

/**
 * The channels a customer uses, by the event types that show it (document 002's channel_preference
 * criterion; the document names the type and gives no rule, so this is Nudge's: the channel's share
 * of the customer's events of all three channels over the window).
 */
export const CHANNEL_EVENT_TYPES = {
  email: ['email_open', 'email_click'],
  web: ['page_view', 'product_view', 'search', 'cart_add'],
  app: ['app_session'],
} as const;
export const Channel = z.enum(['email', 'web', 'app']);
export type Channel = z.infer<typeof Channel>;

/** Reads the share of the customer's email, web and app events of the window that were on `channel`. */
export const ChannelPreferenceCriterion = z
  .object({ type: z.literal('channel_preference'), channel: Channel, minShare: z.number().gt(0).max(1), windowDays: WindowDays.default(DEFAULT_CRITERION_WINDOW_DAYS) })
  .strict();

export const SegmentCriterion = z.discriminatedUnion('type', [
  EventCountCriterion,
  EngagementScoreCriterion,
  LastActivityCriterion,
  PurchaseHistoryCriterion,
  ContentPreferenceCriterion,
  ChannelPreferenceCriterion,
]);
export type SegmentCriterion = z.infer<typeof SegmentCriterion>;

/** Every criterion must hold; the match score is the mean strength of the checks they expand to. */
export const CriteriaSegment = z
  .object({ kind: z.literal('criteria'), ...segmentFields, criteria: z.array(SegmentCriterion).min(1) })
  .strict()
  .superRefine((segment, ctx) => {
    segment.criteria.forEach((criterion, i) => {
      if (criterion.type === 'event_count' && criterion.windowDays > MAX_WINDOW_DAYS) {
        ctx.addIssue({ code: 'custom', path: ['criteria', i, 'windowDays'], message: windowTooLong(`segment ${segment.id}`, criterion.windowDays) });
      }
    });
  });
export type CriteriaSegment = z.infer<typeof CriteriaSegment>;

/**
 * One band of a family. Its conditions are `metric >= min`, `metric <= max` and `when`, all of which
 * must hold; a band with none of them is the catch-all, and only the last band may (and must) be one.
 */
export const FamilyBand = z
  .object({
    segment: SnakeId,
    description: z.string().min(1).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    when: z.array(MetricCondition).min(1).optional(),
    priority: SegmentPriority.optional(),
    recommendedActions: RecommendedActions,
  })
  .strict();
export type FamilyBand = z.infer<typeof FamilyBand>;

/** Mutually exclusive segments: the first band (in order) whose conditions hold, else the catch-all. */
export const SegmentFamily = z
  .object({
    kind: z.literal('family'),
    id: SnakeId,
    description: z.string().min(1),
    /** The metric `min`/`max` bands compare; bands using only `when` do not need it. */
    metric: SnakeId.optional(),
    bands: z.array(FamilyBand).min(2),
    frequency: SegmentFrequency.optional(),
  })
  .strict()
  .superRefine((family, ctx) => {
    family.bands.forEach((band, index) => {
      const last = index === family.bands.length - 1;
      if ((band.min !== undefined || band.max !== undefined) && family.metric === undefined) {
        ctx.addIssue({ code: 'custom', path: ['bands', index], message: `band ${band.segment} uses min/max but the family has no metric` });
      }
      if (isCatchAll(band) && !last) {
        ctx.addIssue({ code: 'custom', path: ['bands', index], message: `band ${band.segment} has no condition: only the last band may be the catch-all` });
      }
      if (!isCatchAll(band) && last) {
        ctx.addIssue({ code: 'custom', path: ['bands', index], message: `the last band (${band.segment}) must be a catch-all without conditions` });
      }
    });
  });
export type SegmentFamily = z.infer<typeof SegmentFamily>;

export const SegmentDefinition = z.discriminatedUnion('kind', [BehavioralSegment, CriteriaSegment, SegmentFamily]);
export type SegmentDefinition = z.infer<typeof SegmentDefinition>;
export type SegmentDefinitionInput = z.input<typeof SegmentDefinition>;

function isCatchAll(band: FamilyBand): boolean {
  return band.min === undefined && band.max === undefined && band.when === undefined;
}

// --- evaluation -----------------------------------------------------------------------------

export type SegmentEvaluation = {
  segmentId: string;
  /** The definition it comes from: the segment id itself, or the family id for a band. */
  definitionId: string;
  kind: SegmentDefinition['kind'];
  member: boolean;
  /** Mean strength of `conditions` (1 when there are none), rounded to 4 decimals. */
  matchScore: number;
  conditions: SegmentConditionResult[];
  priority?: SegmentPriority;
  recommendedActions: string[];
  frequency: SegmentFrequency;
};

/** One evaluation per segment id, in definition order; a family yields one per band, exactly one a member. */
export function evaluateSegments(definitions: readonly SegmentDefinition[], facts: ProfileFacts): SegmentEvaluation[] {
  return definitions.flatMap((definition) => evaluateDefinition(definition, facts));
}

/** The evaluation of one segment (a family band included), or undefined for an id no definition has. */
export function explainSegment(
  definitions: readonly SegmentDefinition[],
  facts: ProfileFacts,
  segmentId: string,
): SegmentEvaluation | undefined {
  const definition = definitions.find((d) => segmentIdsOf(d).includes(segmentId));
  return definition && evaluateDefinition(definition, facts).find((e) => e.segmentId === segmentId);
}

const PRIORITY_RANK: Record<SegmentPriority, number> = { critical: 3, high: 2, medium: 1, low: 0 };

/**
 * Document 001's order of a customer's segments: priority first (critical, high, medium, low; a
 * segment without a priority after low), then match score, highest first; ties keep their order.
 */
export function rankSegments<T extends { priority?: SegmentPriority | undefined; matchScore: number }>(segments: readonly T[]): T[] {
  const rank = (s: T) => (s.priority === undefined ? -1 : PRIORITY_RANK[s.priority]);
  return [...segments].sort((a, b) => rank(b) - rank(a) || b.matchScore - a.matchScore);
}

/**
 * Compares the previous membership with fresh evaluations: `entered` and `current` in document
 * 001's order ({@link rankSegments}), `exited` in the previous order. Pass the evaluations of every segment: a previous id
 * that no evaluation mentions (a segment removed from the catalog) counts as exited.
 */
export function membershipChanges(
  previous: readonly string[],
  evaluations: readonly SegmentEvaluation[],
): { entered: SegmentEvaluation[]; exited: string[]; current: string[] } {
  const before = new Set(previous);
  const members = rankSegments(evaluations.filter((e) => e.member));
  const now = new Set(members.map((e) => e.segmentId));
  return {
    entered: members.filter((e) => !before.has(e.segmentId)),
    exited: [...before].filter((id) => !now.has(id)),
    current: members.map((e) => e.segmentId),
  };
}

/** The segment ids a definition produces. */
export function segmentIdsOf(definition: SegmentDefinition): string[] {
  return definition.kind === 'family' ? definition.bands.map((band) => band.segment) : [definition.id];
}

/** The explicit frequency, else `daily` when the segment reads anything that changes with time alone. */
export function segmentFrequency(definition: SegmentDefinition): SegmentFrequency {
  return definition.frequency ?? (isTimeBased(definition) ? 'daily' : 'real_time');
}

const TIME_BASED_METRICS: ReadonlySet<string> = new Set([
  'customer_lifetime_months',
  'full_days_since_last_activity',
  'declining_engagement_trend',
  'engagement_score',
  'engagement_level',
  'interaction_score',
]);

/** Metrics whose value moves with the clock even without events (days since, windows like _30d or _24h, scores). */
export function isTimeBasedMetric(metric: string): boolean {
  return metric.startsWith('days_since_') || /_\d+[dh](_|$)/.test(metric) || TIME_BASED_METRICS.has(metric);
}

/** Whether membership can change with time alone, so the daily sweep must re-evaluate it. */
export function isTimeBased(definition: SegmentDefinition): boolean {
  switch (definition.kind) {
    case 'behavioral':
      return definition.conditions.some((c) => isTimeBasedMetric(c.metric));
    case 'criteria':
      return definition.criteria.some((c) => c.type === 'event_count' || c.type === 'last_activity' || c.type === 'engagement_score' || c.type === 'channel_preference');
    case 'family':
      return familyMetrics(definition).some(isTimeBasedMetric);
  }
}

function evaluateDefinition(definition: SegmentDefinition, facts: ProfileFacts): SegmentEvaluation[] {
  const frequency = segmentFrequency(definition);
  if (definition.kind === 'family') return evaluateFamily(definition, facts, frequency);
  const conditions =
    definition.kind === 'behavioral'
      ? definition.conditions.map((condition) => evaluateMetricCondition(condition, definition.missingMetrics === 'zero' ? missingAsZero(facts) : facts))
      : definition.criteria.flatMap((criterion) => criterionChecks(criterion, facts));
  return [
    {
      segmentId: definition.id,
      definitionId: definition.id,
      kind: definition.kind,
      member: conditions.every((c) => c.passed),
      matchScore: matchScore(conditions),
      conditions,
      ...(definition.priority !== undefined && { priority: definition.priority }),
      recommendedActions: definition.recommendedActions,
      frequency,
    },
  ];
}

/**
 * Bands in order; the first whose own conditions hold is the member. Every band after the first also
 * lists the check "no earlier band matched", so a band that would qualify but lost to an earlier one
 * (repeat_buyer when high_value_customer matched) explains itself and scores below 1.
 */
function evaluateFamily(family: SegmentFamily, facts: ProfileFacts, frequency: SegmentFrequency): SegmentEvaluation[] {
  let winner: string | undefined;
  return family.bands.map((band, index) => {
    const own = bandConditions(family, band).map((condition) => evaluateMetricCondition(condition, facts));
    const conditions = index === 0 ? own : [...own, bandOrderCheck(family.id, winner)];
    const member = winner === undefined && own.every((c) => c.passed);
    if (member) winner = band.segment;
    return {
      segmentId: band.segment,
      definitionId: family.id,
      kind: 'family' as const,
      member,
      matchScore: matchScore(conditions),
      conditions,
      ...(band.priority !== undefined && { priority: band.priority }),
      recommendedActions: band.recommendedActions,
      frequency,
    };
  });
}

function bandConditions(family: SegmentFamily, band: FamilyBand): MetricCondition[] {
  const conditions: MetricCondition[] = [];
  if (family.metric !== undefined && band.min !== undefined) conditions.push({ metric: family.metric, op: '>=', value: band.min });
  if (family.metric !== undefined && band.max !== undefined) conditions.push({ metric: family.metric, op: '<=', value: band.max });
  return [...conditions, ...(band.when ?? [])];
}

function bandOrderCheck(familyId: string, winner: string | undefined): SegmentConditionResult {
  const passed = winner === undefined;
  return {
    description: `no earlier ${familyId} band matched`,
    criterion: 'band_order',
    op: '==',
    expected: null,
    actual: winner ?? null,
    passed,
    strength: passed ? 1 : 0,
  };
}

function familyMetrics(family: SegmentFamily): string[] {
  return [...(family.metric !== undefined ? [family.metric] : []), ...family.bands.flatMap((band) => (band.when ?? []).map((c) => c.metric))];
}

/** A criterion as one check per bound it sets, each shaped like a metric condition. */
function criterionChecks(criterion: SegmentCriterion, facts: ProfileFacts): SegmentConditionResult[] {
  const checks: SegmentConditionResult[] = [];
  const add = (description: string, op: ComparisonOp, actual: FactValue | undefined, expected: number, metric?: string): void => {
    checks.push({ description, criterion: criterion.type, ...(metric !== undefined && { metric }), ...check(op, actual, expected) });
  };
  switch (criterion.type) {
    case 'event_count': {
      const count = facts.eventCount(criterion.eventType, criterion.windowDays);
      const label = `${criterion.eventType} events in the last ${criterion.windowDays} days`;
      if (criterion.min !== undefined) add(`${label} >= ${criterion.min}`, '>=', count, criterion.min);
      if (criterion.max !== undefined) add(`${label} <= ${criterion.max}`, '<=', count, criterion.max);
      break;
    }
    case 'engagement_score': {
      const score = facts.metric('engagement_score');
      if (criterion.min !== undefined) add(`engagement_score >= ${criterion.min}`, '>=', score, criterion.min, 'engagement_score');
      if (criterion.max !== undefined) add(`engagement_score <= ${criterion.max}`, '<=', score, criterion.max, 'engagement_score');
      break;
    }
    case 'last_activity':
      add(`active in the last ${criterion.maxDaysAgo} days`, '<=', facts.metric('days_since_last_activity'), criterion.maxDaysAgo, 'days_since_last_activity');
      break;
    case 'purchase_history': {
      const count = numberOrZero(facts.metric('purchase_count'));
      const total = numberOrZero(facts.metric('lifetime_value'));
      if (criterion.hasPurchased === true) add('has purchased (purchase_count >= 1)', '>=', count, 1, 'purchase_count');
      if (criterion.hasPurchased === false) add('has not purchased (purchase_count == 0)', '==', count, 0, 'purchase_count');
      if (criterion.minCount !== undefined) add(`purchase_count >= ${criterion.minCount}`, '>=', count, criterion.minCount, 'purchase_count');
      if (criterion.minTotal !== undefined) add(`lifetime_value >= ${criterion.minTotal}`, '>=', total, criterion.minTotal, 'lifetime_value');
      break;
    }
    case 'content_preference':
      add(`share of "${criterion.category}" interactions >= ${criterion.minRatio}`, '>=', facts.categoryShare(criterion.category), criterion.minRatio);
      break;
    case 'channel_preference':
      add(
        `share of ${criterion.channel} events in the last ${criterion.windowDays} days >= ${criterion.minShare}`,
        '>=',
        channelShare(facts, criterion.channel, criterion.windowDays),
        criterion.minShare,
      );
      break;
  }
  return checks;
}

/** The channel's share (0..1, rounded to 4 decimals) of the customer's events on any channel in the window; 0 without any. */
export function channelShare(facts: ProfileFacts, channel: Channel, windowDays: number): number {
  const count = (types: readonly string[]) => types.reduce((sum, type) => sum + facts.eventCount(type, windowDays), 0);
  const total = Channel.options.reduce((sum, c) => sum + count(CHANNEL_EVENT_TYPES[c]), 0);
  return total > 0 ? round4(count(CHANNEL_EVENT_TYPES[channel]) / total) : 0;
}

function numberOrZero(value: FactValue | undefined): number {
  return typeof value === 'number' ? value : 0;
}

function matchScore(conditions: readonly SegmentConditionResult[]): number {
  return conditions.length === 0 ? 1 : round4(mean(conditions.map((c) => c.strength)));
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 1 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

// --- catalog cross-checks -------------------------------------------------------------------

const KNOWN_METRICS: ReadonlySet<string> = new Set(METRIC_NAMES);

/**
 * Cross-reference problems of the segmentation part of the catalog, as human messages (empty when
 * consistent): unknown metrics, not exactly one primary scoring model, duplicate ids, progressions to
 * unknown stages, windows beyond what the profile keeps, and time-based segments marked real_time
 * (the daily sweep would skip them, so nobody would ever leave them by time alone).
 */
export function validateSegmentationCatalog(input: {
  scoringModels: readonly ScoringModel[];
  segments: readonly SegmentDefinition[];
  lifecycleStages: readonly LifecycleStage[];
}): string[] {
  const { scoringModels, segments, lifecycleStages } = input;
  const problems: string[] = [];
  const checkMetric = (metric: string, where: string): void => {
    if (!KNOWN_METRICS.has(metric)) problems.push(`${where} reads unknown metric "${metric}"`);
  };
  const checkWindow = (windowDays: number, where: string): void => {
    if (windowDays > MAX_WINDOW_DAYS) problems.push(windowTooLong(where, windowDays));
  };

  // scoring models
  problems.push(...duplicates(scoringModels.map((m) => m.id), 'scoring model id'));
  const primaries = scoringModels.filter((m) => m.primary).map((m) => m.id);
  if (primaries.length !== 1) {
    problems.push(`exactly one scoring model must be primary (found ${primaries.length}${primaries.length ? `: ${primaries.join(', ')}` : ''})`);
  }
  for (const model of scoringModels) {
    if (model.kind === 'weighted_capped') model.components.forEach((c) => checkMetric(c.metric, `scoring model ${model.id} component ${c.name}`));
    else checkWindow(model.windowDays, `scoring model ${model.id}`);
  }

  // segments
  const stageIds = new Set(lifecycleStages.map((s) => s.id));
  const segmentIds = segments.flatMap((d) => (d.kind === 'family' ? [d.id, ...segmentIdsOf(d)] : [d.id]));
  problems.push(...duplicates(segmentIds, 'segment id'));
  for (const id of segmentIds) {
    if (stageIds.has(id)) problems.push(`segment id "${id}" is also a lifecycle stage id`);
  }
  for (const definition of segments) {
    const where = `segment ${definition.id}`;
    if (definition.kind === 'behavioral') definition.conditions.forEach((c) => checkMetric(c.metric, where));
    if (definition.kind === 'family') familyMetrics(definition).forEach((metric) => checkMetric(metric, where));
    if (definition.kind === 'criteria') {
      definition.criteria.forEach((c) => {
        if (c.type === 'event_count') checkWindow(c.windowDays, where);
      });
    }
    if (definition.frequency === 'real_time' && isTimeBased(definition)) {
      problems.push(`${where} changes with time alone but is marked real_time: make it daily (or leave frequency out)`);
    }
  }

  // lifecycle stages
  problems.push(...duplicates(lifecycleStages.map((s) => s.id), 'lifecycle stage id'));
  problems.push(...duplicates(lifecycleStages.map((s) => String(s.rank)), 'lifecycle stage rank'));
  for (const stage of lifecycleStages) {
    const where = `lifecycle stage ${stage.id}`;
    [stage.entry, ...(stage.exit ? [stage.exit] : [])].forEach((group) => groupMetrics(group).forEach((metric) => checkMetric(metric, where)));
    for (const next of stage.progressions) {
      if (!stageIds.has(next)) problems.push(`${where} progresses to unknown stage "${next}"`);
      if (next === stage.id) problems.push(`${where} lists itself as a progression`);
    }
  }
  return problems;
}

function groupMetrics(node: MetricConditionNode): string[] {
  if ('all' in node) return node.all.flatMap(groupMetrics);
  if ('any' in node) return node.any.flatMap(groupMetrics);
  return [node.metric];
}

function duplicates(ids: readonly string[], what: string): string[] {
  const seen = new Set<string>();
  const reported = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) reported.add(id);
    seen.add(id);
  }
  return [...reported].map((id) => `duplicate ${what} "${id}"`);
}
