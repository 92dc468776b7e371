import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamoRollups, MAX_ROLLUP_WRITES, WRITES_PER_LOGGED_CONVERSION } from '#shared/adapters/dynamo/rollup-repository.ts';
import type { Log } from '#shared/domain/ports.ts';
import { makeUpdateRollups, type TableChange } from '#shared/services/update-rollups.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Issue 19 item 12(a): every stream record counts exactly once in the rollups, however Lambda
 * batches and re-delivers it. A function that times out after its transaction landed, a batch
 * bisected on error, or a retry more than ten minutes later (past a ClientRequestToken's window)
 * hands the same records again with other batch boundaries. Against DynamoDB Local, through the
 * real adapter.
 */
describe('rollups count each stream record once', () => {
  const nudge = nudgeClient();
  const table = nudge.output('TableName');
  const rollups = new DynamoRollups(nudge.documentClient, table);

  // Stream sequence numbers are unique: each property run gets its own range.
  let nextBase = BigInt(Date.now()) * 1_000_000n;
  const sequenceRange = () => (nextBase += 1_000n);
  const decision = (scope: string, n: number, base: bigint): TableChange => ({
    sequenceNumber: String(base + BigInt(n)),
    oldImage: undefined,
    newImage: { pk: `C#${scope}-customer`, sk: `DEC#2026-11-20T10:00:00Z#${scope}#${n}`, kind: 'decision', ruleId: scope, decidedAt: '2026-11-20T10:00:00Z', outcome: 'queued' },
  });

  /**
   * Deliveries as Lambda's stream mapping makes them over one shard: each starts at the checkpoint;
   * an invocation that times out after its writes landed is retried from the same checkpoint,
   * bisected (its first half); a partial batch response moves the checkpoint to the change it
   * names, success past the delivery. Any batch sizes and group sizes.
   */
  // A change that counts nothing (a claim): a group of only such changes writes its marker alone, with a conditional put.
  const claim = (n: number, base: bigint): TableChange => ({ sequenceNumber: String(base + BigInt(n)), oldImage: undefined, newImage: { pk: `C#claim-${base}`, sk: `CLAIM#${n}`, kind: 'claim' } });

  const deliveries = fc.record({
    records: fc.integer({ min: 1, max: 12 }),
    claims: fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
    sizes: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 6 }),
    timeouts: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
    maxWrites: fc.integer({ min: 2, max: 5 }),
  });

  it('a redelivery with other boundaries (Lambda timed out after the commit, bisected, retried with more records) adds nothing already counted', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(deliveries, async ({ records, claims, sizes, timeouts, maxWrites }) => {
        const scope = uniqueId('exactly-once');
        const base = sequenceRange();
        const changes = Array.from({ length: records }, (_, i) => (claims[i % claims.length] ? claim(i, base) : decision(scope, i, base)));
        const decisions = changes.filter((c) => c.newImage?.kind === 'decision').length;
        const update = makeUpdateRollups({ rollups, log: quiet, maxWrites, writesPerConversion: WRITES_PER_LOGGED_CONVERSION });
        const timedOut = timeouts.every(Boolean) ? [...timeouts, false] : timeouts;
        let checkpoint = 0;
        let forced: number | undefined;
        for (let delivery = 0; checkpoint < changes.length; delivery++) {
          const batch = changes.slice(checkpoint, checkpoint + (forced ?? sizes[delivery % sizes.length]!));
          const result = await update(batch);
          expect(result.failedFrom).toBeUndefined();
          if (timedOut[delivery % timedOut.length]) {
            forced = Math.max(1, Math.floor(batch.length / 2));
            continue;
          }
          forced = undefined;
          checkpoint += batch.length;
        }
        const [day] = await rollups.days(scope);
        if (decisions === 0) expect(day).toBeUndefined();
        else expect(day?.counters).toMatchObject({ matched: decisions, fired: decisions });
      }),
      { numRuns: 12 },
    );
  });

  it('the biggest transaction still fits: a group of single-record changes up to the write limit', async () => {
    const scope = uniqueId('limit');
    const update = makeUpdateRollups({ rollups, log: quiet, maxWrites: MAX_ROLLUP_WRITES, writesPerConversion: WRITES_PER_LOGGED_CONVERSION });
    const base = sequenceRange();
    const changes = Array.from({ length: 150 }, (_, i) => decision(`${scope}-${i % 60}`, i, base));
    expect(await update(changes)).not.toHaveProperty('failedFrom');
    expect(await update(changes)).not.toHaveProperty('failedFrom');
    const [day] = await rollups.days(`${scope}-0`);
    expect(day?.counters).toMatchObject({ matched: 3 });
  });
});
