/**
 * How good a probability is at ranking and at its threshold, on labelled examples (1 = the event
 * happened, e.g. churned). Hand-written: these are a few lines each, and the ml-* packages do not
 * offer AUC or calibration.
 */

/** Area under the ROC curve: the chance a random positive is ranked above a random negative (ties count half). */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((score, index) => ({ score, label: labels[index]! })).sort((a, b) => a.score - b.score);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]!.score === order[i]!.score) j += 1;
    const averageRank = (i + 1 + j) / 2; // 1-based ranks i+1..j share their mean
    for (let k = i; k < j; k++) {
      if (order[k]!.label === 1) {
        positives += 1;
        rankSum += averageRank;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Of the examples scored at or above `threshold`, the share that are positive (NaN when none is). */
export function precisionAt(scores: readonly number[], labels: readonly number[], threshold: number): { precision: number; flagged: number; recall: number } {
  let flagged = 0;
  let truePositives = 0;
  let positives = 0;
  scores.forEach((score, index) => {
    if (labels[index] === 1) positives += 1;
    if (score >= threshold) {
      flagged += 1;
      if (labels[index] === 1) truePositives += 1;
    }
  });
  return { precision: flagged === 0 ? Number.NaN : truePositives / flagged, flagged, recall: positives === 0 ? Number.NaN : truePositives / positives };
}

export type CalibrationBin = { from: number; to: number; count: number; meanPredicted: number; observedRate: number };

/** Predicted vs observed rates in equal-width bins, with the Brier score (mean squared error of the probability). */
export function calibration(scores: readonly number[], labels: readonly number[], bins = 10): { bins: CalibrationBin[]; brier: number } {
  const sums = Array.from({ length: bins }, () => ({ count: 0, predicted: 0, observed: 0 }));
  let squaredError = 0;
  scores.forEach((score, index) => {
    const label = labels[index]!;
    squaredError += (score - label) ** 2;
    const bin = sums[Math.min(bins - 1, Math.max(0, Math.floor(score * bins)))]!;
    bin.count += 1;
    bin.predicted += score;
    bin.observed += label;
  });
  return {
    bins: sums.flatMap((bin, index) =>
      bin.count === 0 ? [] : [{ from: index / bins, to: (index + 1) / bins, count: bin.count, meanPredicted: bin.predicted / bin.count, observedRate: bin.observed / bin.count }],
    ),
    brier: scores.length === 0 ? Number.NaN : squaredError / scores.length,
  };
}
