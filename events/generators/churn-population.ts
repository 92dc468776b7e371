import { seededRandom } from '#shared/domain/seeded-random.ts';

/**
 * A generated shop population whose behaviour follows a **hidden churn propensity**, to train and
 * judge the churn model against (issue 7). Seeded: the same options give the same events.
 *
 * The process, per customer (π is the hidden propensity, uniform in 0..1):
 * - signs up (identify + subscribe) on a day in the first 20;
 * - is active on a day with probability `rate/7`, `rate` uniform in 1..6 sessions a week, scaled by a
 *   decline that grows with π over time: `1 - 0.6·π·t/days` (disengaging customers fade);
 * - churns for good with a daily hazard of `0.03·π²` from day 30 on; in the 14 days before it churns
 *   it is active half as often (winding down);
 * - on an active day: an app session (length shorter for high π), 1 to 5 page views, a product
 *   view; a purchase with probability `0.08·(1 - 0.5·π)` (amount 20..200);
 * - every 3 days a newsletter arrives: opened with probability `0.6·(1 - π)`, clicked on half of
 *   the opens;
 * - opens a support ticket with a daily probability `0.002 + 0.01·π` (solved two days later).
 *
 * A model sees none of π: only the events. Churn is "no activity for the churn window".
 */
export type ChurnPopulationOptions = {
  customers: number;
  days: number;
  seed: number;
  /** ISO instant of day 0, 00:00 UTC. */
  start: string;
};

export type GeneratedCustomer = { customerId: string; churnPropensity: number; signupDay: number; churnDay: number | null };

/** One PutEvents entry with its time, as in events/scenarios/*.jsonl. */
export type GeneratedEntry = { Time: string; Source: string; DetailType: string; Detail: Record<string, unknown> };

const DAY_MS = 86_400_000;
const CHURN_FROM_DAY = 30;
const WIND_DOWN_DAYS = 14;

export function generateChurnPopulation(options: ChurnPopulationOptions): { customers: GeneratedCustomer[]; entries: GeneratedEntry[] } {
  const random = seededRandom(options.seed);
  const start = Date.parse(options.start);
  const customers: GeneratedCustomer[] = [];
  const entries: GeneratedEntry[] = [];
  let eventNumber = 0;

  for (let index = 0; index < options.customers; index++) {
    const customerId = `pop_${String(index + 1).padStart(5, '0')}`;
    const propensity = random();
    const weeklyRate = 1 + 5 * random();
    const signupDay = Math.floor(random() * 20);
    let churnDay: number | null = null;
    for (let day = Math.max(signupDay + 1, CHURN_FROM_DAY); day < options.days; day++) {
      if (random() < 0.03 * propensity * propensity) {
        churnDay = day;
        break;
      }
    }
    customers.push({ customerId, churnPropensity: propensity, signupDay, churnDay });

    const at = (day: number, secondOfDay: number) => new Date(start + day * DAY_MS + Math.floor(secondOfDay) * 1000).toISOString().replace('.000Z', 'Z');
    const put = (time: string, source: string, detailType: string, detail: Record<string, unknown>) => {
      eventNumber += 1;
      entries.push({ Time: time, Source: source, DetailType: detailType, Detail: { eventId: `pop-${options.seed}-${eventNumber}`, customerId, occurredAt: time, ...detail } });
    };
    const email = `${customerId}@example.com`;
    put(at(signupDay, 8 * 3600 + random() * 3600), 'shop.web', 'identify', { email, properties: { email, firstName: 'Pat' } });
    put(at(signupDay, 9 * 3600 + random() * 3600), 'shop.web', 'subscribe', { email, properties: {} });

    let openTicket: { id: string; solveDay: number } | undefined;
    for (let day = signupDay; day < options.days; day++) {
      if (churnDay !== null && day >= churnDay) break;
      const decline = Math.max(0.05, 1 - 0.6 * propensity * (day / options.days));
      const windingDown = churnDay !== null && day >= churnDay - WIND_DOWN_DAYS ? 0.5 : 1;
      const second = () => 8 * 3600 + random() * 12 * 3600;
      if (random() < (weeklyRate / 7) * decline * windingDown) {
        const sessionAt = second();
        const sessionId = `s-${customerId}-${day}`;
        put(at(day, sessionAt), 'shop.app', 'app_session', { sessionId, properties: { durationSeconds: Math.round(60 + random() * 840 * (1 - 0.5 * propensity)) } });
        const pages = 1 + Math.floor(random() * 5);
        for (let page = 0; page < pages; page++) put(at(day, sessionAt + 30 * (page + 1)), 'shop.web', 'page_view', { sessionId, properties: { url: `/p/${page}` } });
        put(at(day, sessionAt + 200), 'shop.web', 'product_view', { sessionId, properties: { productId: `sku-${1 + Math.floor(random() * 40)}`, category: random() < 0.5 ? 'home' : 'garden' } });
        if (random() < 0.08 * (1 - 0.5 * propensity)) {
          put(at(day, sessionAt + 400), 'shop.web', 'purchase', { sessionId, properties: { orderId: `o-${customerId}-${day}`, amount: Math.round((20 + random() * 180) * 100) / 100, currency: 'EUR' } });
        }
      }
      if ((day - signupDay) % 3 === 2 && random() < 0.6 * (1 - propensity) * windingDown) {
        const sendId = `news-${day}`;
        put(at(day, 18 * 3600 + random() * 3600), 'mail.tracking', 'email_open', { properties: { sendId } });
        if (random() < 0.5) put(at(day, 19 * 3600 + random() * 1800), 'mail.tracking', 'email_click', { properties: { sendId, url: 'https://shop.example.com/new' } });
      }
      if (openTicket && day >= openTicket.solveDay) {
        put(at(day, second()), 'support.helpdesk', 'support_ticket', { properties: { ticketId: openTicket.id, status: 'solved' } });
        openTicket = undefined;
      } else if (!openTicket && random() < 0.002 + 0.01 * propensity) {
        openTicket = { id: `t-${customerId}-${day}`, solveDay: day + 2 };
        put(at(day, second()), 'support.helpdesk', 'support_ticket', { properties: { ticketId: openTicket.id, status: 'open' } });
      }
    }
  }
  entries.sort((a, b) => a.Time.localeCompare(b.Time));
  return { customers, entries };
}
