import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { parseBehaviorEvent } from '#shared/contract/index.ts';
import { signLink } from '#shared/domain/link-tokens.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import type { BehaviorEventBus } from '#shared/domain/ports.ts';
import { CONSENT_CONFIRMATION_REQUESTED } from '#shared/domain/engagement-events.ts';
import { makeConfirmSubscription } from '#shared/services/confirm-subscription.ts';
import { makePreferenceCenter } from '#shared/services/preference-center.ts';
import { makeTrackLink } from '#shared/services/track-link.ts';
import { InMemoryErasures, silentLog } from '../support/fakes.ts';

const SECRET = 'a-test-secret-of-at-least-32-characters!!';
const KEY = { id: 'k1', key: SECRET };
const KEYRING = { current: KEY, previous: [] };
const START = new Date('2026-11-20T12:00:00Z');
const CUSTOMER = 'cust-1';

/**
 * Every consent request a person can make, in any order and at any pace (several in one second):
 * the consent after the last one is what that one asked for; an opt-in on the preference page that
 * is never confirmed from the mailbox asks for nothing. Events go through the contract and
 * applyEvent exactly as ingest applies them, duplicate window included.
 */
type ConsentRequest =
  | { kind: 'subscribe' }
  | { kind: 'unsubscribe' }
  | { kind: 'unsubscribe_link'; send: number }
  | { kind: 'preferences_out'; send: number }
  /** Opt in on the preference page, then follow the confirmation email's link. */
  | { kind: 'preferences_in'; send: number }
  /** Opt in on the preference page (perhaps someone holding a forwarded link), never confirmed. */
  | { kind: 'preferences_in_unconfirmed'; send: number };

const request: fc.Arbitrary<ConsentRequest> = fc.oneof(
  fc.constant({ kind: 'subscribe' as const }),
  fc.constant({ kind: 'unsubscribe' as const }),
  fc.record({ kind: fc.constant('unsubscribe_link' as const), send: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('preferences_out' as const), send: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('preferences_in' as const), send: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('preferences_in_unconfirmed' as const), send: fc.integer({ min: 0, max: 2 }) }),
);

/** The consent after `request`, given the consent before it. */
function wants(request: ConsentRequest, before: 'subscribed' | 'unsubscribed'): 'subscribed' | 'unsubscribed' {
  if (request.kind === 'preferences_in_unconfirmed') return before;
  return request.kind === 'subscribe' || request.kind === 'preferences_in' ? 'subscribed' : 'unsubscribed';
}

/** The local system in miniature: the link endpoint, and a bus that ingests what it is given. */
function system() {
  let profile: Profile | undefined;
  let now = START;
  let producerEvents = 0;
  /** The confirmation links mailed so far (the confirm_subscription rule's emails), newest last. */
  const mailbox: string[] = [];
  const ingest = (entry: { source: string; detailType: string; detail: Record<string, unknown> }) => {
    const parsed = parseBehaviorEvent(entry);
    if (!parsed.ok) throw new Error(`rejected: ${JSON.stringify(parsed.errors)}`);
    profile = applyEvent(profile, parsed.event, now).profile;
    if (entry.detailType === CONSENT_CONFIRMATION_REQUESTED) {
      const { categories } = parsed.event.properties as { categories: string[] };
      mailbox.push(`/s/${signLink({ a: 'confirm_subscription', c: CUSTOMER, s: `confirm-${mailbox.length}`, g: categories }, KEY, now)}`);
    }
  };
  const bus: BehaviorEventBus = { put: async (entries) => entries.forEach(ingest) };
  const deps = { profiles: { get: async () => profile }, bus, catalog: defaultCatalog, log: silentLog };
  const preferences = makePreferenceCenter(deps);
  const confirmSubscription = makeConfirmSubscription(deps);
  const track = makeTrackLink({ keyring: async () => KEYRING, bus, erasures: new InMemoryErasures(), brandName: 'Shop', clock: { now: () => now }, log: silentLog, preferences, confirmSubscription });
  // Links are signed once, when the email goes out: the same link is used again and again.
  const unsubscribeLinks = [0, 1, 2].map((i) => `/u/${signLink({ a: 'unsubscribe', c: CUSTOMER, s: `send-${i}`, k: 'marketing' }, KEY, START)}`);
  const preferenceLinks = [0, 1, 2].map((i) => `/p/${signLink({ a: 'preferences', c: CUSTOMER, s: `send-${i}` }, KEY, START)}`);

  async function perform(request: ConsentRequest): Promise<void> {
    const producer = (type: 'subscribe' | 'unsubscribe') => {
      producerEvents += 1;
      const properties = type === 'subscribe' ? { email: 'lea@example.com', categories: ['marketing'] } : { categories: ['marketing'] };
      ingest({ source: 'shop.web', detailType: type, detail: { eventId: `shop-${producerEvents}`, customerId: CUSTOMER, occurredAt: now.toISOString(), properties } });
    };
    switch (request.kind) {
      case 'subscribe':
        return producer('subscribe');
      case 'unsubscribe':
        return producer('unsubscribe');
      case 'unsubscribe_link':
        await track({ method: 'POST', path: unsubscribeLinks[request.send]!, requestId: randomUUID() });
        return;
      case 'preferences_out':
        await track({ method: 'POST', path: preferenceLinks[request.send]!, body: 'action=save', requestId: randomUUID() });
        return;
      case 'preferences_in':
      case 'preferences_in_unconfirmed': {
        const mailed = mailbox.length;
        await track({ method: 'POST', path: preferenceLinks[request.send]!, body: 'category=marketing&action=save', requestId: randomUUID() });
        // Already subscribed: nothing to ask for, so nothing is mailed.
        if (request.kind === 'preferences_in' && mailbox.length > mailed) await track({ method: 'POST', path: mailbox.at(-1)!, requestId: randomUUID() });
        return;
      }
    }
  }
  return {
    perform,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    confirmLatest: () => track({ method: 'POST', path: mailbox.at(-1)!, requestId: randomUUID() }),
    consent: () => profile?.consent.marketing,
  };
}

describe('consent requests', () => {
  it('the consent after any sequence of requests (links reused, several in one second) is what the last one asked for', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(request, fc.integer({ min: 0, max: 3_000 })), { minLength: 1, maxLength: 12 }), async (steps) => {
        const nudge = system();
        await nudge.perform({ kind: 'subscribe' });
        let expected: 'subscribed' | 'unsubscribed' = 'subscribed';
        for (const [step, gap] of steps) {
          nudge.advance(gap);
          await nudge.perform(step);
          expected = wants(step, expected);
        }
        expect(nudge.consent()).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('an old unsubscribe link used again after re-subscribing unsubscribes again', async () => {
    const nudge = system();
    await nudge.perform({ kind: 'subscribe' });
    await nudge.perform({ kind: 'unsubscribe_link', send: 0 });
    nudge.advance(86_400_000);
    await nudge.perform({ kind: 'subscribe' });
    nudge.advance(86_400_000);
    await nudge.perform({ kind: 'unsubscribe_link', send: 0 });
    expect(nudge.consent()).toBe('unsubscribed');
  });

  it('an opt-in from a forwarded preference link is only asked for; its confirmation link stops working after 48 hours', async () => {
    const nudge = system();
    await nudge.perform({ kind: 'subscribe' });
    await nudge.perform({ kind: 'unsubscribe' });
    await nudge.perform({ kind: 'preferences_in_unconfirmed', send: 1 });
    expect(nudge.consent()).toBe('unsubscribed');
    nudge.advance(48 * 3_600_000);
    expect((await nudge.confirmLatest()).statusCode).toBe(410);
    expect(nudge.consent()).toBe('unsubscribed');
  });
});
