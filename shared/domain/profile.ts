import * as z from 'zod';
import type { BehaviorEvent } from '../contract/index.ts';
import { personal } from '../contract/primitives.ts';
import { COUNTS_PATTERN, countInRing, dayNumber, rollRing, upgradeLegacyRing, type WeeklySeries } from './activity-ring.ts';
import { addCount, countBounded, countOf, withCount } from './bounded-counter.ts';
import { hasSeenEvent, rememberEvent } from './event-dedupe.ts';
import { atEffectiveTime } from './event-time.ts';

/**
 * The live customer profile: the hot item of the system, updated once per event.
 *
 * Kept small and bounded whatever the customer's history (design.md section 3): counters instead
 * of event lists, a capped cart snapshot, a capped set of custom event types, and the fixed-size
 * redelivery window of event-dedupe.ts.
 */
export const MAX_CART_ITEMS = 5;
const MAX_ITEM_NAME = 60;
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

const SeriesCounts = z.record(z.string(), z.string().regex(COUNTS_PATTERN, { error: 'must be encoded counts (activity-ring.ts)' }));
/** Daily counts for 30 days and weekly counts past them (activity-ring.ts); a profile stored before the weeks loads with none. */
export const ActivityRingSchema = z.preprocess(upgradeLegacyRing, z.object({ anchorDay: z.number().int(), days: SeriesCounts, weeks: SeriesCounts.default({}) }));

export const MAX_CATEGORIES = 8;
/**
 * Products kept for recommendations (document 000's recommended_products): the newest viewed, not
 * yet bought. Two, with short names, so the hot item stays within its size budget (profile-size test).
 */
export const MAX_RECENT_PRODUCTS = 2;
const MAX_PRODUCT_URL = 120;
const MAX_PRODUCT_NAME = 40;

export const RecentProduct = z.object({
  productId: z.string(),
  name: z.string().optional(),
  category: z.string().optional(),
  price: z.number().optional(),
  /** Absolute http(s) URL of the product page, when the event gave one short enough to keep. */
  url: z.string().optional(),
});
export type RecentProduct = z.infer<typeof RecentProduct>;
export const MAX_DEVICES = 5;
export const MAX_OPEN_TICKETS = 10;
export const MAX_RECENT_CART_ABANDONS = 5;

const Commerce = z.object({
  purchaseCount: z.number().int().nonnegative(),
  revenue: z.number(),
  refunds: z.number(),
  firstPurchaseAt: z.string().optional(),
  lastPurchaseAt: z.string().optional(),
});
const Sessions = z.object({ count: z.number().int().nonnegative(), seconds: z.number().nonnegative(), lastSessionId: z.string().optional() });
export const MAX_OPEN_HOURS = 4;
export const EmailTouch = z.object({ sendId: z.string(), ruleId: z.string().optional(), kind: z.enum(['open', 'click']), at: z.string() });
export type EmailTouch = z.infer<typeof EmailTouch>;

const EmailEngagement = z.object({
  sends: z.number().int().nonnegative(),
  /** Local hour of day ("0".."23") -> opens, bounded (Space-Saving): the preferred send hour is the top one. */
  openHours: z.record(z.string(), z.number()).default({}),
  lastSendAt: z.string().optional(),
  lastOpenAt: z.string().optional(),
  lastClickAt: z.string().optional(),
  /** The newest open or click of a send Nudge made: what a purchase within the attribution window converts. */
  lastEngagement: EmailTouch.optional(),
});
const Support = z.object({
  openTickets: z.array(z.string()),
  ratingSum: z.number(),
  ratingCount: z.number().int().nonnegative(),
  lastNpsScore: z.number().optional(),
});

/** One write's effects (see `outbox`): internal events (shared/domain/internal-events.ts) and membership changes. */
const OutboxEntry = z
  .object({
    at: z.string(),
    events: z.array(z.object({ detailType: z.string().min(1), detail: z.record(z.string(), z.unknown()) }).strict()),
    entered: z.array(z.object({ segmentId: z.string().min(1), matchScore: z.number() }).strict()),
    exited: z.array(z.string().min(1)),
  })
  .strict();
export type OutboxEntry = z.infer<typeof OutboxEntry>;

export const Profile = z.object({
  customerId: z.string(),
  /** Optimistic-concurrency version: every write is conditional on the version it read. */
  version: z.number().int().nonnegative(),
  // Marked personal like the contract's fields: condition results record a marker, never these values.
  email: personal(z.string().optional(), 'Email address'),
  firstName: personal(z.string().optional(), 'First name'),
  lastName: personal(z.string().optional(), 'Last name'),
  timezone: z.string().optional(),
  /** The customer's own choice of send time, local `HH:MM` (identify): wins over the learned hour (send-time.ts). */
  preferredContactTime: z.string().optional(),
  /** Consent per subscription category (marketing, product_updates, transactional, ...). */
  consent: z.record(z.string(), ConsentStatus),
  /** Effective time (occurredAt, at most the processing time) of the newest identify/subscribe that set the attributes above. */
  attributesAt: z.string().optional(),
  firstSeenAt: z.string(),
  /** The newest effective time seen: never moves backwards when events arrive out of order, never after the processing time. */
  lastActivityAt: z.string(),
  eventCount: z.number().int().nonnegative(),
  eventCounts: z.record(z.string(), z.number().int().nonnegative()),
  /**
   * Latest occurredAt (epoch seconds) per event type, only for the types the catalog's temporal
   * and composite rules ask about (ApplyOptions.lastSeenTypes): bounded by the catalog.
   */
  lastSeen: z.record(z.string(), z.number()).default({}),
  lastCart: CartSnapshot.optional(),
  /** occurredAt (epoch ms) of the latest cart abandons, newest first: exact "abandons in the last 24 h". */
  recentCartAbandons: z.array(z.number()).default([]),
  /** First subscribe; `days_since_signup` falls back to firstSeenAt. */
  signedUpAt: z.string().optional(),
  activity: ActivityRingSchema.default({ anchorDay: 0, days: {}, weeks: {} }),
  commerce: Commerce.default({ purchaseCount: 0, revenue: 0, refunds: 0 }),
  sessions: Sessions.default({ count: 0, seconds: 0 }),
  pageViewsByType: z.record(z.string(), z.number()).default({}),
  productPageSeconds: z.number().default(0),
  /** Bounded (Space-Saving) counters: top categories and device preference at a fixed size. */
  categories: z.record(z.string(), z.number()).default({}),
  categoryTotal: z.number().default(0),
  devices: z.record(z.string(), z.number()).default({}),
  emailActivity: EmailEngagement.default({ sends: 0, openHours: {} }),
  support: Support.default({ openTickets: [], ratingSum: 0, ratingCount: 0 }),
  subscriptionCancelledAt: z.string().optional(),
  /** Products seen in product_view events, newest first, bought ones removed (bounded: MAX_RECENT_PRODUCTS). */
  recentProducts: z.array(RecentProduct).default([]),
  // Derived state, written by the profile evaluation (scores, segments, lifecycle) after each event.
  scores: z.record(z.string(), z.number()).default({}),
  engagementLevel: z.string().optional(),
  /** Current segments: id -> when entered (epoch seconds; numbers keep the hot item small). */
  segments: z.record(z.string(), z.number()).default({}),
  lifecycleStage: z.string().optional(),
  lifecycleStageSince: z.string().optional(),
  /** Written by the scheduled predictive scoring (not by events). */
  predictions: z
    .object({
      churn: z
        .object({
          probability: z.number().min(0).max(1),
          segment: z.enum(['high', 'medium', 'low']),
          modelId: z.string(),
          scoredAt: z.string(),
          /** When the scoring last kept a training snapshot of this profile's features (weekly). */
          snapshotAt: z.string().optional(),
        })
        .strict()
        .optional(),
      /** Probability of a purchase within the catalog's purchase window. */
      purchaseIntent: z.object({ probability: z.number().min(0).max(1), modelId: z.string() }).strict().optional(),
      /** Revenue expected over the catalog's value horizon, and where that stands in the population. */
      value: z.object({ predicted: z.number().min(0), potential: z.enum(['high', 'medium', 'low']), modelId: z.string() }).strict().optional(),
      nextPurchase: z.object({ days: z.number().min(0), segment: z.enum(['imminent', 'near_term', 'long_term_nurture']) }).strict().optional(),
      /** Top content interests (categories scored 0..1, own or by similar customers), strongest first. */
      interests: z.array(z.object({ category: z.string(), score: z.number(), source: z.enum(['own', 'similar']) }).strict()).optional(),
    })
    .strict()
    .default({}),
  recentEvents: z.string(),
  /**
   * The event applied last (processing order) and the content categories it counted: the report
   * rollups read behavior (counts, transitions, hours, categories) from the profile's change stream.
   */
  lastEvent: z.object({ type: z.string(), at: z.string(), categories: z.array(z.string()).optional() }).strict().optional(),
  /**
   * The effects of the writes that made this version and are not yet known to be done: the internal
   * events to publish and the segment membership to apply (shared/services/profile-outbox.ts). They
   * are written in the same conditional write as the profile, so a write that loses its version check
   * announces nothing, and done after it; a writer that finds them still here does them again.
   */
  outbox: z.array(OutboxEntry).optional(),
  updatedAt: z.string(),
});
export type Profile = z.infer<typeof Profile>;

/** Why a value is not a valid profile, by field (`devices.toString`), empty when it is: checked before every write. */
export function profileProblems(value: unknown): Array<{ field: string; message: string }> {
  const parsed = Profile.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((issue) => ({ field: ['profile', ...issue.path.map(String)].join('.'), message: issue.message }));
}

/** The problems as one line, for logs and errors. */
export function describeProblems(problems: ReadonlyArray<{ field: string; message: string }>): string {
  return problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
}

export type ProfileChange =
  | { type: 'duplicate'; profile: Profile }
  | { type: 'applied'; profile: Profile; previous: Profile | undefined };

/**
 * The daily series every profile keeps (what the built-in metrics read). The catalog adds the
 * event types its scores and segments count over windows (`dailySeriesFor` in the catalog), so the
 * ring's size is bounded by the catalog, not by the customer's history.
 */
export const BASE_DAILY_SERIES: ReadonlySet<string> = new Set([
  '*',
  'session',
  'email_send',
  'email_open',
  'email_click',
  'page_view',
  'product_view',
  'search',
  'cart_add',
  'cart_abandon',
  'purchase',
  'app_session',
  'page:pricing',
  'page:product',
  'page:feature',
  'page:docs',
]);

/**
 * The series that also keep weekly counts past the daily ring, with the longest window that reads
 * each (it bounds the weeks kept): every event for document 000's 90-day interactions, purchases
 * for purchases_365d. The catalog adds the series it reads over more than 30 days (`weeklySeriesFor`).
 */
export const BASE_WEEKLY_SERIES: WeeklySeries = new Map([
  ['*', 90],
  ['purchase', 365],
]);

export type ApplyOptions = {
  dailySeries: ReadonlySet<string>;
  /** Series of `dailySeries` that keep weeks too, with their longest window (default BASE_WEEKLY_SERIES). */
  weeklySeries?: WeeklySeries;
  /** Event types whose latest occurrence is kept in `lastSeen` (from the catalog's rules). */
  lastSeenTypes?: ReadonlySet<string>;
};

/**
 * Applies one validated behavior event to the profile (pure). `now` is the processing time; the
 * event counts at its effective time, min(occurredAt, now).
 */
/**
 * Document 001: a completed purchase enrols the customer in the loyalty programme. The enrolment is
 * the first purchase (no field of its own: the hot item stays within its size budget).
 */
export function loyaltyEnrolledAt(profile: Pick<Profile, 'commerce'>): string | undefined {
  return profile.commerce.firstPurchaseAt;
}

export function applyEvent(
  current: Profile | undefined,
  received: BehaviorEvent,
  now: Date,
  options: ApplyOptions = { dailySeries: BASE_DAILY_SERIES },
): ProfileChange {
  if (current && hasSeenEvent(current.recentEvents, received.eventId)) {
    return { type: 'duplicate', profile: current };
  }
  // Clock skew: every instant below is the effective time, at most `now` (event-time.ts), so no
  // field is dated in the future and one event from 2099 cannot make every later one look older.
  const event = atEffectiveTime(received, now);
  const seenAt = event.occurredAt;
  const base = current ?? newProfile(event, seenAt);
  const next: Profile = {
    ...base,
    consent: { ...base.consent },
    eventCounts: countEvent(base.eventCounts, event),
    eventCount: base.eventCount + 1,
    lastActivityAt: latest(base.lastActivityAt, seenAt),
    firstSeenAt: earliest(base.firstSeenAt, seenAt),
    recentEvents: rememberEvent(base.recentEvents, event.eventId),
    lastEvent: { type: event.type, at: event.occurredAt },
    updatedAt: now.toISOString(),
  };
  if (event.email && !next.email) next.email = event.email;
  applyActivity(next, event, now, options.dailySeries, options.weeklySeries ?? BASE_WEEKLY_SERIES);
  if (options.lastSeenTypes?.has(event.type)) {
    const at = Math.floor(Date.parse(event.occurredAt) / 1000);
    next.lastSeen = withCount(base.lastSeen, event.type, Math.max(at, countOf(base.lastSeen, event.type) ?? 0));
  }
  applyTypeSpecific(next, event);
  return { type: 'applied', profile: next, previous: current };
}

function newProfile(event: BehaviorEvent, seenAt: string): Profile {
  return Profile.parse({
    customerId: event.customerId,
    version: 0,
    consent: {},
    firstSeenAt: seenAt,
    lastActivityAt: seenAt,
    eventCount: 0,
    eventCounts: {},
    recentEvents: '',
    updatedAt: event.occurredAt,
  });
}

/**
 * Daily ring, sessions and devices: what every event contributes. A future occurredAt (clock skew)
 * is counted on the processing day, so it cannot push the ring ahead of time.
 */
function applyActivity(profile: Profile, event: BehaviorEvent, now: Date, dailySeries: ReadonlySet<string>, weeklySeries: WeeklySeries): void {
  const today = dayNumber(now);
  const eventDay = Math.min(dayNumber(event.occurredAt), today);
  const pageType = pageTypeOf(event);
  const newSession = startsSession(profile, event);
  const candidates = ['*', event.isCustom ? `custom:${event.type}` : event.type, ...(pageType ? [`page:${pageType}`] : []), ...(newSession ? ['session'] : [])];
  const keys = candidates.filter((key) => dailySeries.has(key));
  profile.activity = countInRing(rollRing(profile.activity, Math.max(today, profile.activity.anchorDay), weeklySeries), keys, eventDay, weeklySeries);
  if (newSession) {
    profile.sessions = { ...profile.sessions, count: profile.sessions.count + 1, ...(event.sessionId ? { lastSessionId: event.sessionId } : {}) };
  }
  if (event.device) profile.devices = countBounded(profile.devices, event.device, MAX_DEVICES);
}

/** A new sessionId starts a session; so does an app_session event that carries none. */
function startsSession(profile: Profile, event: BehaviorEvent): boolean {
  if (event.sessionId) return event.sessionId !== profile.sessions.lastSessionId;
  return event.type === 'app_session';
}

function pageTypeOf(event: BehaviorEvent): string | undefined {
  if (event.type === 'product_view') return 'product';
  if (event.type !== 'page_view') return undefined;
  const pageType = event.properties.pageType;
  return typeof pageType === 'string' && pageType !== '' ? pageType : 'other';
}

function applyTypeSpecific(profile: Profile, event: BehaviorEvent): void {
  switch (event.type) {
    case 'identify':
      applyIdentity(profile, event);
      break;
    case 'subscribe':
      applyIdentity(profile, event);
      for (const category of categoriesOf(event, ['marketing'])) profile.consent[category] = 'subscribed';
      profile.signedUpAt = profile.signedUpAt ? earliest(profile.signedUpAt, event.occurredAt) : event.occurredAt;
      break;
    case 'unsubscribe':
      for (const category of categoriesOf(event, ['marketing'])) profile.consent[category] = 'unsubscribed';
      break;
    case 'cart_add':
      applyCart(profile, event);
      break;
    case 'cart_abandon':
      applyCart(profile, event);
      profile.recentCartAbandons = [...profile.recentCartAbandons, Date.parse(event.occurredAt)]
        .sort((a, b) => b - a)
        .slice(0, MAX_RECENT_CART_ABANDONS);
      break;
    case 'purchase':
      applyPurchase(profile, event);
      break;
    case 'refund':
      profile.commerce = { ...profile.commerce, refunds: profile.commerce.refunds + numberProp(event, 'amount') };
      break;
    case 'page_view':
    case 'product_view':
      applyPageView(profile, event);
      break;
    case 'app_session':
      profile.sessions = { ...profile.sessions, seconds: profile.sessions.seconds + numberProp(event, 'durationSeconds') };
      break;
    case 'email_open':
      profile.emailActivity = {
        ...profile.emailActivity,
        lastOpenAt: latestOf(profile.emailActivity.lastOpenAt, event.occurredAt),
        openHours: countBounded(profile.emailActivity.openHours, String(localHourOf(event.occurredAt, profile.timezone)), MAX_OPEN_HOURS),
      };
      rememberEngagement(profile, event, 'open');
      break;
    case 'email_click':
      profile.emailActivity = { ...profile.emailActivity, lastClickAt: latestOf(profile.emailActivity.lastClickAt, event.occurredAt) };
      rememberEngagement(profile, event, 'click');
      // Document 001: a click updates the interest profile (the category the clicked link was about).
      if (typeof event.properties.category === 'string' && event.properties.category !== '') countCategory(profile, event.properties.category);
      break;
    case 'support_ticket':
      applySupportTicket(profile, event);
      break;
    case 'support_rating':
      applySupportRating(profile, event);
      break;
    case 'nps_response':
      if (typeof event.properties.score === 'number') profile.support = { ...profile.support, lastNpsScore: event.properties.score };
      break;
    case 'subscription_cancel':
      profile.subscriptionCancelledAt = event.occurredAt;
      break;
    case 'subscription_change':
      if (profile.subscriptionCancelledAt && compareInstants(event.occurredAt, profile.subscriptionCancelledAt) > 0) {
        delete profile.subscriptionCancelledAt;
      }
      break;
    default:
      break;
  }
}

/** Keeps the newest engagement with a send (an older one arriving late does not replace it). */
function rememberEngagement(profile: Profile, event: BehaviorEvent, kind: 'open' | 'click'): void {
  const { sendId, ruleId } = event.properties;
  if (typeof sendId !== 'string') return;
  const current = profile.emailActivity.lastEngagement;
  if (current && compareInstants(event.occurredAt, current.at) < 0) return;
  profile.emailActivity = {
    ...profile.emailActivity,
    lastEngagement: { sendId, kind, at: event.occurredAt, ...(typeof ruleId === 'string' ? { ruleId } : {}) },
  };
}

/** The hour of day at `instant` in the customer's time zone (UTC when unknown or invalid). */
export function localHourOf(instant: string, timezone: string | undefined): number {
  const date = new Date(instant);
  if (timezone) {
    try {
      const hour = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hour: 'numeric', hourCycle: 'h23' }).format(date);
      return Number(hour);
    } catch {
      // An unknown zone falls back to UTC, like the send-time planner.
    }
  }
  return date.getUTCHours();
}

/**
 * identify/subscribe carry attributes; an older one arriving late must not overwrite a newer one.
 * Consent is not an attribute: it is a request, and the latest request processed wins (like
 * subscribe/unsubscribe), so no ordering by occurredAt can drop an opt-out.
 */
function applyIdentity(profile: Profile, event: BehaviorEvent): void {
  const props = event.properties;
  if (isRecord(props.consent)) {
    for (const [category, status] of Object.entries(props.consent)) {
      const parsed = ConsentStatus.safeParse(status);
      if (parsed.success) profile.consent[category] = parsed.data;
    }
  }
  if (profile.attributesAt && compareInstants(event.occurredAt, profile.attributesAt) < 0) {
    if (!profile.email) profile.email = emailOf(event);
    return;
  }
  profile.attributesAt = event.occurredAt;
  const email = emailOf(event);
  if (email) profile.email = email;
  if (typeof props.firstName === 'string') profile.firstName = props.firstName;
  if (typeof props.lastName === 'string') profile.lastName = props.lastName;
  if (typeof props.timezone === 'string') profile.timezone = props.timezone;
  if (typeof props.preferredContactTime === 'string') profile.preferredContactTime = props.preferredContactTime;
}

function applyPurchase(profile: Profile, event: BehaviorEvent): void {
  const { commerce } = profile;
  profile.commerce = {
    ...commerce,
    purchaseCount: commerce.purchaseCount + 1,
    revenue: commerce.revenue + numberProp(event, 'amount'),
    firstPurchaseAt: commerce.firstPurchaseAt ? earliest(commerce.firstPurchaseAt, event.occurredAt) : event.occurredAt,
    lastPurchaseAt: latestOf(commerce.lastPurchaseAt, event.occurredAt),
  };
  countItemCategories(profile, event);
  // Bought products are no longer recommended.
  const bought = new Set(itemsOf(event).map((item) => item.productId));
  if (bought.size > 0) profile.recentProducts = profile.recentProducts.filter((product) => !bought.has(product.productId));
  // A purchase after the last cart snapshot closes that cart: nothing is left to recover.
  if (profile.lastCart && compareInstants(event.occurredAt, profile.lastCart.at) >= 0) delete profile.lastCart;
}

function applyPageView(profile: Profile, event: BehaviorEvent): void {
  const pageType = pageTypeOf(event) ?? 'other';
  const seconds = numberProp(event, 'durationSeconds');
  profile.pageViewsByType = addCount(profile.pageViewsByType, pageType);
  if (pageType === 'product') profile.productPageSeconds += seconds;
  // Web sessions have no app_session event: their length is the dwell time of their pages.
  profile.sessions = { ...profile.sessions, seconds: profile.sessions.seconds + seconds };
  if (typeof event.properties.category === 'string') countCategory(profile, event.properties.category);
  if (event.type === 'product_view' && typeof event.properties.productId === 'string') rememberProducts(profile, [event.properties]);
}

/** Keeps the newest products seen (one entry per product id), for recommended_products. */
function rememberProducts(profile: Profile, raw: readonly unknown[]): void {
  const seen = raw.flatMap((item): RecentProduct[] => {
    const parsed = CartItem.partial({ quantity: true }).safeParse(item);
    if (!parsed.success) return [];
    const { productId, name, price, category } = parsed.data;
    const url = (item as { url?: unknown }).url;
    return [
      {
        productId,
        ...(name ? { name: name.length > MAX_PRODUCT_NAME ? `${name.slice(0, MAX_PRODUCT_NAME - 1)}…` : name } : {}),
        ...(category ? { category } : {}),
        ...(price !== undefined ? { price } : {}),
        ...(typeof url === 'string' && /^https?:\/\//.test(url) && url.length <= MAX_PRODUCT_URL ? { url } : {}),
      },
    ];
  });
  if (seen.length === 0) return;
  const ids = new Set(seen.map((product) => product.productId));
  // In processing order (a late event counts as new): recommendations need no finer order, and no timestamp keeps the item small.
  profile.recentProducts = [...seen, ...profile.recentProducts.filter((product) => !ids.has(product.productId))].slice(0, MAX_RECENT_PRODUCTS);
}

function itemsOf(event: BehaviorEvent): Array<{ productId: string }> {
  const items = Array.isArray(event.properties.items) ? event.properties.items : [];
  return items.flatMap((item) => {
    const productId = (item as { productId?: unknown } | null)?.productId;
    return typeof productId === 'string' ? [{ productId }] : [];
  });
}

/** Open and pending tickets pause promotional mail; solved and closed ones release it. */
function applySupportTicket(profile: Profile, event: BehaviorEvent): void {
  const ticketId = typeof event.properties.ticketId === 'string' ? event.properties.ticketId : undefined;
  if (!ticketId) return;
  const open = profile.support.openTickets.filter((id) => id !== ticketId);
  const status = event.properties.status;
  if (status === 'open' || status === 'pending') open.unshift(ticketId);
  profile.support = { ...profile.support, openTickets: open.slice(0, MAX_OPEN_TICKETS) };
}

/** Ratings are kept normalised to 0..1 (rating / scale), so 1–5 and 1–10 scales average together. */
function applySupportRating(profile: Profile, event: BehaviorEvent): void {
  const rating = event.properties.rating;
  if (typeof rating !== 'number') return;
  const scale = event.properties.scale === 5 ? 5 : 10;
  profile.support = { ...profile.support, ratingSum: profile.support.ratingSum + rating / scale, ratingCount: profile.support.ratingCount + 1 };
}

function countItemCategories(profile: Profile, event: BehaviorEvent): void {
  const items = Array.isArray(event.properties.items) ? event.properties.items : [];
  for (const item of items.slice(0, MAX_CART_ITEMS)) {
    const category = (item as { category?: unknown }).category;
    if (typeof category === 'string' && category !== '') countCategory(profile, category);
  }
}

function countCategory(profile: Profile, category: string): void {
  profile.categories = countBounded(profile.categories, category, MAX_CATEGORIES);
  profile.categoryTotal += 1;
  if (profile.lastEvent) profile.lastEvent = { ...profile.lastEvent, categories: [...(profile.lastEvent.categories ?? []), category] };
}

function numberProp(event: BehaviorEvent, name: string): number {
  const value = event.properties[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function latestOf(current: string | undefined, candidate: string): string {
  return current ? latest(current, candidate) : candidate;
}

/**
 * Counts an email queued for this customer (at decision time: the profile write is already on the
 * way). `weeklySeries`: as in ApplyOptions (series with weeks already keep them whatever it says).
 */
export function recordQueuedSend(profile: Profile, now: Date, weeklySeries: WeeklySeries = BASE_WEEKLY_SERIES): Profile {
  const today = dayNumber(now);
  return {
    ...profile,
    emailActivity: { ...profile.emailActivity, sends: profile.emailActivity.sends + 1, lastSendAt: now.toISOString() },
    activity: countInRing(rollRing(profile.activity, Math.max(today, profile.activity.anchorDay), weeklySeries), ['email_send'], today, weeklySeries),
  };
}

function applyCart(profile: Profile, event: BehaviorEvent): void {
  countItemCategories(profile, event);
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
  if (!parsed.success) return undefined;
  const item = parsed.data;
  return item.name && item.name.length > MAX_ITEM_NAME ? { ...item, name: `${item.name.slice(0, MAX_ITEM_NAME - 1)}…` } : item;
}

/** Catalog types are counted by name; custom types too, up to a bound, then together. */
function countEvent(counts: Record<string, number>, event: BehaviorEvent): Record<string, number> {
  return addCount(counts, counterKey(counts, event));
}

function counterKey(counts: Record<string, number>, event: BehaviorEvent): string {
  if (!event.isCustom) return event.type;
  const key = `custom:${event.type}`;
  if (countOf(counts, key) !== undefined) return key;
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
