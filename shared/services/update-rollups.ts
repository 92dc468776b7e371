import type { Log, RollupStore } from '../domain/ports.ts';
import { mergeIncrements, rollupIncrements, type RollupIncrement } from '../domain/reports/rollups.ts';

/** One change from the table's stream, in stream order. */
export type TableChange = { sequenceNumber: string; oldImage: Record<string, unknown> | undefined; newImage: Record<string, unknown> | undefined };

/** The maximum rollup items one write may touch (TransactWriteItems' limit). */
export type UpdateRollupsDeps = { rollups: Pick<RollupStore, 'apply'>; log: Log; maxWrites: number };

/**
 * Adds a batch of table changes to the daily rollups, exactly once even when Lambda retries:
 * changes are taken in stream order into groups whose merged increments fit one transaction; each
 * group is applied atomically; if one fails, the answer names its first change as the first
 * failure, so Lambda retries from there and the groups already applied are not counted again.
 */
export function makeUpdateRollups(deps: UpdateRollupsDeps) {
  return async function updateRollups(changes: readonly TableChange[]): Promise<{ applied: number; failedFrom?: string }> {
    let group: { first: TableChange; last: TableChange; increments: RollupIncrement[] } | undefined;
    let applied = 0;
    const flush = async (): Promise<string | undefined> => {
      const current = group;
      if (!current) return undefined;
      const merged = mergeIncrements(current.increments);
      try {
        await deps.rollups.apply(merged, `${current.first.sequenceNumber}-${current.last.sequenceNumber}`);
        applied += merged.length;
        group = undefined;
        return undefined;
      } catch (error) {
        deps.log.warn('rollup write failed; the stream retries from the group', { from: current.first.sequenceNumber, error: String(error) });
        return current.first.sequenceNumber;
      }
    };
    for (const change of changes) {
      const increments = rollupIncrements(change.oldImage, change.newImage);
      if (increments.length === 0) continue;
      if (group && mergeIncrements([...group.increments, ...increments]).length > deps.maxWrites) {
        const failedFrom = await flush();
        if (failedFrom) return { applied, failedFrom };
      }
      group = group ? { ...group, last: change, increments: [...group.increments, ...increments] } : { first: change, last: change, increments };
    }
    const failedFrom = await flush();
    return failedFrom ? { applied, failedFrom } : { applied };
  };
}
