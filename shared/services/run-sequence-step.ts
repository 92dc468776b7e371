import type { Clock } from '../domain/clock.ts';
import type { DecisionRecord } from '../domain/decision-record.ts';
import type { ProfileStore, SequenceRunStore } from '../domain/ports.ts';
import type { TriggerRef } from '../domain/rule-timer.ts';
import { exitReason, stepDueAt, type ExitReason, type SequenceRun } from '../domain/sequence-progress.ts';
import { describeExit, stepLogOf, type SequenceMachineState } from '../domain/sequence-runs.ts';
import type { Sequence } from '../domain/sequences.ts';
import { evaluateRule, type TriggerRule } from '../domain/trigger-rules.ts';
import { countQueuedSends, decideAndAct, queuedCount, type DecisionDeps } from './decide-sends.ts';
import { factsAt } from './rule-facts.ts';

export type SequenceStepDeps = DecisionDeps & { profiles: ProfileStore; clock: Clock };

/** One run of a sequence for one customer, as the runner passes it from step to step. */
export type SequenceStepInput = SequenceRun & {
  /** Deterministic id of the run (the execution name): sends are keyed by it, so a retried step sends once. */
  runId: string;
  /** What started the run (the stage change, the segment entry, the rule's event): templates read it as `event`. */
  trigger: TriggerRef;
  /** When this step was due (the machine's state carries it): the step's decision is dated by it, the same on a retry. */
  dueAt?: string;
};

export type SequenceStepOutcome =
  | { type: 'exited'; reason: ExitReason | { type: 'no_profile' } }
  | { type: 'stepped'; stepId: string; records: DecisionRecord[]; next: { stepIndex: number; dueAt: string } | null };

/**
 * One step of a nurture sequence, called by the runner when the step is due: the live profile is
 * checked against the sequence's exit goals first; then the step's email goes through the same
 * decision path as any rule (consent, pause, caps, quiet hours, audit), as a rule named after the
 * sequence and step; the answer says when the next step is due, or that the run is over.
 */
export function makeRunSequenceStep(deps: SequenceStepDeps) {
  const byId = new Map(deps.catalog.sequences.map((sequence) => [sequence.id, sequence]));
  return async function runSequenceStep(input: SequenceStepInput): Promise<SequenceStepOutcome> {
    const sequence = byId.get(input.sequenceId);
    if (!sequence) throw new Error(`sequence ${input.sequenceId} is not in the catalog`);
    const step = sequence.steps[input.stepIndex];
    if (!step) throw new RangeError(`sequence ${sequence.id} has no step ${input.stepIndex}`);
    const profile = await deps.profiles.get(input.customerId);
    if (!profile) return { type: 'exited', reason: { type: 'no_profile' } };
    const now = deps.clock.now();
    const facts = factsAt(profile, deps.catalog, now);
    const exit = exitReason(sequence, input, profile, facts);
    if (exit) {
      deps.log.info('sequence exited', { runId: input.runId, sequenceId: sequence.id, customerId: input.customerId, reason: exit.type });
      return { type: 'exited', reason: exit };
    }
    const rule = stepRule(sequence, input.stepIndex);
    const match = evaluateRule(rule, { event: input.trigger, profile, facts });
    // A step whose conditions do not hold is skipped; the run goes on.
    const trigger: TriggerRef = { ...input.trigger, eventId: `${input.runId}#${step.id}`, occurredAt: input.dueAt ?? input.trigger.occurredAt };
    const records = match ? await decideAndAct(deps, { matches: [match], trigger, profile, now, via: 'sequence' }) : [];
    await countQueuedSends(deps, profile.customerId, queuedCount(records), now);
    const nextIndex = input.stepIndex + 1;
    const next =
      nextIndex < sequence.steps.length
        ? { stepIndex: nextIndex, dueAt: stepDueAt({ sequence, stepIndex: nextIndex, startedAt: input.startedAt, previousAt: now, profile, settings: deps.catalog.settings.sendTime }).toISOString() }
        : null;
    return { type: 'stepped', stepId: step.id, records, next };
  };
}

/** A sequence step as a rule of the decision path: its id names the sequence and the step (tags, audit, reports). */
export function stepRule(sequence: Sequence, stepIndex: number): TriggerRule {
  const step = sequence.steps[stepIndex]!;
  return {
    id: `seq_${sequence.id}__${step.id}`,
    description: `${sequence.id}, step ${stepIndex + 1} (${step.id})`,
    active: true,
    priority: sequence.priority,
    trigger: { type: 'behavioral', eventType: 'sequence_step' },
    ...(step.conditions ? { conditions: step.conditions } : {}),
    onConflict: { action: 'drop' },
    // The runner already waited for the step's time; quiet hours still apply in the decision path.
    sendTime: { policy: 'immediate' },
    templateId: step.templateId,
    category: sequence.category,
    transactional: false,
    holdoutPercent: 0,
    successMetrics: step.successMetrics,
    ...(step.experiment ? { experiment: step.experiment } : {}),
  };
}

/**
 * The state machine's task: one step of the run, kept in the run's record, answered with the
 * machine's next state (`done` ends the execution). A run whose record says it is over (stopped by
 * a stage change, replaced by a newer run, erased) does nothing more.
 */
export function makeSequenceMachineStep(deps: SequenceStepDeps & { runs: SequenceRunStore }) {
  const runSequenceStep = makeRunSequenceStep(deps);
  return async function sequenceMachineStep(state: SequenceMachineState): Promise<SequenceMachineState> {
    const record = await deps.runs.get(state.customerId, state.sequenceId);
    if (!record || record.runId !== state.runId || record.status !== 'active') {
      deps.log.info('sequence run is no longer active; ending it', { runId: state.runId, status: record?.runId === state.runId ? record.status : 'superseded' });
      return { ...state, done: true };
    }
    // The record's start stage wins: the starter moves a run to a new stage that starts the same sequence.
    // The trigger comes from the record, not the machine's state (ids only: sequence-runs.ts).
    const outcome = await runSequenceStep({ ...state, trigger: record.trigger, startStage: record.startStage });
    const now = deps.clock.now().toISOString();
    if (outcome.type === 'exited') {
      await deps.runs.recordProgress(record, { status: 'exited', next: null, steps: record.steps, exit: { reason: describeExit(outcome.reason), at: now }, updatedAt: now });
      return { ...state, done: true };
    }
    const steps = [...record.steps.filter((step) => step.stepId !== outcome.stepId), stepLogOf(outcome.stepId, outcome.records, deps.clock.now())];
    const sequence = deps.catalog.sequences.find((candidate) => candidate.id === state.sequenceId)!;
    if (!outcome.next) {
      await deps.runs.recordProgress(record, { status: 'finished', next: null, steps, exit: null, updatedAt: now });
      return { ...state, done: true };
    }
    const next = { ...outcome.next, stepId: sequence.steps[outcome.next.stepIndex]!.id };
    // Stopped (a stage change) while this step ran: the stop stands, and the run ends here.
    if (!(await deps.runs.recordProgress(record, { status: 'active', next, steps, exit: null, updatedAt: now }))) return { ...state, done: true };
    return { ...state, startStage: record.startStage, stepIndex: next.stepIndex, dueAt: next.dueAt, done: false };
  };
}
