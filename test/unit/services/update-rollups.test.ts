import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import type { RollupMarker, RollupStore } from '#shared/domain/ports.ts';
import { profileAggregateIncrements } from '#shared/domain/reports/profile-aggregates.ts';
import { mergeIncrements, rollupIncrements, type ConversionLogEntry, type RollupIncrement } from '#shared/domain/reports/rollups.ts';
import { makeTriggerPerformanceReport, triggerIds } from '#shared/services/reports/trigger-performance.ts';
import { changeMarkOf, makeUpdateRollups, type TableChange } from '#shared/services/update-rollups.ts';
import { silentLog } from '../support/fakes.ts';

type Fault = 'before' | 'after';

/**
 * The rollup store as DynamoRollups behaves: a group's counters, log entries and marker land in one
 * transaction or not at all; a marker there already cancels it and its list is returned. Faults are
 * injected by call number: `before` throws with nothing written (a throttled or conflicting
 * transaction), `after` writes and then throws (the answer lost: a timeout after the commit).
 */
function transactionalStore(faults: ReadonlyMap<number, Fault> = new Map()) {
  const items = new Map<string, RollupIncrement>();
  const markers = new Map<string, readonly string[]>();
  const groups: Array<{ marks: readonly string[]; increments: RollupIncrement[]; conversions: ConversionLogEntry[] }> = [];
  let calls = 0;
  const fault = () => faults.get(++calls);
  const store: Pick<RollupStore, 'apply' | 'continueMarker' | 'days'> = {
    apply: async ({ increments, conversions = [], marker }) => {
      const injected = fault();
      if (injected === 'before') throw new Error('TransactionConflict (injected)');
      if (marker && markers.has(marker.first)) return { counted: false, alreadyCounted: [...markers.get(marker.first)!] };
      for (const increment of mergeIncrements([...items.values(), ...increments])) items.set(`${increment.scope}\u0000${increment.day}`, increment);
      if (marker) markers.set(marker.first, marker.marks);
      groups.push({ marks: marker?.marks ?? [], increments, conversions });
      if (injected === 'after') throw new Error('socket hang up after the commit (injected)');
      return { counted: true };
    },
    continueMarker: async (marker: RollupMarker) => {
      const injected = fault();
      if (injected === 'before') throw new Error('throttled (injected)');
      if (!markers.has(marker.first)) markers.set(marker.first, marker.marks);
      if (injected === 'after') throw new Error('socket hang up after the put (injected)');
    },
    days: async (scope) => [...items.values()].filter((i) => i.scope === scope && i.day !== 'LIVE').sort((a, b) => a.day.localeCompare(b.day)),
  };
  return { store, items, groups };
}

const RULES = triggerIds(defaultCatalog).slice(0, 4);
const OUTCOMES = ['queued', 'sequence_started', 'suppressed', 'holdout', 'deferred'] as const;
const SEGMENTS = ['engaged', 'vip', 'at_risk'] as const;

/** A stream of table changes: new decisions, and profile changes moving between segments and scores. */
const streams = fc
  .array(
    fc.oneof(
      fc.record({ kind: fc.constant('decision' as const), rule: fc.constantFrom(...RULES), outcome: fc.constantFrom(...OUTCOMES), day: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('profile' as const), customer: fc.integer({ min: 0, max: 3 }), segments: fc.subarray([...SEGMENTS]), engagement: fc.integer({ min: 0, max: 100 }) }),
      // Changes that count nothing (a claim; a sweep write leaving the profile's counts as they were), in runs.
      fc.record({ kind: fc.constant('nothing' as const), run: fc.integer({ min: 1, max: 30 }) }),
    ),
    { minLength: 1, maxLength: 160 },
  )
  .map((drawn) => {
    const profiles = new Map<number, Record<string, unknown>>();
    const specs = drawn.flatMap((spec): Array<(typeof drawn)[number]> => (spec.kind === 'nothing' ? Array.from({ length: spec.run }, () => spec) : [spec]));
    return specs.map((spec, n): TableChange => {
      const sequenceNumber = String(1000 + n);
      if (spec.kind === 'nothing') {
        const profile = profiles.get(n % 4);
        return profile && n % 2 === 0
          ? { sequenceNumber, oldImage: profile, newImage: { ...profile } }
          : { sequenceNumber, oldImage: undefined, newImage: { pk: `C#n${n}`, sk: 'CLAIM', kind: 'claim' } };
      }
      if (spec.kind === 'decision') {
        return { sequenceNumber, oldImage: undefined, newImage: { pk: `C#d${n}`, sk: `DEC#${n}`, kind: 'decision', ruleId: spec.rule, decidedAt: `2026-11-0${spec.day}T10:00:00Z`, outcome: spec.outcome, reason: 'cooldown' } };
      }
      const before = profiles.get(spec.customer);
      const eventCount = Number(before?.eventCount ?? 0) + 1;
      const after = {
        pk: `C#p${spec.customer}`,
        sk: 'PROFILE',
        kind: 'profile',
        eventCount,
        scores: { engagement: spec.engagement / 100 },
        segments: Object.fromEntries(spec.segments.map((id) => [id, { since: '2026-11-01T00:00:00Z' }])),
        lastEvent: { type: 'page_view', at: `2026-11-02T1${n % 10}:00:00Z`, categories: ['shoes'] },
      };
      profiles.set(spec.customer, after);
      return { sequenceNumber, oldImage: before, newImage: after };
    });
  });

/** Every change's increments added once: what the rollups must hold. */
function fromScratch(changes: readonly TableChange[]): Map<string, RollupIncrement> {
  const all = changes.flatMap((c) => [...rollupIncrements(c.oldImage, c.newImage), ...profileAggregateIncrements(c.oldImage, c.newImage)]);
  return new Map(mergeIncrements(all).map((i) => [`${i.scope}\u0000${i.day}`, i]));
}

/** Non-zero counters only: an item whose counters went up and back down equals one never written. */
const nonZero = (items: ReadonlyMap<string, RollupIncrement>) =>
  Object.fromEntries(
    [...items]
      .map(([key, i]) => [key, Object.fromEntries(Object.entries(i.counters).filter(([, v]) => v !== 0))] as const)
      .filter(([, counters]) => Object.keys(counters).length > 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

/**
 * Lambda's stream mapping over one shard, as documented and as the local poller does it: each
 * delivery starts at the checkpoint; an invocation that fails (here: `crashes`, a timeout after
 * its writes) is retried from the same checkpoint, bisected (its first half) when it held more than
 * one change; a partial batch response moves the checkpoint to the change it names; success moves
 * it past the delivery. Batch sizes are drawn.
 */
async function deliverAll(changes: readonly TableChange[], update: ReturnType<typeof makeUpdateRollups>, plan: { sizes: number[]; crashes: boolean[] }) {
  let checkpoint = 0;
  let forced: number | undefined;
  for (let delivery = 0; checkpoint < changes.length; delivery++) {
    if (delivery > 500) throw new Error('the stream never got past its checkpoint');
    const size = forced ?? plan.sizes[delivery % plan.sizes.length]!;
    const batch = changes.slice(checkpoint, checkpoint + size);
    const result = await update(batch);
    if (plan.crashes[delivery % plan.crashes.length]) {
      forced = Math.max(1, Math.floor(batch.length / 2));
      continue;
    }
    forced = undefined;
    checkpoint = result.failedFrom === undefined ? checkpoint + batch.length : changes.findIndex((c) => c.sequenceNumber === result.failedFrom);
    expect(checkpoint).toBeGreaterThanOrEqual(0);
  }
}

const change = (n: number, ruleId: string): TableChange => ({
  sequenceNumber: String(n),
  oldImage: undefined,
  newImage: { pk: `C#${n}`, sk: 'DEC', kind: 'decision', ruleId, decidedAt: '2026-11-20T10:00:00Z', outcome: 'queued' },
});
const matchedIn = (items: ReadonlyMap<string, RollupIncrement>) => [...items.values()].reduce((sum, i) => sum + (i.counters.matched ?? 0), 0);

describe('updating the rollups from a stream batch', () => {
  it('writes each counter item once per group: the batch merged into one transaction with one marker listing every change, in stream order', async () => {
    const { store, groups } = transactionalStore();
    const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 4, writesPerConversion: 2 });
    const changes = [change(1, 'a'), change(2, 'a'), change(3, 'b'), change(4, 'c'), change(5, 'a'), change(6, 'a')];
    expect(await update(changes)).toEqual({ applied: 3 });
    // maxWrites 4 = the marker and three counter items: a, b, c fit; the group is cut where a fourth item would be needed.
    expect(groups.map((g) => [g.marks.length, g.increments.map((i) => `${i.scope}:${i.counters.matched}`)])).toEqual([
      [6, ['a:4', 'b:1', 'c:1']],
    ]);
    expect(groups[0]?.marks).toEqual(changes.map(changeMarkOf));
  });

  it('cuts a group where one more counter item would not fit the transaction', async () => {
    const { store, groups } = transactionalStore();
    const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 3, writesPerConversion: 2 });
    expect(await update([change(1, 'a'), change(2, 'b'), change(3, 'a'), change(4, 'c')])).toEqual({ applied: 3 });
    expect(groups.map((g) => [g.marks.length, g.increments.map((i) => `${i.scope}:${i.counters.matched}`)])).toEqual([
      [3, ['a:2', 'b:1']],
      [1, ['c:1']],
    ]);
  });

  it('counts each change once when the same delivery comes again after its transaction landed (a timeout after the commit), longer or bisected', async () => {
    const { store, items } = transactionalStore();
    const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 100, writesPerConversion: 2 });
    const changes = [1, 2, 3, 4, 5, 6].map((n) => change(n, 'a'));
    await update(changes.slice(0, 4)); // landed, but the function timed out before answering
    await update(changes.slice(0, 2)); // the retry, bisected: its marker runs past this half's end
    await update(changes.slice(2, 6)); // the second half from the new checkpoint, with more records
    expect(matchedIn(items)).toBe(6);
  });

  it('partial-batch failure: a transaction that fails (before or after its commit) is named by its first change, and the retry from there neither loses nor double-counts', async () => {
    for (const fault of ['before', 'after'] as const) {
      const { store, items } = transactionalStore(new Map([[2, fault]]));
      const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 2, writesPerConversion: 2 });
      const changes = [change(1, 'a'), change(2, 'b'), change(3, 'c')];
      expect(await update(changes)).toEqual({ applied: 1, failedFrom: '2' });
      expect(await update(changes.slice(1))).toEqual({ applied: fault === 'before' ? 2 : 1 });
      expect(matchedIn(items)).toBe(3);
    }
  });

  it('partial-batch failure, property: any stream, any batch sizes, timeouts after the commit (bisected retries) and failing writes give the counters and the trigger report of counting every change once', async () => {
    await fc.assert(
      fc.asyncProperty(
        streams,
        // Batch sizes as a local run gives them (a few records) and as the deployed mapping's window does (hundreds, up to BatchSize).
        fc.array(fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 50, max: 1000 })), { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.constantFrom<Fault>('before', 'after')), { maxLength: 4 }),
        // At least one change's own writes (4 segment statistics, a behavior day and the marker), up to TransactWriteItems' 100.
        fc.oneof(fc.integer({ min: 6, max: 14 }), fc.constant(100)),
        // Changes a group's marker lists: the default (1000) or few, so groups are also cut by it.
        fc.oneof(fc.constant(undefined), fc.integer({ min: 1, max: 8 })),
        async (changes, sizes, crashes, faults, maxWrites, maxChangesPerGroup) => {
          const { store, items } = transactionalStore(new Map(faults));
          const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites, writesPerConversion: 2, ...(maxChangesPerGroup ? { maxChangesPerGroup } : {}) });
          await deliverAll(changes, update, { sizes, crashes: crashes.every(Boolean) ? [...crashes, false] : crashes });
          const expected = fromScratch(changes);
          expect(nonZero(items)).toEqual(nonZero(expected));
          const clock = { now: () => new Date('2026-11-05T00:00:00Z') };
          const reportOf = (rollups: Pick<RollupStore, 'days'>) => makeTriggerPerformanceReport({ rollups, catalog: defaultCatalog, clock })();
          const scratchDays: Pick<RollupStore, 'days'> = { days: async (scope) => [...expected.values()].filter((i) => i.scope === scope && i.day !== 'LIVE').sort((a, b) => a.day.localeCompare(b.day)) };
          expect(await reportOf(store)).toEqual(await reportOf(scratchDays));
        },
      ),
      { numRuns: 200, seed: 23 },
    );
  });

  it('a change that counts nothing still belongs to its group (so a delivery starting at it finds the chain) but adds no counter', async () => {
    const { store, groups } = transactionalStore();
    const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 100, writesPerConversion: 2 });
    const profile = { kind: 'profile', customerId: 'c1', eventCount: 3, scores: { engagement: 0.5 }, segments: {} };
    const changes = [
      { sequenceNumber: '1', oldImage: undefined, newImage: { kind: 'rollup', scope: 'r1', day: '2026-11-20' } },
      { sequenceNumber: '2', oldImage: undefined, newImage: { kind: 'claim' } },
      { sequenceNumber: '3', oldImage: profile, newImage: { ...profile } },
    ];
    expect(await update(changes)).toEqual({ applied: 0 });
    expect(groups.map((g) => [g.marks.length, g.increments])).toEqual([[3, []]]);
  });

  it('writes the log entry of a new conversion in the same transaction as its counters', async () => {
    const { store, groups } = transactionalStore();
    const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 100, writesPerConversion: 2 });
    const conversion = { kind: 'conversion', customerId: 'c1', sendId: 's1', ruleId: 'r1', orderId: 'o1', convertedAt: '2026-11-21T09:00:00Z', revenue: 20, segments: [], touches: [{ sendId: 's1', ruleId: 'r1', kind: 'click', at: '2026-11-21T08:00:00Z' }] };
    expect(await update([{ sequenceNumber: '7', oldImage: undefined, newImage: conversion }])).toEqual({ applied: 4 }); // two counters, the entry and its index item
    expect(groups[0]?.increments.map((i) => i.scope)).toEqual(['r1', 'segment:*']);
    expect(groups[0]?.conversions).toEqual([
      { day: '2026-11-21', id: '2026-11-21T09:00:00Z#c1#s1#o1', customerId: 'c1', sendId: 's1', ruleId: 'r1', convertedAt: '2026-11-21T09:00:00Z', revenue: 20, touches: [{ sendId: 's1', ruleId: 'r1', kind: 'click', at: '2026-11-21T08:00:00Z' }] },
    ]);
  });
});
