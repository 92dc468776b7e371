import * as z from 'zod';
import type { Catalog } from '../catalog/index.ts';
import type { Clock } from '../domain/clock.ts';
import type { ErasureTombstones, Log, ProfileStore, SequenceExecutions, SequenceRunStore } from '../domain/ports.ts';
import { TriggerRef } from '../domain/rule-timer.ts';
import { loyaltyEnrolledAt, type Profile } from '../domain/profile.ts';
import { exitReason } from '../domain/sequence-progress.ts';
import { decideStart, describeExit, planRun, type SequenceRunRecord } from '../domain/sequence-runs.ts';
import { SEQUENCE_SIGNALS, type Sequence } from '../domain/sequences.ts';
import { isBehind, readProfileWhen } from './profile-as-of.ts';
import { factsAt } from './rule-facts.ts';

/** Thrown so the invocation is retried (Lambda's async retries, then the dead-letter queue). */
export class ProfileNotWrittenError extends Error {
  override name = 'ProfileNotWrittenError';
}

/**
 * The profile shows the change the event announces. When it still does not after the short wait
 * (a later change overtook it), the starter goes on with what is there: the run's own exit checks
 * judge it from then on.
 */
function isWritten(profile: Profile, event: SequenceStartEvent): boolean {
  switch (event.detailType) {
    case 'SequenceStartRequested':
      return !isBehind(profile, { profileVersion: event.detail.profileVersion, awaitsTriggerEvent: event.detail.awaitsTriggerEvent, triggerEventId: event.detail.trigger.eventId });
    case 'LifecycleStageChanged':
      return (profile.lifecycleStage ?? null) === event.detail.to;
    case 'SegmentEntered':
      return Object.hasOwn(profile.segments, event.detail.segmentId);
    case 'LoyaltyEnrolled':
      return loyaltyEnrolledAt(profile) !== undefined;
    case 'ContentInterestPredicted': {
      const interests = new Set((profile.predictions.interests ?? []).map((interest) => interest.category));
      return event.detail.newInterests.every((category) => interests.has(category));
    }
  }
}

/** The internal events that start (or stop) sequence runs, as the starter receives them from the bus. */
export const SequenceStartEvent = z.discriminatedUnion('detailType', [
  z.object({
    detailType: z.literal('SequenceStartRequested'),
    detail: z.object({
      customerId: z.string().min(1),
      sequenceId: z.string().min(1),
      ruleId: z.string().min(1),
      trigger: TriggerRef,
      profileVersion: z.number().int().min(0).optional(),
      awaitsTriggerEvent: z.boolean().optional(),
    }),
  }),
  z.object({
    detailType: z.literal('LifecycleStageChanged'),
    detail: z.object({ customerId: z.string().min(1), from: z.string().nullable(), to: z.string().min(1).nullable(), at: z.string(), transitionId: z.string().min(1) }),
  }),
  z.object({
    detailType: z.literal('SegmentEntered'),
    detail: z.object({ customerId: z.string().min(1), segmentId: z.string().min(1), at: z.string(), transitionId: z.string().min(1) }),
  }),
  z.object({
    detailType: z.literal(SEQUENCE_SIGNALS.loyalty_enrolled),
    detail: z.object({ customerId: z.string().min(1), orderId: z.string().nullable(), at: z.string(), transitionId: z.string().min(1) }),
  }),
  z.object({
    detailType: z.literal(SEQUENCE_SIGNALS.content_interest_predicted),
    detail: z.object({ customerId: z.string().min(1), newInterests: z.array(z.string()), at: z.string(), transitionId: z.string().min(1) }),
  }),
]);
export type SequenceStartEvent = z.infer<typeof SequenceStartEvent>;

export type StartSequencesDeps = {
  catalog: Catalog;
  profiles: ProfileStore;
  runs: SequenceRunStore;
  executions: SequenceExecutions;
  /** Read only when the profile is missing: an erased customer's start ends at once instead of being retried into the DLQ. */
  erasures: Pick<ErasureTombstones, 'isErased'>;
  clock: Clock;
  log: Log;
};

export type StartSequencesResult = {
  started: Array<{ sequenceId: string; runId: string }>;
  skipped: Array<{ sequenceId: string; reason: string; runId?: string }>;
  stopped: Array<{ sequenceId: string; runId: string }>;
  /** The customer was erased: nothing was started or stopped. */
  erased?: true;
};

/**
 * The sequence starter: which runs an internal event starts, and (for a stage change) which it
 * stops. Each start claims the customer's run slot for the sequence, then starts the execution
 * named after the run, so a redelivered event, or a second path to the same start (a rule and a
 * stage both naming the welcome series), runs the sequence once.
 */
export function makeStartSequences(deps: StartSequencesDeps) {
  const sequences = new Map(deps.catalog.sequences.map((sequence) => [sequence.id, sequence]));

  return async function startSequences(event: SequenceStartEvent): Promise<StartSequencesResult> {
    const result: StartSequencesResult = { started: [], skipped: [], stopped: [] };
    const { customerId } = event.detail;
    // Ingest publishes before it writes the profile: wait for the write this event comes from.
    const { profile } = await readProfileWhen(deps.profiles, customerId, (current) => current !== undefined && isWritten(current, event));
    if (!profile && (await deps.erasures.isErased(customerId))) {
      deps.log.info('sequence start of an erased customer dropped', { detailType: event.detailType, reason: 'customer_erased' });
      return { ...result, erased: true };
    }
    if (!profile) throw new ProfileNotWrittenError(`${event.detailType} for ${customerId}: no profile yet; retried later`);

    let starts: Array<{ sequence: Sequence; trigger: TriggerRef; startedBy: SequenceRunRecord['startedBy'] }> = [];
    switch (event.detailType) {
      case 'SequenceStartRequested': {
        const sequence = sequences.get(event.detail.sequenceId);
        if (!sequence) throw new Error(`rule ${event.detail.ruleId} asked for sequence ${event.detail.sequenceId}, which the catalog does not define`);
        starts = [{ sequence, trigger: event.detail.trigger, startedBy: { type: 'rule', ruleId: event.detail.ruleId } }];
        break;
      }
      case 'LifecycleStageChanged': {
        const { to, at, transitionId } = event.detail;
        result.stopped = await stopPreviousStageRuns(profile, to);
        const trigger = { eventId: transitionId, type: 'LifecycleStageChanged', occurredAt: at, properties: { from: event.detail.from, to } };
        // Leaving every stage (to: null) only stops the previous stage's runs.
        if (to === null) break;
        starts = deps.catalog.sequences
          .filter((sequence) => sequence.startOn?.lifecycleStage === to)
          .map((sequence) => ({ sequence, trigger, startedBy: { type: 'lifecycle_stage' as const, stage: to } }));
        break;
      }
      case 'SegmentEntered': {
        const { segmentId, at, transitionId } = event.detail;
        const trigger = { eventId: transitionId, type: 'SegmentEntered', occurredAt: at, properties: { segmentId } };
        starts = deps.catalog.sequences
          .filter((sequence) => sequence.startOn?.segmentEntered === segmentId)
          .map((sequence) => ({ sequence, trigger, startedBy: { type: 'segment' as const, segmentId } }));
        break;
      }
      case 'LoyaltyEnrolled':
      case 'ContentInterestPredicted': {
        const signal = event.detailType === 'LoyaltyEnrolled' ? 'loyalty_enrolled' : 'content_interest_predicted';
        const { at, transitionId } = event.detail;
        const properties = event.detailType === 'LoyaltyEnrolled' ? { orderId: event.detail.orderId } : { newInterests: event.detail.newInterests };
        const trigger = { eventId: transitionId, type: event.detailType, occurredAt: at, properties };
        starts = deps.catalog.sequences
          .filter((sequence) => sequence.startOn?.signal === signal)
          .map((sequence) => ({ sequence, trigger, startedBy: { type: 'signal' as const, signal } }));
        break;
      }
    }

    const now = deps.clock.now();
    for (const { sequence, trigger, startedBy } of starts) {
      const startStage = event.detailType === 'LifecycleStageChanged' ? event.detail.to : (profile.lifecycleStage ?? null);
      const planned = planRun({ sequence, customerId, trigger, startStage, startedBy, profile, settings: deps.catalog.settings.sendTime, now });
      const latest = await deps.runs.get(customerId, sequence.id);
      const decision = decideStart(sequence, latest, planned.record.runId, now);
      if (decision.type === 'skip') {
        if (decision.reason === 'already_running' && startedBy.type === 'lifecycle_stage') await adoptForStage(latest!, startStage);
        result.skipped.push({ sequenceId: sequence.id, reason: decision.reason, runId: decision.runId });
        continue;
      }
      if (decision.type === 'start') {
        // An exit goal that already holds would end the run at its first step (the step's own check,
        // exitReason, on the profile as it is now): the run is recorded as exited, as that step would
        // record it, and no execution is started only to find it out (Wait, RunStep, MoreSteps and
        // Finished: 4 billed transitions). Event goals only ever stay met; a stage or segment that
        // comes back starts a new run of its own.
        const exit = exitReason(sequence, planned.machineInput, profile, factsAt(profile, deps.catalog, now));
        if (exit) {
          const exited: SequenceRunRecord = { ...planned.record, status: 'exited', next: null, exit: { reason: describeExit(exit), at: now.toISOString() } };
          if (await deps.runs.claim(exited, latest?.runId)) {
            result.skipped.push({ sequenceId: sequence.id, reason: 'exit_goal_met', runId: exited.runId });
            continue;
          }
          const winner = await deps.runs.get(customerId, sequence.id);
          result.skipped.push({ sequenceId: sequence.id, reason: 'already_running', ...(winner ? { runId: winner.runId } : {}) });
          continue;
        }
      }
      // A resumed start (the same start again while its run is active) keeps its record and calls StartExecution again: idempotent by name.
      const record = { ...planned.record, executionArn: deps.executions.executionArnFor(planned.record.runId) };
      if (decision.type === 'start' && !(await deps.runs.claim(record, latest?.runId))) {
        // Another start took the slot between our read and our claim.
        const winner = await deps.runs.get(customerId, sequence.id);
        if (winner && startedBy.type === 'lifecycle_stage') await adoptForStage(winner, startStage);
        result.skipped.push({ sequenceId: sequence.id, reason: 'already_running', ...(winner ? { runId: winner.runId } : {}) });
        continue;
      }
      // The record names the execution before it exists: the run's first step may write the record before this call returns.
      await deps.executions.start(record.runId, planned.machineInput);
      result.started.push({ sequenceId: sequence.id, runId: record.runId });
    }
    if (result.started.length + result.stopped.length > 0) deps.log.info('sequence runs changed', { customerId, ...result });
    return result;
  };

  /**
   * A run of a stage's own sequence that a rule started a moment before the stage changed (the
   * win-back rule and the at_risk stage in one sweep, whichever starter runs first) becomes the
   * stage's run: its start stage moves on, so its stage_changed exit goal does not end it.
   */
  async function adoptForStage(run: SequenceRunRecord, stage: string | null): Promise<void> {
    if (run.status !== 'active' || run.startStage === stage) return;
    await deps.runs.recordProgress(run, { startStage: stage, updatedAt: deps.clock.now().toISOString() });
  }

  /**
   * A stage change ends the runs that exit on one (the previous stage's nurture sequences): their
   * executions are stopped now rather than at their next step's exit check, so nothing lingers.
   */
  async function stopPreviousStageRuns(profile: Profile, to: string | null): Promise<StartSequencesResult['stopped']> {
    const stopped: StartSequencesResult['stopped'] = [];
    const now = deps.clock.now();
    for (const run of await deps.runs.listForCustomer(profile.customerId)) {
      const sequence = sequences.get(run.sequenceId);
      if (run.status !== 'active' || run.startStage === to || !sequence?.exitGoals.some((goal) => goal.type === 'stage_changed')) continue;
      if (sequence.startOn?.lifecycleStage === to) {
        // A run of the new stage's own sequence carries on as the stage's, rather than being stopped
        // and started again (which would repeat its first step).
        await adoptForStage(run, to);
        continue;
      }
      // An exit goal of the run's own that holds and comes first (the unsubscribe that also ended the
      // prospect stage) is the reason, as the run's next step would have recorded it.
      const own = exitReason(sequence, { ...run, stepIndex: run.next?.stepIndex ?? 0 }, profile);
      const exited = own !== undefined && own.type !== 'stage_changed';
      const reason = describeExit(exited ? own : { type: 'stage_changed', from: run.startStage, to });
      if (run.executionArn) await deps.executions.stop(run.executionArn, reason);
      await deps.runs.recordProgress(run, { status: exited ? 'exited' : 'stopped', next: null, exit: { reason, at: now.toISOString() }, updatedAt: now.toISOString() });
      stopped.push({ sequenceId: run.sequenceId, runId: run.runId });
    }
    return stopped;
  }
}
