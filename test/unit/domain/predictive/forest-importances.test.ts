import { RandomForestClassifier } from 'ml-random-forest';
import { describe, expect, it } from 'vitest';
import { CHURN_FOREST_OPTIONS, meanDecreaseInImpurity, trainChurnModel, trainValueModel, type ForestInternals } from '#shared/domain/predictive/forests.ts';
import { PROFILE_FEATURES } from '#shared/domain/predictive/profile-features.ts';
import { seededRandom } from '#shared/domain/seeded-random.ts';

/** Rows where churn follows the first two features, the rest are noise. */
function dataset(count: number, seed: number) {
  const random = seededRandom(seed);
  const rows = Array.from({ length: count }, () => PROFILE_FEATURES.map(() => random()));
  const labels = rows.map((row) => (row[0]! + 0.5 * row[1]! + 0.2 * random() > 0.9 ? 1 : 0));
  return { rows, labels };
}

describe('random-forest feature importances', () => {
  it("equal ml-random-forest's own where the library's are defined (every tree splits)", () => {
    const { rows, labels } = dataset(300, 5);
    const forest = new RandomForestClassifier({ ...CHURN_FOREST_OPTIONS, seed: 11 });
    forest.train(rows, labels);
    const theirs = (forest as unknown as { featureImportance(): number[] }).featureImportance();
    const raw = meanDecreaseInImpurity(forest as unknown as ForestInternals, PROFILE_FEATURES.length);
    const total = raw.reduce((a, b) => a + b, 0);
    expect(theirs.every(Number.isFinite)).toBe(true);
    raw.forEach((value, i) => expect(value / total).toBeCloseTo(theirs[i]!, 10));
    // And through the model: the feature the label follows most comes first.
    const ranked = trainChurnModel(rows, labels, 11).featureImportances().sort((a, b) => b.importance - a.importance);
    expect(ranked[0]!.feature).toBe(PROFILE_FEATURES[0]);
  });

  it('stay finite and sum to 1 or 0 when trees cannot split (identical rows)', () => {
    const rows = Array.from({ length: 60 }, () => PROFILE_FEATURES.map(() => 1));
    const churn = trainChurnModel(rows, rows.map((_, i) => i % 2), 3).featureImportances().map((f) => f.importance);
    const value = trainValueModel(rows, rows.map((_, i) => i), 3).featureImportances().map((f) => f.importance);
    for (const importances of [churn, value]) {
      expect(importances.every(Number.isFinite)).toBe(true);
      expect([0, 1]).toContain(Math.round(importances.reduce((a, b) => a + b, 0) * 1e9) / 1e9);
    }
  });
});
