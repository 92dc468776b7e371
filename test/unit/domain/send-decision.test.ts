import { describe, expect, it } from 'vitest';
import { defaultCatalog, segmentationOf } from '#shared/catalog/index.ts';
import { evaluateProfile } from '#shared/domain/profile-evaluation.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { prepareSends, sendIdFor } from '#shared/domain/send-decision.ts';
import { matchRules } from '#shared/domain/trigger-rules.ts';
import type { BehaviorEvent } from '#shared/contract/index.ts';
import { buildEvent } from '../support/build-event.ts';

const NOW = new Date('2026-11-20T12:00:00Z');

/** The shipped categories, with marketing switched to `mode` (opt-out catalogs send until an unsubscribe). */
function categoriesWith(mode: 'opt_in' | 'opt_out') {
  return defaultCatalog.subscriptionCategories.map((c) => (c.id === 'marketing' ? { ...c, consent: mode } : c));
}

function decide(profileBefore: Profile | undefined, event: BehaviorEvent, consentMode: 'opt_in' | 'opt_out' = 'opt_in') {
  const change = applyEvent(profileBefore, event, NOW);
  if (change.type !== 'applied') throw new Error('expected applied');
  // Rules see the profile as ingest hands it over: with scores, segments and stage re-derived.
  const { profile, facts } = evaluateProfile({ profile: change.profile, catalog: segmentationOf(defaultCatalog), now: NOW, triggerId: event.eventId, event });
  const matches = matchRules(defaultCatalog.rules, event, profile, facts);
  const marketingCap = { count: 3, periodHours: 168 };
  return { profile, decisions: prepareSends({ matches, trigger: event, profile, categories: categoriesWith(consentMode), marketingCap, sendTime: defaultCatalog.settings.sendTime, now: NOW }) };
}

const subscriber = decide(undefined, buildEvent({ type: 'subscribe', customerId: 'c1', email: 'c1@example.com', properties: { firstName: 'Cy' } })).profile;

describe('default rules', () => {
  it('welcome_new_subscriber starts the welcome series on subscribe with an email, once ever, outside the marketing cap', () => {
    const event = buildEvent({ type: 'subscribe', customerId: 'c2', email: 'c2@example.com' });
    const { decisions } = decide(undefined, event);
    expect(decisions).toHaveLength(1);
    // The start sends nothing itself: each step's email meets the global cap when it is decided.
    expect(decisions[0]).toEqual({
      type: 'start_sequence',
      rule: expect.objectContaining({ id: 'welcome_new_subscriber' }),
      sequenceId: 'welcome_series',
      claimId: sendIdFor('c2', 'welcome_new_subscriber', event.eventId),
      holdout: false,
      claims: [{ kind: 'cap', scope: 'rule:welcome_new_subscriber', max: 1 }],
      conditions: expect.any(Array),
    });
  });

  it('welcome_new_subscriber does not match a subscribe without any email', () => {
    const { decisions } = decide(undefined, buildEvent({ type: 'subscribe', customerId: 'c3' }));
    expect(decisions).toEqual([]);
  });

  it('cart_abandonment_1hour starts cart recovery above 50 with a 24 h cooldown claim', () => {
    const { decisions } = decide(subscriber, buildEvent({ type: 'cart_abandon', customerId: 'c1', occurredAt: '2026-11-20T11:00:00Z', properties: { cartValue: 75.99 } }));
    expect(decisions).toHaveLength(1);
    const decision = decisions[0]!;
    if (decision.type !== 'start_sequence') throw new Error('expected a sequence start');
    expect(decision.sequenceId).toBe('cart_recovery');
    expect(decision.claims).toEqual([
      { kind: 'cooldown', ruleId: 'cart_abandonment_1hour', expiresAt: new Date('2026-11-21T12:00:00Z') },
      { kind: 'cap', scope: 'rule:cart_abandonment_1hour', max: 1, windowMs: 24 * 3_600_000 },
    ]);
    expect(decision.conditions).toEqual([{ field: 'event.properties.cartValue', op: 'greater_than', expected: 50, actual: 75.99, passed: true }]);
  });

  it.each([50, 20])('cart_abandonment_1hour does not fire at %d', (cartValue) => {
    const { decisions } = decide(subscriber, buildEvent({ type: 'cart_abandon', customerId: 'c1', occurredAt: '2026-11-20T11:00:00Z', properties: { cartValue } }));
    expect(decisions).toEqual([]);
  });
});

describe('who can be emailed', () => {
  it('suppresses a customer with no address', () => {
    const { decisions } = decide(undefined, buildEvent({ type: 'cart_abandon', customerId: 'anon', properties: { cartValue: 80 } }));
    expect(decisions).toMatchObject([{ type: 'suppressed', reason: 'no_email', rule: { id: 'cart_abandonment_1hour' } }]);
  });

  it('opt-in mode needs a subscription for marketing mail; opt-out mode only an absent unsubscribe', () => {
    const known = decide(undefined, buildEvent({ type: 'identify', customerId: 'k', properties: { email: 'k@example.com' } })).profile;
    const abandon = () => buildEvent({ type: 'cart_abandon', customerId: 'k', occurredAt: '2026-11-20T11:00:00Z', properties: { cartValue: 80 } });
    expect(decide(known, abandon(), 'opt_in').decisions).toMatchObject([{ type: 'suppressed', reason: 'no_consent' }]);
    expect(decide(known, abandon(), 'opt_out').decisions).toMatchObject([{ type: 'start_sequence' }]);
  });

  it('never emails an unsubscribed customer', () => {
    const left = decide(subscriber, buildEvent({ type: 'unsubscribe', customerId: 'c1', occurredAt: '2026-11-20T10:30:00Z' })).profile;
    const { decisions } = decide(left, buildEvent({ type: 'cart_abandon', customerId: 'c1', occurredAt: '2026-11-20T11:00:00Z', properties: { cartValue: 80 } }), 'opt_out');
    expect(decisions).toMatchObject([{ type: 'suppressed', reason: 'no_consent' }]);
  });
});

describe('sendIdFor', () => {
  it('is deterministic per customer, rule and event, and differs across them (the property: cross-customer-ids.test.ts)', () => {
    expect(sendIdFor('c', 'r', 'e1')).toBe(sendIdFor('c', 'r', 'e1'));
    expect(sendIdFor('c', 'r', 'e1')).not.toBe(sendIdFor('c', 'r', 'e2'));
    expect(sendIdFor('c', 'r1', 'e')).not.toBe(sendIdFor('c', 'r2', 'e'));
    expect(sendIdFor('c1', 'r', 'e')).not.toBe(sendIdFor('c2', 'r', 'e'));
  });
});
