import type { BehaviorEvent } from '../contract/index.ts';
import { HOUR_MS } from './clock.ts';
import type { Profile } from './profile.ts';

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
