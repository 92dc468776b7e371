import { segmentationOf, type Catalog } from '../catalog/index.ts';
import type { Clock } from '../domain/clock.ts';
import type { InternalEventBus, Log, ModelStore, ProfileStore, ScoringRunStore, ScoringTaskQueue, SegmentMembershipStore, TrainingSnapshotStore } from '../domain/ports.ts';
import { addTotals, emptyTotals, perSecond, type ScoringTask, type SegmentResult } from '../domain/predictive/scoring-runs.ts';
import type { ProfilePage } from './profile-scan.ts';
import { makeScoreProfile } from './score-profile.ts';

/** A Scan that can stop after any page and continue later from the key it returned. */
export interface ResumableProfileScanner {
  scanPages(segment: number, totalSegments: number, startKey?: Record<string, unknown>): AsyncIterable<ProfilePage>;
}

export type ScoreSegmentDeps = {
  scanner: ResumableProfileScanner;
  profiles: ProfileStore;
  snapshots: TrainingSnapshotStore;
  models: ModelStore;
  runs: ScoringRunStore;
  tasks: ScoringTaskQueue;
  bus: InternalEventBus;
  /** Where segment membership is recorded (the predictive segments change with each run). */
  membership: SegmentMembershipStore;
  catalog: Catalog;
  clock: Clock;
  log: Log;
  /** Profiles of a page scored at once: the work is waiting on DynamoDB, not on the CPU. */
  concurrency: number;
};

/** Stop taking pages when less than this is left of the invocation: a page of 100 profiles takes well under it. */
export const CONTINUE_MARGIN_MS = 120_000;

/**
 * A scoring worker: one task is one Scan segment of a run (or the rest of one). It scores the
 * segment's profiles page by page; when its invocation runs short of time it queues the rest of
 * the segment as a new task (carrying its totals) and returns, so no segment is bounded by
 * Lambda's 15 minutes. A finished segment records its totals for the run. A retried task redoes
 * its pages: scoring is idempotent (version-conditioned writes, transition ids on model events).
 */
export function makeScoreSegment(deps: ScoreSegmentDeps) {
  const segmentation = segmentationOf(deps.catalog);

  return async function scoreSegment(task: ScoringTask, remainingMs: () => number): Promise<SegmentResult | { continued: true; scanned: number }> {
    const run = await deps.runs.getRun(task.runId);
    if (!run) throw new Error(`scoring run ${task.runId} is not recorded; its planner did not finish`);
    const models = await deps.models.currentModels();
    const scoreProfile = makeScoreProfile({ ...deps, segmentation }, { runId: run.runId, models, cutPoints: run.cutPoints ?? undefined });
    const totals = emptyTotals();
    const started = performance.now();
    for await (const page of deps.scanner.scanPages(task.segment, task.totalSegments, task.startKey)) {
      for (let i = 0; i < page.profiles.length; i += deps.concurrency) {
        await Promise.all(page.profiles.slice(i, i + deps.concurrency).map((profile) => scoreProfile(profile, totals)));
      }
      totals.scanned += page.profiles.length;
      if (page.nextKey && remainingMs() < CONTINUE_MARGIN_MS) {
        totals.busyMs = Math.round(performance.now() - started);
        const carried = task.carried ? addTotals(task.carried, totals) : totals;
        await deps.tasks.enqueue([{ ...task, startKey: page.nextKey, carried, invocation: (task.invocation ?? 1) + 1 }]);
        deps.log.info('scoring segment continues in a new invocation', { runId: task.runId, segment: task.segment, scanned: carried.scanned });
        return { continued: true, scanned: carried.scanned };
      }
    }
    totals.busyMs = Math.round(performance.now() - started);
    const all = task.carried ? addTotals(task.carried, totals) : totals;
    const result: SegmentResult = { ...all, segment: task.segment, finishedAt: deps.clock.now().toISOString(), invocations: task.invocation ?? 1, profilesPerSecond: perSecond(all.scanned, all.busyMs) };
    await deps.runs.saveSegment(task.runId, result);
    deps.log.info('scoring segment finished', { runId: task.runId, ...result });
    return result;
  };
}
