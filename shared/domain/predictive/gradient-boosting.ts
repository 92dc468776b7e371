// @ts-expect-error -- ml-cart ships no type declarations; the little of it used here is typed below.
import { DecisionTreeRegression } from 'ml-cart';
import { seededRandom } from '../seeded-random.ts';

/**
 * A binary classifier by gradient boosting with the logistic loss. No npm gradient-boosting package
 * is well kept, so the boosting loop is hand-written; ml-cart grows each round's regression tree.
 * The trees are kept as compact tuples rather than ml-cart's JSON, which repeats the options in every
 * node (~4 KB a tree; 80 trees would come near the 350 KB a stored model may take).
 *
 * Cost: ml-cart re-partitions the rows for every candidate threshold, so a tree costs about
 * features × (sampled rows)²: with 15 features ~0.8 s at 1,200 rows, ~6 s at 4,000 (80 rounds: 8 min).
 */
export type BoostingOptions = { rounds: number; learningRate: number; maxDepth: number; minNumSamples: number; subsample: number; seed: number };

/** 40 rounds of half-sampled rows: with training capped at 3,000 examples, about a minute in the training Lambda. */
export const PURCHASE_INTENT_BOOSTING: Readonly<Omit<BoostingOptions, 'seed'>> = {
  rounds: 40,
  learningRate: 0.2,
  maxDepth: 3,
  minNumSamples: 10,
  subsample: 0.5,
};

export type BoostedClassifier = {
  /** The probability of label 1, in 0..1. */
  predict(rows: number[][]): number[];
  /** Squared-error reduction of each feature's splits, normalised to sum 1, in feature order. */
  featureImportances(featureNames: readonly string[]): Array<{ feature: string; importance: number }>;
  toJSON(): unknown;
};

/** A leaf value, or a split: rows with row[column] < threshold go to `lesser` (ml-cart's rule). */
type Tree = number | [column: number, threshold: number, lesser: Tree, greaterOrEqual: Tree];

type BoostedModelJson = {
  kind: 'gradient-boosted-trees';
  featureCount: number;
  /** Log-odds of the training base rate: the score before any tree. */
  baseScore: number;
  learningRate: number;
  trees: Tree[];
  /** Unnormalised squared-error reduction per feature, summed over every split of every tree. */
  splitGains: number[];
};

/** The part of ml-cart's regression tree used here. */
type CartNode = { splitColumn?: number; splitValue?: number; left?: CartNode; right?: CartNode; distribution?: number };
type CartRegressionTree = { train(rows: number[][], values: number[]): void; toJSON(): { root: CartNode } };
const CartTree = DecisionTreeRegression as new (options: { gainFunction: 'regression'; splitFunction: 'mean'; minNumSamples: number; maxDepth: number }) => CartRegressionTree;

export function trainBoostedClassifier(rows: number[][], labels: number[], options: BoostingOptions): BoostedClassifier {
  checkTrainingSet(rows, labels);
  checkOptions(options);
  const featureCount = rows[0]!.length;
  const baseRate = labels.reduce((sum, label) => sum + label, 0) / labels.length;
  const baseScore = Math.log(baseRate / (1 - baseRate));
  const scores = rows.map(() => baseScore);
  const random = seededRandom(options.seed);
  const trees: Tree[] = [];
  const splitGains = new Array<number>(featureCount).fill(0);

  for (let round = 0; round < options.rounds; round++) {
    // The negative gradient of the logistic loss in the score: y − p.
    const residuals = labels.map((label, i) => label - sigmoid(scores[i]!));
    const sample = subsample(rows.length, options.subsample, random);
    const tree = fitTree(sample.map((i) => rows[i]!), sample.map((i) => residuals[i]!), options);
    addSplitGains(tree, sample, rows, residuals, splitGains);
    // ml-cart leaves hold the mean residual, not the Newton step Σr / Σp(1−p); the learning rate absorbs the difference.
    rows.forEach((row, i) => {
      scores[i] = scores[i]! + options.learningRate * leafValue(tree, row);
    });
    trees.push(tree);
  }
  return wrap({ kind: 'gradient-boosted-trees', featureCount, baseScore, learningRate: options.learningRate, trees, splitGains });
}

export function loadBoostedClassifier(json: unknown): BoostedClassifier {
  if (!isModelJson(json)) throw new RangeError('not a gradient-boosted model');
  return wrap(json);
}

function wrap(model: BoostedModelJson): BoostedClassifier {
  return {
    predict: (rows) =>
      rows.map((row) => {
        if (row.length !== model.featureCount) throw new RangeError(`expected ${model.featureCount} features, got ${row.length}`);
        return sigmoid(model.baseScore + model.learningRate * model.trees.reduce<number>((sum, tree) => sum + leafValue(tree, row), 0));
      }),
    featureImportances: (featureNames) => {
      if (featureNames.length !== model.featureCount) throw new RangeError(`expected ${model.featureCount} feature names, got ${featureNames.length}`);
      const total = model.splitGains.reduce((a, b) => a + b, 0) || 1;
      return featureNames.map((feature, index) => ({ feature, importance: model.splitGains[index]! / total }));
    },
    toJSON: () => model,
  };
}

function fitTree(rows: number[][], residuals: number[], options: BoostingOptions): Tree {
  const cart = new CartTree({ gainFunction: 'regression', splitFunction: 'mean', minNumSamples: options.minNumSamples, maxDepth: options.maxDepth });
  cart.train(rows, residuals);
  return compact(cart.toJSON().root);
}

/** ml-cart's node as a tuple; like its own classify, a node is a split only when it has both children. */
function compact(node: CartNode): Tree {
  if (node.left && node.right) return [node.splitColumn!, node.splitValue!, compact(node.left), compact(node.right)];
  if (typeof node.distribution !== 'number') throw new TypeError('ml-cart regression leaf without a value');
  return node.distribution;
}

function leafValue(tree: Tree, row: readonly number[]): number {
  let node = tree;
  while (typeof node !== 'number') node = row[node[0]]! < node[1] ? node[2] : node[3];
  return node;
}

/**
 * Adds each split's reduction of the squared error over the rows the tree was grown on. Computed here
 * because ml-cart's node `gain` is, for regression, the error left after the split, and the error
 * before it is not stored.
 */
function addSplitGains(tree: Tree, indices: readonly number[], rows: readonly number[][], residuals: readonly number[], into: number[]): void {
  if (typeof tree === 'number') return;
  const [column, threshold, lesserTree, greaterTree] = tree;
  const lesser: number[] = [];
  const greater: number[] = [];
  for (const i of indices) (rows[i]![column]! < threshold ? lesser : greater).push(i);
  const reduction = squaredError(indices, residuals) - squaredError(lesser, residuals) - squaredError(greater, residuals);
  into[column] = into[column]! + Math.max(0, reduction);
  addSplitGains(lesserTree, lesser, rows, residuals, into);
  addSplitGains(greaterTree, greater, rows, residuals, into);
}

function squaredError(indices: readonly number[], values: readonly number[]): number {
  if (indices.length === 0) return 0;
  const mean = indices.reduce((sum, i) => sum + values[i]!, 0) / indices.length;
  return indices.reduce((sum, i) => sum + (values[i]! - mean) ** 2, 0);
}

/** A share of the row indices drawn without replacement (partial Fisher–Yates), in row order. */
function subsample(count: number, share: number, random: () => number): number[] {
  const indices = Array.from({ length: count }, (_, i) => i);
  const size = Math.max(1, Math.round(count * share));
  if (size >= count) return indices;
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (count - i));
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return indices.slice(0, size).sort((a, b) => a - b);
}

/** Written in two halves so a large |score| cannot overflow Math.exp. */
function sigmoid(score: number): number {
  if (score >= 0) return 1 / (1 + Math.exp(-score));
  const e = Math.exp(score);
  return e / (1 + e);
}

function checkTrainingSet(rows: readonly number[][], labels: readonly number[]): void {
  if (rows.length === 0) throw new RangeError('no training examples');
  if (labels.length !== rows.length) throw new RangeError(`${rows.length} rows but ${labels.length} labels`);
  if (labels.some((label) => label !== 0 && label !== 1)) throw new RangeError('labels must be 0 or 1');
  if (new Set(labels).size < 2) throw new RangeError('the training examples need both labels, 0 and 1');
  const width = rows[0]!.length;
  if (width === 0 || rows.some((row) => row.length !== width || row.some((value) => !Number.isFinite(value)))) {
    throw new RangeError(`every row needs ${width} finite features`);
  }
}

function checkOptions(options: BoostingOptions): void {
  const { rounds, learningRate, maxDepth, minNumSamples, subsample } = options;
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError('rounds must be a positive integer');
  if (!(learningRate > 0 && learningRate <= 1)) throw new RangeError('learningRate must be in (0, 1]');
  if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new RangeError('maxDepth must be a positive integer');
  if (!Number.isInteger(minNumSamples) || minNumSamples < 1) throw new RangeError('minNumSamples must be a positive integer');
  if (!(subsample > 0 && subsample <= 1)) throw new RangeError('subsample must be in (0, 1]');
}

function isModelJson(json: unknown): json is BoostedModelJson {
  if (typeof json !== 'object' || json === null) return false;
  const model = json as Partial<Record<keyof BoostedModelJson, unknown>>;
  return (
    model.kind === 'gradient-boosted-trees' &&
    Number.isInteger(model.featureCount) &&
    typeof model.baseScore === 'number' &&
    typeof model.learningRate === 'number' &&
    Array.isArray(model.trees) &&
    model.trees.every(isTree) &&
    Array.isArray(model.splitGains) &&
    model.splitGains.length === model.featureCount &&
    model.splitGains.every((gain) => typeof gain === 'number')
  );
}

function isTree(tree: unknown): tree is Tree {
  if (typeof tree === 'number') return true;
  return Array.isArray(tree) && tree.length === 4 && typeof tree[0] === 'number' && typeof tree[1] === 'number' && isTree(tree[2]) && isTree(tree[3]);
}
