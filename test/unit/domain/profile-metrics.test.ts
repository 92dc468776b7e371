import { describe, expect, it } from 'vitest';
import { applyEvent, recordQueuedSend, type Profile } from '#shared/domain/profile.ts';
import { profileFacts } from '#shared/domain/profile-metrics.ts';
import { buildEvent } from '../support/build-event.ts';

const day = (n: number, hour = 10) => new Date(Date.UTC(2026, 10, n, hour));

function replay(events: Array<Parameters<typeof buildEvent>[0]>, now: Date): Profile {
  let profile: Profile | undefined;
  for (const event of events) {
    const change = applyEvent(profile, buildEvent({ customerId: 'm1', ...event }), new Date(Math.max(Date.parse(event.occurredAt ?? ''), 0) || now.getTime()));
    if (change.type === 'applied') profile = change.profile;
  }
  return profile!;
}

describe('profile metrics', () => {
  const events = [
    { type: 'subscribe', occurredAt: day(1).toISOString(), email: 'm1@example.com' },
    { type: 'page_view', occurredAt: day(2).toISOString(), sessionId: 's1', properties: { url: '/pricing', pageType: 'pricing', durationSeconds: 30 } },
    { type: 'page_view', occurredAt: day(2, 11).toISOString(), sessionId: 's1', properties: { url: '/pricing', pageType: 'pricing', durationSeconds: 30 } },
    { type: 'product_view', occurredAt: day(3).toISOString(), sessionId: 's2', device: 'mobile', properties: { productId: 'p1', durationSeconds: 90, category: 'shoes' } },
    { type: 'email_open', occurredAt: day(4).toISOString(), properties: { sendId: 'x' } },
    { type: 'email_click', occurredAt: day(5).toISOString(), properties: { sendId: 'x', url: 'https://x' } },
    { type: 'cart_abandon', occurredAt: day(10, 9).toISOString(), properties: { cartValue: 80, items: [{ productId: 'p1', quantity: 1, price: 80, category: 'shoes' }] } },
    { type: 'purchase', occurredAt: day(10, 12).toISOString(), properties: { orderId: 'o1', amount: 120, items: [{ productId: 'p2', quantity: 1, price: 120, category: 'bags' }] } },
    { type: 'refund', occurredAt: day(10, 13).toISOString(), properties: { orderId: 'o1', amount: 20 } },
    { type: 'support_ticket', occurredAt: day(10, 14).toISOString(), properties: { ticketId: 't1', status: 'open' } },
    { type: 'support_rating', occurredAt: day(10, 15).toISOString(), properties: { rating: 4, scale: 5 } },
  ];
  const now = day(10, 20);
  const profile = replay(events, now);
  const facts = profileFacts(profile, now);

  it('computes time, commerce, email, browsing and support metrics by hand-checked values', () => {
    expect(facts.metric('days_since_signup')).toBe(9.42); // Nov 1 10:00 -> Nov 10 20:00 = 9 d 10 h
    expect(facts.metric('days_since_last_purchase')).toBe(0.33); // 8 h
    expect(facts.metric('days_since_last_click')).toBe(5.42);
    expect(facts.metric('purchase_count')).toBe(1);
    expect(facts.metric('lifetime_value')).toBe(100); // 120 - 20 refunded
    expect(facts.metric('average_order_value')).toBe(120);
    expect(facts.metric('pricing_page_visits')).toBe(2);
    expect(facts.metric('product_page_visits')).toBe(1);
    expect(facts.metric('product_page_time')).toBe(90);
    expect(facts.metric('sessions_total')).toBe(2); // s1, s2
    expect(facts.metric('avg_session_seconds')).toBe(75); // (30 + 30 + 90) / 2
    expect(facts.metric('cart_abandonment_24h')).toBe(1);
    expect(facts.metric('open_support_tickets')).toBe(1);
    expect(facts.metric('satisfaction_average')).toBe(0.8);
    expect(facts.metric('active_days_30d')).toBe(6); // days 1, 2, 3, 4, 5, 10
    expect(facts.eventCount('page_view', 30)).toBe(2);
    expect(facts.eventCount('page_view', 5)).toBe(0);
    expect(facts.categoryShare('shoes')).toBeCloseTo(2 / 3); // product view + cart item; bags via purchase
  });

  it('email rates count the sends Nudge queued', () => {
    const mailed = recordQueuedSend(recordQueuedSend(profile, day(4, 8)), day(5, 8));
    const rated = profileFacts(mailed, now);
    expect(rated.metric('email_sends_30d')).toBe(2);
    expect(rated.metric('open_rate_30d')).toBe(0.5);
    expect(rated.metric('click_rate_30d')).toBe(0.5);
    // Document 000's rate: (1 open + 1 click) / 2 sends, and over 1 send when none was queued here.
    expect(rated.metric('email_interaction_rate')).toBe(1);
    expect(facts.metric('email_interaction_rate')).toBe(2);
  });

  it('the 24 h cart window and the day windows move with now', () => {
    const later = profileFacts(profile, day(12));
    expect(later.metric('cart_abandonment_24h')).toBe(0);
    expect(later.metric('days_since_last_activity')).toBe(1.79); // last event Nov 10 15:00 -> Nov 12 10:00 = 1 d 19 h
    expect(later.metric('full_days_since_last_activity')).toBe(1); // whole days, as document 000 counts them
  });

  it('flags a declining engagement trend when the last 15 days fall under 60% of the 15 before', () => {
    const busy = Array.from({ length: 10 }, (_, i) => ({ type: 'page_view', occurredAt: day(1 + i).toISOString(), properties: { url: '/' } }));
    const quiet = replay([...busy, { type: 'page_view', occurredAt: day(20).toISOString(), properties: { url: '/' } }], day(30));
    expect(profileFacts(quiet, day(30)).metric('declining_engagement_trend')).toBe(true);
    expect(profileFacts(quiet, day(20)).metric('declining_engagement_trend')).toBe(false);
  });

  it('counts the interactions of 90 days, however long ago the customer was first seen', () => {
    // 1 event 100 days before Dec 20, 2 events 50 days before, 3 events 10 days before.
    const at = (daysBefore: number) => new Date(Date.UTC(2026, 11, 20) - daysBefore * 86_400_000).toISOString();
    const events = [100, 50, 50, 10, 10, 10].map((daysBefore) => ({ type: 'page_view', occurredAt: at(daysBefore), properties: { url: '/' } }));
    const now = new Date(Date.UTC(2026, 11, 20));

    expect(profileFacts(replay(events.slice(1), now), now).metric('interactions_90d')).toBe(5); // first seen 50 days ago: all 5
    expect(profileFacts(replay(events, now), now).metric('interactions_90d')).toBe(5); // first seen 100 days ago: the 50-day-old events count, the 100-day-old one does not
  });
});
