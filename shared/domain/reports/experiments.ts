import { compareVariants, pickWinner, type VariantCounters, type WinnerVerdict } from '../experiments.ts';
import type { Experiment, ExperimentMetric } from '../trigger-rules.ts';
import type { MeanDifferenceResult, ProportionTestResult } from './significance.ts';

/**
 * The experiments report: for every experiment of the catalog's rules and sequence steps, what each
 * variant did (from its own rollups) and each variant against the first (the control), with
 * significance and a verdict only once both have the minimum sample. Pure.
 */

/** Below this many sends on either side, a comparison shows its numbers but no verdict. */
export const MIN_SENDS_FOR_VERDICT = 100;
export const REPORT_CONFIDENCE = 0.95;

export const EXPERIMENT_METRICS: readonly ExperimentMetric[] = ['open_rate', 'click_rate', 'conversion_rate', 'revenue_per_send'];

export type VariantResult = {
  variantId: string;
  weight: number;
  /** What the variant changes: the overridden fields. */
  overrides: string[];
  counters: VariantCounters;
  deliveryRate: number | null;
  openRate: number | null;
  clickRate: number | null;
  conversionRate: number | null;
  revenuePerSend: number | null;
};

export type Verdict = 'better' | 'worse' | 'no_difference' | 'too_few_sends';

export type VariantComparison = {
  variantId: string;
  metric: ExperimentMetric;
  test: ProportionTestResult | MeanDifferenceResult;
  verdict: Verdict;
};

export type ExperimentResult = {
  /** The rule or sequence step (`seq_<sequence>__<step>`) the experiment is on. */
  scopeId: string;
  experimentId: string;
  controlId: string;
  variants: VariantResult[];
  /** Every non-control variant against the control, on each metric. */
  comparisons: VariantComparison[];
  /** The automatic winner's rule and where it stands (absent: the experiment has no autoWinner). */
  autoWinner?: { metric: ExperimentMetric; minSendsPerVariant: number; confidence: number; verdict: WinnerVerdict };
  /** A winner recorded by the scheduled check: it now gets all traffic. */
  recordedWinner?: { variantId: string; decidedAt: string };
};

export type ExperimentsReport = { generatedAt: string; minSendsForVerdict: number; confidence: number; experiments: ExperimentResult[] };

const rate = (successes: number, trials: number): number | null => (trials > 0 ? successes / trials : null);

export function experimentsReport(input: {
  experiments: ReadonlyArray<{ scopeId: string; experiment: Experiment; counters: ReadonlyMap<string, VariantCounters>; recordedWinner?: { variantId: string; decidedAt: string } }>;
  now: Date;
}): ExperimentsReport {
  return {
    generatedAt: input.now.toISOString(),
    minSendsForVerdict: MIN_SENDS_FOR_VERDICT,
    confidence: REPORT_CONFIDENCE,
    experiments: input.experiments.map(({ scopeId, experiment, counters, recordedWinner }) => {
      const variants = experiment.variants.map((variant): VariantResult => {
        const c = counters.get(variant.id) ?? { sent: 0, delivered: 0, opened: 0, clicked: 0, converted: 0, revenue: 0, revenue_sq: 0 };
        return {
          variantId: variant.id,
          weight: variant.weight,
          overrides: (['subject', 'preheader', 'templateId', 'sendTime'] as const).filter((field) => variant[field] !== undefined),
          counters: c,
          deliveryRate: rate(c.delivered, c.sent),
          openRate: rate(c.opened, c.delivered),
          clickRate: rate(c.clicked, c.delivered),
          conversionRate: rate(c.converted, c.delivered),
          revenuePerSend: c.sent > 0 ? c.revenue / c.sent : null,
        };
      });
      const control = variants[0]!;
      const comparisons = variants.slice(1).flatMap((variant) =>
        EXPERIMENT_METRICS.map((metric): VariantComparison => {
          const test = compareVariants(control.counters, variant.counters, metric, REPORT_CONFIDENCE);
          const enough = Math.min(control.counters.sent, variant.counters.sent) >= MIN_SENDS_FOR_VERDICT;
          const verdict: Verdict = !enough ? 'too_few_sends' : !test.significant || test.difference === null ? 'no_difference' : test.difference > 0 ? 'better' : 'worse';
          return { variantId: variant.variantId, metric, test, verdict };
        }),
      );
      const auto = experiment.autoWinner;
      return {
        scopeId,
        experimentId: experiment.id,
        controlId: control.variantId,
        variants,
        comparisons,
        ...(auto ? { autoWinner: { ...auto, verdict: pickWinner(variants.map((v) => ({ id: v.variantId, counters: v.counters })), auto) } } : {}),
        ...(recordedWinner ? { recordedWinner } : {}),
      };
    }),
  };
}
