import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { personalizationAtSend } from '#shared/domain/email-template.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { makeDispatchSend } from '#shared/services/dispatch-send.ts';
import { buildEvent } from '../support/build-event.ts';
import { welcomeRequest } from '../support/send-requests.ts';
import { InMemoryErasures, InMemoryLedger, InMemoryProfiles, InMemorySuppression, ScriptedSender, silentLog } from '../support/fakes.ts';

/**
 * A signup form puts `identify` (with the first name) and `subscribe` together; EventBridge does not
 * keep their order, so the welcome may be decided before the name is on the profile. The email
 * leaves with the name on file when it leaves (as it does with the address), not the decision's copy:
 * the welcome said "friend" to a customer whose name Nudge had (seen in the integration suite).
 */
const AT = new Date('2026-11-20T12:00:00Z');
const name = fc.option(fc.stringMatching(/^[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ' -]{0,20}$/), { nil: undefined });

function profileWith(firstName: string | undefined, lastName: string | undefined): Profile {
  let change = applyEvent(undefined, buildEvent({ type: 'subscribe', customerId: 'c1', email: 'c1@example.com', occurredAt: '2026-11-20T11:00:00Z' }), AT);
  if (change.type !== 'applied') throw new Error('expected applied');
  if (firstName || lastName) {
    const identify = buildEvent({ type: 'identify', customerId: 'c1', occurredAt: '2026-11-20T11:30:00Z', properties: { ...(firstName ? { firstName } : {}), ...(lastName ? { lastName } : {}) } });
    change = applyEvent(change.profile, identify, AT);
    if (change.type !== 'applied') throw new Error('expected applied');
  }
  return change.profile;
}


describe('personalization when the email leaves', () => {
  it('takes the name from the profile on file (else the decision\'s) and every other fact from the decision', () => {
    fc.assert(
      fc.property(name, name, name, name, fc.double({ min: 0, max: 1e6, noNaN: true }), (decidedFirst, decidedLast, firstOnFile, lastOnFile, value) => {
        const decided = { ...(decidedFirst ? { firstName: decidedFirst } : {}), ...(decidedLast ? { lastName: decidedLast } : {}), eventProperties: { x: 1 }, lifetimeValue: value, segments: ['vip'] };
        const sent = personalizationAtSend(decided, { firstName: firstOnFile, lastName: lastOnFile });
        expect(sent.firstName).toBe(firstOnFile ?? decidedFirst);
        expect(sent.lastName).toBe(lastOnFile ?? decidedLast);
        expect({ ...sent, firstName: undefined, lastName: undefined }).toEqual({ ...decided, firstName: undefined, lastName: undefined });
      }),
    );
  });

  it('a welcome decided before the identify landed greets the customer by the name on file when it leaves', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Z][a-zà-ÿ]{1,12}$/), async (firstName) => {
        const profiles = new InMemoryProfiles();
        profiles.items.set('c1', profileWith(firstName, undefined));
        const sender = new ScriptedSender([]);
        const dispatch = makeDispatchSend({
          ledger: new InMemoryLedger(),
          sender,
          profiles,
          suppression: new InMemorySuppression(),
          erasures: new InMemoryErasures(),
          links: { baseUrl: 'https://links.example.com/', keyring: async () => ({ current: { id: 'k1', key: 'a-test-secret-of-at-least-32-characters!!' }, previous: [] }), unsubscribeMailbox: 'unsubscribe@example.com' },
          catalog: defaultCatalog,
          clock: { now: () => AT },
          log: silentLog,
        });
        // Decided from the profile before the identify: no name in the decision's copy.
        expect(await dispatch(welcomeRequest({ eventProperties: {} }))).toMatchObject({ type: 'sent' });
        expect(sender.sent[0]!.subject).toContain(firstName);
        expect(sender.sent[0]!.subject).not.toContain('friend');
      }),
      { numRuns: 25 },
    );
  });
});
