import { createHash } from 'node:crypto';
import type { Log, RollupStore } from '../domain/ports.ts';
import { profileAggregateIncrements } from '../domain/reports/profile-aggregates.ts';
import { conversionLogEntry, mergeIncrements, rollupIncrements, type ConversionLogEntry, type RollupIncrement } from '../domain/reports/rollups.ts';

/** One change from the table's stream, in stream order. */
export type TableChange = { sequenceNumber: string; oldImage: Record<string, unknown> | undefined; newImage: Record<string, unknown> | undefined };

/**
 * `maxWrites`: the items one write may touch (TransactWriteItems' limit); `writesPerConversion`:
 * what one logged conversion takes of them (the store's entry and its index item).
 */
export type UpdateRollupsDeps = { rollups: Pick<RollupStore, 'apply'>; log: Log; maxWrites: number; writesPerConversion: number };

type Effects = { increments: RollupIncrement[]; conversions: ConversionLogEntry[] };

/** Everything one change adds: per-rule and per-segment counters, profile aggregates, a conversion's log entry. */
function effectsOf(change: TableChange): Effects {
  const conversion = conversionLogEntry(change.oldImage, change.newImage);
  return {
    increments: [...rollupIncrements(change.oldImage, change.newImage), ...profileAggregateIncrements(change.oldImage, change.newImage)],
    conversions: conversion ? [conversion] : [],
  };
}

/** The items a group writes: one per scope and day (merged), one per logged conversion, one marker per counted change. */
const itemKey = (increment: RollupIncrement) => `${increment.scope}\u0000${increment.day}`;

/**
 * The id under which a change is marked as counted: its stream sequence number, which orders one
 * item's changes, with a digest of the changed item's key (sequence numbers are documented as
 * unique within a shard only). No customer id in it: markers are not personal data.
 */
export function changeIdOf(change: TableChange): string {
  const image = change.newImage ?? change.oldImage ?? {};
  const key = createHash('sha256').update(JSON.stringify([image.pk ?? null, image.sk ?? null])).digest('base64url').slice(0, 16);
  return `${change.sequenceNumber}.${key}`;
}

type Counted = { change: TableChange; id: string; effects: Effects; keys: Set<string> };

/**
 * Adds a batch of table changes to the rollups, each change exactly once however Lambda batches
 * and redelivers it: changes are taken in stream order into groups whose merged increments,
 * conversion log entries and one marker per change fit one transaction. The marker (a conditional
 * put of the change's id) makes the transaction fail for a change counted before, whatever batch
 * it came in then; those changes are dropped and the rest of the group is applied. A group that
 * fails otherwise is named in the answer by its first change, so Lambda retries from there.
 *
 * Why a marker per change: a retried batch may have other boundaries (a function that timed out
 * after its write landed, a batch bisected on error, a retry after a ClientRequestToken's ten
 * minutes), so a token per group counted such changes twice. A watermark per shard would cost one
 * write per group, but a stream record does not say its shard, and sequence numbers are ordered per
 * item only. The marker costs one small write per counting change (2 WCU inside a transaction) on
 * top of the merged counters; it expires after the stream's 24 h retention (MARK_RETENTION_DAYS).
 */
export function makeUpdateRollups(deps: UpdateRollupsDeps) {
  /** Applies a group; changes found already counted are dropped and the rest applied again. Returns the changes counted now. */
  const applyGroup = async (group: Counted[]): Promise<number> => {
    let pending = group;
    while (pending.length > 0) {
      const increments = mergeIncrements(pending.flatMap((c) => c.effects.increments));
      const conversions = pending.flatMap((c) => c.effects.conversions);
      const { alreadyCounted } = await deps.rollups.apply({ increments, conversions, changeIds: pending.map((c) => c.id) });
      if (alreadyCounted.length === 0) return increments.length + conversions.length * deps.writesPerConversion;
      const counted = new Set(alreadyCounted);
      deps.log.info('stream changes already counted in an earlier delivery; skipped', { changes: alreadyCounted.length });
      pending = pending.filter((c) => !counted.has(c.id));
    }
    return 0;
  };

  const writesOf = (keys: ReadonlySet<string>, conversions: number, changes: number) => keys.size + conversions * deps.writesPerConversion + changes;

  return async function updateRollups(changes: readonly TableChange[]): Promise<{ applied: number; failedFrom?: string }> {
    let group: Counted[] = [];
    let groupKeys = new Set<string>();
    let applied = 0;
    const flush = async (): Promise<string | undefined> => {
      if (group.length === 0) return undefined;
      try {
        applied += await applyGroup(group);
        group = [];
        groupKeys = new Set();
        return undefined;
      } catch (error) {
        const from = group[0]!.change.sequenceNumber;
        deps.log.warn('rollup write failed; the stream retries from the group', { from, error: String(error) });
        return from;
      }
    };
    const conversionsIn = (counted: readonly Counted[]) => counted.reduce((sum, c) => sum + c.effects.conversions.length, 0);
    for (const change of changes) {
      const effects = effectsOf(change);
      if (effects.increments.length === 0 && effects.conversions.length === 0) continue;
      const counted: Counted = { change, id: changeIdOf(change), effects, keys: new Set(effects.increments.map(itemKey)) };
      if (writesOf(counted.keys, effects.conversions.length, 1) > deps.maxWrites) {
        // Cannot happen with the catalog's bounded segments; logged rather than retried forever.
        deps.log.error('one change needs more rollup writes than a transaction takes; skipped', { sequenceNumber: change.sequenceNumber, writes: writesOf(counted.keys, effects.conversions.length, 1) });
        continue;
      }
      const joinedKeys = new Set([...groupKeys, ...counted.keys]);
      if (group.length > 0 && writesOf(joinedKeys, conversionsIn(group) + effects.conversions.length, group.length + 1) > deps.maxWrites) {
        const failedFrom = await flush();
        if (failedFrom) return { applied, failedFrom };
        group = [counted];
        groupKeys = counted.keys;
      } else {
        group.push(counted);
        groupKeys = joinedKeys;
      }
    }
    const failedFrom = await flush();
    return failedFrom ? { applied, failedFrom } : { applied };
  };
}
