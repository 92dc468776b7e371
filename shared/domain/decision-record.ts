import type { ConditionResult } from './conditions.ts';

/**
 * One decision about one rule for one event: the audit trail behind `nudge why`. Every matched
 * rule gets one, whether it sent, was held out, lost a priority conflict or was suppressed.
 */
export type DecisionOutcome = 'queued' | 'holdout' | 'suppressed' | 'dropped_priority';
export type DecisionReason =
  | 'no_email'
  | 'no_consent'
  | 'promotional_pause'
  | 'cooldown'
  | 'rule_cap'
  | 'global_cap'
  | 'lower_priority';

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
  /** When a cooldown or cap frees up again. */
  until?: string;
  /** The rule that won a priority conflict. */
  wonBy?: string;
  /** The send (queued) or the send the control group would have received (holdout). */
  sendId?: string;
  conditions: ConditionResult[];
};
