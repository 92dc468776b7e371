import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import type { ProfileScanner } from '#shared/services/profile-scan.ts';
import { makeSweepProfiles } from '#shared/services/sweep-profiles.ts';
import { fakeServiceDeps } from '../support/fakes.ts';

/**
 * A write's effects (internal events, segment membership) ride in the profile's outbox and are done
 * after the write wins (shared/services/profile-outbox.ts). When the writer stops between its write
 * and its effects, nothing is lost: the redelivered event, or the daily sweep, does them.
 */
const NOW = new Date('2026-11-20T12:00:00Z');
const subscribe = { id: 'bus-1', source: 'shop.web', 'detail-type': 'subscribe', detail: { eventId: 'e1', customerId: 'c1', occurredAt: '2026-11-20T11:00:00Z', email: 'c1@example.com', properties: {} } };

function setup() {
  const deps = fakeServiceDeps(defaultCatalog, { now: () => NOW });
  const scanner: ProfileScanner = {
    async *scanSegment() {
      yield { profiles: [...deps.profiles.items.values()], quarantined: 0 };
    },
  };
  return { deps, ingest: makeIngestEvent(deps), sweep: makeSweepProfiles({ ...deps, scanner, totalSegments: 1 }) };
}

const segmentEvents = (events: { detailType: string; detail: Record<string, unknown> }[]) =>
  events.filter((e) => e.detailType === 'SegmentEntered').map((e) => e.detail.segmentId as string).sort();

describe('the profile outbox', () => {
  it('a failure after the write leaves the effects in the item; the redelivered event does them and clears it', async () => {
    const s = setup();
    s.deps.membership.failNext = true;
    await expect(s.ingest(subscribe)).rejects.toThrow('DynamoDB unavailable');
    const stored = s.deps.profiles.items.get('c1')!;
    expect(stored.outbox?.length).toBe(1);
    const entered = stored.outbox![0]!.entered.map((e) => e.segmentId).sort();
    expect(entered.length).toBeGreaterThan(0);

    expect(await s.ingest(subscribe)).toMatchObject({ type: 'duplicate' });
    expect([...s.deps.membership.members].filter(([, ids]) => ids.has('c1')).map(([id]) => id).sort()).toEqual(entered);
    expect(segmentEvents(s.deps.bus.events)).toEqual(expect.arrayContaining(entered));
    expect(s.deps.profiles.items.get('c1')!.outbox).toBeUndefined();
  });

  it('the daily sweep does an outbox left behind, even when the profile has nothing else to change', async () => {
    const s = setup();
    s.deps.membership.failNext = true;
    await expect(s.ingest(subscribe)).rejects.toThrow('DynamoDB unavailable');
    const entered = s.deps.profiles.items.get('c1')!.outbox![0]!.entered.map((e) => e.segmentId).sort();
    await s.sweep();
    expect([...s.deps.membership.members].filter(([, ids]) => ids.has('c1')).map(([id]) => id).sort()).toEqual(entered);
    expect(s.deps.profiles.items.get('c1')!.outbox).toBeUndefined();
  });

  it('a write with no effects writes no outbox', async () => {
    const s = setup();
    await s.ingest(subscribe);
    expect(s.deps.profiles.items.get('c1')!.outbox).toBeUndefined();
    await s.ingest({ ...subscribe, id: 'bus-2', 'detail-type': 'page_view', detail: { ...subscribe.detail, eventId: 'e2', properties: { url: '/' } } });
    expect(s.deps.profiles.items.get('c1')!.outbox).toBeUndefined();
  });
});
