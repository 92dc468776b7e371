import { describe, expect, it } from 'vitest';
import { rocAuc } from '#shared/domain/predictive/classifier-metrics.ts';
import { PURCHASE_INTENT_BOOSTING, loadBoostedClassifier, trainBoostedClassifier, type BoostingOptions } from '#shared/domain/predictive/gradient-boosting.ts';
import { seededRandom } from '#shared/domain/seeded-random.ts';

const FEATURES = ['x0', 'x1', 'noise2', 'noise3', 'noise4'] as const;

/**
 * Five features uniform in -1..1; the label is drawn with p = sigmoid(3·x0 − 4·x1² + 1), so only x0
 * and x1 matter and x1 only through its square (no single threshold on x1 separates it).
 */
function synthetic(count: number, seed: number): { rows: number[][]; labels: number[] } {
  const random = seededRandom(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const row = FEATURES.map(() => random() * 2 - 1);
    const logit = 3 * row[0]! - 4 * row[1]! ** 2 + 1;
    rows.push(row);
    labels.push(random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0);
  }
  return { rows, labels };
}

// Lighter than PURCHASE_INTENT_BOOSTING so the file runs in seconds: ml-cart's split search grows with
// the square of the sampled rows.
const TEST_BOOSTING: BoostingOptions = { rounds: 40, learningRate: 0.2, maxDepth: 3, minNumSamples: 10, subsample: 0.5, seed: 1 };

describe('the gradient-boosted classifier', () => {
  const train = synthetic(1_500, 11);
  const holdout = synthetic(1_500, 12);
  const model = trainBoostedClassifier(train.rows, train.labels, TEST_BOOSTING);
  const predictions = model.predict(holdout.rows);

  it('learns the nonlinear signal: holdout AUC above 0.8, and above the best single feature', () => {
    const auc = rocAuc(predictions, holdout.labels);
    // P(label | x0) rises with x0, so x0 itself is the best ranking any model of x0 alone can give.
    const x0Auc = rocAuc(holdout.rows.map((row) => row[0]!), holdout.labels);
    expect(auc).toBeGreaterThan(0.8);
    expect(auc).toBeGreaterThan(x0Auc + 0.02);
  });

  it('predicts probabilities within 0..1, also for rows far outside the training range', () => {
    const extreme = [[1e6, 0, 0, 0, 0], [-1e6, 1e6, -1e6, 1e6, -1e6]];
    for (const p of [...predictions, ...model.predict(extreme)]) {
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
  });

  it('ranks the informative features above the noise, with importances summing to 1 in feature order', () => {
    const importances = model.featureImportances(FEATURES);
    expect(importances.map((i) => i.feature)).toEqual([...FEATURES]);
    expect(importances.reduce((sum, i) => sum + i.importance, 0)).toBeCloseTo(1, 10);
    const [x0, x1, ...noise] = importances.map((i) => i.importance);
    for (const n of noise) {
      expect(x0).toBeGreaterThan(n);
      expect(x1).toBeGreaterThan(n);
    }
    expect(() => model.featureImportances(['x0'])).toThrow(RangeError);
  });

  it('round-trips through JSON: the loaded model predicts identically', () => {
    const loaded = loadBoostedClassifier(JSON.parse(JSON.stringify(model.toJSON())));
    expect(loaded.predict(holdout.rows)).toEqual(predictions);
    expect(loaded.featureImportances(FEATURES)).toEqual(model.featureImportances(FEATURES));
  });

  it('refuses JSON that is not one of its models', () => {
    expect(() => loadBoostedClassifier({ name: 'DTRegression' })).toThrow(RangeError);
    expect(() => loadBoostedClassifier(null)).toThrow(RangeError);
  });

  it('refuses rows of another width than it was trained on', () => {
    expect(() => model.predict([[0.1, 0.2]])).toThrow(RangeError);
  });
});

describe('training the gradient-boosted classifier', () => {
  const small = synthetic(300, 21);

  it('is deterministic in its seed: the same seed gives identical predictions, another seed other ones', () => {
    const options = { ...TEST_BOOSTING, rounds: 10 };
    const a = trainBoostedClassifier(small.rows, small.labels, options).predict(small.rows);
    const b = trainBoostedClassifier(small.rows, small.labels, options).predict(small.rows);
    const c = trainBoostedClassifier(small.rows, small.labels, { ...options, seed: 2 }).predict(small.rows);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('keeps the stored model small: 80 rounds of depth-3 trees well under 350 KB of JSON', () => {
    // 400 rows is plenty to fill every tree to depth 3 (8 leaves) with minNumSamples 10.
    const data = synthetic(400, 31);
    const model = trainBoostedClassifier(data.rows, data.labels, { ...PURCHASE_INTENT_BOOSTING, seed: 1 });
    expect(JSON.stringify(model.toJSON()).length).toBeLessThan(350_000);
  });

  it('throws a RangeError without examples, with a single class, or with labels other than 0 and 1', () => {
    expect(() => trainBoostedClassifier([], [], TEST_BOOSTING)).toThrow(RangeError);
    expect(() => trainBoostedClassifier(small.rows, small.rows.map(() => 1), TEST_BOOSTING)).toThrow(RangeError);
    expect(() => trainBoostedClassifier(small.rows, small.rows.map(() => 0), TEST_BOOSTING)).toThrow(RangeError);
    expect(() => trainBoostedClassifier([[1], [2]], [0, 2], TEST_BOOSTING)).toThrow(RangeError);
  });

  it('throws a RangeError on options it cannot train with', () => {
    expect(() => trainBoostedClassifier(small.rows, small.labels, { ...TEST_BOOSTING, subsample: 0 })).toThrow(RangeError);
    expect(() => trainBoostedClassifier(small.rows, small.labels, { ...TEST_BOOSTING, rounds: 0 })).toThrow(RangeError);
  });
});
