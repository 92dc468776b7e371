import { evaluateConditionGroup } from './conditions.ts';
import type { Profile } from './profile.ts';
import type { ProfileFacts } from './profile-facts.ts';
import { planSendTime, type SendTimeSettings } from './send-time.ts';
import { timingOffsetMs, type Sequence } from './sequences.ts';
import { conditionScope } from './trigger-rules.ts';

/** Where one customer's run of a sequence stands (what the runner carries from step to step). */
export type SequenceRun = {
  sequenceId: string;
  customerId: string;
  /** ISO instant the run started: offsets count from here, exit events count from here. */
  startedAt: string;
  /** The lifecycle stage when it started (a `stage_changed` goal compares against it). */
  startStage: string | null;
  /** The next step to send (0-based). */
  stepIndex: number;
};

export type ExitReason =
  | { type: 'unsubscribed'; category: string }
  | { type: 'event'; eventType: string; at: string }
  | { type: 'stage_changed'; from: string | null; to: string | null }
  | { type: 'segment_exited'; segmentId: string }
  | { type: 'condition' };

/**
 * The first exit goal the live profile meets, checked before every step: the purchase that ends
 * cart recovery, the unsubscribe, the stage that moved on. Event goals read `profile.lastSeen`
 * (the catalog adds every exit event type to the types profiles keep). Pure.
 */
export function exitReason(sequence: Sequence, run: SequenceRun, profile: Profile, facts?: ProfileFacts): ExitReason | undefined {
  const startedAtSeconds = Math.floor(Date.parse(run.startedAt) / 1000);
  for (const goal of sequence.exitGoals) {
    switch (goal.type) {
      case 'unsubscribed':
        if (profile.consent[sequence.category] === 'unsubscribed') return { type: 'unsubscribed', category: sequence.category };
        break;
      case 'event': {
        const seen = profile.lastSeen[goal.eventType];
        if (seen !== undefined && seen >= startedAtSeconds) return { type: 'event', eventType: goal.eventType, at: new Date(seen * 1000).toISOString() };
        break;
      }
      case 'stage_changed':
        if ((profile.lifecycleStage ?? null) !== run.startStage) return { type: 'stage_changed', from: run.startStage, to: profile.lifecycleStage ?? null };
        break;
      case 'segment_exited':
        if (!Object.hasOwn(profile.segments, goal.segmentId)) return { type: 'segment_exited', segmentId: goal.segmentId };
        break;
      case 'condition': {
        if (evaluateConditionGroup(goal.conditions, conditionScope({ event: {}, profile, facts })).passed) return { type: 'condition' };
        break;
      }
    }
  }
  return undefined;
}

/**
 * When step `stepIndex` is due: its offset from the start, or for `next_send_window` the
 * customer's next preferred send hour after the previous step was sent (`previousAt`). Pure.
 */
export function stepDueAt(input: { sequence: Sequence; stepIndex: number; startedAt: string; previousAt: Date; profile: Profile; settings: SendTimeSettings }): Date {
  const step = input.sequence.steps[input.stepIndex];
  if (!step) throw new RangeError(`sequence ${input.sequence.id} has no step ${input.stepIndex}`);
  if (step.timing.type === 'offset') return new Date(Date.parse(input.startedAt) + timingOffsetMs(step.timing));
  return planSendTime({ policy: { policy: 'preferred_hour' }, transactional: false, profile: input.profile, now: input.previousAt, settings: input.settings }).at;
}

/** The event types whose latest occurrence profiles must keep for these sequences' exit goals. */
export function sequenceExitEventTypes(sequences: readonly Sequence[]): Set<string> {
  const types = new Set<string>();
  for (const sequence of sequences) for (const goal of sequence.exitGoals) if (goal.type === 'event') types.add(goal.eventType);
  return types;
}
