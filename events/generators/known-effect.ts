import { IANAZone } from 'luxon';
import { isInHoldout } from '#shared/domain/send-decision.ts';
import type { GroupTotals } from '#shared/domain/reports/incrementality.ts';
import { seededRandom } from '#shared/domain/seeded-random.ts';
import { KNOWN_EFFECT_HOLDOUT_PERCENT, KNOWN_EFFECT_RULE_ID } from '../replays/known-effect.ts';
import { FIRST_NAMES, TIMEZONES } from './behavior-stream.ts';
import type { GeneratedEntry } from './churn-population.ts';

export type { GeneratedEntry } from './churn-population.ts';

/**
 * A population whose cart emails have a known true effect, to validate incrementality (issue 24).
 * Every customer signs up, abandons one cart the shipped cart rule matches, and then buys that cart
 * back within the conversion window with probability `baseline + effect` when the rule would email
 * them and `baseline` when its holdout keeps them out. Who is held out is `isInHoldout` of the rule
 * and percent of events/replays/known-effect.ts, the catalog the stream is replayed with, so the
 * generator knows the treatment each customer gets. The purchase draw is the same uniform number
 * for either group (p compared with it), so two effects under one seed differ only in the treated
 * customers whose draw falls between the two probabilities.
 *
 * The process, per customer (days from `start`, hours local to the customer's zone):
 * - day s (uniform 0..6), 08:00-20:00: identify (email, first name, zone) and subscribe
 *   (marketing consent). The welcome rule starts welcome_series (days 0, 2, 5) and the prospect
 *   stage starts its sequences (days 7, 10, 14);
 * - day s + 21..27, a session starting 09:00-18:00: 1-3 product views, a cart_add of those
 *   products worth 60-240 EUR (uniform), and cart_abandon 60 minutes later (producers report an
 *   abandon after an hour without checkout: events/README.md). The cart rule's condition is a
 *   cart worth more than 50;
 * - with the group's probability, 2-5 days (uniform) after the abandon: checkout_start and, 5-20
 *   minutes later, a purchase of that cart (amount = the cart value, 60-240 EUR).
 *
 * Why these times: three weeks after signup the welcome and prospect emails have left, so the
 * global marketing cap (3 per 7 days) does not hold back the cart emails; cart_recovery's steps
 * go out at 1 h, 24 h and 72 h from the abandon with the quiet hours (21:00-08:00) applied, and a
 * daytime abandon before 19:10 puts the first two inside the day. A purchase 2-5 days later is
 * after the first two emails have left (a purchase before 72 h ends the sequence before its last
 * call, as it would in a shop) and well inside a 7-day window from the decision.
 *
 * Entries are sorted by time (ties keep generation order); event ids are `ke-<seed>-<n>`.
 */
export type KnownEffectOptions = {
  customers: number;
  seed: number;
  /** Probability that a held-out customer buys within the window; 0.1 by default. */
  baseline?: number;
  /** Added to `baseline` for the customers the rule emails (0.05 = +5 points); may be 0 or negative. 0.05 by default. */
  effect?: number;
  /** The rule's holdout percent; the replay catalog's (events/replays/known-effect.ts) by default. */
  holdoutPercent?: number;
  /** ISO instant of day 0, 00:00 UTC; 2027-01-04 (a Monday) by default. */
  start?: string;
  /** Customer ids are `<prefix><number>` (default `ke_`). */
  customerPrefix?: string;
};

/** What the stream was generated with: the truth an incrementality estimate should recover. */
export type KnownEffectTruth = {
  ruleId: string;
  holdoutPercent: number;
  baseline: number;
  effect: number;
  /** The purchase probability of a treated customer: baseline + effect. */
  treatedProbability: number;
  /** Every purchase falls inside this many days from its abandon (the decision). */
  windowDays: number;
  /** A purchase comes this many days after the abandon, uniformly. */
  purchaseDelayDays: { min: number; max: number };
  /** The cart value (and the order's amount), EUR, uniformly: mean (min + max) / 2. */
  cartValue: { min: number; max: number };
};

export type KnownEffectCustomer = {
  customerId: string;
  email: string;
  timezone: string;
  heldOut: boolean;
  /** When the cart was abandoned: the cart rule's decision. */
  abandonedAt: string;
  cartValue: number;
  /** When they bought the cart back, if they did. */
  purchasedAt?: string;
};

export const KNOWN_EFFECT_WINDOW_DAYS = 7;
const PURCHASE_DELAY_DAYS = { min: 2, max: 5 } as const;
const CART_VALUE = { min: 60, max: 240 } as const;
const DAY_MS = 86_400_000;
const ZONES = new Map(TIMEZONES.map(({ zone }) => [zone, IANAZone.create(zone)]));
const offsets = new Map<string, number>();
/** The zone's UTC offset at `ms`, memoised per hour (offsets change on the hour; luxon's lookup is the generator's slowest step). */
function offsetMinutes(zone: string, ms: number): number {
  const key = `${zone}\u0000${Math.floor(ms / 3_600_000)}`;
  let offset = offsets.get(key);
  if (offset === undefined) offsets.set(key, (offset = ZONES.get(zone)!.offset(Math.floor(ms / 3_600_000) * 3_600_000)));
  return offset;
}

export function generateKnownEffect(options: KnownEffectOptions): { truth: KnownEffectTruth; customers: KnownEffectCustomer[]; entries: GeneratedEntry[] } {
  const baseline = options.baseline ?? 0.1;
  const effect = options.effect ?? 0.05;
  const holdoutPercent = options.holdoutPercent ?? KNOWN_EFFECT_HOLDOUT_PERCENT;
  const startText = options.start ?? '2027-01-04T00:00:00Z';
  if (!Number.isInteger(options.customers) || options.customers < 1) throw new Error(`customers must be a positive whole number, got ${options.customers}`);
  if (!Number.isInteger(options.seed)) throw new Error(`seed must be a whole number, got ${options.seed}`);
  if (!(baseline >= 0 && baseline <= 1)) throw new Error(`baseline must be a probability (0..1), got ${baseline}`);
  if (!(Number.isFinite(effect) && baseline + effect >= 0 && baseline + effect <= 1)) throw new Error(`effect must keep baseline + effect a probability (0..1), got ${baseline} + ${effect}`);
  // The catalog's own bounds for holdoutPercent (trigger-rules.ts), so the stream can always be replayed.
  if (!(holdoutPercent >= 0 && holdoutPercent <= 50)) throw new Error(`holdoutPercent must be 0..50 (the catalog's bounds), got ${holdoutPercent}`);
  const start = Date.parse(startText);
  if (Number.isNaN(start)) throw new Error(`start must be an ISO instant, got "${startText}"`);

  const random = seededRandom(options.seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const prefix = options.customerPrefix ?? 'ke_';
  const customers: KnownEffectCustomer[] = [];
  const entries: Array<GeneratedEntry & { order: number }> = [];
  let eventNumber = 0;

  for (let index = 0; index < options.customers; index++) {
    const customerId = `${prefix}${String(index + 1).padStart(6, '0')}`;
    const email = `${customerId}@example.com`;
    const { zone } = pick(TIMEZONES);
    const heldOut = isInHoldout(customerId, KNOWN_EFFECT_RULE_ID, holdoutPercent);
    /**
     * The instant of local time `hours` (fractional, below 24) on `day` in the customer's zone, to the
     * second, daylight saving included (luxon's zone offsets): the quiet hours the timing avoids are local.
     */
    const at = (day: number, hours: number) => {
      const asIfUtc = start + day * DAY_MS + Math.round(hours * 3600) * 1000;
      const first = asIfUtc - offsetMinutes(zone, asIfUtc) * 60_000;
      return iso(new Date(asIfUtc - offsetMinutes(zone, first) * 60_000));
    };
    const put = (time: string, detailType: string, detail: Record<string, unknown>) => {
      eventNumber += 1;
      entries.push({ order: eventNumber, Time: time, Source: 'shop.web', DetailType: detailType, Detail: { eventId: `ke-${options.seed}-${eventNumber}`, customerId, occurredAt: time, ...detail } });
    };

    const signupDay = Math.floor(random() * 7);
    const signupHour = 8 + random() * 12;
    put(at(signupDay, signupHour), 'identify', { email, device: 'web', properties: { email, firstName: pick(FIRST_NAMES), timezone: zone } });
    put(at(signupDay, signupHour + 0.02), 'subscribe', { email, properties: { email, source: 'newsletter_signup' } });

    const cartDay = signupDay + 21 + Math.floor(random() * 7);
    const sessionId = `s-${customerId}-${cartDay}`;
    const envelope = { sessionId, device: pick(['web', 'web', 'ios', 'android'] as const) };
    let hour = 9 + random() * 9;
    const next = (minutes: number) => at(cartDay, (hour += minutes / 60));
    const cartValue = Math.round((CART_VALUE.min + random() * (CART_VALUE.max - CART_VALUE.min)) * 100) / 100;
    const items = cartItems(cartValue, 1 + Math.floor(random() * 3), random);
    for (const item of items) {
      put(next(1 + random() * 3), 'product_view', { ...envelope, properties: { productId: item.productId, category: item.category, pageType: 'product', durationSeconds: Math.round(20 + random() * 200) } });
    }
    const cart = { cartValue, currency: 'EUR', items };
    put(next(1), 'cart_add', { ...envelope, properties: cart });
    const abandonedAt = next(60);
    put(abandonedAt, 'cart_abandon', { ...envelope, properties: cart });

    // One draw per customer whatever the group, compared with the group's probability.
    const draw = random();
    const delayDays = PURCHASE_DELAY_DAYS.min + random() * (PURCHASE_DELAY_DAYS.max - PURCHASE_DELAY_DAYS.min);
    const checkoutMinutes = 5 + random() * 15;
    const customer: KnownEffectCustomer = { customerId, email, timezone: zone, heldOut, abandonedAt, cartValue };
    if (draw < (heldOut ? baseline : baseline + effect)) {
      const checkoutAt = new Date(Date.parse(abandonedAt) + Math.round((delayDays * DAY_MS) / 1000) * 1000);
      const purchasedAt = new Date(checkoutAt.getTime() + Math.round(checkoutMinutes * 60) * 1000);
      const buyEnvelope = { sessionId: `s-${customerId}-buy`, device: envelope.device };
      put(iso(checkoutAt), 'checkout_start', { ...buyEnvelope, properties: { cartValue, currency: 'EUR' } });
      put(iso(purchasedAt), 'purchase', { ...buyEnvelope, properties: { orderId: `o-${customerId}`, amount: cartValue, currency: 'EUR', items } });
      customer.purchasedAt = iso(purchasedAt);
    }
    customers.push(customer);
  }
  entries.sort((a, b) => a.Time.localeCompare(b.Time) || a.order - b.order);
  const truth: KnownEffectTruth = {
    ruleId: KNOWN_EFFECT_RULE_ID,
    holdoutPercent,
    baseline,
    effect,
    // Rounded to 12 places so 0.1 + 0.05 reads 0.15 (the draw itself compares with the exact sum).
    treatedProbability: Math.round((baseline + effect) * 1e12) / 1e12,
    windowDays: KNOWN_EFFECT_WINDOW_DAYS,
    purchaseDelayDays: { ...PURCHASE_DELAY_DAYS },
    cartValue: { ...CART_VALUE },
  };
  return { truth, customers, entries: entries.map(({ order: _order, ...entry }) => entry) };
}

/**
 * The treated and control totals of a stream, counted from its events as an incrementality report
 * should: each cart_abandon is an exposure, in the control when `isInHoldout` says so, converted
 * when the same customer buys within `windowDays` of it (revenue: those purchases' amounts). Only
 * what the stream says, so a test can compare it with the truth and a report with it.
 */
export function knownEffectTotals(
  entries: readonly GeneratedEntry[],
  options: { ruleId?: string; holdoutPercent?: number; windowDays?: number } = {},
): { treated: GroupTotals; control: GroupTotals } {
  const ruleId = options.ruleId ?? KNOWN_EFFECT_RULE_ID;
  const percent = options.holdoutPercent ?? KNOWN_EFFECT_HOLDOUT_PERCENT;
  const windowMs = (options.windowDays ?? KNOWN_EFFECT_WINDOW_DAYS) * DAY_MS;
  const purchases = new Map<string, Array<{ at: number; amount: number }>>();
  for (const entry of entries) {
    if (entry.DetailType !== 'purchase') continue;
    const customerId = String(entry.Detail.customerId);
    const list = purchases.get(customerId) ?? [];
    list.push({ at: Date.parse(entry.Time), amount: Number((entry.Detail.properties as { amount: number }).amount) });
    purchases.set(customerId, list);
  }
  const treated: GroupTotals = { exposures: 0, converted: 0, revenue: 0, revenueSq: 0 };
  const control: GroupTotals = { exposures: 0, converted: 0, revenue: 0, revenueSq: 0 };
  for (const entry of entries) {
    if (entry.DetailType !== 'cart_abandon') continue;
    const customerId = String(entry.Detail.customerId);
    const group = isInHoldout(customerId, ruleId, percent) ? control : treated;
    const from = Date.parse(entry.Time);
    const bought = (purchases.get(customerId) ?? []).filter((purchase) => purchase.at > from && purchase.at <= from + windowMs);
    const revenue = bought.reduce((sum, purchase) => sum + purchase.amount, 0);
    group.exposures += 1;
    if (bought.length > 0) group.converted += 1;
    group.revenue += revenue;
    group.revenueSq += revenue * revenue;
  }
  return { treated, control };
}

const CATEGORIES = ['home', 'garden', 'kitchen', 'outdoor'] as const;

/** `count` products (quantity 1) whose prices add up to `cartValue` to the cent. */
function cartItems(cartValue: number, count: number, random: () => number) {
  const cents = Math.round(cartValue * 100);
  const share = Math.floor(cents / count);
  return Array.from({ length: count }, (_, index) => {
    const category = CATEGORIES[Math.floor(random() * CATEGORIES.length)]!;
    const productId = `sku-${category}-${1 + Math.floor(random() * 25)}`;
    const price = (index === count - 1 ? cents - share * (count - 1) : share) / 100;
    return { productId, quantity: 1, price, category };
  });
}

function iso(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}
