import * as z from 'zod';
import { ConditionGroup } from './conditions.ts';
import { SuccessMetrics, successMetricIssues } from './success-metrics.ts';
import { Experiment } from './trigger-rules.ts';

/**
 * Nurture sequences: a planned series of emails to one customer, started by a lifecycle stage (or a
 * segment entry), each step at an offset from the start or at the customer's next send window, and
 * stopped early by any of its exit goals (a purchase, an unsubscribe, a stage change, ...).
 *
 * This module is the typed definition only; the runner (a state machine per enrolment) reads it.
 */

const SNAKE_ID = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
const SnakeId = z.string().regex(SNAKE_ID, 'must be snake_case, e.g. welcome_series');

/** The latest a step may be scheduled after its sequence started. */
export const MAX_SEQUENCE_DAYS = 365;
/** Steps per sequence. */
export const MAX_SEQUENCE_STEPS = 10;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const Amount = z.number().finite().min(0, 'must not be negative');

/**
 * When a step is sent:
 * - offset: `days` + `hours` + `minutes` after the sequence started (at least one, at most 365 days in all);
 * - next_send_window: the customer's next preferred send hour after the previous step (or after the start).
 */
export const StepTiming = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('offset'), days: Amount.optional(), hours: Amount.optional(), minutes: Amount.optional() })
    .strict()
    .superRefine((timing, ctx) => {
      if (timing.days === undefined && timing.hours === undefined && timing.minutes === undefined) {
        ctx.addIssue({ code: 'custom', message: 'an offset needs at least one of days, hours, minutes' });
      } else if (timingOffsetMs(timing) > MAX_SEQUENCE_DAYS * DAY_MS) {
        ctx.addIssue({ code: 'custom', message: `an offset may be at most ${MAX_SEQUENCE_DAYS} days after the sequence starts` });
      }
    }),
  z.object({ type: z.literal('next_send_window') }).strict(),
]);
export type StepTiming = z.infer<typeof StepTiming>;
export type OffsetTiming = Extract<StepTiming, { type: 'offset' }>;

/** One email of a sequence; skipped (the sequence goes on) when its conditions do not hold at send time. */
export const SequenceStep = z
  .object({
    id: SnakeId,
    timing: StepTiming,
    templateId: SnakeId,
    conditions: ConditionGroup.optional(),
    /** The step's success, as a rule's (`successMetrics` of trigger-rules.ts): the report's `seq_<sequence>__<step>` row judges them. */
    successMetrics: SuccessMetrics,
    /** A content or send-time experiment on this step's email (trigger-rules.ts). */
    experiment: Experiment.optional(),
  })
  .strict();
export type SequenceStep = z.infer<typeof SequenceStep>;
export type SequenceStepInput = z.input<typeof SequenceStep>;

/**
 * What ends a customer's run of a sequence before its last step:
 * - event: a behavior event of `eventType` (e.g. purchase);
 * - unsubscribed: the customer unsubscribed (or withdrew consent for the sequence's category);
 * - stage_changed: the customer's lifecycle stage changed;
 * - segment_exited: the customer left segment `segmentId`;
 * - condition: the conditions hold (checked before each step).
 */
export const ExitGoal = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), eventType: SnakeId }).strict(),
  z.object({ type: z.literal('unsubscribed') }).strict(),
  z.object({ type: z.literal('stage_changed') }).strict(),
  z.object({ type: z.literal('segment_exited'), segmentId: SnakeId }).strict(),
  z.object({ type: z.literal('condition'), conditions: ConditionGroup }).strict(),
]);
export type ExitGoal = z.infer<typeof ExitGoal>;

/**
 * Signals (internal events) that start a sequence: the loyalty enrolment a first purchase makes
 * (document 001's loyalty_program_enrollment) and a newly predicted content interest (document 003's
 * content_interest_prediction). Each maps to the internal event the sequence starter receives.
 */
export const SEQUENCE_SIGNALS = { loyalty_enrolled: 'LoyaltyEnrolled', content_interest_predicted: 'ContentInterestPredicted' } as const;
export const SequenceSignal = z.enum(['loyalty_enrolled', 'content_interest_predicted']);
export type SequenceSignal = z.infer<typeof SequenceSignal>;

/** What starts a sequence besides a rule (`startSequence`): entering a lifecycle stage or a segment, or a signal. */
export const SequenceStart = z
  .object({ lifecycleStage: SnakeId.optional(), segmentEntered: SnakeId.optional(), signal: SequenceSignal.optional() })
  .strict()
  .refine(
    (start) => start.lifecycleStage !== undefined || start.segmentEntered !== undefined || start.signal !== undefined,
    'startOn needs lifecycleStage, segmentEntered or signal',
  );
export type SequenceStart = z.infer<typeof SequenceStart>;

export const Sequence = z
  .object({
    id: SnakeId,
    description: z.string().min(1),
    /** The subscription category its emails belong to; consent is checked against it. */
    category: SnakeId.default('marketing'),
    /** Higher wins when a step competes with other mail for the same customer. */
    priority: z.number().int().min(0).max(1000),
    exitGoals: z.array(ExitGoal),
    steps: z
      .array(SequenceStep)
      .min(1, 'a sequence needs at least one step')
      .max(MAX_SEQUENCE_STEPS, `a sequence has at most ${MAX_SEQUENCE_STEPS} steps`),
    startOn: SequenceStart.optional(),
    /** Runs at most once per customer, ever (e.g. the welcome series); otherwise it may run again after a run ends. */
    startOnce: z.boolean().default(false),
  })
  .strict()
  .superRefine((sequence, ctx) => {
    const seen = new Set<string>();
    sequence.steps.forEach((step, index) => {
      if (seen.has(step.id)) ctx.addIssue({ code: 'custom', path: ['steps', index, 'id'], message: `duplicate step id "${step.id}" in sequence ${sequence.id}` });
      seen.add(step.id);
      for (const issue of successMetricIssues(step.successMetrics, `step ${step.id} of sequence ${sequence.id}`)) ctx.addIssue({ code: 'custom', ...issue, path: ['steps', index, ...issue.path] });
    });
    let previous: { id: string; ms: number } | undefined;
    sequence.steps.forEach((step, index) => {
      if (step.timing.type !== 'offset') return;
      const ms = timingOffsetMs(step.timing);
      if (previous && ms <= previous.ms) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', index, 'timing'],
          message: `step ${step.id} of sequence ${sequence.id} must come after step ${previous.id}: offsets must strictly increase`,
        });
      }
      previous = { id: step.id, ms };
    });
  });
export type Sequence = z.infer<typeof Sequence>;
export type SequenceInput = z.input<typeof Sequence>;

/** An offset timing in milliseconds after the sequence start. */
export function timingOffsetMs(timing: { days?: number | undefined; hours?: number | undefined; minutes?: number | undefined }): number {
  return (timing.days ?? 0) * DAY_MS + (timing.hours ?? 0) * HOUR_MS + (timing.minutes ?? 0) * MINUTE_MS;
}

/** Each offset step's offset from the sequence start, in step order (next_send_window steps are left out). */
export function stepOffsetsMs(sequence: Pick<Sequence, 'steps'>): Array<{ stepId: string; offsetMs: number }> {
  return sequence.steps.flatMap((step) => (step.timing.type === 'offset' ? [{ stepId: step.id, offsetMs: timingOffsetMs(step.timing) }] : []));
}
