/**
 * When an event counts: its occurredAt, but never after the processing time. Producer clocks run
 * ahead sometimes (events/README.md, "Clock skew"); an event dated 2099 taken at its word would
 * date the customer's activity, cart, purchases and attributes in the future and make every later
 * event look older. Deriving the effective time here, once, and handing the clamped event to
 * everything after (profile, rules, timers, decisions, tracking) keeps every ordering comparison
 * and every stored instant on the same, bounded clock. Pure.
 */

/** min(occurredAt, now), as an instant string: occurredAt exactly as sent when it is not in the future. */
export function effectiveOccurredAt(occurredAt: string, now: Date): string {
  return Date.parse(occurredAt) > now.getTime() ? now.toISOString() : occurredAt;
}

/** The event with its effective time as occurredAt (the same object when it is not in the future). */
export function atEffectiveTime<E extends { occurredAt: string }>(event: E, now: Date): E {
  const occurredAt = effectiveOccurredAt(event.occurredAt, now);
  return occurredAt === event.occurredAt ? event : { ...event, occurredAt };
}
