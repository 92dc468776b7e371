import * as z from 'zod';
import { deterministicId } from './deterministic-ids.ts';

/** The event a rule decision is about (the triggering event, or the event that started a timer). */
export const TriggerRef = z.object({
  eventId: z.string().min(1),
  type: z.string().min(1),
  occurredAt: z.string(),
  properties: z.record(z.string(), z.unknown()).default({}),
});
export type TriggerRef = z.infer<typeof TriggerRef>;

/**
 * A rule evaluation that is due later, run by the timers function when it comes due:
 * - `absence_check`: a temporal rule's "event A and no event B within the window" (e.g. cart_add
 *   with no purchase within 1 h), started by event A;
 * - `deferred_rule`: a rule that lost a priority conflict and says `onConflict: defer`.
 * `timerId` is deterministic (kind, customer, rule, event), so a redelivered event schedules nothing twice.
 */
export const RuleTimer = z.object({
  timerId: z.string().min(1),
  kind: z.enum(['absence_check', 'deferred_rule']),
  ruleId: z.string().min(1),
  customerId: z.string().min(1),
  trigger: TriggerRef,
  dueAt: z.string(),
});
export type RuleTimer = z.infer<typeof RuleTimer>;

/** Deterministic in (kind, customer, rule, event): a redelivery dedupes, another customer's equal event id does not. */
export function timerIdFor(kind: RuleTimer['kind'], customerId: string, ruleId: string, eventId: string): string {
  return deterministicId(`timer:${kind}`, customerId, ruleId, eventId);
}
