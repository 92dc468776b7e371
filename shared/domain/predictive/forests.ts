import { RandomForestClassifier } from 'ml-random-forest';
import { CHURN_FEATURES } from './churn-features.ts';

/**
 * The churn model: a random forest (ml-random-forest) over {@link CHURN_FEATURES}; its probability is
 * the share of trees voting "churns". Seeded, so the same examples train the same model.
 */
export const CHURN_FOREST_OPTIONS = {
  nEstimators: 60,
  maxFeatures: 0.6,
  replacement: true,
  useSampleBagging: true,
  noOOB: true,
  treeOptions: { maxDepth: 8, minNumSamples: 10 },
} as const;

export type TrainedChurnModel = {
  predict(rows: number[][]): number[];
  /** Mean decrease in impurity per feature, normalised to sum 1, in feature order. */
  featureImportances(): Array<{ feature: string; importance: number }>;
  toJSON(): unknown;
};

export function trainChurnModel(rows: number[][], labels: number[], seed: number): TrainedChurnModel {
  if (rows.length === 0) throw new RangeError('no training examples');
  if (new Set(labels).size < 2) throw new RangeError('the training examples need both churned and retained customers');
  const forest = new RandomForestClassifier({ ...CHURN_FOREST_OPTIONS, seed });
  forest.train(rows, labels);
  return wrap(forest);
}

export function loadChurnModel(json: unknown): TrainedChurnModel {
  return wrap(RandomForestClassifier.load(json as Parameters<typeof RandomForestClassifier.load>[0]));
}

function wrap(forest: RandomForestClassifier): TrainedChurnModel {
  return {
    predict: (rows) => forest.predictProbability(rows, 1),
    featureImportances: () => {
      const raw = (forest as unknown as { featureImportance(): number[] }).featureImportance();
      const total = raw.reduce((a, b) => a + b, 0) || 1;
      return CHURN_FEATURES.map((feature, index) => ({ feature, importance: (raw[index] ?? 0) / total }));
    },
    toJSON: () => forest.toJSON(),
  };
}

/**
 * The fallback when there is too little history to train: the source's fixed-weight engagement
 * score turned around (churn risk = 1 − engagement score). Also the baseline a trained model must beat.
 */
export function heuristicChurnRisk(engagementScore: number): number {
  return Math.min(1, Math.max(0, 1 - engagementScore));
}
