export type ValuePotential = 'high' | 'medium' | 'low';
/** The population's predicted-value percentiles a run classifies against, and how many profiles they came from. */
export type ValueCutPoints = { high: number; medium: number; sampled: number };

/**
 * Cut points from a sample of predicted values: the `high` and `medium` percentiles (nearest rank).
 * A run samples a few thousand profiles before it scores, so every worker classifies against the same
 * numbers without a second pass over the population. Undefined for an empty sample. Pure.
 */
export function valueCutPoints(sample: readonly number[], percentiles: { high: number; medium: number }): ValueCutPoints | undefined {
  if (sample.length === 0) return undefined;
  const sorted = [...sample].sort((a, b) => a - b);
  const at = (percentile: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((percentile / 100) * sorted.length) - 1))]!;
  return { high: at(percentiles.high), medium: at(percentiles.medium), sampled: sorted.length };
}

/**
 * High at or above the high cut point, medium at or above the medium one; a customer predicted to
 * spend nothing is low whatever the percentiles say (in a young shop most predictions are 0). Pure.
 */
export function valuePotential(predicted: number, cutPoints: ValueCutPoints | undefined): ValuePotential {
  if (predicted <= 0 || !cutPoints) return 'low';
  return predicted >= cutPoints.high ? 'high' : predicted >= cutPoints.medium ? 'medium' : 'low';
}
