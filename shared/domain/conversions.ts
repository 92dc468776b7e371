import type { BehaviorEvent } from '../contract/index.ts';
import { HOUR_MS } from './clock.ts';
import type { EmailTouch, Profile } from './profile.ts';

export type Conversion = {
  customerId: string;
  sendId: string;
  ruleId?: string;
  /** What the purchase follows: the newest open or click of that send. */
  touch: 'open' | 'click';
  touchedAt: string;
  orderId: string | null;
  revenue: number;
  currency: string | null;
  convertedAt: string;
  timeToConvertMs: number;
  /**
   * Every open and click of the customer's sends within the window before the purchase, oldest
   * first: the multi-touch models' input. Filled in from the send records as the conversion is
   * stored (the profile keeps only the newest touch, to stay small).
   */
  touches?: EmailTouch[];
  /** The converted send's segments (filled in from the send record as the conversion is stored). */
  segments?: string[];
};

/**
 * A purchase within the attribution window after the customer's newest open or click of a Nudge
 * email converts that send (last touch; the reports apply the other attribution models to the
 * recorded touches). `profile` is the profile before the purchase. Pure.
 */
export function attributeConversion(event: BehaviorEvent, profile: Profile | undefined, windowHours: number): Conversion | undefined {
  if (event.type !== 'purchase' || !profile) return undefined;
  const touch = profile.emailActivity.lastEngagement;
  if (!touch) return undefined;
  const elapsed = Date.parse(event.occurredAt) - Date.parse(touch.at);
  if (elapsed < 0 || elapsed > windowHours * HOUR_MS) return undefined;
  const { amount, orderId, currency } = event.properties;
  return {
    customerId: event.customerId,
    sendId: touch.sendId,
    ...(touch.ruleId ? { ruleId: touch.ruleId } : {}),
    touch: touch.kind,
    touchedAt: touch.at,
    orderId: typeof orderId === 'string' ? orderId : null,
    revenue: typeof amount === 'number' ? amount : 0,
    currency: typeof currency === 'string' ? currency : null,
    convertedAt: event.occurredAt,
    timeToConvertMs: elapsed,
  };
}

/** What a send record says about its opens and clicks. */
export type SendEngagement = { sendId: string; ruleId?: string; firstOpenAt?: string; lastOpenAt?: string; firstClickAt?: string; lastClickAt?: string };

/**
 * The touches of a conversion from the customer's send records: per send and kind, the newest
 * open or click at or before the purchase and within the window, oldest first. A send keeps only
 * its first and last times, so when the last is after the purchase the first stands in for it
 * (an earlier repeat in between is not known). Pure.
 */
export function touchesFromSends(sends: readonly SendEngagement[], convertedAt: string, windowHours: number): EmailTouch[] {
  const end = Date.parse(convertedAt);
  const start = end - windowHours * HOUR_MS;
  const inWindow = (at: string | undefined) => at !== undefined && Date.parse(at) >= start && Date.parse(at) <= end;
  const touches: EmailTouch[] = [];
  for (const send of sends) {
    for (const [kind, first, last] of [['open', send.firstOpenAt, send.lastOpenAt], ['click', send.firstClickAt, send.lastClickAt]] as const) {
      const at = inWindow(last) ? last : inWindow(first) ? first : undefined;
      if (at) touches.push({ sendId: send.sendId, kind, at, ...(send.ruleId ? { ruleId: send.ruleId } : {}) });
    }
  }
  return touches.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.sendId.localeCompare(b.sendId) || a.kind.localeCompare(b.kind));
}
