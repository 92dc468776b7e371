import type { ExperimentDecision, MeanComparison, RateComparison, SegmentExperimentReport } from '../domain/reports/segment-experiment.ts';
import { formatValue } from './format-value.ts';
import type { CellValue, ColumnFormat, ReportDocument } from './report-document.ts';

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
          { key: 'lift', label: 'lift', format: 'signed_percent' },
          // Preformatted cells, as 'number' for alignment: two decimals would show a p-value of 0.0004 as 0.
          { key: 'pValue', label: 'p-value', format: 'number' },
          { key: 'interval', label: 'confidence interval (difference)', format: 'text' },
          { key: 'significant', label: 'significant', format: 'text' },
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
  return { metric, control: c.control.rate, variant: c.variant.rate, ...testCells(c, 'signed_percent') };
}

/** A score, not a rate: its means and interval keep their own format in the rates' columns. */
function engagementRow(c: MeanComparison): Record<string, CellValue> {
  const mean = (value: number | null) => (value === null ? null : formatValue(value, 'number'));
  return { metric: 'average engagement', control: mean(c.control.mean), variant: mean(c.variant.mean), ...testCells(c, 'number') };
}

function testCells(c: RateComparison | MeanComparison, differenceFormat: ColumnFormat): Record<string, CellValue> {
  const interval = c.confidenceInterval;
  return {
    lift: c.lift,
    pValue: c.pValue === null ? null : c.pValue < 0.001 ? '< 0.001' : c.pValue.toFixed(3),
    interval: interval === null ? null : `${formatValue(interval[0], differenceFormat)} to ${formatValue(interval[1], differenceFormat)}`,
    significant: c.significant ? 'yes' : 'no',
  };
}
