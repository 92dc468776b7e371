import * as z from 'zod';
import type { ConditionResult } from './conditions.ts';
import type { ExposureGroup } from './exposures.ts';

/**
 * One decision about one rule for one trigger: the audit trail behind `nudge why`. Every matched
 * rule gets one, whether it sent, was held out, lost a priority conflict, was suppressed, or found
 * its goal already met when its timer came due.
 */
export const DecisionOutcome = z.enum(['queued', 'holdout', 'suppressed', 'dropped_priority', 'deferred', 'goal_met', 'sequence_started']);
export type DecisionOutcome = z.infer<typeof DecisionOutcome>;

export const DecisionReason = z.enum([
  // suppressed
  'no_email',
  'no_consent',
  'promotional_pause',
  'cooldown',
  'rule_cap',
  'global_cap',
  // dropped_priority, deferred
  'lower_priority',
  // queued for later (sendAt says when)
  'quiet_hours',
  'preferred_hour',
  'delay',
  // goal_met
  'follow_up_seen',
  // holdout: the customer is in the global control group (a rule's own holdout has no reason)
  'global_control',
]);
export type DecisionReason = z.infer<typeof DecisionReason>;

export type DecisionRecord = {
  customerId: string;
  ruleId: string;
  priority: number;
  eventId: string;
  eventType: string;
  occurredAt: string;
  decidedAt: string;
  outcome: DecisionOutcome;
  reason?: DecisionReason;
  /** When a cooldown or cap frees up again, or when a deferred rule is decided again. */
  until?: string;
  /** The rule that won a priority conflict. */
  wonBy?: string;
  /** The sequence a `sequence_started` decision asked the starter to start (or the control group did not start). */
  sequenceId?: string;
  /** The send (queued) or the send the control group would have received (holdout). */
  sendId?: string;
  /** When a queued email leaves (omitted: at once). */
  sendAt?: string;
  /** The claims were already held by this sendId: the same decision taken again (a redelivery); queued again, sent once. */
  repeat?: boolean;
  /** What the decision was about when it was not a behavior event: a timer, a model event, the sweep. */
  via?: 'event' | 'absence_check' | 'deferred_rule' | 'model_event' | 'sweep' | 'sequence';
  conditions: ConditionResult[];
  /** Incrementality: the group of a rule-with-holdout's decision that sent (treated) or held out (control), not a repeat (exposures.ts). */
  exposure?: ExposureGroup;
  /** The exposure's conversion window in hours, fixed as it is decided. */
  windowHours?: number;
  /** A queued send of a rule or step with an experiment: the experiment and the customer's variant. */
  experimentId?: string;
  variantId?: string;
  /** The variant is the experiment's recorded winner, which now gets all traffic (otherwise: assigned by hash). */
  variantBy?: 'winner';
};
