import { describe, expect, it } from 'vitest';
import { applyEvent, MAX_CART_ITEMS, MAX_CUSTOM_EVENT_TYPES, OTHER_CUSTOM_EVENTS, type Profile } from '#shared/domain/profile.ts';
import { buildEvent } from '../support/build-event.ts';

const NOW = new Date('2026-11-20T12:00:00Z');

function applied(current: Profile | undefined, ...args: Parameters<typeof buildEvent>): Profile {
  const change = applyEvent(current, buildEvent(...args), NOW);
  if (change.type !== 'applied') throw new Error('expected the event to apply');
  return change.profile;
}

describe('applyEvent', () => {
  it('creates a profile from the first event', () => {
    const profile = applied(undefined, { type: 'page_view', customerId: 'c1', occurredAt: '2026-11-20T10:00:00Z' });
    expect(profile).toMatchObject({
      customerId: 'c1',
      version: 0,
      eventCount: 1,
      eventCounts: { page_view: 1 },
      firstSeenAt: '2026-11-20T10:00:00Z',
      lastActivityAt: '2026-11-20T10:00:00Z',
      updatedAt: NOW.toISOString(),
    });
  });

  it('ignores a redelivered event id and changes nothing', () => {
    const event = buildEvent({ type: 'page_view' });
    const first = applyEvent(undefined, event, NOW);
    if (first.type !== 'applied') throw new Error('expected applied');
    const again = applyEvent(first.profile, event, NOW);
    expect(again).toEqual({ type: 'duplicate', profile: first.profile });
  });

  it('counts an out-of-order event but never moves last activity backwards', () => {
    const recent = applied(undefined, { type: 'page_view', occurredAt: '2026-11-20T10:00:00Z' });
    const late = applied(recent, { type: 'page_view', occurredAt: '2026-11-19T08:00:00Z' });
    expect(late.eventCount).toBe(2);
    expect(late.lastActivityAt).toBe('2026-11-20T10:00:00Z');
    expect(late.firstSeenAt).toBe('2026-11-19T08:00:00Z');
  });

  it('clock skew: an occurredAt ahead of the processing time dates activity at now, not in the future', () => {
    const future = applied(undefined, { type: 'page_view', occurredAt: '2099-01-01T00:00:00Z' });
    expect(future).toMatchObject({ eventCount: 1, firstSeenAt: NOW.toISOString(), lastActivityAt: NOW.toISOString(), lastEvent: { at: NOW.toISOString() } });
    const known = applied(undefined, { type: 'page_view', occurredAt: '2026-11-20T10:00:00Z' });
    const skewed = applied(known, { type: 'page_view', occurredAt: '2030-06-01T00:00:00Z' });
    expect(skewed.lastActivityAt).toBe(NOW.toISOString());
    expect(skewed.firstSeenAt).toBe('2026-11-20T10:00:00Z');
  });

  it('compares instants, not strings, across offsets', () => {
    const first = applied(undefined, { type: 'page_view', occurredAt: '2026-11-20T10:00:00Z' });
    // 11:30+02:00 is 09:30Z: earlier, although it sorts later as a string.
    const next = applied(first, { type: 'page_view', occurredAt: '2026-11-20T11:30:00+02:00' });
    expect(next.lastActivityAt).toBe('2026-11-20T10:00:00Z');
  });

  it('takes identity and consent from identify, and a late older identify does not overwrite them', () => {
    const identified = applied(undefined, {
      type: 'identify',
      occurredAt: '2026-11-20T10:00:00Z',
      properties: { email: 'ana@example.com', firstName: 'Ana', timezone: 'Europe/Lisbon', consent: { marketing: 'subscribed' } },
    });
    expect(identified).toMatchObject({ email: 'ana@example.com', firstName: 'Ana', timezone: 'Europe/Lisbon', consent: { marketing: 'subscribed' } });
    const stale = applied(identified, { type: 'identify', occurredAt: '2026-11-01T10:00:00Z', properties: { firstName: 'Old' } });
    expect(stale.firstName).toBe('Ana');
  });

  it('subscribe opts in (marketing by default, or the given categories); unsubscribe opts out', () => {
    const subscribed = applied(undefined, { type: 'subscribe', email: 'bo@example.com' });
    expect(subscribed.email).toBe('bo@example.com');
    expect(subscribed.consent).toEqual({ marketing: 'subscribed' });
    const more = applied(subscribed, { type: 'subscribe', occurredAt: '2026-11-20T11:00:00Z', properties: { categories: ['product_updates'] } });
    expect(more.consent).toEqual({ marketing: 'subscribed', product_updates: 'subscribed' });
    const left = applied(more, { type: 'unsubscribe', occurredAt: '2026-11-20T12:00:00Z' });
    expect(left.consent.marketing).toBe('unsubscribed');
  });

  it('keeps a bounded cart snapshot and clears it on a later purchase', () => {
    const items = Array.from({ length: MAX_CART_ITEMS + 5 }, (_, i) => ({ productId: `p${i}`, quantity: 1, price: 2 }));
    const cart = applied(undefined, { type: 'cart_abandon', properties: { cartValue: 30, currency: 'EUR', items } });
    expect(cart.lastCart).toMatchObject({ value: 30, currency: 'EUR', itemCount: MAX_CART_ITEMS + 5 });
    expect(cart.lastCart?.items).toHaveLength(MAX_CART_ITEMS);
    const bought = applied(cart, { type: 'purchase', occurredAt: '2026-11-20T10:30:00Z', properties: { amount: 30, orderId: 'o1' } });
    expect(bought.lastCart).toBeUndefined();
  });

  it('bounds custom event types and counts the rest together', () => {
    let profile: Profile | undefined;
    for (let i = 0; i < MAX_CUSTOM_EVENT_TYPES + 3; i++) {
      profile = applied(profile, { type: `custom_${i}`, isCustom: true });
    }
    const customKeys = Object.keys(profile!.eventCounts).filter((key) => key.startsWith('custom:'));
    expect(customKeys).toHaveLength(MAX_CUSTOM_EVENT_TYPES);
    expect(profile!.eventCounts[OTHER_CUSTOM_EVENTS]).toBe(3);
    profile = applied(profile, { type: 'custom_0', isCustom: true });
    expect(profile.eventCounts['custom:custom_0']).toBe(2);
  });
});
