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

/** The items a group writes: one per scope and day (merged), one per logged conversion. Counted, not merged, per change. */
const itemKey = (increment: RollupIncrement) => `${increment.scope}\u0000${increment.day}`;

/**
 * Adds a batch of table changes to the rollups, exactly once even when Lambda retries: changes are
 * taken in stream order into groups whose merged increments (and conversion log entries) fit one
 * transaction; each group is applied atomically; if one fails, the answer names its first change
 * as the first failure, so Lambda retries from there and the groups already applied are not
 * counted again.
 */
export function makeUpdateRollups(deps: UpdateRollupsDeps) {
  const writesOf = (keys: ReadonlySet<string>, conversions: number) => keys.size + conversions * deps.writesPerConversion;
  return async function updateRollups(changes: readonly TableChange[]): Promise<{ applied: number; failedFrom?: string }> {
    let group: { first: TableChange; last: TableChange; effects: Effects; keys: Set<string> } | undefined;
    let applied = 0;
    const flush = async (): Promise<string | undefined> => {
      const current = group;
      if (!current) return undefined;
      const merged = mergeIncrements(current.effects.increments);
      try {
        await deps.rollups.apply(merged, `${current.first.sequenceNumber}-${current.last.sequenceNumber}`, current.effects.conversions);
        applied += merged.length + current.effects.conversions.length * deps.writesPerConversion;
        group = undefined;
        return undefined;
      } catch (error) {
        deps.log.warn('rollup write failed; the stream retries from the group', { from: current.first.sequenceNumber, error: String(error) });
        return current.first.sequenceNumber;
      }
    };
    for (const change of changes) {
      const effects = effectsOf(change);
      if (effects.increments.length === 0 && effects.conversions.length === 0) continue;
      const keys = new Set(effects.increments.map(itemKey));
      if (writesOf(keys, effects.conversions.length) > deps.maxWrites) {
        // Cannot happen with the catalog's bounded segments; logged rather than retried forever.
        deps.log.error('one change needs more rollup writes than a transaction takes; skipped', { sequenceNumber: change.sequenceNumber, writes: writesOf(keys, effects.conversions.length) });
        continue;
      }
      const joinedKeys = group ? new Set([...group.keys, ...keys]) : keys;
      if (group && writesOf(joinedKeys, group.effects.conversions.length + effects.conversions.length) > deps.maxWrites) {
        const failedFrom = await flush();
        if (failedFrom) return { applied, failedFrom };
        group = { first: change, last: change, effects, keys };
      } else {
        const effectsSoFar = group ? { increments: [...group.effects.increments, ...effects.increments], conversions: [...group.effects.conversions, ...effects.conversions] } : effects;
        group = { first: group?.first ?? change, last: change, effects: effectsSoFar, keys: joinedKeys };
      }
    }
    const failedFrom = await flush();
    return failedFrom ? { applied, failedFrom } : { applied };
  };
}
