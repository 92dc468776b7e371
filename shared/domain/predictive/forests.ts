import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import { PROFILE_FEATURES } from './profile-features.ts';

/**
 * The random-forest models (ml-random-forest, seeded, so the same examples train the same model):
 * churn, a classifier whose probability is the share of trees voting "churns"; and the value over
 * the horizon, a regression forest averaging its trees. Both over {@link PROFILE_FEATURES}.
 */
export const CHURN_FOREST_OPTIONS = {
  nEstimators: 60,
  maxFeatures: 0.6,
  replacement: true,
  useSampleBagging: true,
  noOOB: true,
  treeOptions: { maxDepth: 8, minNumSamples: 10 },
} as const;

/** Shallower leaves with more samples: revenue is noisy, a deep tree would memorise single big orders. */
export const VALUE_FOREST_OPTIONS = {
  nEstimators: 40,
  maxFeatures: 0.6,
  replacement: true,
  useSampleBagging: true,
  noOOB: true,
  selectionMethod: 'mean',
  treeOptions: { maxDepth: 6, minNumSamples: 20 },
} as const;

export type TrainedModel = {
  predict(rows: number[][]): number[];
  /** Mean decrease in impurity per feature, normalised to sum 1, in feature order. */
  featureImportances(): Array<{ feature: string; importance: number }>;
  toJSON(): unknown;
};

export function trainChurnModel(rows: number[][], labels: number[], seed: number): TrainedModel {
  if (rows.length === 0) throw new RangeError('no training examples');
  if (new Set(labels).size < 2) throw new RangeError('the training examples need both churned and retained customers');
  const forest = new RandomForestClassifier({ ...CHURN_FOREST_OPTIONS, seed });
  forest.train(rows, labels);
  return wrap(forest, (f, r) => f.predictProbability(r, 1));
}

export function loadChurnModel(json: unknown): TrainedModel {
  return wrap(RandomForestClassifier.load(json as Parameters<typeof RandomForestClassifier.load>[0]), (f, r) => f.predictProbability(r, 1));
}

export function trainValueModel(rows: number[][], revenue: number[], seed: number): TrainedModel {
  if (rows.length === 0) throw new RangeError('no training examples');
  const forest = new RandomForestRegression({ ...VALUE_FOREST_OPTIONS, seed });
  forest.train(rows, revenue);
  return wrap(forest, (f, r) => f.predict(r).map((v) => Math.max(0, v)));
}

export function loadValueModel(json: unknown): TrainedModel {
  return wrap(RandomForestRegression.load(json as Parameters<typeof RandomForestRegression.load>[0]), (f, r) => f.predict(r).map((v) => Math.max(0, v)));
}

function wrap<F extends RandomForestClassifier | RandomForestRegression>(forest: F, predict: (forest: F, rows: number[][]) => number[]): TrainedModel {
  return {
    predict: (rows) => predict(forest, rows),
    featureImportances: () => {
      const raw = (forest as unknown as { featureImportance(): number[] }).featureImportance();
      const total = raw.reduce((a, b) => a + b, 0) || 1;
      return PROFILE_FEATURES.map((feature, index) => ({ feature, importance: (raw[index] ?? 0) / total }));
    },
    toJSON: () => forest.toJSON(),
  };
}

/**
 * The source's fixed-weight churn heuristic (churn risk = 1 − engagement score): the baseline a
 * trained churn model must beat on the holdout.
 */
export function heuristicChurnRisk(engagementScore: number): number {
  return Math.min(1, Math.max(0, 1 - engagementScore));
}
