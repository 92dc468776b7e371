import type { BehaviorEvent } from '../contract/index.ts';
import { HOUR_MS } from './clock.ts';
import type { Profile } from './profile.ts';

/** What a touch was: the email arriving (its sent time), or the customer opening or clicking it. */
export const TOUCH_KINDS = ['send', 'open', 'click'] as const;
export type TouchKind = (typeof TOUCH_KINDS)[number];

/** One touch of a Nudge email before a purchase: the attribution models' input. */
export type ConversionTouch = { sendId: string; ruleId?: string; kind: TouchKind; at: string };

/** A purchase that may convert: what is known before the customer's send records are read. */
export type Purchase = {
  customerId: string;
  orderId: string | null;
  revenue: number;
  currency: string | null;
  convertedAt: string;
};

export type Conversion = Purchase & {
  /** The converted send: the send of the newest touch (last touch; see {@link conversionFromSends}). */
  sendId: string;
  ruleId?: string;
  /** What the purchase follows on that send: its arrival, or the customer's newest open or click. */
  touch: TouchKind;
  touchedAt: string;
  timeToConvertMs: number;
  /**
   * Every touch of the customer's Nudge emails within the lookback before the purchase, oldest
   * first: the multi-touch models' input, from the send records (the profile keeps only the newest
   * send time and engagement, to stay small).
   */
  touches: ConversionTouch[];
  /** The converted send's segments (filled in from the send record as the conversion is stored). */
  segments?: string[];
};

/**
 * Whether a purchase may convert: some Nudge email was queued, opened or clicked within the
 * lookback before it (document 000: every campaign email sent is a touchpoint, so a purchase
 * without any open is credited to the sends before it). Read from the profile before the purchase,
 * so purchases of customers Nudge never emailed lately cost no read of their send records. Which
 * send converts, and whether one was really sent in time, is decided from the send records
 * ({@link conversionFromSends}). Pure.
 *
 * The profile's `lastSendAt` is the newest decision time, at or before that email's sent time, so
 * a send inside the lookback has a decision inside it too, unless its sending waited for the
 * customer's preferred hour across the lookback's start (then the purchase is 30 days after it).
 * A decision after the purchase (events arriving late) still lets earlier sends through.
 */
export function purchaseToAttribute(event: BehaviorEvent, profile: Profile | undefined, lookbackHours: number): Purchase | undefined {
  if (event.type !== 'purchase' || !profile) return undefined;
  const start = Date.parse(event.occurredAt) - lookbackMs(lookbackHours);
  const { lastSendAt, lastEngagement } = profile.emailActivity;
  const recent = [lastSendAt, lastEngagement?.at].some((at) => at !== undefined && Date.parse(at) >= start);
  if (!recent) return undefined;
  const { amount, orderId, currency } = event.properties;
  return {
    customerId: event.customerId,
    orderId: typeof orderId === 'string' ? orderId : null,
    revenue: typeof amount === 'number' ? amount : 0,
    currency: typeof currency === 'string' ? currency : null,
    convertedAt: event.occurredAt,
  };
}

/** What a send record says about its sending, opens and clicks. */
export type SendEngagement = {
  sendId: string;
  ruleId?: string;
  /** Set when the email left (a failed or not yet sent email has none and touches nobody). */
  sentAt?: string;
  /** SES's report after the send: a bounced or rejected email never reached the customer. */
  outcome?: string;
  firstOpenAt?: string;
  lastOpenAt?: string;
  firstClickAt?: string;
  lastClickAt?: string;
};

/** Outcomes of an email that did not arrive: no send touch. */
const UNDELIVERED = new Set(['bounced', 'rejected']);

/**
 * The conversion of a purchase from the customer's send records, or undefined when no Nudge email
 * touched the customer within the lookback before it. The converted send is the last touch: the
 * newest touch of all (at one instant a click before an open before an arrival), which is also the
 * campaign the last-touch model credits. So the per-send `convertedAt` and the trigger-performance
 * `converted` and revenue counters keep one well-defined meaning: the email nearest the purchase,
 * opened or not. Pure.
 */
export function conversionFromSends(purchase: Purchase, sends: readonly SendEngagement[], lookbackHours: number): Conversion | undefined {
  const touches = touchesFromSends(sends, purchase.convertedAt, lookbackHours);
  const last = touches.reduce<ConversionTouch | undefined>((newest, touch) => (!newest || compareTouchTimes(touch, newest) > 0 ? touch : newest), undefined);
  if (!last) return undefined;
  return {
    ...purchase,
    sendId: last.sendId,
    ...(last.ruleId ? { ruleId: last.ruleId } : {}),
    touch: last.kind,
    touchedAt: last.at,
    timeToConvertMs: Date.parse(purchase.convertedAt) - Date.parse(last.at),
    touches,
  };
}

const KIND_ORDER: Record<TouchKind, number> = { send: 0, open: 1, click: 2 };

/** Time order; at one instant the stronger kind is the later touch, then the send id (never input order). */
function compareTouchTimes(a: ConversionTouch, b: ConversionTouch): number {
  return Date.parse(a.at) - Date.parse(b.at) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.sendId < b.sendId ? -1 : a.sendId > b.sendId ? 1 : 0);
}

/**
 * The touches of a conversion from the customer's send records, oldest first: per send, its newest
 * open and click, or when it has neither its arrival (sent time, unless SES reported a bounce or
 * rejection), each at or before the purchase and within the lookback. A send keeps only its first and last open and
 * click times, so when the last is after the purchase the first stands in for it (an earlier repeat
 * in between is not known). Pure.
 */
export function touchesFromSends(sends: readonly SendEngagement[], convertedAt: string, lookbackHours: number): ConversionTouch[] {
  const end = Date.parse(convertedAt);
  const start = end - lookbackMs(lookbackHours);
  const inWindow = (at: string | undefined) => at !== undefined && Date.parse(at) >= start && Date.parse(at) <= end;
  const touches: ConversionTouch[] = [];
  for (const send of sends) {
    const rule = send.ruleId ? { ruleId: send.ruleId } : {};
    const engaged: ConversionTouch[] = [];
    for (const [kind, first, last] of [['open', send.firstOpenAt, send.lastOpenAt], ['click', send.firstClickAt, send.lastClickAt]] as const) {
      const at = inWindow(last) ? last : inWindow(first) ? first : undefined;
      if (at) engaged.push({ sendId: send.sendId, kind, at, ...rule });
    }
    // An open or click implies the arrival and is the stronger touch of the same email, so it stands
    // for it (tracked engagement times are whole seconds, and may even read before the sent time).
    if (engaged.length > 0) touches.push(...engaged);
    else if (inWindow(send.sentAt) && !UNDELIVERED.has(send.outcome ?? '')) touches.push({ sendId: send.sendId, kind: 'send', at: send.sentAt!, ...rule });
  }
  return touches.sort(compareTouchTimes);
}

function lookbackMs(lookbackHours: number): number {
  if (!(Number.isFinite(lookbackHours) && lookbackHours > 0)) throw new RangeError(`the attribution lookback must be a positive number of hours, got ${lookbackHours}`);
  return lookbackHours * HOUR_MS;
}
