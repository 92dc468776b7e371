import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBehaviorEvent, type BehaviorEvent } from '#shared/contract/index.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';

/**
 * Producer clocks are arbitrary (events/README.md, "Clock skew"): an occurredAt anywhere in years
 * 0000-9999, with any offset, is either rejected naming detail.occurredAt (before 1970) or applied
 * at its effective time, min(occurredAt, processing time). Self-contained: events go through the
 * contract's parser, then the profile, as ingest does.
 */

const START = Date.parse('2026-11-20T12:00:00Z');
const CATEGORIES = ['marketing', 'product_updates'] as const;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Any well-formed occurredAt from year 0000 to 9999, with Z or an offset, sometimes fractional seconds. */
const anyYear = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    millis: fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
    offset: fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 30, 45)).map(([sign, h, m]) => `${sign}${pad(h)}:${pad(m)}`)),
  })
  .map((t) => `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${t.millis === undefined ? '' : `.${pad(t.millis, 3)}`}${t.offset}`);

/** Skewed a little around the processing time (minutes to days either way), where ordering really matters. */
const nearNow = fc.integer({ min: -3 * 86_400, max: 3 * 86_400 }).map((seconds) => (now: number) => new Date(now + seconds * 1000).toISOString());

const occurredAt = fc.oneof(anyYear.map((at) => () => at), nearNow);

type Step =
  | { kind: 'identify'; firstName: string; consent: Partial<Record<(typeof CATEGORIES)[number], 'subscribed' | 'unsubscribed'>> }
  | { kind: 'subscribe' | 'unsubscribe'; categories: Array<(typeof CATEGORIES)[number]> }
  | { kind: 'cart_abandon' | 'purchase' | 'email_open' | 'email_click' | 'subscription_cancel' | 'page_view' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('identify' as const),
    firstName: fc.constantFrom('Ana', 'Bo', 'Cy', 'Di'),
    consent: fc.record({ marketing: fc.constantFrom('subscribed' as const, 'unsubscribed' as const), product_updates: fc.constantFrom('subscribed' as const, 'unsubscribed' as const) }, { requiredKeys: [] }),
  }),
  fc.record({ kind: fc.constantFrom('subscribe' as const, 'unsubscribe' as const), categories: fc.subarray([...CATEGORIES]) }),
  fc.record({ kind: fc.constantFrom('cart_abandon' as const, 'purchase' as const, 'email_open' as const, 'email_click' as const, 'subscription_cancel' as const, 'page_view' as const) }),
);

function detailOf(s: Step, index: number, at: string): { detailType: string; detail: Record<string, unknown> } {
  const envelope = { eventId: `e${index}`, customerId: 'c1', occurredAt: at };
  switch (s.kind) {
    case 'identify':
      return { detailType: 'identify', detail: { ...envelope, properties: { email: 'a@example.com', firstName: s.firstName, consent: s.consent } } };
    case 'subscribe':
      return { detailType: 'subscribe', detail: { ...envelope, email: 'a@example.com', properties: s.categories.length > 0 ? { categories: s.categories } : {} } };
    case 'unsubscribe':
      return { detailType: 'unsubscribe', detail: { ...envelope, properties: s.categories.length > 0 ? { categories: s.categories } : {} } };
    case 'cart_abandon':
      return { detailType: 'cart_abandon', detail: { ...envelope, properties: { cartValue: 10 } } };
    case 'purchase':
      return { detailType: 'purchase', detail: { ...envelope, properties: { orderId: `o${index}`, amount: 10 } } };
    case 'email_open':
      return { detailType: 'email_open', detail: { ...envelope, properties: { sendId: `s${index}` } } };
    case 'email_click':
      return { detailType: 'email_click', detail: { ...envelope, properties: { sendId: `s${index}`, url: '/x' } } };
    case 'subscription_cancel':
    case 'page_view':
      return { detailType: s.kind, detail: { ...envelope, properties: s.kind === 'page_view' ? { url: '/' } : {} } };
  }
}

/** The consent requests an accepted event makes, per category, in the order ingest processes them. */
function consentRequests(s: Step): Array<[string, 'subscribed' | 'unsubscribed']> {
  if (s.kind === 'identify') return Object.entries(s.consent);
  if (s.kind === 'subscribe' || s.kind === 'unsubscribe') {
    const status = s.kind === 'subscribe' ? 'subscribed' : 'unsubscribed';
    return (s.categories.length > 0 ? s.categories : ['marketing']).map((category) => [category, status]);
  }
  return [];
}

/** Every instant the profile keeps: ISO strings anywhere in it, and the epoch numbers of lastSeen / recentCartAbandons. */
function instantsOf(profile: Profile): number[] {
  const found: number[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) found.push(Date.parse(value));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk);
  };
  walk(profile);
  found.push(...Object.values(profile.lastSeen).map((seconds) => seconds * 1000), ...profile.recentCartAbandons);
  return found;
}

describe('event time: any occurredAt, years 0000-9999', () => {
  it('is rejected naming occurredAt before 1970, else applied; consent follows the last request processed; nothing is dated after now', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(step, occurredAt, fc.integer({ min: 1, max: 3_600_000 })), { minLength: 1, maxLength: 25 }), (steps) => {
        let profile: Profile | undefined;
        let now = START;
        const consent: Record<string, string> = {};
        let attributesAt: number | undefined;
        let name: string | undefined;
        steps.forEach(([s, at, gap], index) => {
          now += gap;
          const { detailType, detail } = detailOf(s, index, at(now));
          const parsed = parseBehaviorEvent({ source: 'shop.web', detailType, detail });
          const sent = Date.parse(detail.occurredAt as string);
          if (!parsed.ok) {
            expect(parsed.errors.map((e) => e.field)).toEqual(['detail.occurredAt']);
            expect(sent).toBeLessThan(Date.UTC(1970, 0, 1));
            return;
          }
          expect(sent).toBeGreaterThanOrEqual(Date.UTC(1970, 0, 1));
          const change = applyEvent(profile, parsed.event as BehaviorEvent, new Date(now));
          if (change.type !== 'applied') throw new Error('expected applied');
          profile = change.profile;
          for (const [category, status] of consentRequests(s)) consent[category] = status;
          // Attributes (identify, subscribe): the newest by effective time wins; a tie goes to the later processed.
          const effective = Math.min(sent, now);
          if ((s.kind === 'identify' || s.kind === 'subscribe') && (attributesAt === undefined || effective >= attributesAt)) {
            attributesAt = effective;
            if (s.kind === 'identify') name = s.firstName;
          }
          for (const instant of instantsOf(profile)) expect(instant).toBeLessThanOrEqual(now);
        });
        expect(profile?.consent ?? {}).toEqual(consent);
        expect(profile?.firstName).toBe(name);
      }),
      { numRuns: 400 },
    );
  });

  it('an identify dated 2099 freezes nothing: a later unsubscribe and a later name change apply', () => {
    const t1 = new Date('2026-11-20T12:00:00Z');
    const t2 = new Date('2026-11-20T13:00:00Z');
    const apply = (current: Profile | undefined, detailType: string, detail: Record<string, unknown>, now: Date): Profile => {
      const parsed = parseBehaviorEvent({ source: 'shop.web', detailType, detail: { customerId: 'c1', ...detail } });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      const change = applyEvent(current, parsed.event, now);
      if (change.type !== 'applied') throw new Error('expected applied');
      return change.profile;
    };
    const future = apply(undefined, 'identify', { eventId: 'f', occurredAt: '2099-01-01T00:00:00Z', properties: { email: 'a@example.com', firstName: 'Ana', consent: { marketing: 'subscribed' } } }, t1);
    expect(future.attributesAt).toBe(t1.toISOString());
    const later = apply(future, 'identify', { eventId: 'g', occurredAt: t2.toISOString(), properties: { firstName: 'Anna', consent: { marketing: 'unsubscribed' } } }, t2);
    expect(later).toMatchObject({ firstName: 'Anna', consent: { marketing: 'unsubscribed' } });
  });
});
