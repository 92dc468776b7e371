import fc from 'fast-check';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { makeDispatchRecord } from '#functions/delivery/dispatch-record.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { HOLD_DELAY_SECONDS, makeDispatchSend, RetryableSendError, SEND_HELD_LOG_MESSAGE, type DispatchOutcome } from '#shared/services/dispatch-send.ts';
import type { EmailSendResult, SendHoldReason } from '#shared/domain/ports.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { buildEvent } from '../support/build-event.ts';
import { InMemoryErasures, InMemoryLedger, InMemoryProfiles, InMemorySuppression, ScriptedSender, silentLog } from '../support/fakes.ts';
import { verifyLink } from '#shared/domain/link-tokens.ts';

const SECRET = 'a-test-secret-of-at-least-32-characters!!';
const KEY = { id: 'k1', key: SECRET };
const KEYRING = { current: KEY, previous: [] };

/** c1 subscribed to marketing, as the stored profile the dispatcher re-checks. */
function subscriber(): Profile {
  const change = applyEvent(undefined, buildEvent({ type: 'subscribe', customerId: 'c1', email: 'c1@example.com', occurredAt: '2026-11-20T11:00:00Z' }), new Date('2026-11-20T11:00:00Z'));
  if (change.type !== 'applied') throw new Error('expected applied');
  return change.profile;
}

const request = (templateId = 'welcome'): SendRequest => ({
  sendId: 's1',
  customerId: 'c1',
  ruleId: 'welcome_new_subscriber',
  templateId,
  category: 'marketing',
  email: 'c1@example.com',
  decidedAt: '2026-11-20T12:00:00Z',
  trigger: { eventId: 'e1', type: 'subscribe', occurredAt: '2026-11-20T12:00:00Z' },
  conditions: [],
  personalization: { firstName: 'Ana', eventProperties: {} },
});

function setup(results: EmailSendResult[] = []) {
  const ledger = new InMemoryLedger();
  const sender = new ScriptedSender(results);
  const profiles = new InMemoryProfiles();
  profiles.items.set('c1', subscriber());
  const suppression = new InMemorySuppression();
  const links = { baseUrl: 'https://links.example.com/', keyring: async () => KEYRING, unsubscribeMailbox: 'unsubscribe@example.com' };
  const erasures = new InMemoryErasures();
  const dispatch = makeDispatchSend({ ledger, sender, profiles, suppression, erasures, links, catalog: defaultCatalog, clock: { now: () => new Date('2026-11-20T12:00:00Z') }, log: silentLog });
  return { ledger, sender, profiles, suppression, erasures, dispatch };
}

describe('dispatch service', () => {
  it('renders, sends with rule and send tags, and records the message id', async () => {
    const s = setup();
    expect(await s.dispatch(request())).toEqual({ type: 'sent', sendId: 's1', messageId: 'm-1' });
    expect(s.sender.sent[0]).toMatchObject({ to: 'c1@example.com', tags: { rule: 'welcome_new_subscriber', sendId: 's1', category: 'marketing' } });
    expect(s.ledger.states.get('s1')).toEqual({ status: 'sent', messageId: 'm-1' });
  });

  it('skips a send the ledger already settled', async () => {
    const s = setup();
    await s.dispatch(request());
    expect(await s.dispatch(request())).toEqual({ type: 'skipped', sendId: 's1', reason: 'already_sent' });
    expect(s.sender.sent).toHaveLength(1);
  });

  it('a retryable SES error gives the lease back and throws, so the queue retries; the retry sends once', async () => {
    const s = setup([{ type: 'retryable', reason: 'TooManyRequestsException: slow down' }]);
    await expect(s.dispatch(request())).rejects.toBeInstanceOf(RetryableSendError);
    expect(s.ledger.states.get('s1')).toEqual({ status: 'retrying', reason: 'TooManyRequestsException: slow down' });
    expect(await s.dispatch(request())).toMatchObject({ type: 'sent' });
    expect(s.sender.sent).toHaveLength(1);
  });

  it('a delivered send whose ledger write fails at first is recorded by a later attempt, so no redelivery mails it again', async () => {
    vi.useFakeTimers();
    try {
      const s = setup();
      const markSent = s.ledger.markSent.bind(s.ledger);
      let failures = 2;
      s.ledger.markSent = async (input) => {
        if (failures-- > 0) throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
        return markSent(input);
      };
      const outcome = s.dispatch(request());
      await vi.runAllTimersAsync();
      expect(await outcome).toMatchObject({ type: 'sent' });
      expect(s.ledger.states.get('s1')).toEqual({ status: 'sent', messageId: 'm-1' });
      expect(await s.dispatch(request())).toEqual({ type: 'skipped', sendId: 's1', reason: 'already_sent' });
      expect(s.sender.sent).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a permanent SES rejection is recorded with the reason and not retried', async () => {
    const s = setup([{ type: 'rejected', reason: 'BadRequestException: Missing final \'@domain\'' }]);
    expect(await s.dispatch(request())).toMatchObject({ type: 'failed', reason: "rejected by SES: BadRequestException: Missing final '@domain'" });
    expect(await s.dispatch(request())).toEqual({ type: 'skipped', sendId: 's1', reason: 'already_failed' });
  });

  it('a send SES holds (sandbox, unverified identity, paused account, ...) is deferred, never burned: the claims stay, a later attempt sends it', async () => {
    const holds: SendHoldReason[] = ['identity_not_verified', 'sending_paused', 'account_suspended', 'mail_from_not_verified', 'configuration_missing', 'daily_quota', 'account_limit', 'not_authorized'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...holds), fc.string(), async (hold, detail) => {
        const s = setup([{ type: 'held', hold, reason: detail }]);
        const errors: string[] = [];
        const log = { ...silentLog, error: (message: string) => void errors.push(message) };
        const dispatch = makeDispatchSend({ ledger: s.ledger, sender: s.sender, profiles: s.profiles, suppression: s.suppression, erasures: s.erasures, links: { baseUrl: 'https://links.example.com/', keyring: async () => KEYRING }, catalog: defaultCatalog, clock: { now: () => new Date('2026-11-20T12:00:00Z') }, log });
        expect(await dispatch(request())).toEqual({ type: 'deferred', sendId: 's1', reason: detail, delaySeconds: HOLD_DELAY_SECONDS, hold });
        expect(s.ledger.states.get('s1')).toEqual({ status: 'retrying', reason: detail });
        // The alarm's metric filter counts this log line.
        expect(errors).toEqual([SEND_HELD_LOG_MESSAGE]);
        expect(await dispatch(request())).toMatchObject({ type: 'sent' });
        expect(s.sender.sent).toHaveLength(1);
      }),
      { numRuns: 40 },
    );
  });

  it('a throttled send is deferred for the time the pacing asks (at least 1 s), not failed and not thrown', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(fc.double({ min: 0, max: 2000, noNaN: true }), { nil: undefined }), async (retryAfterSeconds) => {
        const s = setup([{ type: 'throttled', reason: 'TooManyRequestsException: Maximum sending rate exceeded.', ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) }]);
        const outcome = await s.dispatch(request());
        expect(outcome).toMatchObject({ type: 'deferred', sendId: 's1' });
        const delay = (outcome as Extract<DispatchOutcome, { type: 'deferred' }>).delaySeconds;
        expect(Number.isInteger(delay) && delay >= 1 && delay <= 900).toBe(true);
        if (retryAfterSeconds !== undefined) expect(delay).toBe(Math.min(900, Math.max(1, Math.ceil(retryAfterSeconds))));
        expect(s.ledger.states.get('s1')).toMatchObject({ status: 'retrying' });
      }),
      { numRuns: 40 },
    );
  });

  it('a template that cannot render is a recorded failure, never a half email', async () => {
    const s = setup();
    expect(await s.dispatch(request('cart_reminder'))).toMatchObject({ type: 'failed', reason: 'template cart_reminder: this send has no cart, which the template requires' });
    expect(s.sender.sent).toHaveLength(0);
  });

  it('a send leased by another worker is retried later', async () => {
    const s = setup();
    s.ledger.states.set('s1', { status: 'sending' });
    await expect(s.dispatch(request())).rejects.toThrow(/another worker/);
  });

  it('re-checks consent as the email leaves: an unsubscribe since the decision stops it, recorded, not retried', async () => {
    const s = setup();
    const profile = s.profiles.items.get('c1')!;
    s.profiles.items.set('c1', { ...profile, consent: { marketing: 'unsubscribed' } });
    expect(await s.dispatch(request())).toMatchObject({ type: 'failed', reason: 'not sent: no consent when the email was due to leave' });
    expect(s.sender.sent).toHaveLength(0);
    expect(await s.dispatch(request())).toMatchObject({ type: 'skipped', reason: 'already_failed' });
  });

  it('consent per category at send time: product updates need their own opt-in; transactional mail needs none and links to the preferences, not to an unsubscribe', async () => {
    const s = setup();
    expect(await s.dispatch({ ...request(), sendId: 'p1', category: 'product_updates' })).toMatchObject({ type: 'failed', reason: 'not sent: no consent when the email was due to leave' });
    s.profiles.items.set('c1', { ...s.profiles.items.get('c1')!, consent: {} });
    const receipt = { ...request('support_follow_up'), sendId: 't1', ruleId: 'support_follow_up', category: 'transactional', personalization: { firstName: 'Ana', eventProperties: { ticketId: 'T-1', status: 'solved' } } };
    expect(await s.dispatch(receipt)).toMatchObject({ type: 'sent' });
    const email = s.sender.sent[0]!;
    expect(email.headers).toEqual([]);
    expect(email.html).toMatch(/<a href="https:\/\/links\.example\.com\/p\/[^"]+" ses:no-track>Email preferences<\/a>/);
    expect(email.html).not.toContain('links.example.com/u/');
  });

  it('does not send to a customer who no longer exists, and uses the current address when it changed', async () => {
    const gone = setup();
    gone.profiles.items.clear();
    expect(await gone.dispatch(request())).toMatchObject({ type: 'failed', reason: 'not sent: the customer no longer exists' });
    const moved = setup();
    moved.profiles.items.set('c1', { ...moved.profiles.items.get('c1')!, email: 'new@example.com' });
    await moved.dispatch(request());
    expect(moved.sender.sent[0]?.to).toBe('new@example.com');
  });

  it('a marketing email carries RFC 8058 one-click unsubscribe headers, a signed unsubscribe link in both parts and an open pixel', async () => {
    const s = setup();
    await s.dispatch(request());
    const email = s.sender.sent[0]!;
    const listUnsubscribe = email.headers.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';
    expect(listUnsubscribe).toMatch(/^<https:\/\/links\.example\.com\/u\/k\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+>, <mailto:unsubscribe@example\.com\?subject=unsubscribe%20/);
    expect(email.headers).toContainEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
    const token = /\/u\/([^>]+)>/.exec(listUnsubscribe)![1]!;
    expect(verifyLink(token, KEYRING, new Date('2026-11-20T12:00:00Z'))).toMatchObject({ ok: true, claims: { a: 'unsubscribe', c: 'c1', s: 's1', k: 'marketing' } });
    expect(email.html).toContain(`https://links.example.com/u/${token}`);
    expect(email.text).toContain(`Unsubscribe: https://links.example.com/u/${token}`);
    expect(email.html).toMatch(/<img src="https:\/\/links\.example\.com\/o\/[^"]+" width="1" height="1" alt="">/);
    expect(email.tags).toMatchObject({ customer: Buffer.from('c1').toString('base64url') });
  });

  it('never sends to a suppressed address (hard bounce, complaint), recorded with the reason', async () => {
    const s = setup();
    await s.suppression.add({ email: 'C1@example.com', reason: 'hard_bounce', at: new Date('2026-11-19T00:00:00Z') });
    expect(await s.dispatch(request())).toMatchObject({ type: 'failed', reason: 'not sent: the address is suppressed (hard bounce on 2026-11-19T00:00:00.000Z)' });
    expect(s.sender.sent).toHaveLength(0);
  });

  it('waits for the profile write of its own decision: sends once it lands, hands the send back to the queue if it does not', async () => {
    const s = setup();
    const stored = s.profiles.items.get('c1')!;
    // The decision was taken in the write that will bring the profile to version 2 and record event e1.
    const decided = { ...request(), profileVersion: stored.version + 1, awaitsTriggerEvent: true };
    await expect(s.dispatch(decided)).rejects.toBeInstanceOf(RetryableSendError);
    expect(s.sender.sent).toHaveLength(0);
    expect(s.ledger.states.get('s1')).toMatchObject({ status: 'retrying' });
    // A concurrent writer's version is not enough: the profile must have seen the trigger event.
    s.profiles.items.set('c1', { ...stored, version: stored.version + 1 });
    await expect(s.dispatch(decided)).rejects.toBeInstanceOf(RetryableSendError);
    const landed = applyEvent(stored, buildEvent({ type: 'page_view', eventId: 'e1', customerId: 'c1', properties: { url: '/' } }), new Date('2026-11-20T12:00:00Z'));
    if (landed.type !== 'applied') throw new Error('expected applied');
    setTimeout(() => s.profiles.items.set('c1', { ...landed.profile, version: stored.version + 1 }), 20);
    expect(await s.dispatch(decided)).toMatchObject({ type: 'sent' });
  });
});

describe('retry backoff', () => {
  it('grows 4x per attempt from 5 s and stops at the 15-minute SQS maximum', async () => {
    const { retryDelaySeconds } = await import('#shared/services/dispatch-send.ts');
    expect([1, 2, 3, 4, 5, 6].map(retryDelaySeconds)).toEqual([5, 20, 80, 320, 900, 900]);
    expect(retryDelaySeconds(0)).toBe(5);
  });
});

describe('dispatch record', () => {
  const record = (receiveCount: number): SQSRecord =>
    ({ messageId: 'm1', receiptHandle: 'h1', body: JSON.stringify(request()), attributes: { ApproximateReceiveCount: String(receiveCount) } }) as unknown as SQSRecord;

  it('a deferred send goes back on the queue as a new message with its delay, and the received one succeeds (its receive count never reaches the DLQ)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 900 }), fc.integer({ min: 1, max: 50 }), async (delaySeconds, receiveCount) => {
        const requeued: Array<[string, number]> = [];
        const delayed: number[] = [];
        const dispatchRecord = makeDispatchRecord({
          dispatchSend: async (r) => ({ type: 'deferred', sendId: r.sendId, reason: 'throttled', delaySeconds }),
          delayRedelivery: async (_handle, seconds) => void delayed.push(seconds),
          requeue: async (r, seconds) => void requeued.push([r.sendId, seconds]),
          log: silentLog,
        });
        await expect(dispatchRecord(record(receiveCount))).resolves.toBeUndefined();
        expect(requeued).toEqual([['s1', delaySeconds]]);
        expect(delayed).toEqual([]);
      }),
    );
  });

  it('a deferred send that cannot be re-queued fails the record, so SQS keeps the original', async () => {
    const dispatchRecord = makeDispatchRecord({
      dispatchSend: async (r) => ({ type: 'deferred', sendId: r.sendId, reason: 'held', delaySeconds: 900 }),
      delayRedelivery: async () => undefined,
      requeue: async () => {
        throw new Error('SQS is down');
      },
      log: silentLog,
    });
    await expect(dispatchRecord(record(1))).rejects.toThrow('SQS is down');
  });
});
