import { describe, expect, it } from 'vitest';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

/**
 * Producer clocks are wrong sometimes. The contract accepts any well-formed occurredAt (it is kept
 * as sent); the profile dates activity at most at the processing time (events/README.md, "Clock skew").
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
    expect(profile).toMatchObject({ eventCount: 1, lastEvent: { type: 'page_view', at: future } });
    // Processing time is the simulated clock when ingest ran (updatedAt), not the producer's future.
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
