import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeIngestEvent, ProfileContentionError } from '#shared/services/ingest-event.ts';
import { fakeServiceDeps, singleEmailCatalog } from '../support/fakes.ts';

/**
 * A profile write that meets concurrent writes of the same customer is retried while the invocation
 * has time, however many writers got there first: a burst of hundreds of events for one customer
 * (an import, a replay) made a fixed count of 40 attempts run out and sent events to the DLQ
 * although the profile would have taken them a moment later. Only a deadline stops the retries,
 * leaving Lambda's async retry to apply the event later.
 */

const NOW = new Date('2026-11-20T12:00:00Z');
const view = (eventId: string) => ({
  id: `bus-${eventId}`,
  source: 'shop.web',
  'detail-type': 'page_view',
  detail: { eventId, customerId: 'c1', occurredAt: '2026-11-20T11:00:00Z', properties: { url: '/' } },
});

/** Deps whose next `conflicts` saves lose to a concurrent writer, and whose pauses advance a fake remaining time. */
async function contendedDeps(conflicts: number, budgetMs: number) {
  const deps = fakeServiceDeps(singleEmailCatalog(), { now: () => NOW });
  await makeIngestEvent(deps)(view('first'));
  let remaining = budgetMs;
  let left = conflicts;
  const save = deps.profiles.save.bind(deps.profiles);
  deps.profiles.save = async (profile, expectedVersion) => {
    if (left > 0) {
      left -= 1;
      // Another event of the customer landed first: same content, newer version.
      const stored = deps.profiles.items.get('c1')!;
      deps.profiles.items.set('c1', { ...stored, version: stored.version + 1 });
      remaining -= 5; // the write's round trip
      return { type: 'conflict', current: deps.profiles.items.get('c1') };
    }
    return save(profile, expectedVersion);
  };
  const pause = async (ms: number) => {
    remaining -= ms;
  };
  return { deps: { ...deps, pause }, remainingTimeMs: () => remaining, conflictsLeft: () => left };
}

describe('ingest under write contention', () => {
  it('applies the event after any number of lost races while the invocation has time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 400 }), async (conflicts) => {
        // A budget long enough for 400 backoffs of up to 1 s: the count of lost races alone never stops it.
        const { deps, remainingTimeMs } = await contendedDeps(conflicts, 10 * 60_000);
        const outcome = await makeIngestEvent(deps)(view('second'), { remainingTimeMs });
        expect(outcome.type).toBe('applied');
        expect(deps.profiles.items.get('c1')).toMatchObject({ eventCount: 2 });
      }),
      { numRuns: 60 },
    );
  });

  it('stops before the deadline, writing nothing, and leaves the event to be retried', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 5_000, max: 30_000 }), async (budgetMs) => {
        const { deps, remainingTimeMs } = await contendedDeps(Number.POSITIVE_INFINITY, budgetMs);
        const before = deps.profiles.items.get('c1')!.eventCount;
        await expect(makeIngestEvent(deps)(view('second'), { remainingTimeMs })).rejects.toBeInstanceOf(ProfileContentionError);
        // Stopped with time left for the error to be reported (never past the deadline).
        expect(remainingTimeMs()).toBeGreaterThan(0);
        expect(deps.profiles.items.get('c1')!.eventCount).toBe(before);
      }),
      { numRuns: 30 },
    );
  });

  it('keeps trying past the old fixed limit of 40 attempts within ingest\'s 30 s', async () => {
    // 45 backoffs average about 20 s (at most 1 s each, half on average), inside 30 s less the reserve.
    const { deps, remainingTimeMs } = await contendedDeps(45, 30_000);
    expect(await makeIngestEvent(deps)(view('second'), { remainingTimeMs })).toMatchObject({ type: 'applied' });
  });
});
