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
      const raw = meanDecreaseInImpurity(forest as unknown as ForestInternals, PROFILE_FEATURES.length);
      const total = raw.reduce((a, b) => a + b, 0) || 1;
      return PROFILE_FEATURES.map((feature, index) => ({ feature, importance: raw[index]! / total }));
    },
    toJSON: () => forest.toJSON(),
  };
}

/** What {@link meanDecreaseInImpurity} reads of a trained ml-random-forest (its trees and each tree's feature subset). */
type ImpurityNode = { splitColumn?: number; gain?: number; numberSamples?: number; left?: ImpurityNode; right?: ImpurityNode };
export type ForestInternals = { estimators: Array<{ root: ImpurityNode }>; indexes: number[][] };

/**
 * Mean decrease in impurity per feature, as ml-random-forest's `featureImportance()` computes it
 * (each tree's split gains normalised to sum 1, then averaged), but written here because the
 * library divides 0 by 0 for a tree that never splits (a bootstrap of identical rows or of one
 * label, common in a young account), and one such tree turns every importance into NaN, which
 * DynamoDB then refuses to store. Such trees add nothing here. Always finite.
 */
/** A node's gain times its samples; 0 for a node with none (a leaf too small to split has gain −Infinity, which the library's JSON copy made null, i.e. 0). */
function weightedGain(node: ImpurityNode | undefined): number {
  return node !== undefined && Number.isFinite(node.gain) ? node.gain! * (node.numberSamples ?? 0) : 0;
}

export function meanDecreaseInImpurity(forest: ForestInternals, featureCount: number): number[] {
  const sums = new Array<number>(featureCount).fill(0);
  forest.estimators.forEach((tree, t) => {
    const perTree = new Array<number>(featureCount).fill(0);
    const visit = (node: ImpurityNode | undefined): void => {
      if (!node || node.splitColumn === undefined || !(node.gain! > 0)) return;
      const decrease = weightedGain(node) - weightedGain(node.left) - weightedGain(node.right);
      const column = forest.indexes[t]?.[node.splitColumn] ?? node.splitColumn;
      if (Number.isFinite(decrease) && column < featureCount) perTree[column] = perTree[column]! + decrease;
      visit(node.left);
      visit(node.right);
    };
    visit(tree.root);
    const total = perTree.reduce((a, b) => a + b, 0);
    if (total !== 0 && Number.isFinite(total)) perTree.forEach((value, column) => (sums[column] = sums[column]! + value / total));
  });
  return sums;
}

/**
 * The source's fixed-weight churn heuristic (churn risk = 1 − engagement score): the baseline a
 * trained churn model must beat on the holdout.
 */
export function heuristicChurnRisk(engagementScore: number): number {
  return Math.min(1, Math.max(0, 1 - engagementScore));
}
