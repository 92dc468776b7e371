import * as z from 'zod';
import { MAX_WINDOW_DAYS, windowTooLong, type ProfileFacts } from './profile-facts.ts';

/**
 * Scoring models: catalog data that turns a customer's facts into a number (and optionally a
 * level). Every score comes with its components, so "why is this customer dormant" is answered by
 * the same call that computed it.
 */

const SNAKE_ID = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const SnakeId = z.string().regex(SNAKE_ID, 'must be snake_case');
/** Up to MAX_WINDOW_DAYS, checked where the model's id can be named (checkWindow). */
const WindowDays = z.number().int().min(1);
/** A model without a window counts 30 days (document 002's activity score), not the longest allowed. */
const DEFAULT_WINDOW_DAYS = 30;
const WEIGHT_SUM_TOLERANCE = 1e-9;

/** A level is reached when the score is at least `min`; levels are listed from the highest down. */
export const ScoreLevel = z.object({ level: SnakeId, min: z.number() }).strict();
export type ScoreLevel = z.infer<typeof ScoreLevel>;

const modelFields = {
  id: SnakeId,
  description: z.string().min(1),
  /** The primary model's level is the customer's engagement level; exactly one model is primary. */
  primary: z.boolean().default(false),
  levels: z.array(ScoreLevel).min(1).optional(),
};

/** One part of a weighted score: a metric scaled by its cap into 0..1. */
export const WeightedComponent = z
  .object({
    name: SnakeId,
    /** Groups components into the parts an explanation shows (e.g. two email metrics form "email"). */
    group: SnakeId.optional(),
    metric: SnakeId,
    weight: z.number().positive().max(1),
    /** The metric value that earns the full weight. */
    cap: z.number().positive(),
    /** Lower is better (recency): the part is 1 - metric/cap, and 0 when the metric has no value. */
    invert: z.boolean().default(false),
  })
  .strict();
export type WeightedComponent = z.infer<typeof WeightedComponent>;

/** Σ weight × min(1, metric / cap); the weights sum to 1 so the score is in 0..1. */
export const WeightedCappedModel = z
  .object({ kind: z.literal('weighted_capped'), ...modelFields, components: z.array(WeightedComponent).min(1) })
  .strict()
  .superRefine((model, ctx) => {
    const sum = model.components.reduce((total, component) => total + component.weight, 0);
    if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) {
      ctx.addIssue({ code: 'custom', path: ['components'], message: `component weights must sum to 1 (they sum to ${sum})` });
    }
    checkUnique(model.components.map((c) => c.name), ['components'], 'component name', ctx);
    checkLevels(model.levels, ctx);
  });
export type WeightedCappedModel = z.infer<typeof WeightedCappedModel>;

/** The profile's daily series of every event (profile.ts BASE_DAILY_SERIES), and the component name of the unlisted ones. */
const ALL_EVENTS = '*';
const OTHER_EVENTS = 'other';

export const EventWeight = z.object({ eventType: SnakeId, weight: z.number().positive() }).strict();
export type EventWeight = z.infer<typeof EventWeight>;

/**
 * Σ weight(type) × events of that type in the window, divided by what a very active customer does
 * (`actionsPerDay` high-value actions a day over the window), clamped to 0..1. Events of types not
 * listed weigh `otherWeight` each (document 002: 0.1), counted as all events of the window minus the
 * listed ones.
 */
export const BehaviorWeightedModel = z
  .object({
    kind: z.literal('behavior_weighted'),
    ...modelFields,
    weights: z.array(EventWeight).min(1),
    otherWeight: z.number().min(0).default(0),
    actionsPerDay: z.number().positive().default(2),
    windowDays: WindowDays.default(DEFAULT_WINDOW_DAYS),
  })
  .strict()
  .superRefine((model, ctx) => {
    checkUnique(model.weights.map((w) => w.eventType), ['weights'], 'event type', ctx);
    checkLevels(model.levels, ctx);
    checkWindow(model, ctx);
  });
export type BehaviorWeightedModel = z.infer<typeof BehaviorWeightedModel>;

export const EventPoints = z
  .object({ eventType: SnakeId, points: z.number().refine((points) => points !== 0, 'points must not be 0') })
  .strict();
export type EventPoints = z.infer<typeof EventPoints>;

/** Σ points(type) × events of that type in the window, clamped to 0..max (negative points for unsubscribes). */
export const InteractionPointsModel = z
  .object({
    kind: z.literal('interaction_points'),
    ...modelFields,
    points: z.array(EventPoints).min(1),
    windowDays: WindowDays.default(DEFAULT_WINDOW_DAYS),
    max: z.number().positive().default(10),
  })
  .strict()
  .superRefine((model, ctx) => {
    checkUnique(model.points.map((p) => p.eventType), ['points'], 'event type', ctx);
    checkLevels(model.levels, ctx);
    checkWindow(model, ctx);
  });
export type InteractionPointsModel = z.infer<typeof InteractionPointsModel>;

export const ScoringModel = z.discriminatedUnion('kind', [WeightedCappedModel, BehaviorWeightedModel, InteractionPointsModel]);
export type ScoringModel = z.infer<typeof ScoringModel>;
export type ScoringModelInput = z.input<typeof ScoringModel>;

/** What one component added; `contribution` is before the model's final clamp. */
export type ScoreComponentResult = {
  name: string;
  group?: string;
  /** Set for weighted components. */
  metric?: string;
  /** Set for event-based components, with the window counted. */
  eventType?: string;
  windowDays?: number;
  /** The metric value (null when it has none or is not a number) or the event count. */
  input: number | null;
  /** The component's weight, or the points per event. */
  weight: number;
  contribution: number;
};

export type ScoreResult = {
  modelId: string;
  kind: ScoringModel['kind'];
  /** Rounded to 4 decimals; the level is decided on the rounded value. */
  value: number;
  level?: string;
  components: ScoreComponentResult[];
};

export type Scores = Record<string, ScoreResult>;

/** Every model's score, keyed by model id. */
export function computeScores(models: readonly ScoringModel[], facts: ProfileFacts): Scores {
  const scores: Scores = {};
  for (const model of models) scores[model.id] = computeScore(model, facts);
  return scores;
}

export function computeScore(model: ScoringModel, facts: ProfileFacts): ScoreResult {
  const { raw, components } = scoreParts(model, facts);
  const value = round4(raw);
  const level = model.levels ? levelFor(model.levels, value) : undefined;
  return { modelId: model.id, kind: model.kind, value, ...(level !== undefined && { level }), components };
}

/** The primary model's score, or undefined when it was not computed. */
export function primaryScore(models: readonly ScoringModel[], scores: Scores): ScoreResult | undefined {
  const primary = models.find((model) => model.primary);
  return primary ? scores[primary.id] : undefined;
}

/** Contributions summed per group (ungrouped components under their own name), for explanations. */
export function contributionsByGroup(score: ScoreResult): Record<string, number> {
  const groups: Record<string, number> = {};
  for (const component of score.components) {
    const key = component.group ?? component.name;
    groups[key] = round4((groups[key] ?? 0) + component.contribution);
  }
  return groups;
}

/** The first level (highest first) whose min the value reaches. */
export function levelFor(levels: readonly ScoreLevel[], value: number): string | undefined {
  return levels.find((level) => value >= level.min)?.level;
}

function scoreParts(model: ScoringModel, facts: ProfileFacts): { raw: number; components: ScoreComponentResult[] } {
  switch (model.kind) {
    case 'weighted_capped': {
      const parts = model.components.map((component) => {
        const input = numberOrNull(facts.metric(component.metric));
        return { component, input, part: cappedPart(input, component) };
      });
      const raw = parts.reduce((sum, { component, part }) => sum + component.weight * part, 0);
      const components = parts.map(({ component, input, part }): ScoreComponentResult => ({
        name: component.name,
        ...(component.group !== undefined && { group: component.group }),
        metric: component.metric,
        input,
        weight: component.weight,
        contribution: round4(component.weight * part),
      }));
      return { raw, components };
    }
    case 'behavior_weighted': {
      const normaliser = model.actionsPerDay * model.windowDays;
      const counted = model.weights.map(({ eventType, weight }) => ({ eventType, weight, count: facts.eventCount(eventType, model.windowDays) }));
      if (model.otherWeight > 0) {
        const listed = counted.reduce((sum, c) => sum + c.count, 0);
        counted.push({ eventType: OTHER_EVENTS, weight: model.otherWeight, count: Math.max(0, facts.eventCount(ALL_EVENTS, model.windowDays) - listed) });
      }
      const raw = clamp(counted.reduce((sum, c) => sum + c.weight * c.count, 0) / normaliser, 0, 1);
      const components = counted.map(({ eventType, weight, count }) => ({
        name: eventType,
        eventType,
        windowDays: model.windowDays,
        input: count,
        weight,
        contribution: round4((weight * count) / normaliser),
      }));
      return { raw, components };
    }
    case 'interaction_points': {
      const counted = model.points.map(({ eventType, points }) => ({ eventType, points, count: facts.eventCount(eventType, model.windowDays) }));
      const raw = clamp(counted.reduce((sum, c) => sum + c.points * c.count, 0), 0, model.max);
      const components = counted.map(({ eventType, points, count }) => ({
        name: eventType,
        eventType,
        windowDays: model.windowDays,
        input: count,
        weight: points,
        contribution: round4(points * count),
      }));
      return { raw, components };
    }
  }
}

/** 0..1: metric/cap, or 1 - metric/cap when inverted; a missing metric earns nothing either way. */
function cappedPart(input: number | null, component: WeightedComponent): number {
  if (input === null) return 0;
  const ratio = input / component.cap;
  return clamp(component.invert ? 1 - ratio : ratio, 0, 1);
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function checkWindow(model: { id: string; windowDays: number }, ctx: z.RefinementCtx): void {
  if (model.windowDays > MAX_WINDOW_DAYS) ctx.addIssue({ code: 'custom', path: ['windowDays'], message: windowTooLong(`scoring model ${model.id}`, model.windowDays) });
}

function checkLevels(levels: readonly ScoreLevel[] | undefined, ctx: z.RefinementCtx): void {
  if (!levels) return;
  checkUnique(levels.map((l) => l.level), ['levels'], 'level', ctx);
  levels.forEach((level, index) => {
    const previous = levels[index - 1];
    if (previous && level.min >= previous.min) {
      ctx.addIssue({ code: 'custom', path: ['levels', index, 'min'], message: 'levels are listed from the highest min down' });
    }
  });
  const last = levels[levels.length - 1];
  if (last && last.min > 0) {
    ctx.addIssue({ code: 'custom', path: ['levels', levels.length - 1, 'min'], message: 'the last level must have min 0 so every score has a level' });
  }
}

function checkUnique(values: readonly string[], path: (string | number)[], what: string, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) ctx.addIssue({ code: 'custom', path, message: `duplicate ${what} "${value}"` });
    seen.add(value);
  }
}
