import type { Clock } from '../domain/clock.ts';
import type { ChurnModelWriter, ChurnSnapshotStore, Log } from '../domain/ports.ts';
import type { TrainingReport } from '../domain/predictive/model-records.ts';
import { CHURN_FEATURES } from '../domain/predictive/churn-features.ts';
import { heuristicChurnRisk, trainChurnModel } from '../domain/predictive/churn-model.ts';
import { splitByTime, type ChurnSnapshot } from '../domain/predictive/churn-snapshots.ts';
import { calibration, precisionAt, rocAuc } from '../domain/predictive/classifier-metrics.ts';

/** Below these, the history is too thin to learn from: the scoring keeps the documented heuristic. */
export const MIN_TRAINING_EXAMPLES = 200;
export const MIN_CHURNED_EXAMPLES = 20;
/** The churn model's operating threshold (the source's "high risk"), where precision is reported. */
const REPORTED_THRESHOLD = 0.8;

export type TrainDeps = {
  snapshots: Pick<ChurnSnapshotStore, 'labelled'>;
  models: ChurnModelWriter;
  clock: Clock;
  log: Log;
};

/**
 * The scheduled churn training: every labelled snapshot of the account's own history, split by
 * time (the newest snapshot days are the holdout), a random forest trained on the older part and
 * judged on the newer one against the fixed-weight heuristic. The model replaces the current one
 * only when it ranks churners better than the heuristic on that holdout; every attempt is recorded.
 */
export function makeTrainChurnModel(deps: TrainDeps) {
  return async function trainChurn(): Promise<TrainingReport> {
    const now = deps.clock.now();
    const snapshots: ChurnSnapshot[] = [];
    for await (const snapshot of deps.snapshots.labelled()) if (snapshot.features.length === CHURN_FEATURES.length) snapshots.push(snapshot);
    const churned = snapshots.filter((s) => s.label === 1).length;
    const base = { trainedAt: now.toISOString(), examples: snapshots.length, churned, modelId: null, holdout: null, featureImportances: [] };
    const { train, holdout, holdoutFrom } = splitByTime(snapshots);
    const trainChurned = train.filter((s) => s.label === 1).length;
    const holdoutChurned = holdout.filter((s) => s.label === 1).length;
    if (train.length < MIN_TRAINING_EXAMPLES || trainChurned < MIN_CHURNED_EXAMPLES || holdout.length === 0 || holdoutChurned === 0 || holdoutChurned === holdout.length) {
      const report: TrainingReport = {
        ...base,
        outcome: 'not_enough_history',
        reason: `${snapshots.length} labelled snapshots (${churned} churned): training needs ${MIN_TRAINING_EXAMPLES} before the holdout with ${MIN_CHURNED_EXAMPLES} churned, and a later holdout with both outcomes; the scoring keeps the heuristic`,
      };
      await deps.models.saveTrainingReport(report);
      deps.log.info('churn training skipped', { ...report });
      return report;
    }

    const model = trainChurnModel(train.map((s) => s.features), train.map((s) => s.label!), Math.floor(now.getTime() / 86_400_000));
    const labels = holdout.map((s) => s.label!);
    const scores = model.predict(holdout.map((s) => s.features));
    const engagement = CHURN_FEATURES.indexOf('engagement_score');
    const heuristic = holdout.map((s) => heuristicChurnRisk(s.features[engagement] ?? 0));
    const atThreshold = precisionAt(scores, labels, REPORTED_THRESHOLD);
    const metrics = {
      from: holdoutFrom!,
      examples: holdout.length,
      churned: holdoutChurned,
      auc: rocAuc(scores, labels),
      heuristicAuc: rocAuc(heuristic, labels),
      precisionAtThreshold: Number.isFinite(atThreshold.precision) ? atThreshold.precision : null,
      recallAtThreshold: Number.isFinite(atThreshold.recall) ? atThreshold.recall : null,
      brier: calibration(scores, labels).brier,
    };
    const featureImportances = model.featureImportances().sort((a, b) => b.importance - a.importance);
    const modelId = `churn-${now.toISOString().slice(0, 10)}`;
    const better = metrics.auc > metrics.heuristicAuc;
    const report: TrainingReport = {
      ...base,
      outcome: better ? 'trained' : 'kept_heuristic',
      reason: better
        ? `holdout AUC ${metrics.auc.toFixed(3)} beats the heuristic's ${metrics.heuristicAuc.toFixed(3)}: ${modelId} scores from now on`
        : `holdout AUC ${metrics.auc.toFixed(3)} does not beat the heuristic's ${metrics.heuristicAuc.toFixed(3)}: the current scoring stays`,
      modelId: better ? modelId : null,
      holdout: metrics,
      featureImportances,
    };
    if (better) await deps.models.saveChurnModel({ modelId, trainedAt: report.trainedAt, metrics: { ...metrics, examples: train.length, churned: trainChurned }, featureImportances, model: model.toJSON() });
    await deps.models.saveTrainingReport(report);
    deps.log.info('churn training finished', { ...report, featureImportances: featureImportances.slice(0, 5) });
    return report;
  };
}
