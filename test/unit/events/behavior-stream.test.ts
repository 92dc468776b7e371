import { describe, expect, it } from 'vitest';
import { generateBehaviorStream, toJsonLines } from '../../../events/generators/behavior-stream.ts';
import { expectValidStream } from '../support/generated-streams.ts';

const OPTIONS = { customers: 300, days: 28, seed: 7, start: '2027-01-04T00:00:00Z' } as const;

describe('generateBehaviorStream', () => {
  const { customers, entries } = generateBehaviorStream(OPTIONS);

  it('gives the same entries for the same options, and other entries for another seed', () => {
    expect(toJsonLines(generateBehaviorStream(OPTIONS).entries)).toBe(toJsonLines(entries));
    expect(toJsonLines(generateBehaviorStream({ ...OPTIONS, seed: 8 }).entries)).not.toBe(toJsonLines(entries));
  });

  it('produces only events the contract accepts, with unique event ids, sorted by time', () => {
    expectValidStream(entries);
  });

  it('signs every customer up once and keeps every event inside the window', () => {
    const identifies = entries.filter((entry) => entry.DetailType === 'identify');
    expect(identifies.map((entry) => entry.Detail.customerId).sort()).toEqual(customers.map((customer) => customer.customerId).sort());
    const first = Date.parse(OPTIONS.start) - 86_400_000; // a New York evening is the next UTC day at most, never earlier than day -1
    const last = Date.parse(OPTIONS.start) + (OPTIONS.days + 1) * 86_400_000;
    expect(entries.every((entry) => Date.parse(entry.Time) > first && Date.parse(entry.Time) < last)).toBe(true);
  });

  it('has skewed activity: the busiest tenth of customers puts far more than a tenth of the events', () => {
    const perCustomer = new Map<string, number>();
    for (const entry of entries) perCustomer.set(String(entry.Detail.customerId), (perCustomer.get(String(entry.Detail.customerId)) ?? 0) + 1);
    const counts = [...perCustomer.values()].sort((a, b) => b - a);
    const topTenth = counts.slice(0, Math.ceil(counts.length / 10)).reduce((sum, n) => sum + n, 0);
    expect(topTenth / entries.length).toBeGreaterThan(0.25);
  });

  it('has the whole funnel: sessions, carts, abandons, purchases, email engagement and support', () => {
    const types = new Set(entries.map((entry) => entry.DetailType));
    for (const type of ['page_view', 'product_view', 'search', 'cart_add', 'cart_abandon', 'checkout_start', 'purchase', 'email_open', 'email_click', 'support_ticket', 'support_rating']) {
      expect(types, type).toContain(type);
    }
    const purchases = entries.filter((entry) => entry.DetailType === 'purchase');
    for (const purchase of purchases) {
      const { amount, items } = purchase.Detail.properties as { amount: number; items: Array<{ price: number; quantity: number }> };
      expect(amount).toBeCloseTo(items.reduce((sum, item) => sum + item.price * item.quantity, 0), 2);
    }
  });

  it('refuses options it cannot honour, naming the option', () => {
    expect(() => generateBehaviorStream({ ...OPTIONS, customers: 0 })).toThrow(/customers/);
    expect(() => generateBehaviorStream({ ...OPTIONS, days: 1.5 })).toThrow(/days/);
    expect(() => generateBehaviorStream({ ...OPTIONS, start: 'monday' })).toThrow(/start/);
  });
});
