import * as z from 'zod';
import type { ProfileFacts } from './profile-facts.ts';
import { evaluateMetricConditionGroup, MetricConditionGroup, type SegmentConditionResult } from './segments.ts';

/**
 * Lifecycle stages: where a customer is in their relationship (prospect ... advocate), moving only
 * along the catalog's progressions, so a stage change is always a step the business planned a
 * nurture sequence for. Stages are sticky: a customer stays in their stage after its entry stops
 * holding (a prospect on day 31) until a progression qualifies or one of the stage's named exits holds.
 */

const SNAKE_ID = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const SnakeId = z.string().regex(SNAKE_ID, 'must be snake_case');

/**
 * One named way out of a stage (document 001 names them: purchase_made, churn_risk_high, ...).
 * `when` expresses it over profile metrics; a named exit Nudge has no data for carries `unexpressed`
 * (why) instead, so the catalog says so rather than inventing a proxy.
 */
export const LifecycleExit = z
  .object({
    id: SnakeId,
    description: z.string().min(1),
    when: MetricConditionGroup.optional(),
    unexpressed: z.string().min(1).optional(),
  })
  .strict()
  .refine((exit) => (exit.when === undefined) !== (exit.unexpressed === undefined), {
    message: 'an exit has either `when` (its conditions) or `unexpressed` (why Nudge cannot tell), not both',
  });
export type LifecycleExit = z.infer<typeof LifecycleExit>;

export const LifecycleStage = z
  .object({
    id: SnakeId,
    description: z.string().min(1),
    /**
     * Precedence, unique: among the stages a customer may move to, the highest rank wins, and a
     * customer who still qualifies for their stage only moves up in rank (so two stages that are
     * each other's progression, vip_customer and advocate, cannot alternate when both qualify).
     */
    rank: z.number().int(),
    /** The stage can be entered when these hold and none of its exits does. */
    entry: MetricConditionGroup,
    /** The named exits: when one holds the stage is left, for a progression that qualifies or else for no stage. */
    exits: z.array(LifecycleExit).default([]),
    /** The stages this one may move to. A customer without a stage may enter any stage. */
    progressions: z.array(SnakeId),
    /** Nurture sequences started on entering the stage (names; the sequences catalog defines them). */
    nurtureSequences: z.array(SnakeId).default([]),
  })
  .strict()
  .superRefine((stage, ctx) => {
    if (new Set(stage.progressions).size !== stage.progressions.length) {
      ctx.addIssue({ code: 'custom', path: ['progressions'], message: 'progressions must not repeat a stage' });
    }
    if (new Set(stage.exits.map((exit) => exit.id)).size !== stage.exits.length) {
      ctx.addIssue({ code: 'custom', path: ['exits'], message: 'exit ids must not repeat' });
    }
  })
  .transform((stage) => {
    // The expressed exits as one condition group (any of them), which validation and evaluation read.
    const expressed = stage.exits.flatMap((exit) => (exit.when ? [exit.when] : []));
    const exit: MetricConditionGroup | undefined = expressed.length > 0 ? { any: expressed } : undefined;
    return { ...stage, exit };
  });
export type LifecycleStage = z.infer<typeof LifecycleStage>;
export type LifecycleStageInput = z.input<typeof LifecycleStage>;

/**
 * One move: the stage entered (`to: null` when the customer left their stage through an exit and
 * qualifies for none), the entry checks that allowed it, and, when the previous stage's exit held,
 * those checks and the names of the exits that held.
 */
export type LifecycleStep = {
  from: string | undefined;
  to: string | null;
  entry: SegmentConditionResult[];
  exit?: SegmentConditionResult[];
  exitedBy?: string[];
};

export type LifecycleTransition = {
  /** The stage after the evaluation; undefined when the customer is in none. */
  stage: string | undefined;
  changed: boolean;
  /** The stage before, when it changed from one. */
  from?: string;
  /** The stages entered in this evaluation, in order (empty when unchanged or when only a stage was left). */
  path: string[];
  steps: LifecycleStep[];
  /** The final stage's entry checks with the values read now; without a stage, the exit checks that ended the last one. */
  reason: SegmentConditionResult[];
  /** The named exits of the previous stage that held, when it was left through them. */
  exitedBy: string[];
};

/**
 * Moves a customer along the progressions as far as their facts allow, in one evaluation.
 *
 * A step goes to the highest-ranked stage that is a progression of the current one (any stage
 * without one) and qualifies (its entry holds, none of its exits does). While the customer still
 * qualifies for their own stage only a higher rank is taken. When nothing qualifies and one of the
 * current stage's exits holds, the customer leaves it for no stage and is placed afresh (any stage
 * that qualifies). Otherwise they stay: stages are sticky, as document 001's evaluation keeps the
 * current stage unless a progression or an exit applies.
 *
 * Steps repeat until none is possible, never revisiting a stage, so the result is a fixed point:
 * every stage entered qualifies, so after the first step ranks only rise, and evaluating the result
 * again at the same `now` changes nothing (no oscillation from one evaluation to the next). A current
 * stage the catalog no longer defines counts as no stage.
 */
export function nextLifecycleStage(input: {
  current: string | undefined;
  stages: readonly LifecycleStage[];
  facts: ProfileFacts;
}): LifecycleTransition {
  const { stages, facts } = input;
  const byId = new Map(stages.map((stage) => [stage.id, stage]));
  const start = input.current !== undefined ? byId.get(input.current) : undefined;
  const visited = new Set<string>(start ? [start.id] : []);
  const steps: LifecycleStep[] = [];
  let stage = start;

  for (;;) {
    const own = stage ? assess(stage, facts) : undefined;
    const reachable = stage ? stage.progressions.flatMap((id) => byId.get(id) ?? []) : stages;
    const best = reachable
      .filter((candidate) => !visited.has(candidate.id))
      .map((candidate) => ({ candidate, assessed: assess(candidate, facts) }))
      .filter(({ candidate, assessed }) => assessed.qualifies && !(own?.qualifies && candidate.rank < stage!.rank))
      .sort((a, b) => b.candidate.rank - a.candidate.rank)[0];
    const exit = own?.exited ? { exit: own.exitResults, exitedBy: own.exitedBy } : {};
    if (best) {
      steps.push({ from: stage?.id, to: best.candidate.id, entry: best.assessed.entryResults, ...exit });
      visited.add(best.candidate.id);
      stage = best.candidate;
      continue;
    }
    if (stage && own?.exited) {
      steps.push({ from: stage.id, to: null, entry: [], ...exit });
      stage = undefined;
      continue;
    }
    break;
  }

  const changed = stage?.id !== input.current;
  const lastExit = steps.find((step) => step.exitedBy !== undefined);
  return {
    stage: stage?.id,
    changed,
    ...(changed && input.current !== undefined && { from: input.current }),
    path: steps.flatMap((step) => (step.to === null ? [] : [step.to])),
    steps,
    reason: stage ? evaluateMetricConditionGroup(stage.entry, facts).results : (lastExit?.exit ?? []),
    exitedBy: lastExit?.exitedBy ?? [],
  };
}

/** Whether a stage's entry holds and which of its named exits hold (a stage whose exit holds would be left again at once). */
function assess(stage: LifecycleStage, facts: ProfileFacts) {
  const entry = evaluateMetricConditionGroup(stage.entry, facts);
  const exitedBy = stage.exits.filter((exit) => exit.when !== undefined && evaluateMetricConditionGroup(exit.when, facts).passed).map((exit) => exit.id);
  const exitResults = stage.exit ? evaluateMetricConditionGroup(stage.exit, facts).results : [];
  const exited = exitedBy.length > 0;
  return { qualifies: entry.passed && !exited, exited, exitedBy, entryResults: entry.results, exitResults };
}
