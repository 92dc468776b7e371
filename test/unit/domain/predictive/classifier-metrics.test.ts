import { describe, expect, it } from 'vitest';
import { calibration, precisionAt, rocAuc } from '#shared/domain/predictive/classifier-metrics.ts';

describe('ROC AUC', () => {
  it('matches hand-computed values: 3 of 4 positive-negative pairs ranked right is 0.75', () => {
    // Pairs (positive, negative): (0.35, 0.1) right, (0.35, 0.4) wrong, (0.8, 0.1) right, (0.8, 0.4) right.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 when every score ties', () => {
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
  });

  it('counts a tie between a positive and a negative as half a pair', () => {
    // Pairs: (0.6 vs 0.6) tie 0.5, (0.6 vs 0.2) 1, (0.9 vs 0.6) 1, (0.9 vs 0.2) 1 -> 3.5 / 4.
    expect(rocAuc([0.6, 0.9, 0.6, 0.2], [1, 1, 0, 0])).toBe(0.875);
  });

  it('is undefined (NaN) without both classes', () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
  });
});

describe('precision at a threshold', () => {
  it('counts what is flagged at or above it, and the recall', () => {
    expect(precisionAt([0.9, 0.8, 0.8, 0.3, 0.1], [1, 0, 1, 1, 0], 0.8)).toEqual({ precision: 2 / 3, flagged: 3, recall: 2 / 3 });
    expect(precisionAt([0.1], [1], 0.8).precision).toBeNaN();
  });
});

describe('calibration', () => {
  it('bins predictions and compares them with what happened; Brier is the mean squared error', () => {
    const { bins, brier } = calibration([0.05, 0.15, 0.95, 0.85], [0, 1, 1, 1], 2);
    expect(bins).toEqual([
      { from: 0, to: 0.5, count: 2, meanPredicted: expect.closeTo(0.1, 12), observedRate: 0.5 },
      { from: 0.5, to: 1, count: 2, meanPredicted: expect.closeTo(0.9, 12), observedRate: 1 },
    ]);
    expect(brier).toBeCloseTo((0.05 ** 2 + 0.85 ** 2 + 0.05 ** 2 + 0.15 ** 2) / 4, 12);
  });
});
