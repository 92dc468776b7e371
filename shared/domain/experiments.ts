import { createHash } from 'node:crypto';
import { meanDifference, twoProportionZTest, type MeanDifferenceResult, type ProportionTestResult } from './reports/significance.ts';
import type { Experiment, ExperimentMetric, ExperimentVariant } from './trigger-rules.ts';

/**
 * Content and send-time experiments (issue 24, items 4 and 5): which variant a customer gets, and
 * whether one variant has won. Pure.
 *
 * Assignment is a stable hash, like the holdout's (send-decision.ts), of the customer, the rule or
 * step and the experiment: a customer keeps their variant for as long as the experiment runs, two
 * experiments split customers independently, and the shares converge on the weights.
 */

/** The customer's variant of an experiment on a rule or step (`scopeId`); a recorded winner takes all traffic. */
export function assignVariant(customerId: string, scopeId: string, experiment: Experiment, winnerId?: string): ExperimentVariant {
  const winner = winnerId !== undefined ? experiment.variants.find((variant) => variant.id === winnerId) : undefined;
  if (winner) return winner;
  const total = experiment.variants.reduce((sum, variant) => sum + variant.weight, 0);
  const point = unitHash(`${scopeId}\u0000${experiment.id}\u0000${customerId}`) * total;
  let cumulative = 0;
  for (const variant of experiment.variants) {
    cumulative += variant.weight;
    if (point < cumulative) return variant;
  }
  return experiment.variants.at(-1)!; // rounding at the top end
}

/** A uniform number in [0, 1) from a string: the first 48 bits of its SHA-256. */
function unitHash(key: string): number {
  return createHash('sha256').update(key).digest().readUIntBE(0, 6) / 2 ** 48;
}

/** The rollup scope of one variant's counters: apart from the rule's own (`experiment:<rule>:<experiment>:<variant>`). */
export const variantScope = (scopeId: string, experimentId: string, variantId: string): string => `experiment:${scopeId}:${experimentId}:${variantId}`;

/** The counters one variant's rollups keep (a send's steps, and the revenue of its conversions with its square). */
export const VARIANT_COUNTERS = ['sent', 'delivered', 'opened', 'clicked', 'converted'] as const;
export type VariantCounters = Record<(typeof VARIANT_COUNTERS)[number] | 'revenue' | 'revenue_sq', number>;

export const emptyVariantCounters = (): VariantCounters => ({ sent: 0, delivered: 0, opened: 0, clicked: 0, converted: 0, revenue: 0, revenue_sq: 0 });

/** A variant's metric against another's: a two-proportion test for the rates, Welch's for revenue per send. */
export function compareVariants(control: VariantCounters, variant: VariantCounters, metric: ExperimentMetric, confidence: number): ProportionTestResult | MeanDifferenceResult {
  switch (metric) {
    case 'open_rate':
      return twoProportionZTest({ successes: control.opened, trials: control.delivered }, { successes: variant.opened, trials: variant.delivered }, { confidence });
    case 'click_rate':
      return twoProportionZTest({ successes: control.clicked, trials: control.delivered }, { successes: variant.clicked, trials: variant.delivered }, { confidence });
    case 'conversion_rate':
      return twoProportionZTest({ successes: control.converted, trials: control.delivered }, { successes: variant.converted, trials: variant.delivered }, { confidence });
    case 'revenue_per_send':
      return meanDifference(revenuePerSend(control), revenuePerSend(variant), { confidence });
  }
}

/**
 * Revenue per send as a sample: n sends, the mean, and the sample variance from the sums of revenue
 * and its square (a send without a conversion adds 0 to both). Each conversion's revenue is squared
 * alone, so a send converting twice counts as two smaller sends would: slightly low variance, rare.
 */
export function revenuePerSend(counters: VariantCounters): { n: number; mean: number; variance: number } {
  const n = counters.sent;
  if (n === 0) return { n: 0, mean: 0, variance: 0 };
  const mean = counters.revenue / n;
  const variance = n > 1 ? Math.max(0, (counters.revenue_sq - n * mean * mean) / (n - 1)) : 0;
  return { n, mean, variance };
}

export type WinnerVerdict =
  | { type: 'winner'; variantId: string; metric: ExperimentMetric; confidence: number; evidence: Array<{ against: string; difference: number; pValue: number }> }
  | { type: 'too_few_sends'; variantId: string; sends: number; needed: number }
  | { type: 'no_winner' };

/**
 * The automatic winner, if there is one: every variant has at least `minSendsPerVariant` sends and
 * one variant beats every other on the metric, each comparison significant at `confidence`
 * (Bonferroni-corrected for the k − 1 comparisons, so more variants do not make a false winner
 * likelier). The check is repeated as data arrives, which inflates the false-winner rate of a
 * fixed test ("peeking"); a high confidence (0.99) and a large minimum sample keep it low.
 */
export function pickWinner(
  variants: ReadonlyArray<{ id: string; counters: VariantCounters }>,
  rule: { metric: ExperimentMetric; minSendsPerVariant: number; confidence: number },
): WinnerVerdict {
  const short = variants.find((variant) => variant.counters.sent < rule.minSendsPerVariant);
  if (short) return { type: 'too_few_sends', variantId: short.id, sends: short.counters.sent, needed: rule.minSendsPerVariant };
  const comparisons = Math.max(1, variants.length - 1);
  const confidence = 1 - (1 - rule.confidence) / comparisons;
  for (const candidate of variants) {
    const evidence: Array<{ against: string; difference: number; pValue: number }> = [];
    for (const other of variants) {
      if (other === candidate) continue;
      const test = compareVariants(other.counters, candidate.counters, rule.metric, confidence);
      if (!test.significant || test.difference === null || test.difference <= 0 || test.pValue === null) break;
      evidence.push({ against: other.id, difference: test.difference, pValue: test.pValue });
    }
    if (evidence.length === variants.length - 1) return { type: 'winner', variantId: candidate.id, metric: rule.metric, confidence: rule.confidence, evidence };
  }
  return { type: 'no_winner' };
}

/** A winner as recorded by the scheduled check: from `decidedAt` on it gets every treated customer. */
export type RecordedWinner = {
  scopeId: string;
  experimentId: string;
  variantId: string;
  decidedAt: string;
  metric: ExperimentMetric;
  confidence: number;
  minSendsPerVariant: number;
  /** Each comparison it won, and every variant's counters when it was decided. */
  evidence: Array<{ against: string; difference: number; pValue: number }>;
  counters: Record<string, VariantCounters>;
};

/** Where recorded winners are kept (a Get per experiment key; the first record stands). */
export interface ExperimentWinners {
  /** The recorded winners among these experiment keys (`experimentKey`). */
  find(keys: readonly string[]): Promise<Map<string, RecordedWinner>>;
  /** Records a winner unless one is recorded already; false when one was. */
  record(winner: RecordedWinner): Promise<boolean>;
}
