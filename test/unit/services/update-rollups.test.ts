import { describe, expect, it } from 'vitest';
import type { RollupStore } from '#shared/domain/ports.ts';
import type { ConversionLogEntry, RollupIncrement } from '#shared/domain/reports/rollups.ts';
import { makeUpdateRollups, type TableChange } from '#shared/services/update-rollups.ts';
import { silentLog } from '../support/fakes.ts';

/** A rollup store that records each transaction, marks changes counted as the adapter does, and can refuse the n-th. */
function recordingStore(failOn?: number) {
  const applied: Array<{ increments: RollupIncrement[]; changeIds: readonly string[]; conversions: ConversionLogEntry[] }> = [];
  const counted = new Set<string>();
  let calls = 0;
  const store: Pick<RollupStore, 'apply'> = {
    apply: async ({ increments, changeIds, conversions = [] }) => {
      calls += 1;
      if (calls === failOn) throw new Error('TransactionCanceledException');
      const alreadyCounted = changeIds.filter((id) => counted.has(id));
      if (alreadyCounted.length > 0) return { alreadyCounted };
      for (const id of changeIds) counted.add(id);
      applied.push({ increments, changeIds, conversions });
      return { alreadyCounted: [] };
    },
  };
  return { store, applied };
}
const sequenceOf = (id: string) => id.split('.')[0];
const change = (n: number, ruleId: string): TableChange => ({
  sequenceNumber: String(n),
  oldImage: undefined,
  newImage: { kind: 'decision', ruleId, decidedAt: '2026-11-20T10:00:00Z', outcome: 'queued' },
});

describe('updating the rollups from a stream batch', () => {
  it('merges a batch into one transaction per group of at most maxWrites writes (rule-days and one marker per change), in stream order', async () => {
    const { store, applied } = recordingStore();
    const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 5, writesPerConversion: 2 });
    const changes = [change(1, 'a'), change(2, 'a'), change(3, 'b'), change(4, 'c'), change(5, 'a')];
    expect(await update(changes)).toEqual({ applied: 4 });
    expect(applied.map((t) => [t.changeIds.map(sequenceOf), t.increments.map((i) => `${i.scope}:${i.counters.matched}`)])).toEqual([
      [['1', '2', '3'], ['a:2', 'b:1']],
      [['4', '5'], ['c:1', 'a:1']],
    ]);
  });

  it('counts each change once however the stream re-batches it: changes marked in an earlier delivery are dropped from the group', async () => {
    const { store, applied } = recordingStore();
    const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 100, writesPerConversion: 2 });
    await update([change(1, 'a'), change(2, 'a')]); // landed, but the function timed out before answering
    await update([change(1, 'a'), change(2, 'a'), change(3, 'a')]); // the retry, with a record more
    await update([change(2, 'a'), change(3, 'a')]); // a bisected half, once more
    const matched = applied.flatMap((t) => t.increments).reduce((sum, i) => sum + (i.counters.matched ?? 0), 0);
    expect(matched).toBe(3);
    expect(applied.map((t) => t.changeIds.map(sequenceOf))).toEqual([['1', '2'], ['3']]);
  });

  it('answers with the first change of a failed group, so Lambda retries from there and the groups before are not counted twice', async () => {
    const { store, applied } = recordingStore(2);
    const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 2, writesPerConversion: 2 });
    expect(await update([change(1, 'a'), change(2, 'b'), change(3, 'c')])).toEqual({ applied: 1, failedFrom: '2' });
    expect(applied.map((t) => t.changeIds.map(sequenceOf))).toEqual([['1']]);
  });

  it('skips changes that count nothing (rollups themselves, other kinds, a profile rewritten unchanged)', async () => {
    const { store, applied } = recordingStore();
    const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 100, writesPerConversion: 2 });
    const profile = { kind: 'profile', customerId: 'c1', eventCount: 3, scores: { engagement: 0.5 }, segments: {} };
    const changes = [
      { sequenceNumber: '1', oldImage: undefined, newImage: { kind: 'rollup', scope: 'r1', day: '2026-11-20' } },
      { sequenceNumber: '2', oldImage: undefined, newImage: { kind: 'claim' } },
      { sequenceNumber: '3', oldImage: profile, newImage: { ...profile } },
    ];
    expect(await update(changes)).toEqual({ applied: 0 });
    expect(applied).toEqual([]);
  });

  it('writes the log entry of a new conversion in the same transaction as its counters', async () => {
    const { store, applied } = recordingStore();
    const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 100, writesPerConversion: 2 });
    const conversion = { kind: 'conversion', customerId: 'c1', sendId: 's1', ruleId: 'r1', orderId: 'o1', convertedAt: '2026-11-21T09:00:00Z', revenue: 20, segments: [], touches: [{ sendId: 's1', ruleId: 'r1', kind: 'click', at: '2026-11-21T08:00:00Z' }] };
    expect(await update([{ sequenceNumber: '7', oldImage: undefined, newImage: conversion }])).toEqual({ applied: 4 }); // two counters, the entry and its index item
    expect(applied[0]?.increments.map((i) => i.scope)).toEqual(['r1', 'segment:*']);
    expect(applied[0]?.conversions).toEqual([
      { day: '2026-11-21', id: '2026-11-21T09:00:00Z#c1#s1#o1', customerId: 'c1', sendId: 's1', ruleId: 'r1', convertedAt: '2026-11-21T09:00:00Z', revenue: 20, touches: [{ sendId: 's1', ruleId: 'r1', kind: 'click', at: '2026-11-21T08:00:00Z' }] },
    ]);
  });
});
