import type { ValueCutPoints } from './value-potential.ts';

/**
 * A scoring run fans out over workers: a planner splits the profiles into parallel Scan segments and
 * queues one task per segment; each worker scores its segment (continuing in a new task when its
 * invocation runs short of time) and records the segment's totals. A run is these records.
 */
export type ScoringRun = {
  runId: string;
  startedAt: string;
  totalSegments: number;
  /** The value cut points every worker classifies against (from a sample taken by the planner). */
  cutPoints: ValueCutPoints | null;
  /** The model each prediction came from this run (`heuristic-v1` for a kind with none trained). */
  modelIds: Record<'churn' | 'purchaseIntent' | 'value' | 'interests', string>;
};

export type ScoringTotals = {
  scanned: number;
  /** Profiles whose predictions changed (written). */
  updated: number;
  churn: Record<'high' | 'medium' | 'low', number>;
  valuePotential: Record<'high' | 'medium' | 'low', number>;
  nextPurchase: Record<'imminent' | 'near_term' | 'long_term_nurture', number>;
  /** Model events put on the bus (a threshold crossed upwards). */
  crossings: { churn: number; purchaseIntent: number };
  /** Training history kept: weekly snapshots taken, outcomes written on older ones. */
  snapshotsTaken: number;
  outcomesWritten: number;
  conflictsRetried: number;
  /** Wall time spent scoring (summed over the segment's invocations). */
  busyMs: number;
};

/** One task on the queue: a segment, from the start or from where an earlier invocation stopped. */
export type ScoringTask = {
  runId: string;
  segment: number;
  totalSegments: number;
  /** The Scan's `ExclusiveStartKey` to continue from; absent for the segment's first invocation. */
  startKey?: Record<string, unknown>;
  /** Totals of the segment's earlier invocations. */
  carried?: ScoringTotals;
  invocation?: number;
};

export type SegmentResult = ScoringTotals & { segment: number; finishedAt: string; invocations: number; profilesPerSecond: number };

export function emptyTotals(): ScoringTotals {
  return {
    scanned: 0,
    updated: 0,
    churn: { high: 0, medium: 0, low: 0 },
    valuePotential: { high: 0, medium: 0, low: 0 },
    nextPurchase: { imminent: 0, near_term: 0, long_term_nurture: 0 },
    crossings: { churn: 0, purchaseIntent: 0 },
    snapshotsTaken: 0,
    outcomesWritten: 0,
    conflictsRetried: 0,
    busyMs: 0,
  };
}

/** Sums totals (a segment's invocations, a run's segments). Pure. */
export function addTotals(a: ScoringTotals, b: ScoringTotals): ScoringTotals {
  const add = <K extends string>(x: Record<K, number>, y: Record<K, number>) => Object.fromEntries(Object.keys(x).map((k) => [k, x[k as K] + y[k as K]])) as Record<K, number>;
  return {
    scanned: a.scanned + b.scanned,
    updated: a.updated + b.updated,
    churn: add(a.churn, b.churn),
    valuePotential: add(a.valuePotential, b.valuePotential),
    nextPurchase: add(a.nextPurchase, b.nextPurchase),
    crossings: add(a.crossings, b.crossings),
    snapshotsTaken: a.snapshotsTaken + b.snapshotsTaken,
    outcomesWritten: a.outcomesWritten + b.outcomesWritten,
    conflictsRetried: a.conflictsRetried + b.conflictsRetried,
    busyMs: a.busyMs + b.busyMs,
  };
}

export function perSecond(count: number, ms: number): number {
  return ms > 0 ? Math.round((count / ms) * 10_000) / 10 : count;
}

/**
 * How many parallel segments a run uses: one per this many profiles (the `profiles` index's item
 * count, which DynamoDB refreshes about every six hours), within bounds. At the measured ~70
 * profiles/s per worker a segment is scored in about five minutes, well inside Lambda's 15, and a
 * worker that runs out of time continues in a new invocation.
 */
export const PROFILES_PER_SEGMENT = 20_000;
export function segmentsFor(profiles: number, bounds: { min: number; max: number }): number {
  return Math.min(bounds.max, Math.max(bounds.min, Math.ceil(profiles / PROFILES_PER_SEGMENT)));
}
