import { createHash } from 'node:crypto';
import { seededRandom } from '#shared/domain/seeded-random.ts';
import { CATEGORIES, FIRST_NAMES, PAGE_TYPES, TIMEZONES, type GeneratedEntry } from './behavior-stream.ts';

/**
 * The reference shop of issue 23, the workload Nudge's cost is quoted for: 100,000 profiles,
 * 10 million events and 500,000 emails a month (Customer.io lists about $955 a month for it,
 * Klaviyo at least $720).
 */
export const REFERENCE_MONTH = { profiles: 100_000, events: 10_000_000, emails: 500_000, days: 30 } as const;

/**
 * The reference shop's behavior mix (shares from e-commerce benchmarks: ~2% of sessions convert,
 * ~8% add to the cart and most of those carts are left; newsletter-style email is opened by about a
 * quarter of recipients, clicked by ~3%). Sessions are what is left of the month's 100 events a
 * profile once signups, support and email engagement are counted.
 */
export const REFERENCE_MIX = {
  eventsPerProfileDay: REFERENCE_MONTH.events / REFERENCE_MONTH.profiles / REFERENCE_MONTH.days,
  emailsPerProfileDay: REFERENCE_MONTH.emails / REFERENCE_MONTH.profiles / REFERENCE_MONTH.days,
  /** Sessions that end in a purchase (checkout_start, purchase). */
  purchasingSessionShare: 0.02,
  /** Sessions that add to the cart and do not buy. */
  cartOnlySessionShare: 0.06,
  /** Of the carts not bought, the share the shop reports as abandoned (cart_abandon 30 minutes later). */
  abandonedCartShare: 0.5,
  searchSessionShare: 0.25,
  /** Page views per session: uniform 1..7 (mean 4). Product views: uniform 0..4 (mean 2); 1..4 in a cart session. */
  maxPageViews: 7,
  maxProductViews: 4,
  /** New profiles a month, as a share of the profiles: they identify and subscribe in the window. */
  signupsPerProfileMonth: 0.05,
  supportTicketsPerProfileDay: 0.002,
  emailOpenRate: 0.25,
  /** Clicks per open: 0.12 of a 0.25 open rate is a 3% click rate. */
  clickToOpenRate: 0.12,
} as const;

const DAY_MS = 86_400_000;
const cartSessionShare = REFERENCE_MIX.purchasingSessionShare + REFERENCE_MIX.cartOnlySessionShare;
/** Expected events of one session, from the distributions above. */
export const MEAN_SESSION_EVENTS =
  (1 + REFERENCE_MIX.maxPageViews) / 2 +
  (1 - cartSessionShare) * (REFERENCE_MIX.maxProductViews / 2) +
  cartSessionShare * ((1 + REFERENCE_MIX.maxProductViews) / 2) +
  REFERENCE_MIX.searchSessionShare +
  cartSessionShare /* cart_add */ +
  2 * REFERENCE_MIX.purchasingSessionShare /* checkout_start, purchase */ +
  REFERENCE_MIX.cartOnlySessionShare * REFERENCE_MIX.abandonedCartShare;
/** Events a profile-day that are not sessions: signups (2 events), support (3 events a ticket), opens and clicks of the emails sent. */
const OTHER_EVENTS_PER_PROFILE_DAY =
  (2 * REFERENCE_MIX.signupsPerProfileMonth) / REFERENCE_MONTH.days +
  3 * REFERENCE_MIX.supportTicketsPerProfileDay +
  REFERENCE_MIX.emailsPerProfileDay * REFERENCE_MIX.emailOpenRate * (1 + REFERENCE_MIX.clickToOpenRate);
export const SESSIONS_PER_PROFILE_DAY = (REFERENCE_MIX.eventsPerProfileDay - OTHER_EVENTS_PER_PROFILE_DAY) / MEAN_SESSION_EVENTS;
/** Mean of the activity weight (Pareto x_m = 1, α = 1.5, capped at 30): 3·(1 − 30^−½) + 30^−½. */
const MEAN_ACTIVITY_WEIGHT = 3 * (1 - 30 ** -0.5) + 30 ** -0.5;

export type ReferenceMixOptions = {
  customers: number;
  days: number;
  seed: number;
  /** ISO instant of day 0, 00:00 UTC. */
  start: string;
  /** Customer ids are `<prefix><number>` (default `rm_`). */
  customerPrefix?: string;
};

export type ReferenceCustomer = { customerId: string; email: string; timezone: string; activityWeight: number; signupDay?: number };

/**
 * How long before the window an existing profile was first seen: uniform over 1 to 730 days (at
 * 5% signups a month the mean tenure is well over a year), from the customer id (not the stream's
 * random sequence, so the events of the window stay the same). Measured cost depends on it: with a
 * day's tenure every profile is a prospect in the measured week and runs the prospect sequences.
 */
export const EXISTING_TENURE_DAYS = { min: 1, max: 730 } as const;
function existingTenureDays(seed: number, customerId: string): number {
  const unit = createHash('sha256').update(`tenure\u0000${seed}\u0000${customerId}`).digest().readUInt32BE(0) / 2 ** 32;
  return EXISTING_TENURE_DAYS.min + Math.floor(unit * (EXISTING_TENURE_DAYS.max - EXISTING_TENURE_DAYS.min + 1));
}

/**
 * A seeded stream with the reference shop's mix (REFERENCE_MIX), for the cost model of
 * `npm run bench`. The same options give the same entries, byte for byte.
 *
 * - **existing** profiles (all but the month's signups) are in `existing`: one identify each, with
 *   email and marketing consent, put the day before the window and dated by the customer's tenure
 *   (EXISTING_TENURE_DAYS), to replay before the measured stream (a shop's profiles exist before
 *   the month is measured, most of them for longer than the 30 days of the prospect stage);
 * - **signups**: a customer signs up in the window with probability `signupsPerProfileMonth · days / 30`
 *   (identify, then subscribe);
 * - **sessions**: per day, a Poisson number with mean `SESSIONS_PER_PROFILE_DAY · weight / mean weight`
 *   (the Pareto activity weight of behavior-stream.ts), at a local hour from 8 to 22: page views,
 *   product views, a search, and 8% with a cart: 2% of sessions buy it (checkout_start, purchase),
 *   the rest leave it and half of those are reported abandoned;
 * - **support**: a ticket with daily probability 0.002, solved the next day and rated;
 * - **email opens and clicks** are not in this stream: they follow the emails the system actually
 *   sends (`engagementEvents`).
 *
 * Events per profile-day come out at the reference's 3.33 (10M / 100,000 / 30) once the opens
 * and clicks of the reference's 5 emails a profile-month are added.
 */
export function generateReferenceMix(options: ReferenceMixOptions): { customers: ReferenceCustomer[]; existing: GeneratedEntry[]; entries: GeneratedEntry[] } {
  if (!Number.isInteger(options.customers) || options.customers < 1) throw new Error(`customers must be a positive whole number, got ${options.customers}`);
  if (!Number.isInteger(options.days) || options.days < 1) throw new Error(`days must be a positive whole number, got ${options.days}`);
  const start = Date.parse(options.start);
  if (Number.isNaN(start)) throw new Error(`start must be an ISO instant, got "${options.start}"`);
  const random = seededRandom(options.seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const prefix = options.customerPrefix ?? 'rm_';
  const signupProbability = Math.min(1, (REFERENCE_MIX.signupsPerProfileMonth * options.days) / REFERENCE_MONTH.days);
  const customers: ReferenceCustomer[] = [];
  const existing: GeneratedEntry[] = [];
  const entries: Array<GeneratedEntry & { order: number }> = [];
  let eventNumber = 0;

  for (let index = 0; index < options.customers; index++) {
    const customerId = `${prefix}${String(index + 1).padStart(6, '0')}`;
    const email = `${customerId}@example.com`;
    const { zone, utcOffsetHours } = pick(TIMEZONES);
    const activityWeight = Math.min(30, 1 / Math.pow(1 - random(), 1 / 1.5));
    const signupDay = random() < signupProbability ? Math.floor(random() * options.days) : undefined;
    customers.push({ customerId, email, timezone: zone, activityWeight, ...(signupDay !== undefined ? { signupDay } : {}) });

    const at = (day: number, localHour: number) => new Date(start + day * DAY_MS + Math.round(((localHour - utcOffsetHours) * 3_600_000) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const detailOf = (time: string, detail: Record<string, unknown>) => ({ eventId: `rm-${options.seed}-${(eventNumber += 1)}`, customerId, occurredAt: time, ...detail });
    const put = (time: string, source: string, detailType: string, detail: Record<string, unknown>) =>
      entries.push({ order: eventNumber + 1, Time: time, Source: source, DetailType: detailType, Detail: detailOf(time, detail) });
    const identify = (time: string, extra: Record<string, unknown> = {}) => ({ email, device: 'web', properties: { email, firstName: pick(FIRST_NAMES), timezone: zone, ...extra } });

    let firstDay = 0;
    if (signupDay === undefined) {
      const time = at(-1, 12);
      // Put the day before the window, dated by the customer's tenure: a shop in steady state has
      // few profiles in their first 30 days (the prospect stage), not every one of them.
      const firstSeen = new Date(Date.parse(time) - existingTenureDays(options.seed, customerId) * DAY_MS).toISOString().replace('.000Z', 'Z');
      existing.push({ Time: time, Source: 'shop.web', DetailType: 'identify', Detail: detailOf(firstSeen, identify(firstSeen, { consent: { marketing: 'subscribed' } })) });
    } else {
      firstDay = signupDay;
      const hour = 8 + random() * 12;
      put(at(signupDay, hour), 'shop.web', 'identify', identify(at(signupDay, hour)));
      put(at(signupDay, hour + 0.02), 'shop.web', 'subscribe', { email, properties: { email, source: 'newsletter_signup' } });
    }

    const sessionsPerDay = (SESSIONS_PER_PROFILE_DAY * activityWeight) / MEAN_ACTIVITY_WEIGHT;
    let ticket: { id: string; solveDay: number } | undefined;
    for (let day = firstDay; day < options.days; day++) {
      const sessions = poisson(sessionsPerDay, random);
      const hours = Array.from({ length: sessions }, () => 8 + random() * 14).sort((a, b) => a - b);
      for (const hour of hours) generateSession(day, hour);
      if (ticket && day >= ticket.solveDay) {
        put(at(day, 11 + random() * 5), 'support.helpdesk', 'support_ticket', { properties: { ticketId: ticket.id, status: 'solved' } });
        put(at(day, 17), 'support.helpdesk', 'support_rating', { properties: { ticketId: ticket.id, rating: 1 + Math.floor(random() * 5) } });
        ticket = undefined;
      } else if (!ticket && random() < REFERENCE_MIX.supportTicketsPerProfileDay) {
        ticket = { id: `t-${customerId}-${day}`, solveDay: day + 1 };
        put(at(day, 10 + random() * 8), 'support.helpdesk', 'support_ticket', { properties: { ticketId: ticket.id, status: 'open' } });
      }
    }

    function generateSession(day: number, localHour: number): void {
      const sessionId = `s-${customerId}-${day}-${Math.round(localHour * 60)}`;
      const envelope = { sessionId, device: pick(['web', 'web', 'ios', 'android'] as const) };
      let minute = 0;
      const next = (minutes: number) => at(day, localHour + (minute += minutes) / 60);
      const kind = random();
      const buys = kind < REFERENCE_MIX.purchasingSessionShare;
      const carts = kind < cartSessionShare;
      const pages = 1 + Math.floor(random() * REFERENCE_MIX.maxPageViews);
      for (let page = 0; page < pages; page++) {
        put(next(1 + random() * 2), 'shop.web', 'page_view', { ...envelope, properties: { url: `/p/${page}`, pageType: pick(PAGE_TYPES), durationSeconds: Math.round(10 + random() * 170) } });
      }
      if (random() < REFERENCE_MIX.searchSessionShare) put(next(1), 'shop.web', 'search', { ...envelope, properties: { query: pick(CATEGORIES) } });
      const products = carts ? 1 + Math.floor(random() * REFERENCE_MIX.maxProductViews) : Math.floor(random() * (REFERENCE_MIX.maxProductViews + 1));
      const viewed: Array<{ productId: string; name: string; quantity: number; price: number; category: string }> = [];
      for (let product = 0; product < products; product++) {
        const category = pick(CATEGORIES);
        const productId = `sku-${category}-${1 + Math.floor(random() * 25)}`;
        const price = Math.round((8 + random() * 120) * 100) / 100;
        viewed.push({ productId, name: `${category} item ${productId.split('-').at(-1)}`, quantity: 1 + Math.floor(random() * 2), price, category });
        put(next(1 + random() * 3), 'shop.web', 'product_view', { ...envelope, properties: { productId, category, pageType: 'product', durationSeconds: Math.round(20 + random() * 200) } });
      }
      if (!carts) return;
      const items = viewed.slice(0, 1 + Math.floor(random() * viewed.length));
      const cartValue = Math.round(items.reduce((sum, item) => sum + item.price * item.quantity, 0) * 100) / 100;
      put(next(1), 'shop.web', 'cart_add', { ...envelope, properties: { cartValue, currency: 'EUR', items } });
      if (buys) {
        put(next(2), 'shop.web', 'checkout_start', { ...envelope, properties: { cartValue, currency: 'EUR', items } });
        put(next(5 + random() * 15), 'shop.web', 'purchase', { ...envelope, properties: { orderId: `o-${sessionId}`, amount: cartValue, currency: 'EUR', items } });
      } else if (random() < REFERENCE_MIX.abandonedCartShare) {
        put(next(30), 'shop.web', 'cart_abandon', { ...envelope, properties: { cartValue, currency: 'EUR', items } });
      }
    }
  }
  entries.sort((a, b) => a.Time.localeCompare(b.Time) || a.order - b.order);
  return { customers, existing, entries: entries.map(({ order: _order, ...entry }) => entry) };
}

/** An email the system sent: who got it, its send id (the ledger's), and when. */
export type SentEmail = { customerId: string; sendId: string; sentAt: string };

/**
 * The opens and clicks of emails actually sent, at the reference rates (a quarter opened, 12% of the
 * opens clicked): an open 5 minutes to 6 hours after the send (a fifth of them 6 to 48 hours
 * later), a click 30 seconds to 10 minutes after its open. Seeded: the same sends and seed give
 * the same events. Event ids are `em-<seed>-<sendId>-open|click`, so a send's events are stable
 * whichever other sends are in the list.
 */
export function engagementEvents(input: { sends: readonly SentEmail[]; seed: number; openRate?: number; clickToOpenRate?: number }): GeneratedEntry[] {
  const openRate = input.openRate ?? REFERENCE_MIX.emailOpenRate;
  const clickToOpenRate = input.clickToOpenRate ?? REFERENCE_MIX.clickToOpenRate;
  const entries: GeneratedEntry[] = [];
  for (const send of input.sends) {
    const random = seededRandom(createHash('sha256').update(`${input.seed}\u0000${send.sendId}`).digest().readUInt32BE(0));
    if (random() >= openRate) continue;
    const delayMs = random() < 0.8 ? 300_000 + random() * 6 * 3_600_000 : 6 * 3_600_000 + random() * 42 * 3_600_000;
    const openAt = Date.parse(send.sentAt) + Math.round(delayMs / 1000) * 1000;
    const put = (ms: number, type: 'email_open' | 'email_click', properties: Record<string, unknown>) => {
      const time = new Date(ms).toISOString().replace('.000Z', 'Z');
      entries.push({ Time: time, Source: 'mail.tracking', DetailType: type, Detail: { eventId: `em-${input.seed}-${send.sendId}-${type === 'email_open' ? 'open' : 'click'}`, customerId: send.customerId, occurredAt: time, properties } });
    };
    put(openAt, 'email_open', { sendId: send.sendId });
    if (random() < clickToOpenRate) put(openAt + 30_000 + Math.round(random() * 570) * 1000, 'email_click', { sendId: send.sendId, url: 'https://shop.example.com/new' });
  }
  return entries.sort((a, b) => a.Time.localeCompare(b.Time));
}

/** A Poisson draw by inversion (means here are small: a few sessions a day at most). */
function poisson(mean: number, random: () => number): number {
  const limit = Math.exp(-mean);
  let count = 0;
  let product = random();
  while (product > limit) {
    count += 1;
    product *= random();
  }
  return count;
}
