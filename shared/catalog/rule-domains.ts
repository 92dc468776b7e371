import type * as z from 'zod';
import { catalogPropertySchemas, isCatalogEventType } from '../contract/event-types.ts';
import { conditionsOf, type Condition } from '../domain/conditions.ts';
import type { InternalEvent } from '../domain/internal-events.ts';
import { Profile } from '../domain/profile.ts';
import { SegmentPriority, segmentIdsOf } from '../domain/segments.ts';
import type { TriggerRule } from '../domain/trigger-rules.ts';
import type { Catalog } from './index.ts';

/**
 * What a rule's condition field can actually hold, so a condition that no customer or event can
 * ever satisfy (`calculated.engagement_level == 'high'` when the levels are `highly_engaged`, ...)
 * is found when the catalog is checked, not by a rule that silently never fires.
 * - `values`: a closed set (enum metrics, segment and stage ids, enum event properties);
 * - `range`: a number within bounds (probabilities, match scores);
 * - `open`: any value of a known field;
 * - undefined: a field that does not exist for this rule's trigger.
 */
export type FieldDomain = { kind: 'values'; values: ReadonlyArray<string | number | boolean> } | { kind: 'range'; min: number; max: number } | { kind: 'open' };

type ModelEventType = 'ChurnRiskChanged' | 'PurchaseIntentChanged';
type DetailKeys<T extends ModelEventType> = keyof Extract<InternalEvent, { detailType: T }>['detail'];
const PROBABILITY: FieldDomain = { kind: 'range', min: 0, max: 1 };
const OPEN: FieldDomain = { kind: 'open' };

/** The properties of Nudge's model events as predictive rules read them (typed against InternalEvent, so a renamed field fails to compile). */
const MODEL_EVENT_PROPERTIES: { [T in ModelEventType]: Record<DetailKeys<T>, FieldDomain> } = {
  ChurnRiskChanged: { customerId: OPEN, probability: PROBABILITY, previousProbability: PROBABILITY, modelId: OPEN, at: OPEN, transitionId: OPEN },
  PurchaseIntentChanged: { customerId: OPEN, probability: PROBABILITY, previousProbability: PROBABILITY, modelId: OPEN, interests: OPEN, at: OPEN, transitionId: OPEN },
};

/** The enum metrics of the scheduled scoring (profile.predictions: churn risk, value potential, next purchase). */
const PREDICTED_SEGMENT_METRICS: Record<string, readonly string[]> = {
  churn_risk_segment: ['high', 'medium', 'low'],
  value_potential_segment: ['high', 'medium', 'low'],
  next_purchase_segment: ['imminent', 'near_term', 'long_term_nurture'],
};

/** Envelope fields every event-started rule may read. */
const ENVELOPE_FIELDS = new Set(['type', 'eventId', 'occurredAt', 'customerId', 'source', 'device', 'sessionId', 'email']);

/** The domain of one condition field for one rule, from the catalog and the event contract. */
export function fieldDomain(catalog: Pick<Catalog, 'segments' | 'lifecycleStages' | 'scoringModels'>, rule: TriggerRule, field: string): FieldDomain | undefined {
  const [root, ...path] = field.split('.');
  const levels = [...new Set(catalog.scoringModels.flatMap((model) => (model.levels ?? []).map((level) => level.level)))];
  const segmentIds = catalog.segments.flatMap(segmentIdsOf);
  if (root === 'calculated') {
    if (path[0] === 'engagement_level') return { kind: 'values', values: levels };
    if (path[0] === 'lifecycle_stage') return { kind: 'values', values: catalog.lifecycleStages.map((stage) => stage.id) };
    const predicted = PREDICTED_SEGMENT_METRICS[path[0] ?? ''];
    if (predicted) return { kind: 'values', values: predicted };
    if (path[0] === 'predicted_churn_probability' || path[0] === 'predicted_purchase_intent') return PROBABILITY;
    return OPEN; // numeric and boolean metrics: the catalog already refuses names that are not metrics
  }
  if (root === 'profile') {
    if (path[0] === 'segments') return path.length === 2 && segmentIds.includes(path[1]!) ? OPEN : undefined;
    if (path[0] === 'lifecycleStage') return { kind: 'values', values: catalog.lifecycleStages.map((stage) => stage.id) };
    if (path[0] === 'engagementLevel') return { kind: 'values', values: levels };
    return path[0] !== undefined && path[0] in Profile.shape ? OPEN : undefined;
  }
  if (root !== 'event') return undefined;
  if (path.length === 1 && ENVELOPE_FIELDS.has(path[0]!)) return OPEN;
  if (path[0] !== 'properties' || path.length < 2) return undefined;
  const name = path[1]!;
  const domains = eventTypesOf(rule).map((type) => propertyDomain(type, name, segmentIds));
  // A composite or absence rule reads whichever of its events fired it: one that can hold the field is enough.
  const known = domains.filter((domain): domain is FieldDomain => domain !== undefined);
  if (known.length === 0) return undefined;
  return path.length > 2 ? OPEN : known[0];
}

function eventTypesOf(rule: TriggerRule): string[] {
  const { trigger } = rule;
  switch (trigger.type) {
    case 'behavioral':
    case 'contextual':
    case 'predictive':
      return [trigger.eventType];
    case 'composite':
      return trigger.eventTypes;
    case 'segment':
      return [trigger.on === 'entered' ? 'SegmentEntered' : 'SegmentExited'];
    case 'temporal':
      return trigger.kind === 'absence' ? [trigger.eventType] : [];
  }
}

function propertyDomain(type: string, name: string, segmentIds: readonly string[]): FieldDomain | undefined {
  if (type === 'SegmentEntered' || type === 'SegmentExited') {
    const segment: Record<string, FieldDomain> = {
      segmentId: { kind: 'values', values: segmentIds },
      matchScore: PROBABILITY,
      priority: { kind: 'values', values: SegmentPriority.options },
      customerId: OPEN,
      transitionId: OPEN,
      at: OPEN,
    };
    return segment[name];
  }
  if (type in MODEL_EVENT_PROPERTIES) return (MODEL_EVENT_PROPERTIES[type as ModelEventType] as Record<string, FieldDomain>)[name];
  if (!isCatalogEventType(type)) return undefined;
  const shape = (catalogPropertySchemas[type] as unknown as { shape?: Record<string, z.ZodType> }).shape;
  const schema = shape?.[name];
  if (!schema) return undefined;
  const values = enumValuesOf(schema);
  return values ? { kind: 'values', values } : OPEN;
}

/** The options of an enum or literal schema, through optional/nullable/default wrappers. */
function enumValuesOf(schema: z.ZodType): Array<string | number | boolean> | undefined {
  let current = schema as unknown as { options?: unknown; unwrap?: () => unknown; def?: { type?: string; values?: unknown[]; innerType?: unknown } };
  for (let depth = 0; depth < 5; depth++) {
    const type = current.def?.type;
    if (type === 'enum' && Array.isArray(current.options)) return current.options as Array<string | number>;
    if (type === 'literal' && Array.isArray(current.def?.values)) return current.def.values as Array<string | number | boolean>;
    if ((type === 'optional' || type === 'nullable' || type === 'default') && current.def?.innerType) {
      current = current.def.innerType as typeof current;
      continue;
    }
    return undefined;
  }
  return undefined;
}

/** Whether some value of the domain passes the condition. */
export function satisfiable(condition: Condition, domain: FieldDomain): boolean {
  const { op, value } = condition;
  if (op === 'exists') return true; // every known field can be present; `exists: false` holds before it is
  if (domain.kind === 'values') {
    const inSet = (candidate: unknown) => domain.values.some((v) => v === candidate);
    if (op === 'equals') return inSet(value);
    if (op === 'in') return Array.isArray(value) && value.some(inSet);
    if (op === 'not_equals') return domain.values.some((v) => v !== value);
    if (op === 'not_in') return Array.isArray(value) && domain.values.some((v) => !value.includes(v));
    if (op === 'contains' || op === 'pattern_match') return domain.values.some((v) => typeof v === 'string');
    return domain.values.some((v) => typeof v === 'number');
  }
  if (domain.kind === 'range') {
    const v = value as number;
    switch (op) {
      case 'greater_than':
        return v < domain.max;
      case 'at_least':
        return v <= domain.max;
      case 'less_than':
        return v > domain.min;
      case 'at_most':
        return v >= domain.min;
      case 'equals':
        return typeof value === 'number' && value >= domain.min && value <= domain.max;
      case 'in_range': {
        const range = value as { min: number; max: number };
        return range.max >= domain.min && range.min <= domain.max;
      }
      case 'threshold_exceeded': {
        const limit = value as { threshold: number; by?: number };
        return limit.threshold + (limit.by ?? 0) < domain.max;
      }
      default:
        return true;
    }
  }
  return true;
}

/** Every condition of every rule that no value its field can take satisfies, or that reads a field its trigger never has. */
export function unsatisfiableConditions(catalog: Pick<Catalog, 'rules' | 'segments' | 'lifecycleStages' | 'scoringModels'>): string[] {
  const problems: string[] = [];
  for (const rule of catalog.rules) {
    for (const { condition } of rule.conditions ? conditionsOf(rule.conditions) : []) {
      const domain = fieldDomain(catalog, rule, condition.field);
      if (domain === undefined) {
        problems.push(`rule ${rule.id}: ${condition.field} is not a field its trigger (${rule.trigger.type}) or the profile has`);
      } else if (!satisfiable(condition, domain)) {
        const values = domain.kind === 'values' ? ` (it takes ${domain.values.join(', ')})` : domain.kind === 'range' ? ` (it lies in ${domain.min}..${domain.max})` : '';
        problems.push(`rule ${rule.id}: ${condition.field} ${condition.op} ${JSON.stringify(condition.value)} can never hold${values}`);
      }
    }
  }
  return problems;
}
