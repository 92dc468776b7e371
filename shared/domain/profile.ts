import { z } from 'zod';
import type { BehaviorEvent } from '../contract/index.ts';
import { hasSeenEvent, rememberEvent } from './event-dedupe.ts';

/**
 * The live customer profile: the hot item of the system, updated once per event.
 *
 * Kept small and bounded whatever the customer's history (design.md section 3): counters instead
 * of event lists, a capped cart snapshot, a capped set of custom event types, and the fixed-size
 * redelivery window of event-dedupe.ts.
 */
export const MAX_CART_ITEMS = 10;
export const MAX_CUSTOM_EVENT_TYPES = 16;
export const OTHER_CUSTOM_EVENTS = 'custom_other';

export const ConsentStatus = z.enum(['subscribed', 'unsubscribed']);
export type ConsentStatus = z.infer<typeof ConsentStatus>;

export const CartItem = z.object({
  productId: z.string(),
  name: z.string().optional(),
  quantity: z.number(),
  price: z.number().optional(),
  category: z.string().optional(),
});
export type CartItem = z.infer<typeof CartItem>;

export const CartSnapshot = z.object({
  value: z.number(),
  currency: z.string().optional(),
  items: z.array(CartItem),
  /** How many items the cart had; `items` keeps only the first MAX_CART_ITEMS. */
  itemCount: z.number(),
  at: z.string(),
});
export type CartSnapshot = z.infer<typeof CartSnapshot>;

export const Profile = z.object({
  customerId: z.string(),
  /** Optimistic-concurrency version: every write is conditional on the version it read. */
  version: z.number().int().nonnegative(),
  email: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  timezone: z.string().optional(),
  /** Consent per subscription category (marketing, product_updates, transactional, ...). */
  consent: z.record(z.string(), ConsentStatus),
  /** occurredAt of the newest identify/subscribe that set the attributes above. */
  attributesAt: z.string().optional(),
  firstSeenAt: z.string(),
  /** The newest occurredAt seen: never moves backwards when events arrive out of order. */
  lastActivityAt: z.string(),
  eventCount: z.number().int().nonnegative(),
  eventCounts: z.record(z.string(), z.number().int().nonnegative()),
  lastCart: CartSnapshot.optional(),
  recentEvents: z.string(),
  updatedAt: z.string(),
});
export type Profile = z.infer<typeof Profile>;

export type ProfileChange =
  | { type: 'duplicate'; profile: Profile }
  | { type: 'applied'; profile: Profile; previous: Profile | undefined };

/** Applies one validated behavior event to the profile (pure). `now` is the processing time. */
export function applyEvent(current: Profile | undefined, event: BehaviorEvent, now: Date): ProfileChange {
  if (current && hasSeenEvent(current.recentEvents, event.eventId)) {
    return { type: 'duplicate', profile: current };
  }
  const base = current ?? newProfile(event);
  const next: Profile = {
    ...base,
    consent: { ...base.consent },
    eventCounts: countEvent(base.eventCounts, event),
    eventCount: base.eventCount + 1,
    lastActivityAt: latest(base.lastActivityAt, event.occurredAt),
    firstSeenAt: earliest(base.firstSeenAt, event.occurredAt),
    recentEvents: rememberEvent(base.recentEvents, event.eventId),
    updatedAt: now.toISOString(),
  };
  if (event.email && !next.email) next.email = event.email;
  applyTypeSpecific(next, event);
  return { type: 'applied', profile: next, previous: current };
}

function newProfile(event: BehaviorEvent): Profile {
  return {
    customerId: event.customerId,
    version: 0,
    consent: {},
    firstSeenAt: event.occurredAt,
    lastActivityAt: event.occurredAt,
    eventCount: 0,
    eventCounts: {},
    recentEvents: '',
    updatedAt: event.occurredAt,
  };
}

function applyTypeSpecific(profile: Profile, event: BehaviorEvent): void {
  switch (event.type) {
    case 'identify':
      applyIdentity(profile, event);
      break;
    case 'subscribe':
      applyIdentity(profile, event);
      for (const category of categoriesOf(event, ['marketing'])) profile.consent[category] = 'subscribed';
      break;
    case 'unsubscribe':
      for (const category of categoriesOf(event, ['marketing'])) profile.consent[category] = 'unsubscribed';
      break;
    case 'cart_add':
    case 'cart_abandon':
      applyCart(profile, event);
      break;
    case 'purchase':
      // A purchase after the last cart snapshot closes that cart: nothing is left to recover.
      if (profile.lastCart && compareInstants(event.occurredAt, profile.lastCart.at) >= 0) delete profile.lastCart;
      break;
    default:
      break;
  }
}

/** identify/subscribe carry attributes; an older one arriving late must not overwrite a newer one. */
function applyIdentity(profile: Profile, event: BehaviorEvent): void {
  if (profile.attributesAt && compareInstants(event.occurredAt, profile.attributesAt) < 0) {
    if (!profile.email) profile.email = emailOf(event);
    return;
  }
  const props = event.properties;
  profile.attributesAt = event.occurredAt;
  const email = emailOf(event);
  if (email) profile.email = email;
  if (typeof props.firstName === 'string') profile.firstName = props.firstName;
  if (typeof props.lastName === 'string') profile.lastName = props.lastName;
  if (typeof props.timezone === 'string') profile.timezone = props.timezone;
  if (isRecord(props.consent)) {
    for (const [category, status] of Object.entries(props.consent)) {
      const parsed = ConsentStatus.safeParse(status);
      if (parsed.success) profile.consent[category] = parsed.data;
    }
  }
}

function applyCart(profile: Profile, event: BehaviorEvent): void {
  if (profile.lastCart && compareInstants(event.occurredAt, profile.lastCart.at) < 0) return;
  const props = event.properties;
  const items = Array.isArray(props.items) ? props.items.map(toCartItem).filter((i) => i !== undefined) : [];
  profile.lastCart = {
    value: typeof props.cartValue === 'number' ? props.cartValue : 0,
    ...(typeof props.currency === 'string' ? { currency: props.currency } : {}),
    items: items.slice(0, MAX_CART_ITEMS),
    itemCount: items.length,
    at: event.occurredAt,
  };
}

function toCartItem(raw: unknown): CartItem | undefined {
  const parsed = CartItem.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** Catalog types are counted by name; custom types too, up to a bound, then together. */
function countEvent(counts: Record<string, number>, event: BehaviorEvent): Record<string, number> {
  const key = counterKey(counts, event);
  return { ...counts, [key]: (counts[key] ?? 0) + 1 };
}

function counterKey(counts: Record<string, number>, event: BehaviorEvent): string {
  if (!event.isCustom) return event.type;
  const key = `custom:${event.type}`;
  if (counts[key] !== undefined) return key;
  const customTypes = Object.keys(counts).filter((k) => k.startsWith('custom:')).length;
  return customTypes < MAX_CUSTOM_EVENT_TYPES ? key : OTHER_CUSTOM_EVENTS;
}

function emailOf(event: BehaviorEvent): string | undefined {
  if (event.email) return event.email;
  return typeof event.properties.email === 'string' ? event.properties.email : undefined;
}

function categoriesOf(event: BehaviorEvent, fallback: string[]): string[] {
  const categories = event.properties.categories;
  if (Array.isArray(categories)) {
    const names = categories.filter((c): c is string => typeof c === 'string');
    if (names.length > 0) return names;
  }
  if (typeof event.properties.category === 'string') return [event.properties.category];
  return fallback;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Compares ISO-8601 instants with offsets (string order is wrong across offsets). */
export function compareInstants(a: string, b: string): number {
  return Date.parse(a) - Date.parse(b);
}

function latest(a: string, b: string): string {
  return compareInstants(b, a) > 0 ? b : a;
}

function earliest(a: string, b: string): string {
  return compareInstants(b, a) < 0 ? b : a;
}
