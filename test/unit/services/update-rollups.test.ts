import { describe, expect, it } from 'vitest';
import type { RollupStore } from '#shared/domain/ports.ts';
import type { RollupIncrement } from '#shared/domain/reports/rollups.ts';
import { makeUpdateRollups, type TableChange } from '#shared/services/update-rollups.ts';
import { silentLog } from '../support/fakes.ts';

/** A rollup store that records each transaction, and can refuse the n-th. */
function recordingStore(failOn?: number) {
  const applied: Array<{ increments: RollupIncrement[]; key: string }> = [];
  let calls = 0;
  const store: Pick<RollupStore, 'apply'> = {
    apply: async (increments, key) => {
      calls += 1;
      if (calls === failOn) throw new Error('TransactionCanceledException');
      applied.push({ increments, key });
    },
  };
  return { store, applied };
}
const change = (n: number, ruleId: string): TableChange => ({
  sequenceNumber: String(n),
  oldImage: undefined,
  newImage: { kind: 'decision', ruleId, decidedAt: '2026-11-20T10:00:00Z', outcome: 'queued' },
});

describe('updating the rollups from a stream batch', () => {
  it('merges a batch into one transaction per group of at most maxWrites rule-days, in stream order', async () => {
    const { store, applied } = recordingStore();
    const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 2 });
    const changes = [change(1, 'a'), change(2, 'a'), change(3, 'b'), change(4, 'c'), change(5, 'a')];
    expect(await update(changes)).toEqual({ applied: 4 });
    expect(applied.map((t) => [t.key, t.increments.map((i) => `${i.scope}:${i.counters.matched}`)])).toEqual([
      ['1-3', ['a:2', 'b:1']],
      ['4-5', ['c:1', 'a:1']],
    ]);
  });

  it('answers with the first change of a failed group, so Lambda retries from there and the groups before are not counted twice', async () => {
    const { store, applied } = recordingStore(2);
    const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 1 });
    expect(await update([change(1, 'a'), change(2, 'b'), change(3, 'c')])).toEqual({ applied: 1, failedFrom: '2' });
    expect(applied.map((t) => t.key)).toEqual(['1-1']);
  });

  it('skips changes that count nothing (profiles, rollups themselves)', async () => {
    const { store, applied } = recordingStore();
    const update = makeUpdateRollups({ rollups: store, log: silentLog, maxWrites: 100 });
    expect(await update([{ sequenceNumber: '1', oldImage: undefined, newImage: { kind: 'profile' } }])).toEqual({ applied: 0 });
    expect(applied).toEqual([]);
  });
});
