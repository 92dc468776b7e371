import { createHash } from 'node:crypto';
import type { Log, RollupStore } from '../domain/ports.ts';
import { profileAggregateIncrements } from '../domain/reports/profile-aggregates.ts';
import { conversionLogEntry, mergeIncrements, rollupIncrements, type ConversionLogEntry, type RollupIncrement } from '../domain/reports/rollups.ts';

/** One change from the table's stream, in stream order. */
export type TableChange = { sequenceNumber: string; oldImage: Record<string, unknown> | undefined; newImage: Record<string, unknown> | undefined };

/**
 * `maxWrites`: the items one write may touch (TransactWriteItems' limit); `writesPerConversion`:
 * what one logged conversion takes of them (the store's entry and its index item);
 * `maxChangesPerGroup`: the changes one group's marker lists (its size: MARK_BYTES each).
 */
export type UpdateRollupsDeps = { rollups: Pick<RollupStore, 'apply' | 'continueMarker'>; log: Log; maxWrites: number; writesPerConversion: number; maxChangesPerGroup?: number };

/** A group's marker lists at most this many changes by default (9 bytes each: ~9 KB). */
export const MAX_CHANGES_PER_GROUP = 1000;

type Effects = { increments: RollupIncrement[]; conversions: ConversionLogEntry[] };

/** Everything one change adds: per-rule and per-segment counters, profile aggregates, a conversion's log entry. */
function effectsOf(change: TableChange): Effects {
  const conversion = conversionLogEntry(change.oldImage, change.newImage);
  return {
    increments: [...rollupIncrements(change.oldImage, change.newImage), ...profileAggregateIncrements(change.oldImage, change.newImage)],
    conversions: conversion ? [conversion] : [],
  };
}

const itemKey = (increment: RollupIncrement) => `${increment.scope}\u0000${increment.day}`;

/**
 * The mark of a change: a digest of its stream sequence number and of the changed item's key
 * (sequence numbers are documented as unique within a shard only), 12 base64url characters (72
 * bits). No customer id in it: markers are not personal data.
 */
export function changeMarkOf(change: TableChange): string {
  const image = change.newImage ?? change.oldImage ?? {};
  return createHash('sha256').update(JSON.stringify([change.sequenceNumber, image.pk ?? null, image.sk ?? null])).digest('base64url').slice(0, 12);
}

type Counted = { change: TableChange; mark: string; effects: Effects; keys: Set<string> };

/**
 * Adds a batch of table changes to the rollups, each change exactly once however Lambda batches and
 * redelivers it, with one write per counter item per group instead of one per change.
 *
 * The batch is cut, in stream order, into groups of consecutive changes (those that count nothing
 * included) whose merged increments, conversion log entries and one marker fit one transaction.
 * The marker is keyed by the group's first change and lists every change of the group (their
 * marks); it is put with the condition "not there", in the transaction that adds the group's
 * counters, so a group lands whole or not at all.
 *
 * A redelivery starts where Lambda's checkpoint is: after the last change of a delivery answered as
 * done, at the change a partial batch response named, or at the first change of a bisected half.
 * The changes counted since that checkpoint are then a run of groups from there, each marker naming
 * the next group's first change, so a delivery follows the chain: a group whose marker is there
 * already is skipped by its list, and the first change it does not list starts a new group. When a
 * marker lists changes beyond the end of a shorter redelivery (a bisected half of a batch whose
 * first attempt landed and then timed out), the rest of its list is put as the marker of the first
 * change past the end, where the next delivery starts. Lambda keeps a shard's deliveries in order
 * and one at a time (ParallelizationFactor 1), which this relies on.
 *
 * Issue 19 put one marker per counted change in every transaction (2 WCU each); the chain costs one
 * marker per group (9 bytes per change listed), so each counter item is written once per group.
 */
export function makeUpdateRollups(deps: UpdateRollupsDeps) {
  const maxChanges = deps.maxChangesPerGroup ?? MAX_CHANGES_PER_GROUP;
  const writesOf = (keys: ReadonlySet<string>, conversions: number) => keys.size + conversions * deps.writesPerConversion + 1;

  return async function updateRollups(changes: readonly TableChange[]): Promise<{ applied: number; failedFrom?: string }> {
    const counted: Counted[] = [];
    for (const change of changes) {
      const effects = effectsOf(change);
      counted.push({ change, mark: changeMarkOf(change), effects, keys: new Set(effects.increments.map(itemKey)) });
    }
    let applied = 0;
    let at = 0;
    while (at < counted.length) {
      // The next group: as many changes as fit one transaction (a change that alone does not fit is skipped, logged).
      let end = at;
      let keys = new Set<string>();
      let conversions = 0;
      while (end < counted.length && end - at < maxChanges) {
        const next = counted[end]!;
        const alone = writesOf(next.keys, next.effects.conversions.length);
        if (alone > deps.maxWrites) {
          // Cannot happen with the catalog's bounded segments; logged rather than retried forever.
          deps.log.error('one change needs more rollup writes than a transaction takes; not counted', { sequenceNumber: next.change.sequenceNumber, writes: alone });
          next.effects = { increments: [], conversions: [] };
          next.keys = new Set();
        }
        const joined = new Set([...keys, ...next.keys]);
        if (end > at && writesOf(joined, conversions + next.effects.conversions.length) > deps.maxWrites) break;
        keys = joined;
        conversions += next.effects.conversions.length;
        end += 1;
      }
      const group = counted.slice(at, end);
      let outcome: Awaited<ReturnType<RollupStore['apply']>>;
      try {
        outcome = await deps.rollups.apply({
          increments: mergeIncrements(group.flatMap((c) => c.effects.increments)),
          conversions: group.flatMap((c) => c.effects.conversions),
          marker: { first: group[0]!.mark, marks: group.map((c) => c.mark) },
        });
      } catch (error) {
        const from = group[0]!.change.sequenceNumber;
        deps.log.warn('rollup write failed; the stream retries from the group', { from, error: String(error) });
        return { applied, failedFrom: from };
      }
      if (outcome.counted) {
        applied += keys.size + conversions * deps.writesPerConversion;
        at = end;
        continue;
      }
      // Counted in an earlier delivery: skip what its marker lists, in order.
      const listed = outcome.alreadyCounted;
      let skipped = 0;
      while (skipped < listed.length && at + skipped < counted.length && counted[at + skipped]!.mark === listed[skipped]) skipped += 1;
      if (skipped === 0) {
        // A marker under this change's mark that does not list it first: a digest collision; never counted twice, retried.
        deps.log.error('a rollup marker does not list its own change; the stream retries from it', { from: counted[at]!.change.sequenceNumber });
        return { applied, failedFrom: counted[at]!.change.sequenceNumber };
      }
      deps.log.info('stream changes already counted in an earlier delivery; skipped', { changes: skipped });
      at += skipped;
      if (at === counted.length && skipped < listed.length) {
        // The marker runs past this delivery's end: the next delivery starts at its next change.
        try {
          await deps.rollups.continueMarker({ first: listed[skipped]!, marks: listed.slice(skipped) });
        } catch (error) {
          // Retried from the first change this delivery skipped: its marker leads here again.
          const from = counted[at - skipped]!.change.sequenceNumber;
          deps.log.warn('rollup marker continuation failed; the stream retries from the changes it skipped', { from, error: String(error) });
          return { applied, failedFrom: from };
        }
      } else if (at < counted.length && skipped < listed.length) {
        deps.log.error('a rollup marker lists changes this delivery does not hold in its order; the rest of the delivery is counted from here', { from: counted[at]!.change.sequenceNumber });
      }
    }
    return { applied };
  };
}
