import type { ExperimentMetric } from '../domain/trigger-rules.ts';
import type { ExperimentResult, ExperimentsReport, Verdict } from '../domain/reports/experiments.ts';
import type { Block, ColumnFormat } from './report-document.ts';
import type { ReportDocument } from './report-document.ts';
import { SIGNIFICANCE_COLUMNS, significanceCells } from './significance-cells.ts';

const METRICS: Record<ExperimentMetric, { label: string; format: ColumnFormat; difference: ColumnFormat }> = {
  open_rate: { label: 'open rate', format: 'percent', difference: 'signed_percent' },
  click_rate: { label: 'click rate', format: 'percent', difference: 'signed_percent' },
  conversion_rate: { label: 'conversion rate', format: 'percent', difference: 'signed_percent' },
  revenue_per_send: { label: 'revenue per send', format: 'money', difference: 'money' },
};
const VERDICTS: Record<Verdict, string> = { better: 'better', worse: 'worse', no_difference: 'no difference', too_few_sends: 'too few sends' };

/**
 * The experiments for people: per experiment, where the automatic winner stands, what each variant
 * did, each variant against the control with its significance, and the rates side by side.
 */
export function experimentsDocument(report: ExperimentsReport): ReportDocument {
  return {
    title: 'content and send-time experiments',
    subtitle: `${report.experiments.length} experiment${report.experiments.length === 1 ? '' : 's'}; a verdict needs ${report.minSendsForVerdict} sends on each side, significance at ${Math.round(report.confidence * 100)} %`,
    generatedAt: report.generatedAt,
    blocks:
      report.experiments.length === 0
        ? [{ kind: 'notes', title: 'No experiments', items: [{ severity: 'info', text: 'No rule or sequence step of the catalog declares an experiment.' }] }]
        : report.experiments.flatMap(experimentBlocks),
  };
}

function experimentBlocks(result: ExperimentResult): Block[] {
  const name = `${result.scopeId} / ${result.experimentId}`;
  const notes: Array<{ severity: 'info' | 'warning'; text: string }> = [];
  if (result.recordedWinner) notes.push({ severity: 'info', text: `Winner recorded: ${result.recordedWinner.variantId} (${result.recordedWinner.decidedAt}); it now gets all traffic.` });
  if (result.autoWinner) {
    const { verdict, metric, minSendsPerVariant, confidence } = result.autoWinner;
    const rule = `automatic winner on ${METRICS[metric].label} at ${Math.round(confidence * 1000) / 10} % after ${minSendsPerVariant} sends per variant`;
    notes.push({
      severity: 'info',
      text:
        verdict.type === 'winner'
          ? `${rule}: ${verdict.variantId} beats ${verdict.evidence.map((e) => `${e.against} (p ${e.pValue < 0.001 ? '< 0.001' : e.pValue.toFixed(3)})`).join(', ')}`
          : verdict.type === 'too_few_sends'
            ? `${rule}: waiting, ${verdict.variantId} has ${verdict.sends} of ${verdict.needed} sends`
            : `${rule}: no variant beats all others yet`,
    });
  }
  const rated = result.variants.filter((variant) => variant.openRate !== null);
  return [
    ...(notes.length > 0 ? [{ kind: 'notes' as const, title: `${name}: status`, items: notes }] : []),
    {
      kind: 'table',
      title: `${name}: variants (control ${result.controlId})`,
      columns: [
        { key: 'variant', label: 'variant', format: 'text' },
        { key: 'weight', label: 'weight', format: 'number' },
        { key: 'overrides', label: 'overrides', format: 'text' },
        { key: 'sent', label: 'sent', format: 'int' },
        { key: 'delivered', label: 'delivered', format: 'int' },
        { key: 'openRate', label: 'open rate', format: 'percent' },
        { key: 'clickRate', label: 'click rate', format: 'percent' },
        { key: 'conversionRate', label: 'conversion rate', format: 'percent' },
        { key: 'revenuePerSend', label: 'revenue per send', format: 'money' },
      ],
      rows: result.variants.map((v) => ({
        variant: v.variantId,
        weight: v.weight,
        overrides: v.overrides.join(', ') || '(none)',
        sent: v.counters.sent,
        delivered: v.counters.delivered,
        openRate: v.openRate,
        clickRate: v.clickRate,
        conversionRate: v.conversionRate,
        revenuePerSend: v.revenuePerSend,
      })),
    },
    {
      kind: 'table',
      title: `${name}: against the control`,
      columns: [{ key: 'variant', label: 'variant', format: 'text' }, { key: 'metric', label: 'metric', format: 'text' }, ...SIGNIFICANCE_COLUMNS, { key: 'verdict', label: 'verdict', format: 'text' }],
      rows: result.comparisons.map((c) => ({ variant: c.variantId, metric: METRICS[c.metric].label, ...significanceCells(c.test, METRICS[c.metric].difference), verdict: VERDICTS[c.verdict] })),
    },
    ...(rated.length > 0
      ? [
          {
            kind: 'bars' as const,
            title: `${name}: rates per variant`,
            categories: (['open_rate', 'click_rate', 'conversion_rate'] as const).map((metric) => METRICS[metric].label),
            series: rated.map((v) => ({ name: v.variantId, values: [v.openRate ?? 0, v.clickRate ?? 0, v.conversionRate ?? 0] })),
            format: 'percent' as const,
          },
        ]
      : []),
  ];
}
