import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { MAX_ID_LENGTH } from '#shared/contract/index.ts';
import { applyEvent } from '#shared/domain/profile.ts';
import { parseSesEvent } from '#shared/domain/ses-events.ts';
import { makeDispatchSend } from '#shared/services/dispatch-send.ts';
import { buildEvent } from '../support/build-event.ts';
import { InMemoryErasures, InMemoryLedger, InMemoryProfiles, InMemorySuppression, ScriptedSender, silentLog } from '../support/fakes.ts';

/**
 * SES message tags (API reference, MessageTag): names and values only [A-Za-z0-9_-], at most 256
 * characters each. The `customer` tag was base64url of the whole id, over 256 for ids above 192
 * UTF-8 bytes: SES rejects such a send, so long ids could never be mailed. Property over every
 * contract-valid id up to the maximum length: each tag the dispatcher builds is valid for SES, and
 * the SES events that come back carry enough to find the customer again.
 */
const SES_TAG = /^[A-Za-z0-9_-]{1,256}$/;
const NOW = new Date('2026-11-20T12:00:00Z');

// Any well-formed Unicode (astral, RTL, zero-width ...), cut to the contract's id length in UTF-16 units.
const customerIds = fc
  .string({ unit: fc.oneof(fc.constantFrom('😀', 'ש', '\u200b', '中', 'é'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: MAX_ID_LENGTH })
  .map((id) => Array.from(id).reduce((kept, char) => (kept.length + char.length <= MAX_ID_LENGTH ? kept + char : kept), ''))
  .filter((id) => id.length > 0);

async function dispatchedTags(customerId: string): Promise<Record<string, string>> {
  const profiles = new InMemoryProfiles();
  const change = applyEvent(undefined, buildEvent({ type: 'subscribe', customerId, email: 'c1@example.com', occurredAt: '2026-11-20T11:00:00Z' }), NOW);
  if (change.type !== 'applied') throw new Error('expected applied');
  profiles.items.set(customerId, change.profile);
  const sender = new ScriptedSender();
  const links = { baseUrl: 'https://links.example.com/', keyring: async () => ({ current: { id: 'k1', key: 'a-test-secret-of-at-least-32-characters!!' }, previous: [] }), unsubscribeMailbox: 'unsubscribe@example.com' };
  const dispatch = makeDispatchSend({ ledger: new InMemoryLedger(), sender, profiles, suppression: new InMemorySuppression(), erasures: new InMemoryErasures(), links, catalog: defaultCatalog, clock: { now: () => NOW }, log: silentLog });
  const outcome = await dispatch({
    sendId: 's1',
    customerId,
    ruleId: 'welcome_new_subscriber',
    templateId: 'welcome',
    category: 'marketing',
    email: 'c1@example.com',
    decidedAt: NOW.toISOString(),
    trigger: { eventId: 'e1', type: 'subscribe', occurredAt: NOW.toISOString() },
    conditions: [],
    personalization: { eventProperties: {} },
  });
  expect(outcome.type).toBe('sent');
  return sender.sent[0]!.tags;
}

/** An SES Delivery event as EventBridge delivers it, with the message's tags. */
const delivery = (tags: Record<string, string>) => ({
  source: 'aws.ses',
  'detail-type': 'Email Delivered',
  time: NOW.toISOString(),
  detail: { eventType: 'Delivery', mail: { messageId: 'm-1', tags: Object.fromEntries(Object.entries(tags).map(([name, value]) => [name, [value]])) }, delivery: { timestamp: NOW.toISOString() } },
});

describe('SES message tags of a send', () => {
  it('every tag name and value is valid for SES, for every id up to the contract maximum; SES events find the customer again', async () => {
    await fc.assert(
      fc.asyncProperty(customerIds, async (customerId) => {
        const tags = await dispatchedTags(customerId);
        for (const [name, value] of Object.entries(tags)) {
          expect(name).toMatch(SES_TAG);
          expect(value).toMatch(SES_TAG);
        }
        expect(Object.keys(tags).length).toBeLessThanOrEqual(50);
        const parsed = parseSesEvent(delivery(tags));
        expect(parsed).toMatchObject({ type: 'parsed', customerId, sendId: 's1' });
      }),
      { numRuns: 60 },
    );
  });

  it('an id of the maximum length in 3-byte characters (768 UTF-8 bytes) is sent and found again', async () => {
    const customerId = '中'.repeat(MAX_ID_LENGTH);
    const tags = await dispatchedTags(customerId);
    expect(Object.values(tags).every((value) => SES_TAG.test(value))).toBe(true);
    expect(parseSesEvent(delivery(tags))).toMatchObject({ customerId });
  });
});
