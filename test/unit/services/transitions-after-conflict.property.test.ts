import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, segmentationOf } from '#shared/catalog/index.ts';
import type { InternalEvent } from '#shared/domain/internal-events.ts';
import type { Profile } from '#shared/domain/profile.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import type { ProfileScanner } from '#shared/services/profile-scan.ts';
import { makeScoreProfile } from '#shared/services/score-profile.ts';
import { makeSweepProfiles } from '#shared/services/sweep-profiles.ts';
import { emptyTotals } from '#shared/domain/predictive/scoring-runs.ts';
import { fakeServiceDeps } from '../support/fakes.ts';

/**
 * Every writer of a profile (ingest, the daily sweep, the scoring) evaluates stage and segments on
 * the item it read and writes under a version check. When that write loses to a concurrent writer,
 * the evaluation is redone on the winning item. The CI run of 2026-12-07 caught the sweep putting
 * `vip_customer -> (none)` on the bus from the attempt that lost, and then `vip_customer ->
 * repeat_customer` from the retry: a stage change that never happened, which consumers (nurture
 * sequences, the account-manager escalation, reports) act on.
 *
 * Property, over customers' histories, a later time, a writer and a concurrent writer landing
 * between its read and its write: the transitions on the bus (a copy of one transitionId counted
 * once: delivery is at least once) replay to what is stored. Stage changes form one chain from no
 * stage to the stored stage; per segment, entries and exits alternate and end where the stored
 * profile (and the membership store) stands.
 */

const START = Date.parse('2026-01-05T09:00:00Z');
const DAY = 86_400_000;

type Step = { type: string; day: number; properties: Record<string, unknown> };
const step = fc.oneof(
  fc.record({ type: fc.constant('purchase'), day: fc.integer({ min: 0, max: 60 }), properties: fc.record({ orderId: fc.uuid(), amount: fc.integer({ min: 20, max: 900 }) }) }),
  fc.record({ type: fc.constant('page_view'), day: fc.integer({ min: 0, max: 60 }), properties: fc.constant({ url: '/' }) }),
  fc.record({ type: fc.constant('email_open'), day: fc.integer({ min: 0, max: 60 }), properties: fc.constant({ sendId: 'ses-1' }) }),
  fc.record({ type: fc.constant('email_click'), day: fc.integer({ min: 0, max: 60 }), properties: fc.constant({ sendId: 'ses-1', url: 'https://shop.example/x' }) }),
  fc.record({ type: fc.constant('cart_abandon'), day: fc.integer({ min: 0, max: 60 }), properties: fc.record({ cartValue: fc.integer({ min: 10, max: 400 }) }) }),
);
const writer = fc.constantFrom('sweep', 'scoring', 'ingest') as fc.Arbitrary<'sweep' | 'scoring' | 'ingest'>;

function world() {
  let now = START;
  const deps = fakeServiceDeps(defaultCatalog, { now: () => new Date(now) });
  const ingest = makeIngestEvent(deps);
  let n = 0;
  const put = async (type: string, properties: Record<string, unknown>) => {
    n += 1;
    const outcome = await ingest({ id: `bus-${n}`, source: 'shop.web', 'detail-type': type, detail: { eventId: `e${n}`, customerId: 'c1', occurredAt: new Date(now).toISOString(), properties, ...(type === 'subscribe' ? { email: 'c1@example.com' } : {}) } });
    if (outcome.type === 'rejected') throw new Error(`event rejected: ${JSON.stringify(outcome)}`);
  };
  const scanner: ProfileScanner = {
    async *scanSegment() {
      yield { profiles: [...deps.profiles.items.values()], quarantined: 0 };
    },
  };
  const sweep = makeSweepProfiles({ ...deps, scanner, totalSegments: 1 });
  const scoreOne = async () => {
    const stored = deps.profiles.items.get('c1');
    if (!stored) return;
    await makeScoreProfile({ ...deps, segmentation: segmentationOf(defaultCatalog) }, { runId: `run-${now}`, models: {}, cutPoints: undefined })(stored, emptyTotals());
  };
  const write = async (who: 'sweep' | 'scoring' | 'ingest') => {
    if (who === 'sweep') await sweep();
    else if (who === 'scoring') await scoreOne();
    else await put('purchase', { orderId: `late-${n}`, amount: 700 });
  };
  return { deps, put, write, advance: (days: number) => void (now += days * DAY), at: (day: number) => void (now = START + day * DAY) };
}

/** The bus's internal events, one per transitionId (the first copy), in publishing order. */
function transitions(events: readonly InternalEvent[]): InternalEvent[] {
  const seen = new Set<string>();
  return events.filter((event) => {
    const id = (event.detail as { transitionId?: string }).transitionId;
    if (id === undefined || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function expectBusReplaysToStore(events: readonly InternalEvent[], stored: Profile, members: Map<string, Set<string>>): void {
  const once = transitions(events);
  let stage: string | null = null;
  for (const event of once) {
    if (event.detailType !== 'LifecycleStageChanged') continue;
    expect(event.detail.from, `stage change ${event.detail.from} -> ${event.detail.to} follows ${stage}`).toBe(stage);
    stage = event.detail.to;
  }
  expect(stage).toBe(stored.lifecycleStage ?? null);
  const inSegment = new Map<string, boolean>();
  for (const event of once) {
    if (event.detailType !== 'SegmentEntered' && event.detailType !== 'SegmentExited') continue;
    const entering = event.detailType === 'SegmentEntered';
    expect(inSegment.get(event.detail.segmentId) ?? false, `${event.detailType} ${event.detail.segmentId}`).toBe(!entering);
    inSegment.set(event.detail.segmentId, entering);
  }
  const announced = [...inSegment].filter(([, member]) => member).map(([id]) => id).sort();
  expect(announced).toEqual(Object.keys(stored.segments).sort());
  const recorded = [...members].filter(([, ids]) => ids.has('c1')).map(([id]) => id).sort();
  expect(recorded).toEqual(announced);
}

describe('transitions on the bus after a write that lost its version check', () => {
  it('replay to the stored stage and segments, whichever writers race', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 120 }), writer, writer, async (steps: Step[], later, first, second) => {
        const w = world();
        await w.put('subscribe', {});
        for (const s of [...steps].sort((a, b) => a.day - b.day)) {
          w.at(s.day);
          await w.put(s.type, s.properties);
        }
        w.advance(later);
        // `second` writes between `first`'s read and its write.
        let raced = false;
        w.deps.profiles.beforeSave = async () => {
          raced = true;
          await w.write(second);
        };
        await w.write(first);
        w.deps.profiles.beforeSave = undefined;
        if (!raced) await w.write(second);
        expectBusReplaysToStore(w.deps.bus.events, w.deps.profiles.items.get('c1')!, w.deps.membership.members);
      }),
      { numRuns: 150 },
    );
  });
});
