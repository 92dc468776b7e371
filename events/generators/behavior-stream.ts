import { seededRandom } from '#shared/domain/seeded-random.ts';
import type { GeneratedEntry } from './churn-population.ts';

export type { GeneratedEntry } from './churn-population.ts';

/**
 * A realistic, seeded stream of shop behavior for replays, benchmarks and the fault suites (issue 9).
 * The same options give the same entries, byte for byte.
 *
 * The process, per customer:
 * - **skewed activity**: a weight drawn from a Pareto distribution (shape 1.5, so a few customers are
 *   very active and most are light); a customer is active on a day with probability
 *   `min(0.9, 0.12 · weight)`;
 * - signs up (identify with a time zone, then subscribe) on a day in the first third of the window;
 * - an active day has 1 session (2 with probability 0.2) at a local-daytime hour: 1 to 6 page views
 *   (some of type pricing / product / docs), product views in one or two categories, a search with
 *   probability 0.3;
 * - a session with product views adds to the cart with probability 0.35; such a cart is bought
 *   (checkout_start, purchase 5 to 20 minutes later) with probability 0.4, abandoned
 *   (cart_abandon 30 minutes later) with probability 0.45, else left as it is;
 * - the shop's weekly newsletter is opened with probability `0.25 + 0.05 · min(weight, 8)` and
 *   clicked on a third of the opens;
 * - a support ticket with daily probability 0.004, solved a day later and rated 1..5.
 *
 * Entries are sorted by time (ties keep generation order); event ids are unique (`bs-<seed>-<n>`).
 */
export type BehaviorStreamOptions = {
  customers: number;
  days: number;
  seed: number;
  /** ISO instant of day 0, 00:00 UTC. */
  start: string;
  /** Customer ids are `<prefix><number>` (default `bs_`), so tests can keep their customers apart. */
  customerPrefix?: string;
};

export type StreamCustomer = { customerId: string; email: string; timezone: string; activityWeight: number; signupDay: number };

const DAY_MS = 86_400_000;
export const TIMEZONES: ReadonlyArray<{ zone: string; utcOffsetHours: number }> = [
  { zone: 'Europe/London', utcOffsetHours: 0 },
  { zone: 'Europe/Berlin', utcOffsetHours: 1 },
  { zone: 'Europe/Madrid', utcOffsetHours: 1 },
  { zone: 'America/New_York', utcOffsetHours: -5 },
];
export const CATEGORIES = ['home', 'garden', 'kitchen', 'outdoor', 'books', 'toys'] as const;
export const PAGE_TYPES = ['home', 'product', 'pricing', 'docs', 'feature'] as const;
export const FIRST_NAMES = ['Ana', 'Ben', 'Chloe', 'Dev', 'Emil', 'Fatima', 'Gus', 'Hana', 'Ivo', 'Jun'] as const;

export function generateBehaviorStream(options: BehaviorStreamOptions): { customers: StreamCustomer[]; entries: GeneratedEntry[] } {
  if (!Number.isInteger(options.customers) || options.customers < 1) throw new Error(`customers must be a positive whole number, got ${options.customers}`);
  if (!Number.isInteger(options.days) || options.days < 1) throw new Error(`days must be a positive whole number, got ${options.days}`);
  const start = Date.parse(options.start);
  if (Number.isNaN(start)) throw new Error(`start must be an ISO instant, got "${options.start}"`);
  const random = seededRandom(options.seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const prefix = options.customerPrefix ?? 'bs_';
  const customers: StreamCustomer[] = [];
  const entries: Array<GeneratedEntry & { order: number }> = [];
  let eventNumber = 0;

  for (let index = 0; index < options.customers; index++) {
    const customerId = `${prefix}${String(index + 1).padStart(6, '0')}`;
    const email = `${customerId}@example.com`;
    const { zone, utcOffsetHours } = pick(TIMEZONES);
    // Pareto(x_m = 1, α = 1.5): heavy-tailed activity, capped so one customer cannot dominate a small stream.
    const activityWeight = Math.min(30, 1 / Math.pow(1 - random(), 1 / 1.5));
    const signupDay = Math.floor(random() * Math.max(1, options.days / 3));
    customers.push({ customerId, email, timezone: zone, activityWeight, signupDay });

    /** An instant on `day` at a local hour of the customer's zone (fractional hours allowed). */
    const at = (day: number, localHour: number) => {
      const ms = start + day * DAY_MS + Math.round((localHour - utcOffsetHours) * 3_600_000 / 1000) * 1000;
      return new Date(ms).toISOString().replace('.000Z', 'Z');
    };
    const put = (time: string, source: string, detailType: string, detail: Record<string, unknown>) => {
      eventNumber += 1;
      entries.push({
        order: eventNumber,
        Time: time,
        Source: source,
        DetailType: detailType,
        Detail: { eventId: `bs-${options.seed}-${eventNumber}`, customerId, occurredAt: time, ...detail },
      });
    };

    const signupHour = 8 + random() * 12;
    put(at(signupDay, signupHour), 'shop.web', 'identify', {
      email,
      device: 'web',
      properties: { email, firstName: pick(FIRST_NAMES), timezone: zone },
    });
    put(at(signupDay, signupHour + 0.02), 'shop.web', 'subscribe', { email, properties: { email, source: 'newsletter_signup' } });

    const activeProbability = Math.min(0.9, 0.12 * activityWeight);
    const openProbability = Math.min(0.9, 0.25 + 0.05 * Math.min(activityWeight, 8));
    let ticket: { id: string; solveDay: number } | undefined;
    for (let day = signupDay; day < options.days; day++) {
      if (random() < activeProbability) {
        const sessions = random() < 0.2 ? 2 : 1;
        for (let session = 0; session < sessions; session++) {
          generateSession(day, session === 0 ? 9 + random() * 5 : 17 + random() * 4);
        }
      }
      // The weekly newsletter goes out on day 3 of each week; engaged customers open it more often.
      if (day % 7 === 3 && day > signupDay && random() < openProbability) {
        const sendId = `newsletter-${day}`;
        const openHour = 10 + random() * 9;
        put(at(day, openHour), 'mail.tracking', 'email_open', { properties: { sendId } });
        if (random() < 1 / 3) put(at(day, openHour + 0.05), 'mail.tracking', 'email_click', { properties: { sendId, url: 'https://shop.example.com/new' } });
      }
      if (ticket && day >= ticket.solveDay) {
        put(at(day, 11 + random() * 5), 'support.helpdesk', 'support_ticket', { properties: { ticketId: ticket.id, status: 'solved' } });
        put(at(day, 17), 'support.helpdesk', 'support_rating', { properties: { ticketId: ticket.id, rating: 1 + Math.floor(random() * 5) } });
        ticket = undefined;
      } else if (!ticket && random() < 0.004) {
        ticket = { id: `t-${customerId}-${day}`, solveDay: day + 1 };
        put(at(day, 10 + random() * 8), 'support.helpdesk', 'support_ticket', { properties: { ticketId: ticket.id, status: 'open' } });
      }
    }

    function generateSession(day: number, localHour: number): void {
      const sessionId = `s-${customerId}-${day}-${Math.round(localHour * 60)}`;
      const device = pick(['web', 'web', 'ios', 'android'] as const);
      const envelope = { sessionId, device };
      let minute = 0;
      const next = (minutes: number) => at(day, localHour + (minute += minutes) / 60);
      const pages = 1 + Math.floor(random() * 6);
      for (let page = 0; page < pages; page++) {
        put(next(1 + random() * 2), 'shop.web', 'page_view', { ...envelope, properties: { url: `/p/${page}`, pageType: pick(PAGE_TYPES), durationSeconds: Math.round(10 + random() * 170) } });
      }
      if (random() < 0.3) put(next(1), 'shop.web', 'search', { ...envelope, properties: { query: pick(CATEGORIES) } });
      const categories = random() < 0.7 ? [pick(CATEGORIES)] : [pick(CATEGORIES), pick(CATEGORIES)];
      const viewed: Array<{ productId: string; name: string; quantity: number; price: number; category: string }> = [];
      for (const category of categories) {
        const productId = `sku-${category}-${1 + Math.floor(random() * 25)}`;
        const price = Math.round((8 + random() * 120) * 100) / 100;
        viewed.push({ productId, name: `${category} item ${productId.split('-').at(-1)}`, quantity: 1 + Math.floor(random() * 2), price, category });
        put(next(1 + random() * 3), 'shop.web', 'product_view', { ...envelope, properties: { productId, category, pageType: 'product', durationSeconds: Math.round(20 + random() * 200) } });
      }
      if (random() >= 0.35) return;
      const items = viewed.slice(0, 1 + Math.floor(random() * viewed.length));
      const cartValue = Math.round(items.reduce((sum, item) => sum + item.price * item.quantity, 0) * 100) / 100;
      put(next(1), 'shop.web', 'cart_add', { ...envelope, properties: { cartValue, currency: 'EUR', items } });
      const outcome = random();
      if (outcome < 0.4) {
        put(next(2), 'shop.web', 'checkout_start', { ...envelope, properties: { cartValue, currency: 'EUR', items } });
        put(next(5 + random() * 15), 'shop.web', 'purchase', {
          ...envelope,
          properties: { orderId: `o-${customerId}-${day}-${Math.round(localHour * 60)}`, amount: cartValue, currency: 'EUR', items },
        });
      } else if (outcome < 0.85) {
        put(next(30), 'shop.web', 'cart_abandon', { ...envelope, properties: { cartValue, currency: 'EUR', items } });
      }
    }
  }
  entries.sort((a, b) => a.Time.localeCompare(b.Time) || a.order - b.order);
  return { customers, entries: entries.map(({ order: _order, ...entry }) => entry) };
}

/** The JSON-lines text of `events/scenarios/*.jsonl`: one PutEvents entry (with its `Time`) per line. */
export function toJsonLines(entries: readonly GeneratedEntry[]): string {
  return entries.map((entry) => JSON.stringify(entry)).join('\n') + (entries.length > 0 ? '\n' : '');
}
