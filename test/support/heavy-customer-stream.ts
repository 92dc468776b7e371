import type { BehaviorEvent } from '#shared/contract/index.ts';
import { seededRandom } from '#shared/domain/seeded-random.ts';

/**
 * A year of heavy activity for one customer (~28 events a day, >10,000 in all): sessions of page
 * and product views over many categories and page types, searches, carts, weekly purchases, email
 * engagement, app sessions, support, and 20 custom event types, on three devices.
 */
export function heavyCustomerYear(customerId: string, start: Date, seed = 7): BehaviorEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const categories = Array.from({ length: 30 }, (_, i) => `category_${i}`);
  const pageTypes = ['pricing', 'product', 'feature', 'docs', 'blog', 'home'];
  const devices = ['web', 'ios', 'android'];
  const events: BehaviorEvent[] = [];
  let n = 0;
  const push = (type: string, at: number, properties: Record<string, unknown>, extra: Partial<BehaviorEvent> = {}) => {
    n += 1;
    events.push({
      type,
      isCustom: type.startsWith('x_'),
      source: 'shop.web',
      eventId: `${customerId}-${n}`,
      customerId,
      occurredAt: new Date(at).toISOString(),
      properties,
      ...extra,
    });
  };
  for (let day = 0; day < 365; day++) {
    const dayStart = start.getTime() + day * 86_400_000;
    for (let session = 0; session < 4; session++) {
      const sessionId = `s-${day}-${session}`;
      const device = pick(devices);
      let at = dayStart + (8 + session * 3) * 3_600_000 + Math.floor(random() * 3_600_000);
      const step = () => (at += 30_000 + Math.floor(random() * 120_000));
      for (let view = 0; view < 4; view++) {
        push('page_view', step(), { url: `/p/${n}`, pageType: pick(pageTypes), category: pick(categories), durationSeconds: Math.floor(random() * 120) }, { sessionId, device });
      }
      push('product_view', step(), { productId: `sku-${Math.floor(random() * 500)}`, category: pick(categories), durationSeconds: 60 }, { sessionId, device });
      if (random() < 0.5) push('search', step(), { query: 'shoes' }, { sessionId, device });
      if (random() < 0.3) push('cart_add', step(), { cartValue: 40 + random() * 100, items: [{ productId: 'sku-1', quantity: 1, price: 40, category: pick(categories) }] }, { sessionId, device });
      if (random() < 0.4) push(`x_custom_${Math.floor(random() * 20)}`, step(), { note: 'custom' }, { sessionId, device });
    }
    push('email_open', dayStart + 7 * 3_600_000, { sendId: `send-${day}` });
    if (random() < 0.5) push('email_click', dayStart + 7 * 3_600_000 + 60_000, { sendId: `send-${day}`, url: 'https://shop.example/x' });
    push('app_session', dayStart + 21 * 3_600_000, { durationSeconds: 300 + Math.floor(random() * 600) }, { device: 'ios' });
    if (random() < 0.3) push('cart_abandon', dayStart + 22 * 3_600_000, { cartValue: 60 + random() * 200, currency: 'EUR', items: Array.from({ length: 12 }, (_, i) => ({ productId: `sku-${i}`, name: `Item with a fairly long product name ${i}`, quantity: 1, price: 19.99, category: pick(categories) })) });
    if (day % 7 === 3) push('purchase', dayStart + 23 * 3_600_000, { orderId: `o-${day}`, amount: 50 + random() * 300, currency: 'EUR', items: [{ productId: 'sku-9', quantity: 2, price: 49.5, category: pick(categories) }] });
    if (day % 30 === 10) push('support_ticket', dayStart + 12 * 3_600_000, { ticketId: `t-${day}`, status: 'open' });
    if (day % 30 === 12) push('support_ticket', dayStart + 12 * 3_600_000, { ticketId: `t-${day - 2}`, status: 'solved' });
    if (day % 45 === 0) push('nps_response', dayStart + 13 * 3_600_000, { score: 9 });
  }
  return events;
}
