import { describe, expect, it } from 'vitest';
import { toJsonLines } from '../../../events/generators/behavior-stream.ts';
import { engagementEvents, EXISTING_TENURE_DAYS, generateReferenceMix, REFERENCE_MIX, type SentEmail } from '../../../events/generators/reference-mix.ts';
import { parseBehaviorEvent } from '../../../shared/contract/index.ts';

const OPTIONS = { customers: 800, days: 30, seed: 5, start: '2027-01-04T00:00:00Z' } as const;

describe('generateReferenceMix', () => {
  const { customers, existing, entries } = generateReferenceMix(OPTIONS);
  const count = (type: string) => entries.filter((entry) => entry.DetailType === type).length;
  const sessions = new Set(entries.map((entry) => entry.Detail.sessionId).filter((id) => id !== undefined));

  it('gives the same entries for the same options, and other entries for another seed', () => {
    expect(toJsonLines(generateReferenceMix(OPTIONS).entries)).toBe(toJsonLines(entries));
    expect(toJsonLines(generateReferenceMix({ ...OPTIONS, seed: 6 }).entries)).not.toBe(toJsonLines(entries));
  });

  it('produces only events the contract accepts, with unique event ids, sorted by time', () => {
    const all = [...existing, ...entries];
    const rejected = all.map((entry) => parseBehaviorEvent({ source: entry.Source, detailType: entry.DetailType, detail: entry.Detail })).filter((result) => !result.ok);
    expect(rejected).toEqual([]);
    expect(new Set(all.map((entry) => entry.Detail.eventId)).size).toBe(all.length);
    const times = entries.map((entry) => entry.Time);
    expect([...times].sort()).toEqual(times);
  });

  it('has the reference rate of events: 10M / 100,000 profiles / 30 days, once the opens and clicks of the reference emails are added', () => {
    const engagementPerProfileDay = REFERENCE_MIX.emailsPerProfileDay * REFERENCE_MIX.emailOpenRate * (1 + REFERENCE_MIX.clickToOpenRate);
    const perProfileDay = entries.length / (OPTIONS.customers * OPTIONS.days) + engagementPerProfileDay;
    expect(perProfileDay).toBeGreaterThan(REFERENCE_MIX.eventsPerProfileDay * 0.9);
    expect(perProfileDay).toBeLessThan(REFERENCE_MIX.eventsPerProfileDay * 1.1);
  });

  it('is mostly page and product views, with ~2% of sessions purchasing and ~8% adding to the cart', () => {
    expect((count('page_view') + count('product_view')) / entries.length).toBeGreaterThan(0.9);
    expect(count('purchase') / sessions.size).toBeGreaterThan(0.015);
    expect(count('purchase') / sessions.size).toBeLessThan(0.025);
    expect(count('checkout_start')).toBe(count('purchase'));
    expect(count('cart_add') / sessions.size).toBeGreaterThan(0.065);
    expect(count('cart_add') / sessions.size).toBeLessThan(0.095);
    expect(count('cart_abandon')).toBeGreaterThan(0);
    expect(count('cart_abandon')).toBeLessThan(count('cart_add') - count('purchase'));
  });

  it('signs up about 5% of the profiles a month; every other profile exists before the window, with email and marketing consent', () => {
    const signups = customers.filter((customer) => customer.signupDay !== undefined).length;
    expect(signups / customers.length).toBeGreaterThan(0.035);
    expect(signups / customers.length).toBeLessThan(0.065);
    expect(count('subscribe')).toBe(signups);
    expect(existing).toHaveLength(customers.length - signups);
    expect(existing.every((entry) => entry.DetailType === 'identify' && Date.parse(entry.Time) < Date.parse(OPTIONS.start))).toBe(true);
    expect(existing.every((entry) => (entry.Detail.properties as { consent?: unknown }).consent !== undefined)).toBe(true);
  });

  it("dates existing profiles by a tenure of 1 to 730 days (put the day before the window): few are in the prospect stage's first 30 days, as in a shop in steady state", () => {
    const tenureDays = existing.map((entry) => (Date.parse(OPTIONS.start) - Date.parse(String(entry.Detail.occurredAt))) / 86_400_000);
    expect(Math.min(...tenureDays)).toBeGreaterThanOrEqual(EXISTING_TENURE_DAYS.min);
    expect(Math.max(...tenureDays)).toBeLessThanOrEqual(EXISTING_TENURE_DAYS.max + 2);
    const recent = tenureDays.filter((days) => days <= 31).length / tenureDays.length;
    expect(recent).toBeLessThan(0.1);
    // The events of the window do not depend on the tenure (it comes from the customer id, not the stream's random sequence).
    expect(existing.every((entry) => Date.parse(entry.Time) < Date.parse(OPTIONS.start) && Date.parse(entry.Time) >= Date.parse(OPTIONS.start) - 2 * 86_400_000)).toBe(true);
  });

  it('has skewed activity: the busiest tenth of customers puts far more than a tenth of the events', () => {
    const perCustomer = new Map<string, number>();
    for (const entry of entries) perCustomer.set(String(entry.Detail.customerId), (perCustomer.get(String(entry.Detail.customerId)) ?? 0) + 1);
    const counts = [...perCustomer.values()].sort((a, b) => b - a);
    expect(counts.slice(0, Math.ceil(customers.length / 10)).reduce((sum, n) => sum + n, 0) / entries.length).toBeGreaterThan(0.25);
  });
});

describe('engagementEvents', () => {
  const sends: SentEmail[] = Array.from({ length: 4000 }, (_, i) => ({ customerId: `c-${i % 300}`, sendId: `send-${i}`, sentAt: new Date(Date.UTC(2027, 0, 4) + i * 60_000).toISOString() }));
  const events = engagementEvents({ sends, seed: 3 });

  it('opens about a quarter of the emails sent and clicks about 3%, each after its send, with the send id', () => {
    const opens = events.filter((event) => event.DetailType === 'email_open');
    const clicks = events.filter((event) => event.DetailType === 'email_click');
    expect(opens.length / sends.length).toBeGreaterThan(0.22);
    expect(opens.length / sends.length).toBeLessThan(0.28);
    expect(clicks.length / sends.length).toBeGreaterThan(0.02);
    expect(clicks.length / sends.length).toBeLessThan(0.04);
    const sentAt = new Map(sends.map((send) => [send.sendId, send]));
    for (const event of events) {
      const send = sentAt.get((event.Detail.properties as { sendId: string }).sendId)!;
      expect(event.Detail.customerId).toBe(send.customerId);
      expect(Date.parse(event.Time)).toBeGreaterThan(Date.parse(send.sentAt));
      expect(parseBehaviorEvent({ source: event.Source, detailType: event.DetailType, detail: event.Detail }).ok).toBe(true);
    }
  });

  it("decides each send by its own id and the seed: the same send gets the same events whatever else is in the list", () => {
    const alone = engagementEvents({ sends: sends.slice(10, 11), seed: 3 });
    const fromAll = events.filter((event) => (event.Detail.properties as { sendId: string }).sendId === 'send-10');
    expect(alone).toEqual(fromAll);
    expect(toJsonLines(engagementEvents({ sends, seed: 4 }))).not.toBe(toJsonLines(events));
  });
});
