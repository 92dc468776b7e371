import { describe, expect, it } from 'vitest';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

/**
 * Producer clocks are wrong sometimes. The contract accepts any well-formed occurredAt from 1970 on;
 * the event counts at its effective time, at most the processing time, and consent follows the
 * latest request processed (events/README.md, "Clock skew").
 */
describe('clock skew', () => {
  const nudge = nudgeClient();
  const event = (customerId: string, occurredAt: string) => ({
    detailType: 'page_view',
    detail: { eventId: uniqueId('skew'), customerId, occurredAt, properties: { url: '/', pageType: 'home' } },
  });

  it('an occurredAt a year ahead is accepted and counted, but dates the activity at the processing time', async () => {
    await nudge.drainQueue('RejectedEventsQueueUrl');
    const now = await nudge.now();
    const customerId = uniqueId('skew-future');
    const future = new Date(now.getTime() + 365 * 86_400_000).toISOString();
    await nudge.putEvents([event(customerId, future)]);
    await nudge.waitForIdle();
    const profile = await nudge.profiles.get(customerId);
    // Processing time is the simulated clock when ingest ran (updatedAt), not the producer's future.
    expect(profile).toMatchObject({ eventCount: 1, lastEvent: { type: 'page_view', at: profile!.updatedAt } });
    expect(profile!.lastActivityAt).toBe(profile!.updatedAt);
    expect(profile!.firstSeenAt).toBe(profile!.updatedAt);
    expect(Date.parse(profile!.lastActivityAt)).toBeLessThan(Date.parse(future));
    expect(await nudge.drainQueue('RejectedEventsQueueUrl')).toEqual([]);
  });

  it('an occurredAt decades back is accepted and counted; it moves firstSeenAt back, never lastActivityAt', async () => {
    const now = await nudge.now();
    const customerId = uniqueId('skew-past');
    await nudge.putEvents([event(customerId, now.toISOString())]);
    await nudge.waitForIdle();
    await nudge.putEvents([event(customerId, '1990-01-01T00:00:00Z')]);
    await nudge.waitForIdle();
    const profile = await nudge.profiles.get(customerId);
    expect(profile).toMatchObject({ eventCount: 2, firstSeenAt: '1990-01-01T00:00:00Z', lastActivityAt: now.toISOString() });
    expect(await nudge.drainQueue('RejectedEventsQueueUrl')).toEqual([]);
  });

  it('an identify dated 2099 freezes nothing: a later identify changes the name and a later opt-out applies', async () => {
    const now = await nudge.now();
    const customerId = uniqueId('skew-identify');
    const identify = (occurredAt: string, properties: Record<string, unknown>) => ({
      detailType: 'identify',
      detail: { eventId: uniqueId('skew-id'), customerId, occurredAt, properties },
    });
    await nudge.putEvents([identify('2099-01-01T00:00:00Z', { email: `${customerId}@example.com`, firstName: 'Future', consent: { marketing: 'subscribed' } })]);
    await nudge.waitForIdle();
    const later = await nudge.advanceClock('1h');
    await nudge.putEvents([identify(later.toISOString(), { firstName: 'Present', consent: { marketing: 'unsubscribed' } })]);
    await nudge.waitForIdle();
    // An opt-out dated before the 2099 identify (and before the clamped time) still applies: consent is the latest request processed.
    await nudge.putEvents([identify(now.toISOString(), { consent: { product_updates: 'unsubscribed' } })]);
    await nudge.waitForIdle();
    const profile = await nudge.profiles.get(customerId);
    expect(profile).toMatchObject({ firstName: 'Present', consent: { marketing: 'unsubscribed', product_updates: 'unsubscribed' }, attributesAt: later.toISOString() });
  });

  it('an occurredAt before 1970 (year 0000 included) is rejected, naming the field', async () => {
    await nudge.drainQueue('RejectedEventsQueueUrl');
    const customerId = uniqueId('skew-year0');
    await nudge.putEvents([event(customerId, '0000-01-01T00:00:00Z'), event(customerId, '1969-12-31T23:59:59Z')]);
    await nudge.waitForIdle();
    const rejected = (await nudge.drainQueue('RejectedEventsQueueUrl')) as Array<{ errors: Array<{ field: string; message: string }> }>;
    expect(rejected.map((r) => r.errors)).toEqual([
      [{ field: 'detail.occurredAt', message: 'must not be before 1970-01-01T00:00:00Z' }],
      [{ field: 'detail.occurredAt', message: 'must not be before 1970-01-01T00:00:00Z' }],
    ]);
    expect(await nudge.profiles.get(customerId)).toBeUndefined();
  });

  it('an occurredAt without an offset is ambiguous and rejected, naming the field', async () => {
    await nudge.drainQueue('RejectedEventsQueueUrl');
    const customerId = uniqueId('skew-naive');
    await nudge.putEvents([event(customerId, '2026-11-20T10:00:00')]);
    await nudge.waitForIdle();
    const rejected = (await nudge.drainQueue('RejectedEventsQueueUrl')) as Array<{ errors: Array<{ field: string }> }>;
    expect(rejected.map((r) => r.errors.map((e) => e.field))).toEqual([['detail.occurredAt']]);
    expect(await nudge.profiles.get(customerId)).toBeUndefined();
  });
});
