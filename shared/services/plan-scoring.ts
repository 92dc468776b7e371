import { randomUUID } from 'node:crypto';
import { segmentationOf, type Catalog } from '../catalog/index.ts';
import type { Clock } from '../domain/clock.ts';
import type { Log, ModelStore, ScoringRunStore, ScoringTaskQueue } from '../domain/ports.ts';
import { HEURISTIC_MODEL_ID } from '../domain/predictive/heuristics.ts';
import { predictProfile } from '../domain/predictive/predict-profile.ts';
import { segmentsFor, type ScoringRun } from '../domain/predictive/scoring-runs.ts';
import { valueCutPoints } from '../domain/predictive/value-potential.ts';
import { evaluateProfile } from '../domain/profile-evaluation.ts';
import type { ProfileScanner } from './profile-scan.ts';

export type PlanScoringDeps = {
  scanner: ProfileScanner;
  /** How many profiles there are (the `profiles` index's item count), to size the fan-out by. */
  profileCount(): Promise<number>;
  models: ModelStore;
  runs: ScoringRunStore;
  tasks: ScoringTaskQueue;
  catalog: Catalog;
  clock: Clock;
  log: Log;
  segmentBounds: { min: number; max: number };
};

/** Profiles sampled for the value cut points: percentiles of 2,000 draws are within about ±2 points. */
export const CUT_POINT_SAMPLE = 2_000;
/** The sample reads whole Scan segments of this split, in order, until it has enough (each is a hash-spread slice of the table). */
const SAMPLE_SPLIT = 64;

/**
 * The scheduled scoring's first step: size the fan-out, sample the population for the value
 * cut points (so every worker classifies value potential against the same percentiles, without a
 * second pass), record the run, and queue one task per Scan segment for the scoring workers.
 */
export function makePlanScoring(deps: PlanScoringDeps) {
  const segmentation = segmentationOf(deps.catalog);
  const settings = deps.catalog.settings.predictive;

  return async function planScoring(): Promise<ScoringRun & { sampled: number }> {
    const now = deps.clock.now();
    const models = await deps.models.currentModels();
    // Readable and unique: two runs in the same minute (the schedule and a manual one) stay apart.
    const runId = `scoring-${now.toISOString().slice(0, 19)}-${randomUUID().slice(0, 8)}`;

    const predicted: number[] = [];
    for (let segment = 0; segment < SAMPLE_SPLIT && predicted.length < CUT_POINT_SAMPLE; segment++) {
      for await (const page of deps.scanner.scanSegment(segment, SAMPLE_SPLIT)) {
        for (const profile of page.profiles) {
          const { facts } = evaluateProfile({ profile, catalog: segmentation, now, triggerId: runId });
          predicted.push(predictProfile({ profile, facts, now, models, settings, cutPoints: undefined }).predictions.value!.predicted);
        }
        if (predicted.length >= CUT_POINT_SAMPLE) break;
      }
    }
    const run: ScoringRun = {
      runId,
      startedAt: now.toISOString(),
      totalSegments: segmentsFor(await deps.profileCount(), deps.segmentBounds),
      cutPoints: valueCutPoints(predicted, settings.valuePercentiles) ?? null,
      modelIds: {
        churn: models.churn?.modelId ?? HEURISTIC_MODEL_ID,
        purchaseIntent: models.purchaseIntent?.modelId ?? HEURISTIC_MODEL_ID,
        value: models.value?.modelId ?? HEURISTIC_MODEL_ID,
        interests: models.interests?.modelId ?? HEURISTIC_MODEL_ID,
      },
    };
    await deps.runs.saveRun(run);
    await deps.tasks.enqueue(Array.from({ length: run.totalSegments }, (_, segment) => ({ runId, segment, totalSegments: run.totalSegments })));
    deps.log.info('scoring planned', { ...run, sampled: predicted.length });
    return { ...run, sampled: predicted.length };
  };
}
