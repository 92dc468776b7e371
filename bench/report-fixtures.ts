/**
 * The report bench's data (bench/report-time.ts), seeded (seeded-random.ts) so every run measures
 * the same table: a population of profiles, a year of daily rollups per rule and step, per segment
 * and of behavior, and a conversion log.
 */
import { dailySeriesFor, segmentationOf, type Catalog } from '#shared/catalog/index.ts';
import { countInRing, dayNumber, emptyRing, RING_DAYS } from '#shared/domain/activity-ring.ts';
import { countBounded } from '#shared/domain/bounded-counter.ts';
import { DAY_MS, HOUR_MS } from '#shared/domain/clock.ts';
import { rememberEvent, RECENT_EVENT_WINDOW } from '#shared/domain/event-dedupe.ts';
import { evaluateProfile } from '#shared/domain/profile-evaluation.ts';
import { MAX_CATEGORIES, MAX_DEVICES, MAX_RECENT_CART_ABANDONS, Profile } from '#shared/domain/profile.ts';
import { BEHAVIOR_SCOPE } from '#shared/domain/reports/profile-aggregates.ts';
import { ALL_SENDS, conversionLogEntry, segmentScope, type ConversionLogEntry, type RollupIncrement } from '#shared/domain/reports/rollups.ts';
import { seededRandom } from '#shared/domain/seeded-random.ts';

const TIMEZONES = ['Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'UTC'];
const CATEGORIES = ['shoes', 'bags', 'home', 'garden', 'outdoor', 'kids', 'books', 'sports'];
const PAGE_TYPES = ['pricing', 'product', 'feature', 'docs', 'home', 'blog'];
const DEVICES = ['desktop', 'mobile', 'tablet'];
const EVENT_TYPES = ['page_view', 'product_view', 'search', 'cart_add', 'cart_abandon', 'purchase', 'email_open', 'email_click', 'app_session', 'identify'];

export const customerIdOf = (index: number): string => `bench_${String(index + 1).padStart(6, '0')}`;
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

type Event = { type: string; at: number; keys: string[]; category?: string };

/**
 * One customer as their profile stands at `now`, with a hidden engagement propensity that drives
 * everything they did (as events/generators/churn-population.ts does for whole event streams, which
 * applyEvent would take minutes to replay for 100,000 customers): the last RING_DAYS days event by
 * event (the activity ring the segment experiment reads), older history as totals. Scores, segments
 * and lifecycle stage then come from the catalog's own evaluation, as after an event.
 */
export function* generateProfiles(options: { count: number; seed: number; now: Date; catalog: Catalog }): Generator<Profile> {
  const random = seededRandom(options.seed);
  const segmentation = segmentationOf(options.catalog);
  const dailySeries = dailySeriesFor(options.catalog);
  const { high, medium } = options.catalog.settings.predictive.churnSegments;
  const nowMs = options.now.getTime();
  const today = dayNumber(options.now);
  const iso = (ms: number) => new Date(ms).toISOString();
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;

  for (let index = 0; index < options.count; index++) {
    const customerId = customerIdOf(index);
    // Skewed low: most of a list is lukewarm, a few are fans.
    const propensity = random() ** 1.4;
    // Skewed towards younger accounts, up to two years.
    const signedUpAt = nowMs - Math.floor(random() ** 1.5 * 730 * DAY_MS) - HOUR_MS;
    const subscribed = random() < 0.9;
    const activeRate = 0.01 + 0.4 * propensity;
    const purchaseRate = 0.02 + 0.08 * propensity;

    const events: Event[] = [];
    const sends: number[] = [];
    // The series applyEvent counts (its keys filtered by the catalog's daily series).
    const add = (type: string, at: number, category?: string, pageType?: string) => {
      if (at > nowMs || at < signedUpAt) return;
      const page = type === 'product_view' ? 'product' : pageType;
      const keys = ['*', type, ...(page ? [`page:${page}`] : [])].filter((key) => dailySeries.has(key));
      events.push({ type, at: Math.floor(at), keys, ...(category ? { category } : {}) });
    };
    let sessions = 0;
    for (let day = today - RING_DAYS + 1; day <= today; day++) {
      const start = day * DAY_MS;
      // A newsletter every third day, and now and then a triggered email.
      const mailed = [...((day + index) % 3 === 0 && subscribed ? [start + 9 * HOUR_MS] : []), ...(random() < 0.08 ? [start + (10 + random() * 8) * HOUR_MS] : [])];
      for (const at of mailed) {
        if (at > nowMs || at < signedUpAt) continue;
        sends.push(Math.floor(at));
        if (random() < 0.1 + 0.6 * propensity) {
          const openedAt = at + random() * 6 * HOUR_MS;
          add('email_open', openedAt);
          if (random() < 0.15) add('email_open', openedAt + random() * 12 * HOUR_MS);
          if (random() < 0.2 + 0.3 * propensity) add('email_click', openedAt + random() * 600_000);
        }
      }
      if (random() < activeRate) {
        let at = start + (7 + random() * 14) * HOUR_MS;
        sessions += 1;
        const pages = 1 + Math.floor(random() * 5);
        for (let page = 0; page < pages; page++) add('page_view', (at += 30_000 + random() * 90_000), undefined, pick(PAGE_TYPES));
        if (random() < 0.3) add('search', (at += 20_000));
        if (random() < 0.7) add('product_view', (at += 40_000), pick(CATEGORIES));
        if (random() < 0.2) {
          add('cart_add', (at += 60_000), pick(CATEGORIES));
          if (random() < purchaseRate * 4) add('purchase', (at += 120_000), pick(CATEGORIES));
          else if (random() < 0.5) add('cart_abandon', (at += 30 * 60_000));
        } else if (random() < purchaseRate) {
          add('purchase', (at += 120_000), pick(CATEGORIES));
        }
      }
    }
    events.sort((a, b) => a.at - b.at);

    // One countInRing per day: it counts a key once per listing, so a day's keys go in together.
    const keysByDay = new Map<number, string[]>();
    const count = (at: number, keys: readonly string[]) => {
      const day = dayNumber(at);
      keysByDay.set(day, [...(keysByDay.get(day) ?? []), ...keys]);
    };
    for (const event of events) count(event.at, event.keys);
    for (const at of sends) count(at, ['email_send']);
    let activity = emptyRing(today);
    for (const [day, keys] of keysByDay) activity = countInRing(activity, keys, day);

    // Older history as totals: the same rates over the days before the ring.
    const olderDays = Math.max(0, Math.floor((nowMs - signedUpAt) / DAY_MS) - RING_DAYS);
    const older = (perDay: number) => Math.round(olderDays * perDay * (0.6 + 0.8 * random()));
    const recentCount = (type: string) => events.filter((event) => event.type === type).length;
    const eventCounts: Record<string, number> = { identify: 1, subscribe: 1 };
    for (const type of EVENT_TYPES.filter((t) => t !== 'identify')) {
      const count = recentCount(type) + older((recentCount(type) + activeRate) / RING_DAYS);
      if (count > 0) eventCounts[type] = (eventCounts[type] ?? 0) + count;
    }
    const olderPurchases = older(activeRate * purchaseRate);
    const purchases = events.filter((event) => event.type === 'purchase');
    const purchaseCount = purchases.length + olderPurchases;
    eventCounts.purchase = purchaseCount;
    let revenue = 0;
    for (let i = 0; i < purchaseCount; i++) revenue += 15 + random() * 135;
    const eventCount = Object.values(eventCounts).reduce((sum, count) => sum + count, 0);
    const sessionCount = sessions + older(activeRate);

    const last = events.at(-1);
    const lastOlderActivity = olderDays > 0 && random() < 0.8 ? nowMs - (RING_DAYS + random() * olderDays) * DAY_MS : signedUpAt;
    const lastActivityAt = last?.at ?? lastOlderActivity;
    // Instants of the older history: before the ring and never after the last activity.
    const olderEnd = Math.min(lastActivityAt, nowMs - RING_DAYS * DAY_MS);
    const olderInstant = () => signedUpAt + random() * Math.max(0, olderEnd - signedUpAt);
    const lastOf = (type: string) => events.findLast((event) => event.type === type)?.at;
    const lastOpen = lastOf('email_open') ?? (olderDays > 0 && random() < propensity ? olderInstant() : undefined);
    const lastClick = lastOf('email_click');
    const lastPurchase = lastOf('purchase') ?? (olderPurchases > 0 ? olderInstant() : undefined);
    const lastTouch = events.findLast((event) => event.type === 'email_open' || event.type === 'email_click');
    const firstPurchase = olderPurchases > 0 ? Math.min(lastPurchase!, olderInstant()) : purchases[0]?.at;
    const cart = events.findLast((event) => event.type === 'cart_add');
    const cartOpen = cart && !events.some((event) => event.type === 'purchase' && event.at >= cart.at);
    const abandons = events.filter((event) => event.type === 'cart_abandon').map((event) => event.at).reverse().slice(0, MAX_RECENT_CART_ABANDONS);

    let categories: Record<string, number> = {};
    let categoryTotal = 0;
    for (const event of events) {
      if (!event.category) continue;
      categories = countBounded(categories, event.category, MAX_CATEGORIES);
      categoryTotal += 1;
    }
    let devices: Record<string, number> = {};
    for (let i = 0; i < Math.min(sessionCount, 8); i++) devices = countBounded(devices, pick(DEVICES), MAX_DEVICES);
    const pageViewsByType: Record<string, number> = {};
    for (const type of PAGE_TYPES) {
      const views = events.filter((event) => event.keys.includes(`page:${type}`)).length + older(activeRate * 0.5);
      if (views > 0) pageViewsByType[type] = views;
    }
    let recentEvents = '';
    for (let i = Math.max(0, eventCount - RECENT_EVENT_WINDOW); i < eventCount; i++) recentEvents = rememberEvent(recentEvents, `${customerId}-${i}`);
    const churn = Math.min(1, Math.max(0, 1 - propensity + (random() - 0.5) * 0.3));

    const draft = Profile.parse({
      customerId,
      version: 1,
      email: `${customerId}@example.com`,
      firstName: 'Pat',
      timezone: pick(TIMEZONES),
      consent: { marketing: subscribed ? 'subscribed' : 'unsubscribed' },
      attributesAt: iso(signedUpAt),
      firstSeenAt: iso(signedUpAt),
      lastActivityAt: iso(lastActivityAt),
      eventCount,
      eventCounts,
      recentCartAbandons: abandons,
      signedUpAt: iso(signedUpAt),
      activity,
      commerce: {
        purchaseCount,
        revenue: Math.round(revenue * 100) / 100,
        refunds: 0,
        ...(firstPurchase !== undefined ? { firstPurchaseAt: iso(firstPurchase) } : {}),
        ...(lastPurchase !== undefined ? { lastPurchaseAt: iso(lastPurchase) } : {}),
      },
      sessions: { count: sessionCount, seconds: Math.round(sessionCount * (60 + 840 * propensity * random())) },
      pageViewsByType,
      productPageSeconds: Math.round((pageViewsByType.product ?? 0) * (20 + 100 * random())),
      categories,
      categoryTotal,
      devices,
      emailActivity: {
        sends: sends.length + older(0.4),
        openHours: {},
        ...(sends.length > 0 ? { lastSendAt: iso(Math.max(...sends)) } : {}),
        ...(lastOpen !== undefined ? { lastOpenAt: iso(lastOpen) } : {}),
        ...(lastClick !== undefined ? { lastClickAt: iso(lastClick) } : {}),
        ...(lastTouch ? { lastEngagement: { sendId: `send-${customerId}-${dayNumber(lastTouch.at)}`, ruleId: 'newsletter', kind: lastTouch.type === 'email_click' ? 'click' : 'open', at: iso(lastTouch.at) } } : {}),
      },
      ...(cart && cartOpen ? { lastCart: { value: Math.round((20 + random() * 200) * 100) / 100, currency: 'EUR', items: [{ productId: `sku-${1 + Math.floor(random() * 400)}`, quantity: 1, category: cart.category }], itemCount: 1, at: iso(cart.at) } } : {}),
      support: { openTickets: random() < 0.02 ? [`t-${customerId}`] : [], ratingSum: 0, ratingCount: 0 },
      ...(random() < 0.02 ? { subscriptionCancelledAt: iso(signedUpAt + random() * (nowMs - signedUpAt)) } : {}),
      // Most customers have been through a weekly predictive scoring.
      predictions:
        random() < 0.8
          ? { churn: { probability: Math.round(churn * 1e4) / 1e4, segment: churn >= high ? 'high' : churn >= medium ? 'medium' : 'low', modelId: 'churn-bench', scoredAt: iso(nowMs - 3 * DAY_MS) } }
          : {},
      recentEvents,
      lastEvent: last
        ? { type: last.type, at: iso(last.at), ...(last.category ? { categories: [last.category] } : {}) }
        : { type: lastActivityAt === signedUpAt ? 'subscribe' : 'page_view', at: iso(lastActivityAt) },
      updatedAt: iso(lastActivityAt),
    });
    yield evaluateProfile({ profile: draft, catalog: segmentation, now: options.now, triggerId: `bench-${index}` }).profile;
  }
}

/** A year (`days` days ending with `now`'s) of a scope's daily counters. */
function daily(scope: string, days: number, now: Date, counters: (day: number) => Record<string, number>): RollupIncrement[] {
  return Array.from({ length: days }, (_, d) => ({ scope, day: isoDay(now.getTime() - d * DAY_MS), counters: counters(d) }));
}

/** Every rule and sequence step's daily decision and email counters. */
export function triggerRollups(ids: readonly string[], days: number, now: Date): RollupIncrement[] {
  return ids.flatMap((ruleId) =>
    daily(ruleId, days, now, () => ({ matched: 40, fired: 30, suppressed: 10, suppressed_cooldown: 10, sent: 30, delivered: 29, opened: 12, clicked: 4, converted: 1, conversions: 1, revenue: 49.9 })),
  );
}

/** Each segment's (and all sends') daily email results, what segment performance and drift compare. */
export function segmentRollups(segmentIds: readonly string[], days: number, now: Date, seed: number): RollupIncrement[] {
  const random = seededRandom(seed);
  return [ALL_SENDS, ...segmentIds].flatMap((segmentId) =>
    daily(segmentScope(segmentId), days, now, () => {
      const sent = segmentId === ALL_SENDS ? 3000 : 100 + Math.floor(random() * 400);
      const delivered = Math.round(sent * 0.97);
      const opened = Math.round(delivered * (0.15 + random() * 0.25));
      const converted = Math.round(delivered * random() * 0.04);
      const revenues = Array.from({ length: converted }, () => Math.round((20 + random() * 280) * 100) / 100);
      return {
        sent,
        delivered,
        opened,
        clicked: Math.round(opened * (0.1 + random() * 0.3)),
        converted,
        unsubscribed: Math.round(delivered * random() * 0.004),
        revenue: Math.round(revenues.reduce((sum, r) => sum + r, 0) * 100) / 100,
        revenue_sq: Math.round(revenues.reduce((sum, r) => sum + r * r, 0) * 100) / 100,
      };
    }),
  );
}

/** A day of the population's behavior: event types, local hours and weekdays, categories, in-session transitions. */
export function behaviorRollups(days: number, now: Date, seed: number): RollupIncrement[] {
  const random = seededRandom(seed);
  const transitions = ['page_view>page_view', 'page_view>product_view', 'product_view>cart_add', 'cart_add>purchase', 'cart_add>cart_abandon', 'search>product_view', 'email_click>page_view', 'email_open>email_click'];
  return daily(BEHAVIOR_SCOPE, days, now, (d) => {
    const weekday = (new Date(now.getTime() - d * DAY_MS).getUTCDay() + 6) % 7;
    const counters: Record<string, number> = {};
    let total = 0;
    for (const type of EVENT_TYPES) total += counters[`event:${type}`] = Math.floor(random() * 5000);
    counters[`weekday:${weekday}`] = total;
    for (let hour = 0; hour < 24; hour++) {
      const count = Math.floor((total / 24) * (hour >= 8 && hour <= 22 ? 1.5 : 0.3) * random());
      counters[`hour:${hour}`] = count;
      counters[`hour_weekday:${weekday}:${hour}`] = count;
    }
    for (const category of CATEGORIES) counters[`category:${category}`] = Math.floor(random() * 800);
    for (const transition of transitions) counters[`transition:${transition}`] = Math.floor(random() * 600);
    return counters;
  });
}

/**
 * The conversion log: `perDay` conversions on each of `days` days, each with 1–3 opens or clicks of
 * sends within the attribution window before it, built through the domain's own log entry (its ids).
 */
export function conversionLog(input: { days: number; perDay: number; now: Date; triggerIds: readonly string[]; customers: number; windowHours: number; seed: number }): ConversionLogEntry[] {
  const random = seededRandom(input.seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const entries: ConversionLogEntry[] = [];
  const today = dayNumber(input.now);
  for (let d = 0; d < input.days; d++) {
    for (let n = 0; n < input.perDay; n++) {
      const convertedAt = Math.min(input.now.getTime() - 1000, (today - d) * DAY_MS + random() * DAY_MS);
      const customerId = customerIdOf(Math.floor(random() * input.customers));
      const touches = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, t) => {
        const ruleId = pick(input.triggerIds);
        return { sendId: `send-${customerId}-${d}-${t}`, ruleId, kind: random() < 0.6 ? 'open' : 'click', at: new Date(convertedAt - random() * input.windowHours * HOUR_MS).toISOString() };
      }).sort((a, b) => (a.at < b.at ? -1 : 1));
      const lastTouch = touches.at(-1)!;
      const entry = conversionLogEntry(undefined, {
        kind: 'conversion',
        customerId,
        sendId: lastTouch.sendId,
        ruleId: lastTouch.ruleId,
        orderId: `o-${d}-${n}`,
        convertedAt: new Date(convertedAt).toISOString(),
        revenue: Math.round((20 + random() * 280) * 100) / 100,
        touches,
      });
      if (entry) entries.push(entry);
    }
  }
  return entries;
}
