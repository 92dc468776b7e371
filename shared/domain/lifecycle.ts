import { z } from 'zod';
import type { ProfileFacts } from './profile-facts.ts';
import { evaluateMetricConditionGroup, MetricConditionGroup, type SegmentConditionResult } from './segments.ts';

/**
 * Lifecycle stages: where a customer is in their relationship (prospect ... advocate), moving only
 * along the catalog's progressions, so a stage change is always a step the business planned a
 * nurture sequence for.
 */

const SNAKE_ID = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const SnakeId = z.string().regex(SNAKE_ID, 'must be snake_case');

export const LifecycleStage = z
  .object({
    id: SnakeId,
    description: z.string().min(1),
    /** Among the stages a customer may move to, the highest rank wins; ranks are unique. */
    rank: z.number().int(),
    /** The stage can be entered when these hold and `exit` does not. */
    entry: MetricConditionGroup,
    /** The stage is left for a lower-ranked one only when these hold; without them only for a higher rank. */
    exit: MetricConditionGroup.optional(),
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
  });
export type LifecycleStage = z.infer<typeof LifecycleStage>;
export type LifecycleStageInput = z.input<typeof LifecycleStage>;

/** One move: the stage entered, the entry checks that allowed it, and the exit checks when a lower rank was taken. */
export type LifecycleStep = {
  from: string | undefined;
  to: string;
  entry: SegmentConditionResult[];
  exit?: SegmentConditionResult[];
};

export type LifecycleTransition = {
  stage: string | undefined;
  changed: boolean;
  /** The stage before, when it changed from one. */
  from?: string;
  /** The stages entered in this evaluation, in order (empty when unchanged). */
  path: string[];
  steps: LifecycleStep[];
  /** The final stage's entry checks with the values read now (empty without a stage). */
  reason: SegmentConditionResult[];
};

/**
 * Moves a customer along the progressions as far as their facts allow, in one evaluation. A step
 * goes to the highest-ranked stage that is a progression of the stage the customer is in, whose
 * entry holds and whose exit does not; it is taken when that stage outranks the current one, or
 * when the current stage's exit holds. Steps repeat until none is possible, never revisiting a stage,
 * so a customer who qualifies for several steps at once (a returning repeat buyer: at_risk ->
 * repeat_customer -> vip_customer) lands where a run of single evaluations would have put them, and
 * a stage outside the progressions (prospect straight to vip_customer) is only reached through the
 * stages in between. A current stage the catalog no longer defines counts as no stage.
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
    const reachable = stage ? stage.progressions.flatMap((id) => byId.get(id) ?? []) : stages;
    const best = reachable
      .filter((candidate) => !visited.has(candidate.id))
      .map((candidate) => ({ candidate, entry: canEnter(candidate, facts) }))
      .filter(({ entry }) => entry.passed)
      .sort((a, b) => b.candidate.rank - a.candidate.rank)[0];
    if (!best) break;

    let exit: SegmentConditionResult[] | undefined;
    if (stage && best.candidate.rank < stage.rank) {
      const left = stage.exit && evaluateMetricConditionGroup(stage.exit, facts);
      if (!left?.passed) break;
      exit = left.results;
    }
    steps.push({ from: stage?.id, to: best.candidate.id, entry: best.entry.results, ...(exit && { exit }) });
    visited.add(best.candidate.id);
    stage = best.candidate;
  }

  const changed = stage?.id !== input.current;
  return {
    stage: stage?.id,
    changed,
    ...(changed && input.current !== undefined && { from: input.current }),
    path: steps.map((step) => step.to),
    steps,
    reason: stage ? evaluateMetricConditionGroup(stage.entry, facts).results : [],
  };
}

/** Entry holds and exit does not (a stage whose exit holds would be left again at once). */
function canEnter(stage: LifecycleStage, facts: ProfileFacts): { passed: boolean; results: SegmentConditionResult[] } {
  const entry = evaluateMetricConditionGroup(stage.entry, facts);
  const exited = stage.exit !== undefined && evaluateMetricConditionGroup(stage.exit, facts).passed;
  return { passed: entry.passed && !exited, results: entry.results };
}
