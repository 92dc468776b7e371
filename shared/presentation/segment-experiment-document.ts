import type { ExperimentDecision, MeanComparison, RateComparison, SegmentExperimentReport } from '../domain/reports/segment-experiment.ts';
import { formatValue } from './format-value.ts';
import type { CellValue, ReportDocument } from './report-document.ts';
import { SIGNIFICANCE_COLUMNS, significanceCells } from './significance-cells.ts';

const DECISIONS: Record<ExperimentDecision, string> = { adopt_variant: 'adopt the variant', keep_control: 'keep the control', inconclusive: 'inconclusive' };

const RATES = [
  ['openRate', 'open rate'],
  ['clickRate', 'click rate'],
  ['conversionRate', 'conversion rate'],
] as const;

/**
 * The segment experiment for people: the decision and why, with the caveats that should stop anyone
 * acting on it (small groups, large overlap) as warnings; what each group's members did; each
 * metric compared with its significance; and the rates side by side.
 */
export function segmentExperimentDocument(report: SegmentExperimentReport): ReportDocument {
  const { groups, comparisons, recommendation, period } = report;
  // A bar needs a value: a rate without trials (no sends, no members) is left out of the chart.
  const rates = RATES.filter(([key]) => comparisons[key].control.rate !== null && comparisons[key].variant.rate !== null);
  return {
    title: `segment experiment "${report.name}", last ${period.days} days (${period.from} to ${period.to})`,
    subtitle: `${report.profilesScanned} profiles scanned, ${report.overlap.members} in both groups`,
    generatedAt: report.generatedAt,
    blocks: [
      {
        kind: 'notes',
        title: `Recommendation: ${DECISIONS[recommendation.decision]}`,
        items: [{ severity: 'info', text: recommendation.message }, ...recommendation.notes.map((text) => ({ severity: 'warning' as const, text }))],
      },
      {
        kind: 'table',
        title: 'Groups',
        columns: [
          { key: 'group', label: 'group', format: 'text' },
          { key: 'members', label: 'members', format: 'int' },
          { key: 'emailRecipients', label: 'email recipients', format: 'int' },
          { key: 'sends', label: 'sends', format: 'int' },
          { key: 'opens', label: 'opens', format: 'int' },
          { key: 'clicks', label: 'clicks', format: 'int' },
          { key: 'purchasers', label: 'purchasers', format: 'int' },
          { key: 'purchases', label: 'purchases', format: 'int' },
          { key: 'averageEngagement', label: 'average engagement', format: 'number' },
          { key: 'scoredMembers', label: 'scored members', format: 'int' },
        ],
        rows: [{ group: 'control', ...groups.control }, { group: 'variant', ...groups.variant }],
      },
      {
        kind: 'table',
        title: 'Variant against control',
        columns: [
          { key: 'metric', label: 'metric', format: 'text' },
          { key: 'control', label: 'control', format: 'percent' },
          { key: 'variant', label: 'variant', format: 'percent' },
          ...SIGNIFICANCE_COLUMNS,
        ],
        rows: [...RATES.map(([key, label]) => rateRow(label, comparisons[key])), engagementRow(comparisons.averageEngagement)],
      },
      {
        kind: 'bars',
        title: 'Rates, control and variant',
        categories: rates.map(([, label]) => label),
        series: (['control', 'variant'] as const).map((group) => ({ name: group, values: rates.map(([key]) => comparisons[key][group].rate!) })),
        format: 'percent',
      },
    ],
  };
}

function rateRow(metric: string, c: RateComparison): Record<string, CellValue> {
  return { metric, control: c.control.rate, variant: c.variant.rate, ...significanceCells(c, 'signed_percent') };
}

/** A score, not a rate: its means and interval keep their own format in the rates' columns. */
function engagementRow(c: MeanComparison): Record<string, CellValue> {
  const mean = (value: number | null) => (value === null ? null : formatValue(value, 'number'));
  return { metric: 'average engagement', control: mean(c.control.mean), variant: mean(c.variant.mean), ...significanceCells(c, 'number') };
}
