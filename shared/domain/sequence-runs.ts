import { DAY_MS } from './clock.ts';
import { deterministicId } from './deterministic-ids.ts';
import * as z from 'zod';
import { DecisionOutcome, type DecisionRecord } from './decision-record.ts';
import type { Profile } from './profile.ts';
import { withoutPersonalProperties } from './personal-data.ts';
import { TriggerRef } from './rule-timer.ts';
import type { SendTimeSettings } from './send-time.ts';
import { stepDueAt, type ExitReason, type SequenceRun } from './sequence-progress.ts';
import { timingOffsetMs, type Sequence } from './sequences.ts';

/**
 * A customer's run of a sequence, as the table keeps it (one item per customer and sequence: the
 * latest run). It is what makes starts idempotent (one active run per customer and sequence), what
 * a stage change finds to stop, and what `nudge sequences` shows. The state machine execution is
 * the run's engine; this record is its ledger.
 */
export const SequenceRunStatus = z.enum(['active', 'finished', 'exited', 'stopped']);
export type SequenceRunStatus = z.infer<typeof SequenceRunStatus>;

export const SequenceStepLog = z.object({
  stepId: z.string(),
  at: z.string(),
  /** The step email's decision outcome, or `skipped` when the step's conditions did not hold. */
  outcome: z.union([DecisionOutcome, z.literal('skipped')]),
  reason: z.string().optional(),
  sendId: z.string().optional(),
});
export type SequenceStepLog = z.infer<typeof SequenceStepLog>;

export const SequenceRunRecord = z.object({
  runId: z.string().min(1),
  sequenceId: z.string().min(1),
  customerId: z.string().min(1),
  status: SequenceRunStatus,
  startedAt: z.string(),
  startStage: z.string().nullable(),
  startedBy: z.discriminatedUnion('type', [
    z.object({ type: z.literal('rule'), ruleId: z.string() }),
    z.object({ type: z.literal('lifecycle_stage'), stage: z.string() }),
    z.object({ type: z.literal('segment'), segmentId: z.string() }),
    z.object({ type: z.literal('signal'), signal: z.string() }),
  ]),
  trigger: TriggerRef,
  executionArn: z.string().nullable(),
  /** The next step to run and when; null once the run is over. */
  next: z.object({ stepIndex: z.number().int().min(0), stepId: z.string(), dueAt: z.string() }).nullable(),
  steps: z.array(SequenceStepLog),
  exit: z.object({ reason: z.string(), at: z.string() }).nullable(),
  /**
   * Past this instant an `active` record no longer blocks a new start: the run's execution should
   * long be over (its last step's time plus slack), so it failed without saying so.
   */
  activeUntil: z.string(),
  updatedAt: z.string(),
});
export type SequenceRunRecord = z.infer<typeof SequenceRunRecord>;

/**
 * The state the state machine carries from step to step (its input and each step's output): ids
 * and times only. Step Functions keeps an execution's input and history for its retention and an
 * erase cannot edit them, so what started the run (the trigger) stays in the run record, which the
 * step reads and an erase deletes.
 */
export const SequenceMachineState = z.object({
  runId: z.string().min(1),
  sequenceId: z.string().min(1),
  customerId: z.string().min(1),
  /** ISO instant the run started: offsets count from here, exit events count from here. */
  startedAt: z.string(),
  startStage: z.string().nullable(),
  /** The next step to run (0-based). */
  stepIndex: z.number().int().min(0),
  /** When the step at `stepIndex` is due (the Wait state's TimestampPath). */
  dueAt: z.string(),
  /** The run is over (the Choice state ends the execution). */
  done: z.boolean(),
}) satisfies z.ZodType<SequenceRun>;
export type SequenceMachineState = z.infer<typeof SequenceMachineState>;

/** Slack after a run's last planned step before its record stops blocking a new start. */
const ACTIVE_SLACK_MS = DAY_MS;
/** A `next_send_window` step waits at most about a week (the preferred hour on the next business day, quiet hours). */
const SEND_WINDOW_BOUND_MS = 8 * DAY_MS;

/**
 * The execution name of a run: deterministic in (sequence, customer, start event), so a redelivered
 * start calls StartExecution with the same name and Step Functions runs it once. Names allow
 * `[A-Za-z0-9_-]` and 80 characters; the sequence id stays readable in the console.
 */
export function runIdFor(sequenceId: string, customerId: string, startEventId: string): string {
  return `${sequenceId.slice(0, MAX_RUN_LABEL)}-${deterministicId('run', customerId, sequenceId, startEventId)}`;
}

/** The readable sequence label in a run id: 50 + `-` + the digest stays inside Step Functions' 80 characters. */
const MAX_RUN_LABEL = 50;

export type StartDecision = { type: 'start' } | { type: 'resume' } | { type: 'skip'; reason: 'already_running' | 'ran_once' | 'duplicate'; runId: string };

/**
 * Whether a start may begin a run, given the customer's latest run of the sequence: one active run
 * per customer and sequence (a second cart abandon during cart recovery does not start another);
 * `startOnce` sequences never run twice; the same start again (a redelivery) resumes its own run
 * while it is active, so a start that crashed between claiming and StartExecution completes, and is
 * a duplicate once that run is over. Pure.
 */
export function decideStart(sequence: Sequence, latest: SequenceRunRecord | undefined, runId: string, now: Date): StartDecision {
  if (!latest) return { type: 'start' };
  if (latest.runId === runId) return latest.status === 'active' ? { type: 'resume' } : { type: 'skip', reason: 'duplicate', runId };
  if (sequence.startOnce) return { type: 'skip', reason: 'ran_once', runId: latest.runId };
  if (latest.status === 'active' && Date.parse(latest.activeUntil) > now.getTime()) return { type: 'skip', reason: 'already_running', runId: latest.runId };
  return { type: 'start' };
}

/** The record and the state machine input of a new run; the first step's due time counts from the start event. Pure. */
export function planRun(input: {
  sequence: Sequence;
  customerId: string;
  trigger: TriggerRef;
  startStage: string | null;
  startedBy: SequenceRunRecord['startedBy'];
  profile: Profile;
  settings: SendTimeSettings;
  now: Date;
}): { record: SequenceRunRecord; machineInput: SequenceMachineState } {
  const { sequence } = input;
  // The run keeps what its steps read from the trigger, without the personal properties.
  const trigger: TriggerRef = { ...input.trigger, properties: withoutPersonalProperties(input.trigger.properties) };
  const runId = runIdFor(sequence.id, input.customerId, trigger.eventId);
  const startedAt = new Date(trigger.occurredAt).toISOString();
  const dueAt = stepDueAt({ sequence, stepIndex: 0, startedAt, previousAt: new Date(startedAt), profile: input.profile, settings: input.settings }).toISOString();
  const machineInput: SequenceMachineState = {
    runId,
    sequenceId: sequence.id,
    customerId: input.customerId,
    startedAt,
    startStage: input.startStage,
    stepIndex: 0,
    dueAt,
    done: false,
  };
  const record: SequenceRunRecord = {
    runId,
    sequenceId: sequence.id,
    customerId: input.customerId,
    status: 'active',
    startedAt,
    startStage: input.startStage,
    startedBy: input.startedBy,
    trigger,
    executionArn: null,
    next: { stepIndex: 0, stepId: sequence.steps[0]!.id, dueAt },
    steps: [],
    exit: null,
    activeUntil: new Date(Math.max(Date.parse(startedAt), input.now.getTime()) + runSpanMs(sequence) + ACTIVE_SLACK_MS).toISOString(),
    updatedAt: input.now.toISOString(),
  };
  return { record, machineInput };
}

/** The longest a run of this sequence can take: its last offset, plus a week-ish per send-window step. */
export function runSpanMs(sequence: Sequence): number {
  let span = 0;
  for (const step of sequence.steps) {
    span = step.timing.type === 'offset' ? Math.max(span, timingOffsetMs(step.timing)) : span + SEND_WINDOW_BOUND_MS;
  }
  return span;
}

/** Describes an exit for the record and `nudge sequences`: "event purchase", "stage_changed new_customer -> ...". */
export function describeExit(reason: ExitReason | { type: 'no_profile' }): string {
  switch (reason.type) {
    case 'event':
      return `event ${reason.eventType} at ${reason.at}`;
    case 'unsubscribed':
      return `unsubscribed from ${reason.category}`;
    case 'stage_changed':
      return `stage changed ${reason.from ?? 'none'} -> ${reason.to ?? 'none'}`;
    case 'segment_exited':
      return `left segment ${reason.segmentId}`;
    case 'condition':
      return 'exit condition met';
    case 'no_profile':
      return 'no profile';
  }
}

/** The step's entry in the run's log, from its decision (none: the step's conditions did not hold). */
export function stepLogOf(stepId: string, records: readonly DecisionRecord[], now: Date): SequenceStepLog {
  const record = records[0];
  if (!record) return { stepId, at: now.toISOString(), outcome: 'skipped', reason: 'conditions_not_met' };
  return {
    stepId,
    at: now.toISOString(),
    outcome: record.outcome,
    ...(record.reason ? { reason: record.reason } : {}),
    ...(record.sendId ? { sendId: record.sendId } : {}),
  };
}
