import type { Clock } from '../domain/clock.ts';
import type { Log, ModelWriter, TrainingSnapshotStore } from '../domain/ports.ts';
import { fitInterestModel } from '../domain/predictive/content-interests.ts';
import { heuristicChurnRisk, trainChurnModel, trainValueModel, type TrainedModel } from '../domain/predictive/forests.ts';
import { PURCHASE_INTENT_BOOSTING, trainBoostedClassifier } from '../domain/predictive/gradient-boosting.ts';
import { heuristicPurchaseIntent, heuristicValue } from '../domain/predictive/heuristics.ts';
import type { ClassifierHoldout, ModelKind, RegressionHoldout, TrainingReport } from '../domain/predictive/model-records.ts';
import type { PredictiveSettings } from '../domain/predictive/predict-profile.ts';
import { feature, PROFILE_FEATURES } from '../domain/predictive/profile-features.ts';
import { splitByTime, type TrainingSnapshot } from '../domain/predictive/training-snapshots.ts';
import { calibration, precisionAt, rocAuc } from '../domain/predictive/classifier-metrics.ts';
import { forEachProfile, type ProfileScanner } from './profile-scan.ts';

/** Below these, the history is too thin to learn from: the scoring keeps the documented heuristic. */
export const MIN_TRAINING_EXAMPLES = 200;
export const MIN_POSITIVE_EXAMPLES = 20;
/**
 * At most this many training examples per model (evenly spaced picks over the training part): the
 * trees (ml-cart) cost about features × rows² to grow, so 3,000 keeps each model to about a minute
 * in the training Lambda. The holdout is never capped.
 */
export const MAX_TRAINING_EXAMPLES = 3_000;
/** Content interests need this many profiles with at least two categories to say which categories go together. */
export const MIN_INTEREST_PROFILES = 50;

export type TrainDeps = {
  snapshots: Pick<TrainingSnapshotStore, 'labelled'>;
  /** Every profile's content categories, for the interest model (a parallel Scan). */
  scanner: ProfileScanner;
  totalSegments: number;
  models: ModelWriter;
  settings: PredictiveSettings;
  clock: Clock;
  log: Log;
};

export type TrainingRun = Record<ModelKind, TrainingReport>;

/**
 * The scheduled training, every model from the account's own history:
 * - churn (random forest), purchase intent (gradient boosting) and value over the horizon (random
 *   forest regression) from the labelled weekly snapshots, split by time (the newest snapshot days
 *   are the holdout). Each is judged on that holdout against its heuristic and replaces the current
 *   model only when it does better (AUC for the classifiers, mean absolute error for value);
 * - content interests (item-based collaborative filtering) from every profile's categories.
 * Every attempt is recorded, kept or not.
 */
export function makeTrainModels(deps: TrainDeps) {
  const { settings } = deps;

  return async function trainModels(): Promise<TrainingRun> {
    const now = deps.clock.now();
    const seed = Math.floor(now.getTime() / 86_400_000);
    const snapshots: TrainingSnapshot[] = [];
    for await (const snapshot of deps.snapshots.labelled()) if (snapshot.features.length === PROFILE_FEATURES.length) snapshots.push(snapshot);
    const engagement = (row: number[]) => heuristicChurnRisk(feature(row, 'engagement_score'));

    const churn = await trainClassifier({
      kind: 'churn',
      name: 'churned',
      examples: snapshots.flatMap((s) => (s.label === undefined ? [] : [{ at: s.at, features: s.features, label: s.label }])),
      train: (rows, labels) => trainChurnModel(rows, labels, seed),
      heuristic: engagement,
      threshold: settings.churnSegments.high,
      now,
    });
    const purchaseIntent = await trainClassifier({
      kind: 'purchase_intent',
      name: 'purchased',
      examples: snapshots.flatMap((s) => (s.purchased === undefined ? [] : [{ at: s.at, features: s.features, label: s.purchased }])),
      train: (rows, labels) => {
        const model = trainBoostedClassifier(rows, labels, { ...PURCHASE_INTENT_BOOSTING, seed });
        return { predict: model.predict, toJSON: model.toJSON, featureImportances: () => model.featureImportances(PROFILE_FEATURES) };
      },
      heuristic: (row) => heuristicPurchaseIntent(row, settings),
      threshold: settings.purchaseIntentEventThreshold,
      now,
    });
    const value = await trainValue(
      snapshots.flatMap((s) => (s.revenue === undefined ? [] : [{ at: s.at, features: s.features, revenue: s.revenue }])),
      seed,
      now,
    );
    const interests = await trainInterests(now);
    const run: TrainingRun = { churn, purchase_intent: purchaseIntent, value, content_interests: interests };
    for (const report of Object.values(run)) await deps.models.saveTrainingReport(report);
    deps.log.info('training finished', Object.fromEntries(Object.entries(run).map(([kind, r]) => [kind, { outcome: r.outcome, reason: r.reason }])));
    return run;
  };

  async function trainClassifier(input: {
    kind: 'churn' | 'purchase_intent';
    name: string;
    examples: Array<{ at: string; features: number[]; label: 0 | 1 }>;
    train: (rows: number[][], labels: number[]) => TrainedModel;
    heuristic: (row: number[]) => number;
    threshold: number;
    now: Date;
  }): Promise<TrainingReport> {
    const { kind, examples, now } = input;
    const positives = examples.filter((e) => e.label === 1).length;
    const base = { kind, trainedAt: now.toISOString(), examples: examples.length, positives, modelId: null, holdout: null, featureImportances: [] };
    const { train, holdout, holdoutFrom } = splitByTime(examples);
    const trainPositives = train.filter((e) => e.label === 1).length;
    const holdoutPositives = holdout.filter((e) => e.label === 1).length;
    if (train.length < MIN_TRAINING_EXAMPLES || trainPositives < MIN_POSITIVE_EXAMPLES || trainPositives === train.length || holdout.length === 0 || holdoutPositives === 0 || holdoutPositives === holdout.length) {
      return {
        ...base,
        outcome: 'not_enough_history',
        reason: `${examples.length} labelled snapshots (${positives} ${input.name}): training needs ${MIN_TRAINING_EXAMPLES} before the holdout with ${MIN_POSITIVE_EXAMPLES} ${input.name}, and a later holdout with both outcomes; the scoring keeps the heuristic`,
      };
    }
    const fit = capped(train);
    const model = input.train(fit.map((e) => e.features), fit.map((e) => e.label));
    const labels = holdout.map((e) => e.label);
    const scores = model.predict(holdout.map((e) => e.features));
    const atThreshold = precisionAt(scores, labels, input.threshold);
    const metrics: ClassifierHoldout = {
      from: holdoutFrom!,
      examples: holdout.length,
      positives: holdoutPositives,
      auc: rocAuc(scores, labels),
      heuristicAuc: rocAuc(holdout.map((e) => input.heuristic(e.features)), labels),
      threshold: input.threshold,
      precisionAtThreshold: Number.isFinite(atThreshold.precision) ? atThreshold.precision : null,
      recallAtThreshold: Number.isFinite(atThreshold.recall) ? atThreshold.recall : null,
      brier: calibration(scores, labels).brier,
    };
    const better = metrics.auc > metrics.heuristicAuc;
    const verdict = `holdout AUC ${metrics.auc.toFixed(3)} ${better ? 'beats' : 'does not beat'} the heuristic's ${metrics.heuristicAuc.toFixed(3)}`;
    return keep(kind, better, verdict, { ...base, holdout: metrics }, model, { ...metrics, trainExamples: fit.length, trainPositives: fit.filter((e) => e.label === 1).length });
  }

  async function trainValue(examples: Array<{ at: string; features: number[]; revenue: number }>, seed: number, now: Date): Promise<TrainingReport> {
    const base = { kind: 'value' as const, trainedAt: now.toISOString(), examples: examples.length, positives: null, modelId: null, holdout: null, featureImportances: [] };
    const { train, holdout, holdoutFrom } = splitByTime(examples);
    if (train.length < MIN_TRAINING_EXAMPLES || holdout.length === 0 || !train.some((e) => e.revenue > 0)) {
      return {
        ...base,
        outcome: 'not_enough_history',
        reason: `${examples.length} snapshots with ${settings.valueHorizonDays} days of revenue after them: training needs ${MIN_TRAINING_EXAMPLES} before the holdout, some with revenue, and a later holdout; the scoring keeps the heuristic`,
      };
    }
    const fit = capped(train);
    const model = trainValueModel(fit.map((e) => e.features), fit.map((e) => e.revenue), seed);
    const actual = holdout.map((e) => e.revenue);
    const predicted = model.predict(holdout.map((e) => e.features));
    const heuristic = holdout.map((e) => heuristicValue(e.features, settings));
    const metrics: RegressionHoldout = {
      from: holdoutFrom!,
      examples: holdout.length,
      meanActual: round(mean(actual)),
      mae: round(mean(actual.map((a, i) => Math.abs(a - predicted[i]!)))),
      heuristicMae: round(mean(actual.map((a, i) => Math.abs(a - heuristic[i]!)))),
      rmse: round(Math.sqrt(mean(actual.map((a, i) => (a - predicted[i]!) ** 2)))),
      heuristicRmse: round(Math.sqrt(mean(actual.map((a, i) => (a - heuristic[i]!) ** 2)))),
    };
    const better = metrics.mae < metrics.heuristicMae;
    const verdict = `holdout mean absolute error ${metrics.mae.toFixed(2)} ${better ? 'beats' : 'does not beat'} the heuristic's ${metrics.heuristicMae.toFixed(2)}`;
    return keep('value', better, verdict, { ...base, holdout: metrics }, model, { ...metrics, trainExamples: fit.length });
  }

  async function trainInterests(now: Date): Promise<TrainingReport> {
    const vectors: Array<Record<string, number>> = [];
    await forEachProfile({ scanner: deps.scanner, totalSegments: deps.totalSegments, progress: (scanned) => deps.log.info('interest training progress', { scanned }) }, async (profile) => {
      if (Object.keys(profile.categories).length > 0) vectors.push(profile.categories);
    });
    const multi = vectors.filter((v) => Object.keys(v).length >= 2).length;
    const base = { kind: 'content_interests' as const, trainedAt: now.toISOString(), examples: vectors.length, positives: null, holdout: null, featureImportances: [] };
    if (multi < MIN_INTEREST_PROFILES) {
      return {
        ...base,
        modelId: null,
        outcome: 'not_enough_history',
        reason: `${multi} profiles with two or more content categories: similar-customer interests need ${MIN_INTEREST_PROFILES}; interests come from each customer's own categories`,
      };
    }
    const model = fitInterestModel(vectors);
    const modelId = `content_interests-${now.toISOString().slice(0, 10)}`;
    await deps.models.saveModel({ kind: 'content_interests', modelId, trainedAt: base.trainedAt, metrics: { profiles: vectors.length, categories: model.categories.length }, featureImportances: [], model });
    return { ...base, modelId, outcome: 'trained', reason: `${model.categories.length} categories from ${vectors.length} profiles: ${modelId} adds what similar customers like` };
  }

  async function keep(
    kind: ModelKind,
    better: boolean,
    verdict: string,
    report: Omit<TrainingReport, 'outcome' | 'reason'>,
    model: Pick<TrainedModel, 'toJSON' | 'featureImportances'>,
    metrics: Record<string, unknown>,
  ): Promise<TrainingReport> {
    const modelId = `${kind}-${report.trainedAt.slice(0, 10)}`;
    const featureImportances = model.featureImportances().sort((a, b) => b.importance - a.importance);
    if (better) await deps.models.saveModel({ kind, modelId, trainedAt: report.trainedAt, metrics, featureImportances, model: model.toJSON() });
    return {
      ...report,
      featureImportances,
      modelId: better ? modelId : null,
      outcome: better ? 'trained' : 'kept_heuristic',
      reason: better ? `${verdict}: ${modelId} scores from now on` : `${verdict}: the current scoring stays`,
    };
  }
}

function capped<T>(examples: T[]): T[] {
  if (examples.length <= MAX_TRAINING_EXAMPLES) return examples;
  const step = examples.length / MAX_TRAINING_EXAMPLES;
  return Array.from({ length: MAX_TRAINING_EXAMPLES }, (_, i) => examples[Math.floor(i * step)]!);
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
