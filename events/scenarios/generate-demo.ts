/**
 * Generates events/scenarios/demo.jsonl, the demo scenario `npm start` replays: ~20 customers over
 * 10 simulated days from 2026-11-02T08:00:00Z. Deterministic (seeded mulberry32, no Math.random):
 * `npx tsx events/scenarios/generate-demo.ts` rewrites the committed file byte for byte, and
 * test/unit/contract/demo-scenario.test.ts checks that it does and re-derives the expected emails.
 *
 * Each line is one PutEvents entry with its time:
 *   {"Time":"...","Source":"shop.web","DetailType":"cart_abandon","Detail":{...}}
 * (Detail as an object for readability; Detail.occurredAt equals Time). What the scenario contains and
 * the emails it should produce are described in events/scenarios/README.md.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { seededRandom } from '#shared/domain/seeded-random.ts';

export const DEMO_SCENARIO_PATH = fileURLToPath(new URL('./demo.jsonl', import.meta.url));
export const DEMO_START = '2026-11-02T08:00:00Z';
const SEED = 20261102;
const DAYS = 10;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export type DemoEntry = {
  Time: string;
  Source: string;
  DetailType: string;
  Detail: Record<string, unknown>;
};

type Product = { productId: string; name: string; price: number; category: string };

const PRODUCTS: readonly Product[] = [
  { productId: 'sku-tr-204', name: 'Trail running shoe', price: 79.9, category: 'shoes' },
  { productId: 'sku-rd-118', name: 'Road running shoe', price: 94.5, category: 'shoes' },
  { productId: 'sku-jk-310', name: 'Rain jacket', price: 119, category: 'apparel' },
  { productId: 'sku-tg-052', name: 'Running tights', price: 49.9, category: 'apparel' },
  { productId: 'sku-hl-077', name: 'Headlamp', price: 44.9, category: 'gear' },
  { productId: 'sku-bt-025', name: 'Water bottle', price: 25, category: 'gear' },
  { productId: 'sku-cp-020', name: 'Running cap', price: 20, category: 'accessories' },
  { productId: 'sku-so-011', name: 'Merino running socks', price: 12.5, category: 'accessories' },
  { productId: 'sku-gl-009', name: 'Energy gel pack', price: 9.9, category: 'nutrition' },
];

type Customer = {
  customerId: string;
  firstName: string;
  lastName: string;
  email: string;
  timezone: string;
  joinedAt: number;
};

const FIRST_NAMES = [
  'Lena', 'Jonas', 'Amira', 'Lucas', 'Sofia', 'Noah', 'Maja', 'Elias', 'Chloe', 'Mateo',
  'Hana', 'Oskar', 'Ines', 'Theo', 'Yara', 'Felix', 'Nora', 'Milan', 'Zoe', 'Ravi',
];
const LAST_NAMES = [
  'Hoffmann', 'Weber', 'Haddad', 'Martin', 'Rossi', 'Jansen', 'Nowak', 'Berg', 'Dubois', 'Garcia',
  'Sato', 'Lund', 'Costa', 'Meyer', 'Khan', 'Wagner', 'Olsen', 'Horvat', 'Baker', 'Patel',
];
const TIMEZONES = ['Europe/Berlin', 'Europe/Paris', 'Europe/London', 'Europe/Madrid', 'America/New_York', 'Asia/Tokyo'];
const PAGES = [
  { url: 'https://shop.example.com/', pageType: 'home' },
  { url: 'https://shop.example.com/c/shoes', pageType: 'category', category: 'shoes' },
  { url: 'https://shop.example.com/c/apparel', pageType: 'category', category: 'apparel' },
  { url: 'https://shop.example.com/c/gear', pageType: 'category', category: 'gear' },
  { url: 'https://shop.example.com/journal/first-trail-run', pageType: 'blog' },
  { url: 'https://shop.example.com/help/shipping', pageType: 'docs' },
];
const SEARCHES = ['trail shoes', 'rain jacket', 'headlamp', 'merino socks', 'running tights women'];

/**
 * Two subscribers use SES's mailbox simulator, so the demo shows what SES reports (the local SES
 * does as SES does): the first's welcome hard-bounces, the second's is delivered and complained
 * about; both addresses are then suppressed.
 */
const SIMULATOR_ADDRESSES: Record<number, string> = { 1009: 'complaint@simulator.amazonses.com', 1011: 'bounce@simulator.amazonses.com' };

/** Customers 1..12 subscribe (welcome email); 13..20 are known customers who never subscribe. */
const SUBSCRIBERS = 12;

export function generateDemoEntries(): DemoEntry[] {
  const random = seededRandom(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const between = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const uuid = (): string => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
    hex[12] = '4';
    hex[16] = (8 + Math.floor(random() * 4)).toString(16);
    const s = hex.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  };
  const start = Date.parse(DEMO_START);
  const at = (day: number, hour: number, minute: number, second = 0): number =>
    start + day * DAY_MS + (hour - 8) * HOUR_MS + minute * MINUTE_MS + second * 1000;

  const entries: Array<DemoEntry & { at: number }> = [];
  const put = (
    time: number,
    source: string,
    detailType: string,
    customer: Customer,
    properties: Record<string, unknown>,
    envelope: Record<string, unknown> = {},
  ): Record<string, unknown> => {
    const occurredAt = new Date(time).toISOString().replace('.000Z', 'Z');
    const detail = { eventId: uuid(), customerId: customer.customerId, occurredAt, ...envelope, properties };
    entries.push({ at: time, Time: occurredAt, Source: source, DetailType: detailType, Detail: detail });
    return detail;
  };

  // --- customers and who they are ------------------------------------------------------------
  const customers: Customer[] = FIRST_NAMES.map((firstName, index) => {
    const lastName = LAST_NAMES[index] ?? 'Doe';
    const joinDay = index % 3;
    return {
      customerId: `cus_${1001 + index}`,
      firstName,
      lastName,
      email: SIMULATOR_ADDRESSES[1001 + index] ?? `${firstName}.${lastName}@example.com`.toLowerCase(),
      timezone: pick(TIMEZONES),
      joinedAt: at(joinDay, between(8, 18), between(0, 59), between(0, 59)),
    };
  });
  const customer = (n: number): Customer => customers[n - 1] as Customer;

  customers.forEach((c, index) => {
    // identify carries email + firstName before (or with) the subscribe, so emails can be personalised.
    put(c.joinedAt, 'shop.web', 'identify', c, {
      email: c.email,
      firstName: c.firstName,
      lastName: c.lastName,
      timezone: c.timezone,
    }, { device: 'web' });
    if (index < SUBSCRIBERS) {
      const subscribedAt = c.joinedAt + between(2, 20) * MINUTE_MS;
      // Half send the address in the envelope, half in properties: both are valid.
      if (index % 2 === 0) {
        put(subscribedAt, 'shop.web', 'subscribe', c, { source: 'newsletter_signup', categories: ['marketing'] }, { email: c.email });
      } else {
        put(subscribedAt, 'shop.web', 'subscribe', c, { email: c.email, source: 'checkout_opt_in' });
      }
      // Most open the welcome email a little later; some click through.
      if (index % 3 !== 2) {
        const sendId = `snd_demo_welcome_${c.customerId}`;
        const openedAt = subscribedAt + between(20, 180) * MINUTE_MS;
        put(openedAt, 'mail.tracking', 'email_open', c, { sendId, ruleId: 'welcome_new_subscriber' });
        if (index % 2 === 0) {
          put(openedAt + between(1, 5) * MINUTE_MS, 'mail.tracking', 'email_click', c, {
            sendId,
            ruleId: 'welcome_new_subscriber',
            url: 'https://shop.example.com/new-arrivals?utm_source=nudge&utm_campaign=welcome',
          });
        }
      }
    }
  });

  // Customer 3 subscribes a second time on day 6 (same address): no second welcome email.
  put(at(6, 12, 41, 7), 'shop.web', 'subscribe', customer(3), { source: 'footer_form' }, { email: customer(3).email });

  // --- carts ---------------------------------------------------------------------------------
  const lines = (picks: Array<[Product, number]>) =>
    picks.map(([p, quantity]) => ({ productId: p.productId, name: p.name, quantity, price: p.price, category: p.category }));
  const total = (items: Array<{ quantity: number; price: number }>): number =>
    Math.round(items.reduce((sum, item) => sum + item.quantity * item.price, 0) * 100) / 100;
  const product = (id: string): Product => PRODUCTS.find((p) => p.productId === id) as Product;

  const abandon = (c: Customer, time: number, picks: Array<[Product, number]>): void => {
    const items = lines(picks);
    const session = `sess_${uuid().slice(0, 8)}`;
    // The cart is built a little earlier, one cart_add per line, each with the cart's running value.
    let addedAt = time - between(15, 40) * MINUTE_MS;
    items.forEach((_, i) => {
      const cartSoFar = items.slice(0, i + 1);
      put(addedAt, 'shop.web', 'cart_add', c, { cartValue: total(cartSoFar), currency: 'EUR', items: cartSoFar }, { sessionId: session, device: 'web' });
      addedAt += between(1, 4) * MINUTE_MS;
    });
    put(time, 'shop.web', 'cart_abandon', c, { cartValue: total(items), currency: 'EUR', items }, { sessionId: session, device: 'web' });
  };

  // Customer 1: abandons above 50 (reminder), again 3.5 h later (inside the 24 h cooldown: no
  // reminder), and again ~26 h after the first (cooldown over: a second reminder).
  abandon(customer(1), at(3, 19, 12, 30), [[product('sku-tr-204'), 1], [product('sku-gl-009'), 1]]);
  abandon(customer(1), at(3, 22, 44, 5), [[product('sku-tr-204'), 1], [product('sku-gl-009'), 1], [product('sku-so-011'), 1]]);
  abandon(customer(1), at(4, 21, 20, 48), [[product('sku-tr-204'), 1]]);
  // Customer 4: exactly 50 (not above 50: no reminder). Customer 5: 20 (no reminder).
  abandon(customer(4), at(4, 13, 5, 12), [[product('sku-bt-025'), 2]]);
  abandon(customer(5), at(5, 9, 37, 44), [[product('sku-cp-020'), 1]]);
  // Customers 6, 8 and 10: one abandon each above 50 (a reminder each).
  for (const [n, day] of [[6, 5], [8, 6], [10, 8]] as const) {
    const picks: Array<[Product, number]> = [];
    while (total(lines(picks)) <= 50) picks.push([pick(PRODUCTS.slice(0, 5)), 1]);
    abandon(customer(n), at(day, between(10, 21), between(0, 59), between(0, 59)), picks);
  }

  // --- background traffic: browsing sessions, purchases, wishlists ---------------------------
  for (let day = 0; day < DAYS; day += 1) {
    for (const c of customers) {
      if (random() >= 0.3) continue;
      let time = at(day, between(8, 21), between(0, 59), between(0, 59));
      if (time <= c.joinedAt) continue;
      const session = `sess_${uuid().slice(0, 8)}`;
      const device = pick(['web', 'web', 'ios', 'android']);
      const envelope = { sessionId: session, device };
      const page = pick(PAGES);
      put(time, 'shop.web', 'page_view', c, { ...page, durationSeconds: between(5, 120) }, envelope);
      const viewed = pick(PRODUCTS);
      time += between(1, 6) * MINUTE_MS;
      if (random() < 0.3) {
        put(time, 'shop.web', 'search', c, { query: pick(SEARCHES), resultCount: between(3, 40) }, envelope);
        time += between(1, 3) * MINUTE_MS;
      }
      put(time, 'shop.web', 'product_view', c, {
        productId: viewed.productId,
        name: viewed.name,
        category: viewed.category,
        price: viewed.price,
        currency: 'EUR',
        url: `https://shop.example.com/p/${viewed.productId}`,
        pageType: 'product',
        durationSeconds: between(10, 180),
      }, envelope);
      const next = random();
      time += between(1, 8) * MINUTE_MS;
      if (next < 0.2) {
        // A custom event: not in the catalog, accepted and counted.
        put(time, 'shop.web', 'wishlist_add', c, { productId: viewed.productId, listName: 'favourites' }, envelope);
      } else if (next < 0.45) {
        const items = lines([[viewed, between(1, 2)]]);
        put(time, 'shop.web', 'cart_add', c, { cartValue: total(items), currency: 'EUR', items }, envelope);
        if (random() < 0.6) {
          time += between(3, 12) * MINUTE_MS;
          put(time, 'shop.web', 'purchase', c, {
            orderId: `ord_${100300 + entries.length}`,
            amount: total(items),
            currency: 'EUR',
            items,
          }, envelope);
        }
      }
    }
  }

  // --- a few one-offs ------------------------------------------------------------------------
  put(at(4, 15, 3, 19), 'support.helpdesk', 'support_ticket', customer(15), {
    ticketId: 'T-58213',
    status: 'open',
    priority: 'normal',
    subject: 'Where is my order?',
    category: 'shipping',
  });
  put(at(7, 10, 15, 2), 'shop.web', 'unsubscribe', customer(12), { categories: ['marketing'], reason: 'Too many emails' });
  put(at(9, 18, 30, 55), 'shop.web', 'wishlist_add', customer(7), { productId: 'sku-jk-310', listName: 'birthday' });

  // --- two malformed entries between good ones: rejected, the rest goes on ---------------------
  const noCustomer = put(at(5, 11, 2, 26), 'shop.web', 'page_view', customer(9), { url: 'https://shop.example.com/c/gear', pageType: 'category' });
  delete noCustomer.customerId;
  put(at(6, 16, 48, 10), 'shop.web', 'cart_abandon', customer(11), { cartValue: 'abc', currency: 'EUR' });

  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.at - b.entry.at || a.index - b.index)
    .map(({ entry: { at: _at, ...line } }) => line);
}

/** The file content: one JSON entry per line, newline-terminated. */
export function renderDemoScenario(): string {
  return generateDemoEntries()
    .map((entry) => JSON.stringify(entry))
    .join('\n')
    .concat('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(DEMO_SCENARIO_PATH, renderDemoScenario());
  console.log(`wrote ${generateDemoEntries().length} entries to events/scenarios/demo.jsonl`);
}
