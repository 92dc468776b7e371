import { createHash } from 'node:crypto';
import { z } from 'zod';

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
 * `timerId` is deterministic (kind, rule, event), so a redelivered event schedules nothing twice.
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

export function timerIdFor(kind: RuleTimer['kind'], ruleId: string, eventId: string): string {
  return createHash('sha256').update(`${kind}\u0000${ruleId}\u0000${eventId}`).digest('base64url').slice(0, 22);
}
