import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EmailSendResult } from '#shared/domain/ports.ts';
import { makeNotifyAccountManager, NOTIFY_LEASE_MS, type NotificationMarkers } from '#shared/services/notify-account-manager.ts';
import { ScriptedSender, silentLog } from '../support/fakes.ts';

/** The marker semantics of DynamoNotificationMarkers (conditional put with a lease; done is final). */
class InMemoryMarkers implements NotificationMarkers {
  readonly items = new Map<string, { status: 'claimed' | 'done'; leaseUntil: number }>();
  async claim(markerId: string, now: Date, leaseMs: number): Promise<boolean> {
    const current = this.items.get(markerId);
    if (current && (current.status === 'done' || current.leaseUntil >= now.getTime())) return false;
    this.items.set(markerId, { status: 'claimed', leaseUntil: now.getTime() + leaseMs });
    return true;
  }
  async complete(markerId: string): Promise<void> {
    this.items.set(markerId, { status: 'done', leaseUntil: 0 });
  }
  async release(markerId: string): Promise<void> {
    if (this.items.get(markerId)?.status === 'claimed') this.items.delete(markerId);
  }
}

const escalation = (transitionId: string, customerId = 'c-1') => ({
  'detail-type': 'VipEscalation',
  detail: { customerId, orderId: `o-${transitionId}`, amount: 750, threshold: 500, lifetimeValue: 900, lifecycleStage: 'vip_customer', at: '2026-11-20T10:00:00.000Z', transitionId },
});

function setup(results: EmailSendResult[] = []) {
  let now = Date.parse('2026-11-20T10:00:00Z');
  const sender = new ScriptedSender(results);
  const markers = new InMemoryMarkers();
  const notify = makeNotifyAccountManager({
    accountManagerEmail: 'account-manager@shop.example.com',
    brandName: 'Shop',
    markers,
    sender,
    clock: { now: () => new Date(now) },
    log: silentLog,
  });
  return { notify, sender, markers, advance: (ms: number) => (now += ms) };
}

describe('notifyAccountManager: one staff email per VipEscalation, however often the bus delivers it', () => {
  it('any number of redeliveries, in any order and concurrently, of any set of events: exactly one email per transitionId', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        async (ids, picks, concurrent) => {
          const { notify, sender } = setup();
          // Every id delivered at least once, plus redeliveries picked at random.
          const deliveries = [...ids, ...picks.map((p) => ids[p % ids.length]!)].map((id) => escalation(id));
          if (concurrent) await Promise.all(deliveries.map((d) => notify(d)));
          else for (const d of deliveries) await notify(d);
          const mailed = sender.sent.map((email) => email.subject);
          expect(mailed).toHaveLength(ids.length);
          for (const id of ids) expect(sender.sent.filter((email) => email.text.includes(`Order: o-${id}\n`))).toHaveLength(1);
          expect(new Set(sender.sent.map((email) => email.to))).toEqual(new Set(['account-manager@shop.example.com']));
        },
      ),
    );
  });

  it('a send SES may accept later fails the delivery and frees the marker: the retry mails, once', async () => {
    for (const failure of [
      { type: 'throttled', reason: 'rate' },
      { type: 'retryable', reason: 'timeout' },
      { type: 'held', reason: 'paused', hold: 'sending_paused' },
    ] as EmailSendResult[]) {
      const { notify, sender } = setup([failure]);
      await expect(notify(escalation('t'))).rejects.toThrow(failure.type);
      expect(await notify(escalation('t'))).toMatchObject({ type: 'sent' });
      expect(await notify(escalation('t'))).toEqual({ type: 'duplicate' });
      expect(sender.sent).toHaveLength(1);
    }
  });

  it('a send SES refuses for good is final: no retry, no second attempt', async () => {
    const { notify, sender } = setup([{ type: 'rejected', reason: 'bad address' }]);
    expect(await notify(escalation('t'))).toEqual({ type: 'rejected', reason: 'bad address' });
    expect(await notify(escalation('t'))).toEqual({ type: 'duplicate' });
    expect(sender.sent).toHaveLength(0);
  });

  it('a claim left by a notifier that died mid-send is taken again once its lease is over, not before', async () => {
    const { notify, sender, markers, advance } = setup();
    await markers.claim('vip#t', new Date(Date.parse('2026-11-20T10:00:00Z')), NOTIFY_LEASE_MS);
    expect(await notify(escalation('t'))).toEqual({ type: 'duplicate' });
    advance(NOTIFY_LEASE_MS + 1);
    expect(await notify(escalation('t'))).toMatchObject({ type: 'sent' });
    expect(sender.sent).toHaveLength(1);
  });

  it('a malformed event is an error (our own producer sent it), and mails nothing', async () => {
    const { notify, sender } = setup();
    await expect(notify({ 'detail-type': 'VipEscalation', detail: { customerId: 'c' } })).rejects.toThrow(/malformed VipEscalation/);
    expect(sender.sent).toHaveLength(0);
  });
});
