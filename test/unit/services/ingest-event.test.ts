import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { fakeServiceDeps, singleEmailCatalog } from '../support/fakes.ts';

const NOW = new Date('2026-11-20T12:00:00Z');

/** Most tests exercise the send path with the shipped rules as single emails; `shipped` keeps their sequence starts. */
function setup(catalog = singleEmailCatalog()) {
  const deps = fakeServiceDeps(catalog, { now: () => NOW });
  return { ...deps, ingest: makeIngestEvent(deps) };
}

const busEvent = (type: string, detail: Record<string, unknown>) => ({
  id: 'bus-1',
  source: 'shop.web',
  'detail-type': type,
  detail: { customerId: 'c1', occurredAt: '2026-11-20T11:00:00Z', properties: {}, ...detail },
});

describe('ingest service', () => {
  it('records a malformed event with its errors and the original, and touches no profile', async () => {
    const s = setup();
    const original = busEvent('cart_abandon', { eventId: 'e1', customerId: undefined, properties: { cartValue: 80 } });
    const outcome = await s.ingest(original);
    expect(outcome.type).toBe('rejected');
    expect(s.rejectedEvents.records).toHaveLength(1);
    expect(s.rejectedEvents.records[0]).toMatchObject({ original, receivedAt: NOW.toISOString() });
    expect(s.rejectedEvents.records[0]!.errors.map((e) => e.field)).toContain('detail.customerId');
    expect(s.profiles.saves).toBe(0);
  });

  it('queues the welcome email, then saves the profile; a redelivery changes and sends nothing', async () => {
    const s = setup();
    const subscribe = busEvent('subscribe', { eventId: 'e1', email: 'c1@example.com' });
    expect(await s.ingest(subscribe)).toMatchObject({ type: 'applied', rules: [{ ruleId: 'welcome_new_subscriber', outcome: 'queued' }] });
    expect(await s.ingest(subscribe)).toEqual({ type: 'duplicate', eventId: 'e1' });
    expect(s.sendQueue.sent).toHaveLength(1);
    expect(s.profiles.items.get('c1')).toMatchObject({ version: 1, eventCount: 1 });
  });

  it('a failure after the claim leaves the event unseen, and its retry re-enqueues the same send', async () => {
    const s = setup();
    const subscribe = busEvent('subscribe', { eventId: 'e1', email: 'c1@example.com' });
    s.sendQueue.failNext = true;
    await expect(s.ingest(subscribe)).rejects.toThrow('SQS unavailable');
    expect(s.profiles.items.get('c1')).toBeUndefined();
    await s.ingest(subscribe);
    expect(s.sendQueue.sent).toHaveLength(1);
    expect(s.claims.calls).toEqual([s.sendQueue.sent[0]!.sendId, s.sendQueue.sent[0]!.sendId]);
  });

  it('re-applies on a concurrent write, from the item the conflict returned, without losing either update', async () => {
    const s = setup();
    await s.ingest(busEvent('page_view', { eventId: 'e1', properties: { url: '/' } }));
    s.profiles.beforeSave = () => {
      const current = s.profiles.items.get('c1')!;
      s.profiles.items.set('c1', { ...current, version: current.version + 1, eventCount: current.eventCount + 1 });
    };
    await s.ingest(busEvent('page_view', { eventId: 'e2', properties: { url: '/a' } }));
    expect(s.profiles.items.get('c1')).toMatchObject({ version: 3, eventCount: 3 });
  });

  it('an event whose profile would not parse once stored is kept as rejected, naming the profile field, and nothing acts or is saved', async () => {
    const s = setup();
    await s.ingest(busEvent('subscribe', { eventId: 'e1', email: 'c1@example.com' }));
    // A stored item that went bad (what a "toString" device once left behind): the next event must not write it back or act on it.
    const stored = s.profiles.items.get('c1')!;
    s.profiles.items.set('c1', { ...stored, devices: { toString: 'function toString() { [native code] }1' } as unknown as Record<string, number> });
    const saves = s.profiles.saves;
    const queued = s.sendQueue.sent.length;
    const outcome = await s.ingest(busEvent('cart_abandon', { eventId: 'e2', properties: { cartValue: 80 } }));
    expect(outcome).toMatchObject({ type: 'rejected', errors: [{ field: 'profile.devices.toString' }] });
    expect(s.rejectedEvents.records.at(-1)!.reason).toContain('profile.devices.toString');
    expect(s.profiles.saves).toBe(saves);
    expect(s.sendQueue.sent).toHaveLength(queued);
  });

  it('a blocked claim is reported as suppressed and queues nothing', async () => {
    const s = setup();
    await s.ingest(busEvent('subscribe', { eventId: 'e1', email: 'c1@example.com' }));
    await s.ingest(busEvent('cart_abandon', { eventId: 'e2', properties: { cartValue: 80 } }));
    const second = await s.ingest(busEvent('cart_abandon', { eventId: 'e3', properties: { cartValue: 90 } }));
    expect(second).toMatchObject({ type: 'applied', rules: [{ ruleId: 'cart_abandonment_1hour', outcome: 'suppressed', reason: 'cooldown' }] });
    // The welcome goes at once; the cart email waits for the customer's optimal send time (document 000), one schedule.
    expect(s.sendQueue.sent.map((r) => r.ruleId)).toEqual(['welcome_new_subscriber']);
    expect([...s.delayed.sends.values()].map((send) => send.request.ruleId)).toEqual(['cart_abandonment_1hour']);
  });
});

describe('rules that start a sequence (the shipped catalog)', () => {
  it('subscribe asks the starter for the welcome series: decided, recorded, on the bus, nothing queued; a retry asks again with the same id', async () => {
    const s = setup(defaultCatalog);
    const subscribe = busEvent('subscribe', { eventId: 'e1', email: 'c1@example.com' });
    s.profiles.beforeSave = () => {
      throw new Error('DynamoDB unavailable'); // the profile write fails, after the decision
    };
    await expect(s.ingest(subscribe)).rejects.toThrow('DynamoDB unavailable');
    expect(await s.ingest(subscribe)).toMatchObject({ type: 'applied', rules: [{ ruleId: 'welcome_new_subscriber', outcome: 'sequence_started' }] });
    const starts = s.bus.events.filter((e) => e.detailType === 'SequenceStartRequested');
    expect(starts.map((e) => e.detail)).toEqual([
      expect.objectContaining({ customerId: 'c1', sequenceId: 'welcome_series', ruleId: 'welcome_new_subscriber', trigger: expect.objectContaining({ eventId: 'e1', type: 'subscribe' }) }),
      starts[0]!.detail,
    ]);
    expect(s.sendQueue.sent).toEqual([]);
    expect(s.decisions.records.at(-1)).toMatchObject({ outcome: 'sequence_started', sequenceId: 'welcome_series', repeat: true });
  });
});

describe('real-time processing rules', () => {
  it('an open support ticket pauses promotional sends until it is solved, with events on the bus', async () => {
    const s = setup();
    await s.ingest(busEvent('subscribe', { eventId: 'p1', email: 'c1@example.com' }));
    await s.ingest(busEvent('support_ticket', { eventId: 'p2', properties: { ticketId: 'T1', status: 'open' } }));
    const paused = await s.ingest(busEvent('cart_abandon', { eventId: 'p3', properties: { cartValue: 80 } }));
    expect(paused).toMatchObject({ rules: [{ ruleId: 'cart_abandonment_1hour', outcome: 'suppressed', reason: 'promotional_pause' }] });
    await s.ingest(busEvent('support_ticket', { eventId: 'p4', properties: { ticketId: 'T1', status: 'solved' } }));
    const resumed = await s.ingest(busEvent('cart_abandon', { eventId: 'p5', properties: { cartValue: 80 } }));
    expect(resumed).toMatchObject({ rules: [{ ruleId: 'cart_abandonment_1hour', outcome: 'queued' }] });
    expect(s.bus.events.map((e) => e.detailType).filter((t) => t.startsWith('Promotional'))).toEqual(['PromotionalSendsPaused', 'PromotionalSendsResumed']);
  });

  it('subscription_cancel puts the customer in win_back; a large purchase escalates to VIP handling', async () => {
    const s = setup();
    await s.ingest(busEvent('subscription_cancel', { eventId: 'w1', properties: {} }));
    expect(s.bus.events.filter((e) => e.detailType === 'SegmentEntered').map((e) => (e.detail as { segmentId: string }).segmentId)).toContain('win_back');
    expect(s.membership.members.get('win_back')).toEqual(new Set(['c1']));
    await s.ingest(busEvent('purchase', { eventId: 'w2', properties: { orderId: 'big', amount: 750 } }));
    expect(s.bus.events.filter((e) => e.detailType === 'VipEscalation').map((e) => e.detail)).toMatchObject([{ orderId: 'big', amount: 750, threshold: 500 }]);
  });

  it('a retried event publishes the same transition ids (consumers can drop the copies)', async () => {
    const s = setup();
    const subscribe = busEvent('subscribe', { eventId: 't1', email: 'c1@example.com' });
    s.membership.failNext = true; // fails after the transitions were published, before the profile write
    await expect(s.ingest(subscribe)).rejects.toThrow('DynamoDB unavailable');
    const firstTry = s.bus.events.length;
    expect(firstTry).toBeGreaterThan(0);
    await s.ingest(subscribe);
    const ids = s.bus.events.map((e) => e.detail.transitionId);
    expect(ids.slice(firstTry)).toEqual(ids.slice(0, firstTry));
  });
});

describe('the tracking loop in ingest', () => {
  const at = (iso: string) => ({ occurredAt: iso });

  it('an open records engagement on the send; a purchase within the lookback converts it, once, with revenue and time to convert', async () => {
    const s = setup();
    s.tracking.sent('c1', { sendId: 'send-9', ruleId: 'welcome_new_subscriber', sentAt: '2026-11-18T10:00:05Z' });
    await s.ingest(busEvent('subscribe', { eventId: 'sub', email: 'c1@example.com', ...at('2026-11-18T10:00:00Z') }));
    await s.ingest(busEvent('email_open', { eventId: 'o1', properties: { sendId: 'send-9', ruleId: 'welcome_new_subscriber' }, ...at('2026-11-18T12:00:00Z') }));
    expect(s.tracking.engagements).toEqual([{ customerId: 'c1', sendId: 'send-9', kind: 'open', at: '2026-11-18T12:00:00Z' }]);
    await s.ingest(busEvent('purchase', { eventId: 'p1', properties: { orderId: 'o-1', amount: 120, currency: 'EUR' }, ...at('2026-11-19T12:00:00Z') }));
    expect(s.tracking.conversions).toEqual([
      {
        customerId: 'c1',
        sendId: 'send-9',
        ruleId: 'welcome_new_subscriber',
        touch: 'open',
        touchedAt: '2026-11-18T12:00:00Z',
        orderId: 'o-1',
        revenue: 120,
        currency: 'EUR',
        convertedAt: '2026-11-19T12:00:00Z',
        timeToConvertMs: 24 * 3_600_000,
        // The open stands for the email it opened.
        touches: [{ sendId: 'send-9', ruleId: 'welcome_new_subscriber', kind: 'open', at: '2026-11-18T12:00:00Z' }],
      },
    ]);
    const published = s.bus.events.filter((e) => e.detailType === 'ConversionAttributed');
    expect(published).toHaveLength(1);
    // The event waits in the profile's outbox: without the touches.
    expect(published[0]!.detail).not.toHaveProperty('touches');
    // A redelivered purchase is a duplicate event: no second conversion.
    await s.ingest(busEvent('purchase', { eventId: 'p1', properties: { orderId: 'o-1', amount: 120 }, ...at('2026-11-19T12:00:00Z') }));
    expect(s.tracking.conversions).toHaveLength(1);
  });

  it('a purchase after emails sent but never opened converts the newest one sent before it (document 000: every send is a touchpoint)', async () => {
    const s = setup();
    s.tracking.sent('c1', { sendId: 'send-old', ruleId: 'newsletter', sentAt: '2026-11-05T09:00:00Z' });
    s.tracking.sent('c1', { sendId: 'send-new', ruleId: 'cart_abandonment', sentAt: '2026-11-15T09:00:00Z' });
    // Bounced: never arrived, touches nobody.
    s.tracking.sent('c1', { sendId: 'send-bounced', ruleId: 'browse', sentAt: '2026-11-16T09:00:00Z', outcome: 'bounced' });
    // Sent after the purchase: no touch of it.
    s.tracking.sent('c1', { sendId: 'send-later', ruleId: 'browse', sentAt: '2026-11-19T13:00:00Z' });
    await s.ingest(busEvent('subscribe', { eventId: 'sub', email: 'c1@example.com', ...at('2026-11-18T10:00:00Z') }));
    await s.ingest(busEvent('purchase', { eventId: 'p1', properties: { orderId: 'o-1', amount: 60 }, ...at('2026-11-19T12:00:00Z') }));
    expect(s.tracking.conversions).toEqual([
      expect.objectContaining({ sendId: 'send-new', ruleId: 'cart_abandonment', touch: 'send', touchedAt: '2026-11-15T09:00:00Z', timeToConvertMs: (4 * 24 + 3) * 3_600_000 }),
    ]);
    expect(s.tracking.conversions[0]!.touches.map((t) => t.sendId)).toEqual(['send-old', 'send-new']);
  });

  it('a purchase more than 30 days after the last email and engagement, or with no email at all, converts nothing', async () => {
    const s = setup();
    s.tracking.sent('c1', { sendId: 'send-1', ruleId: 'cart_abandonment', sentAt: '2026-10-20T11:00:00Z' });
    await s.ingest(busEvent('email_click', { eventId: 'c1', properties: { sendId: 'send-1', url: 'https://x.example.com' }, ...at('2026-10-20T12:00:00Z') }));
    await s.ingest(busEvent('purchase', { eventId: 'p2', properties: { orderId: 'o-2', amount: 50 }, ...at('2026-11-19T12:00:01Z') }));
    // The profile shows a recent decision (the welcome email queued now), but the send records hold only emails older than 30 days.
    const stale = setup();
    stale.tracking.sent('c1', { sendId: 'send-1', ruleId: 'cart_abandonment', sentAt: '2026-10-19T11:00:00Z' });
    await stale.ingest(busEvent('subscribe', { eventId: 'sub', email: 'c1@example.com', ...at('2026-11-18T10:00:00Z') }));
    await stale.ingest(busEvent('purchase', { eventId: 'p3', properties: { orderId: 'o-3', amount: 50 }, ...at('2026-11-19T12:00:00Z') }));
    const fresh = setup();
    await fresh.ingest(busEvent('purchase', { eventId: 'p4', properties: { orderId: 'o-4', amount: 50 }, ...at('2026-11-13T12:00:00Z') }));
    expect([...s.tracking.conversions, ...stale.tracking.conversions, ...fresh.tracking.conversions]).toEqual([]);
  });
});
