import * as z from 'zod';
import { ConditionGroup, conditionsOf, evaluateConditionGroup, type ConditionResult, type ConditionScope } from './conditions.ts';
import type { Profile } from './profile.ts';
import type { ProfileFacts } from './profile-facts.ts';
import type { TriggerRef } from './rule-timer.ts';
import { SuccessMetrics, successMetricIssues } from './success-metrics.ts';

const SNAKE_ID = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const SnakeId = z.string().regex(SNAKE_ID, 'must be snake_case, e.g. cart_abandon');
/** Nudge's own model events (PutEvents DetailType, PascalCase): ChurnRiskChanged, PurchaseIntentChanged. */
const ModelEventType = z.string().regex(/^[A-Z][A-Za-z0-9]*Changed$/, 'must be a model event type, e.g. ChurnRiskChanged');

/** Longest window a temporal or composite trigger may watch: the profile's lastSeen covers any window, the schedules do not care. */
export const MAX_TRIGGER_WINDOW_HOURS = 24 * 30;
const WindowHours = z.number().positive().max(MAX_TRIGGER_WINDOW_HOURS);

/**
 * What starts a rule's evaluation:
 * - behavioral: a behavior event of `eventType`;
 * - contextual: the same, but the rule's conditions must look at the event's context (device, time
 *   zone, geography), see CONTEXT_FIELDS;
 * - temporal `absence`: `eventType` followed by none of `absentEventTypes` within `withinHours`
 *   (a one-time schedule checks when the window ends);
 * - temporal `inactivity`: no activity for `days` (checked by the daily sweep, once per idle streak);
 * - temporal `anniversary`: the yearly anniversary of signup or the first purchase (daily sweep);
 * - predictive: a model event (`ChurnRiskChanged`, ...) crossing a threshold;
 * - composite: every one of `eventTypes` within `withinHours`, fired by whichever comes last;
 * - segment: the customer entered (or left) a segment (document 001's campaigns for newly entered
 *   segments): any segment, or one of `segmentIds`. Conditions read the segment's
 *   `event.properties.segmentId`, `.matchScore` (0..1) and `.priority` (critical, high, medium, low;
 *   absent when the segment has none).
 */
export const RuleTrigger = z.discriminatedUnion('type', [
  z.object({ type: z.literal('behavioral'), eventType: SnakeId }).strict(),
  z.object({ type: z.literal('contextual'), eventType: SnakeId }).strict(),
  z.discriminatedUnion('kind', [
    z
      .object({
        type: z.literal('temporal'),
        kind: z.literal('absence'),
        eventType: SnakeId,
        absentEventTypes: z.array(SnakeId).min(1).max(5),
        withinHours: WindowHours,
      })
      .strict(),
    z.object({ type: z.literal('temporal'), kind: z.literal('inactivity'), days: z.number().int().min(1).max(3650) }).strict(),
    z.object({ type: z.literal('temporal'), kind: z.literal('anniversary'), of: z.enum(['signup', 'first_purchase']) }).strict(),
  ]),
  z.object({ type: z.literal('predictive'), eventType: ModelEventType }).strict(),
  z
    .object({ type: z.literal('segment'), on: z.enum(['entered', 'exited']), segmentIds: z.array(SnakeId).min(1).max(50).optional() })
    .strict(),
  z
    .object({ type: z.literal('composite'), eventTypes: z.array(SnakeId).min(2).max(5), withinHours: WindowHours })
    .strict()
    .refine((t) => new Set(t.eventTypes).size === t.eventTypes.length, 'composite eventTypes must be distinct'),
]);
export type RuleTrigger = z.infer<typeof RuleTrigger>;

/** The bus detail-type of each segment trigger (the events profile evaluation publishes). */
export const SEGMENT_EVENT_TYPES = { entered: 'SegmentEntered', exited: 'SegmentExited' } as const;

/** Event fields that make a condition "contextual". */
export const CONTEXT_FIELDS: readonly string[] = [
  'event.device',
  'event.sessionId',
  'event.properties.timezone',
  'event.properties.country',
  'event.properties.region',
  'event.properties.city',
  'event.properties.locale',
  'event.properties.platform',
];

/**
 * When the email leaves. Quiet hours (catalog setting, customer's time zone) apply to every
 * non-transactional policy and move a send to their end.
 * - optimal (document 000; every shipped rule that does not opt out): the customer's preferred contact time (identify's
 *   `preferredContactTime`), else their learned open hour, else the catalog's default hour (10:00)
 *   on the next business day; the next such time strictly after now, in the customer's zone;
 * - immediate: as soon as decided (the opt-out, e.g. service mail);
 * - preferred_hour: the customer's most frequent open hour (from their opens; the catalog's default
 *   hour until there are enough), on the next business day at or after now;
 * - delay: a fixed delay after the decision.
 */
export const SendTimePolicy = z.discriminatedUnion('policy', [
  z.object({ policy: z.literal('optimal') }).strict(),
  z.object({ policy: z.literal('immediate') }).strict(),
  z.object({ policy: z.literal('preferred_hour') }).strict(),
  z.object({ policy: z.literal('delay'), minutes: z.number().int().positive().max(60 * 24 * 30) }).strict(),
]);
export type SendTimePolicy = z.infer<typeof SendTimePolicy>;

/** A rule's success metrics, optionally with targets (success-metrics.ts): exported here too, where rules are defined. */
export { SuccessMetric, SuccessMetricSpec } from './success-metrics.ts';

/** What an automatic winner is judged on: a rate per delivered email, or revenue per send. */
export const ExperimentMetric = z.enum(['open_rate', 'click_rate', 'conversion_rate', 'revenue_per_send']);
export type ExperimentMetric = z.infer<typeof ExperimentMetric>;

/**
 * One arm of a content or send-time experiment: each override replaces the rule's (or step's)
 * own value for the customers assigned to it; a variant without overrides is the plain email.
 * `subject` and `preheader` are Liquid, like a template's.
 */
export const ExperimentVariant = z
  .object({
    id: SnakeId,
    /** Relative share of the treated customers (the holdout is set aside first). */
    weight: z.number().positive('weights must be positive').finite().default(1),
    subject: z.string().min(1).max(400).optional(),
    preheader: z.string().max(400).optional(),
    templateId: SnakeId.optional(),
    /** Item 5's send-time test: e.g. `preferred_hour` against `immediate`. */
    sendTime: SendTimePolicy.optional(),
  })
  .strict();
export type ExperimentVariant = z.infer<typeof ExperimentVariant>;

/**
 * A content or send-time experiment on a rule or sequence step: the first variant is the control
 * every other is compared with. `autoWinner`: once one variant beats every other on `metric` at
 * `confidence`, each with at least `minSendsPerVariant` sends, it is recorded and gets all traffic.
 */
export const Experiment = z
  .object({
    id: SnakeId,
    variants: z.array(ExperimentVariant).min(2, 'an experiment needs at least two variants').max(10),
    autoWinner: z
      .object({
        metric: ExperimentMetric,
        minSendsPerVariant: z.number().int().min(30).default(1000),
        // 0.99 by default: the check looks again every day, and each look is another chance of a false winner.
        confidence: z.number().min(0.8).max(0.999).default(0.99),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((experiment, ctx) => {
    const seen = new Set<string>();
    experiment.variants.forEach((variant, index) => {
      if (seen.has(variant.id)) ctx.addIssue({ code: 'custom', path: ['variants', index, 'id'], message: `duplicate variant id "${variant.id}" in experiment ${experiment.id}` });
      seen.add(variant.id);
    });
  });
export type Experiment = z.infer<typeof Experiment>;

/** A trigger rule of the catalog: when it matches, which email it sends, and what limits it. */
export const TriggerRule = z
  .object({
    id: z.string().regex(SNAKE_ID, 'rule ids are snake_case'),
    description: z.string().min(1),
    active: z.boolean().default(true),
    /** Higher wins when several rules match one event. */
    priority: z.number().int().min(0).max(1000),
    trigger: RuleTrigger,
    conditions: ConditionGroup.optional(),
    /** Hours during which the rule cannot fire again for the same customer (a TTL claim item). */
    cooldownHours: z.number().positive().optional(),
    /** Sends of this rule per customer: `count` per `periodHours` (a sliding window), or ever when no period. */
    maxSends: z
      .object({ count: z.number().int().positive().max(100), periodHours: z.number().positive().optional() })
      .strict()
      .optional(),
    /** When a higher-priority rule wins the same event: drop this one, or defer it and decide again after `deferHours`. */
    onConflict: z
      .discriminatedUnion('action', [
        z.object({ action: z.literal('drop') }).strict(),
        z.object({ action: z.literal('defer'), deferHours: z.number().positive().max(24 * 14) }).strict(),
      ])
      .default({ action: 'drop' }),
    /** Shipped rules all set `optimal` (document 000) unless they opt out; the schema's default stays `immediate` for now. */
    sendTime: SendTimePolicy.default({ policy: 'immediate' }),
    /** The email it sends; a rule either sends a template or starts a sequence. */
    templateId: z.string().regex(SNAKE_ID).optional(),
    /**
     * Instead of one email, start this nurture sequence for the customer (its steps then go through
     * the decision path one by one). Caps and holdout apply to the start; cooldown and `maxSends`
     * count starts, and the global marketing cap counts the step emails, not the start.
     */
    startSequence: z.string().regex(SNAKE_ID).optional(),
    /** The subscription category the email belongs to; consent is checked against it (always, transactional too). */
    category: z.string().regex(SNAKE_ID).default('marketing'),
    /** Transactional mail bypasses the global marketing cap, priority conflicts, quiet hours and promotional pauses; never consent. */
    transactional: z.boolean().default(false),
    /** Share of matching customers (0-50 %) kept as a control group: nothing is sent, "would have sent" is recorded. */
    holdoutPercent: z.number().min(0).max(50).default(0),
    /** Incrementality: this rule's conversion window from the decision, in hours (default: settings.incrementalityWindowHours). */
    conversionWindowHours: z.number().positive().max(24 * 90).optional(),
    /**
     * What counts as this rule's success: the trigger-performance report shows each for the rule
     * (count and rate per delivered email) and, for one with a target (`{ metric, target }`, a rate
     * per delivered email), a pass / fail / insufficient_data verdict. Only what Nudge attributes to a
     * send can be named.
     */
    successMetrics: SuccessMetrics,
    /** A content or send-time experiment: the treated customers are split between its variants. */
    experiment: Experiment.optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if ((rule.templateId === undefined) === (rule.startSequence === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['templateId'], message: `rule ${rule.id} needs exactly one of templateId (send an email) or startSequence (start a sequence)` });
    }
    if (rule.startSequence !== undefined && rule.transactional) {
      ctx.addIssue({ code: 'custom', path: ['transactional'], message: 'a rule that starts a sequence cannot be transactional: sequences are nurture mail' });
    }
    if (rule.trigger.type === 'contextual') {
      const fields = rule.conditions ? conditionsOf(rule.conditions).map((leaf) => leaf.condition.field) : [];
      if (!fields.some((field) => CONTEXT_FIELDS.includes(field))) {
        ctx.addIssue({
          code: 'custom',
          path: ['conditions'],
          message: `a contextual rule needs a condition on the event's context (one of ${CONTEXT_FIELDS.join(', ')})`,
        });
      }
    }
    if (rule.experiment !== undefined && rule.startSequence !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['experiment'], message: `rule ${rule.id} starts a sequence: put the experiment on the sequence's steps, which send the emails` });
    }
    if (rule.trigger.type === 'temporal' && rule.trigger.kind === 'absence' && rule.trigger.absentEventTypes.includes(rule.trigger.eventType)) {
      ctx.addIssue({ code: 'custom', path: ['trigger', 'absentEventTypes'], message: 'an absence trigger cannot wait for the absence of its own event type' });
    }
    for (const issue of successMetricIssues(rule.successMetrics, `rule ${rule.id}`)) ctx.addIssue({ code: 'custom', ...issue });
  });
export type TriggerRule = z.infer<typeof TriggerRule>;
export type TriggerRuleInput = z.input<typeof TriggerRule>;

export type RuleMatch = { rule: TriggerRule; conditions: ConditionResult[] };

/** What a rule's conditions are evaluated against: the triggering event (or timer's event) and the profile. */
export type RuleScope = { event: TriggerRef | Record<string, unknown>; profile: Profile; facts?: ProfileFacts | undefined };

/** The condition scope of a rule or sequence: `calculated.<metric>` reads the facts when given. */
export function conditionScope({ event, profile, facts }: RuleScope): ConditionScope {
  return { event, profile, ...(facts ? { calculated: (metric: string) => facts.metric(metric) } : {}) };
}

/** A rule's conditions against a scope: the match with every condition's expected and actual value, or undefined. */
export function evaluateRule(rule: TriggerRule, scope: RuleScope): RuleMatch | undefined {
  if (!rule.conditions) return { rule, conditions: [] };
  const { passed, results } = evaluateConditionGroup(rule.conditions, conditionScope(scope));
  return passed ? { rule, conditions: results } : undefined;
}

/**
 * The event-started rules (behavioral, contextual, predictive, composite, segment) that this event
 * triggers and whose conditions match, highest priority first. `profile` is the profile after the
 * event; `facts` answers `calculated.<metric>` fields.
 */
export function matchRules(
  rules: readonly TriggerRule[],
  event: TriggerRef | (Record<string, unknown> & { type: string; occurredAt: string }),
  profile: Profile,
  facts?: ProfileFacts,
): RuleMatch[] {
  const matches: RuleMatch[] = [];
  for (const rule of rules) {
    if (!rule.active || !isTriggeredBy(rule.trigger, event, profile)) continue;
    const match = evaluateRule(rule, { event, profile, facts });
    if (match) matches.push(match);
  }
  return matches.sort((a, b) => b.rule.priority - a.rule.priority);
}

function isTriggeredBy(trigger: RuleTrigger, event: { type: string; occurredAt: string }, profile: Profile): boolean {
  switch (trigger.type) {
    case 'behavioral':
    case 'contextual':
    case 'predictive':
      return trigger.eventType === event.type;
    case 'composite':
      return trigger.eventTypes.includes(event.type) && compositeComplete(trigger, event, profile);
    case 'segment': {
      if (event.type !== SEGMENT_EVENT_TYPES[trigger.on]) return false;
      const properties = (event as { properties?: unknown }).properties;
      const segmentId = typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>).segmentId : undefined;
      return trigger.segmentIds === undefined || (typeof segmentId === 'string' && trigger.segmentIds.includes(segmentId));
    }
    case 'temporal':
      return false;
  }
}

/**
 * Every other event type of the composite was seen within the window before this event. The
 * profile's lastSeen holds each type's latest occurrence (the catalog asks for these types).
 */
function compositeComplete(trigger: Extract<RuleTrigger, { type: 'composite' }>, event: { type: string; occurredAt: string }, profile: Profile): boolean {
  const at = Date.parse(event.occurredAt) / 1000;
  const from = at - trigger.withinHours * 3600;
  return trigger.eventTypes.every((type) => {
    if (type === event.type) return true;
    const seen = profile.lastSeen[type];
    return seen !== undefined && seen >= from && seen <= at;
  });
}

/** The event types whose latest occurrence profiles must keep for these rules (absence and composite triggers). */
export function lastSeenTypesFor(rules: readonly TriggerRule[]): ReadonlySet<string> {
  const types = new Set<string>();
  for (const { trigger } of rules) {
    if (trigger.type === 'composite') trigger.eventTypes.forEach((type) => types.add(type));
    if (trigger.type === 'temporal' && trigger.kind === 'absence') [trigger.eventType, ...trigger.absentEventTypes].forEach((type) => types.add(type));
  }
  return types;
}
