import type { SegmentComparison, SegmentGroupTotals, SegmentPerformanceReport, SegmentPerformanceRow } from '../domain/reports/segment-performance.ts';
import { formatValue } from './format-value.ts';
import type { Block, CellValue, ColumnFormat, ReportDocument } from './report-document.ts';
import { SIGNIFICANCE_COLUMNS, significanceCells } from './significance-cells.ts';

/** The compared metrics in reading order, keyed as both the totals' rates and the comparison are, and how their values read. */
const METRICS = [
  { key: 'open', label: 'open', format: 'percent' },
  { key: 'click', label: 'click', format: 'percent' },
  { key: 'conversion', label: 'conversion', format: 'percent' },
  { key: 'revenuePerRecipient', label: 'revenue per email', format: 'money' },
  { key: 'unsubscribe', label: 'unsubscribe', format: 'percent' },
] as const satisfies ReadonlyArray<{ key: keyof SegmentComparison & keyof SegmentGroupTotals['rates']; label: string; format: ColumnFormat }>;

/**
 * The segment-performance report for people: the advice first, each item naming its segment, and
 * why a segment got none (too few emails); each segment's rates against its control group's with the
 * lift; every lift's test; the open and conversion rates side by side; and what the catalog
 * recommends sending each segment (document 001's actions). Without any delivered
 * email there is nothing to compare: a single note says so.
 */
export function segmentPerformanceDocument(report: SegmentPerformanceReport): ReportDocument {
  const { period, rows } = report;
  const head = {
    title: `segment performance, last ${period.days} days`,
    subtitle: `${period.from} – ${period.to}; each segment against its control group: everyone else mailed in the period`,
    generatedAt: report.generatedAt,
  };
  if (report.all.delivered === 0 || rows.length === 0) {
    const text = rows.length === 0 ? 'No segments yet: nothing to compare.' : 'No emails delivered in the period yet: nothing to compare.';
    return { ...head, blocks: [{ kind: 'notes', title: 'Recommendations', items: [{ severity: 'info', text }] }] };
  }
  // A test and a bar need deliveries on both sides; a segment as wide as everyone mailed has no control.
  const compared = rows.filter((row) => row.segment.delivered > 0 && row.control.delivered > 0);
  const advice = rows.flatMap(({ segmentId, recommendations, note }) => [
    ...recommendations.map(({ severity, message }) => ({ severity, text: `${segmentId}: ${message}` })),
    ...(note ? [{ severity: 'info' as const, text: `${segmentId}: ${note}` }] : []),
  ]);
  const blocks: Block[] = [
    { kind: 'notes', title: 'Recommendations', items: advice.length > 0 ? advice : [{ severity: 'info', text: `No recommendations (segments compared: ${rows.length}).` }] },
    {
      kind: 'table',
      title: 'Segments against their control group (segment / control / lift)',
      columns: [
        { key: 'segment', label: 'segment', format: 'text' },
        { key: 'delivered', label: 'delivered', format: 'int' },
        { key: 'controlDelivered', label: 'control delivered', format: 'int' },
        // Three values to a cell, preformatted, as 'number' for alignment: fifteen columns would not fit a terminal.
        ...METRICS.map(({ key, label }) => ({ key, label, format: 'number' as const })),
      ],
      rows: rows.map(segmentRow),
    },
    {
      kind: 'table',
      title: 'Tests of the lifts',
      columns: [{ key: 'segment', label: 'segment', format: 'text' }, { key: 'metric', label: 'metric', format: 'text' }, ...SIGNIFICANCE_COLUMNS],
      rows: compared.flatMap(({ segmentId, comparison }) =>
        // A rate's interval is a difference of rates; revenue's, of money per email.
        METRICS.map(({ key, label, format }) => ({ segment: segmentId, metric: label, ...significanceCells(comparison[key], format === 'money' ? 'money' : 'signed_percent') })),
      ),
    },
    rateBars('Open rate: segment vs control', compared, 'open'),
    rateBars('Conversion rate: segment vs control', compared, 'conversion'),
  ];
  // Document 001's recommended actions of each segment, where the catalog gives any.
  const withActions = rows.filter((row) => row.recommendedActions.length > 0);
  if (withActions.length > 0) {
    blocks.push({
      kind: 'table',
      title: "What to send each segment (the catalog's recommended actions)",
      columns: [
        { key: 'segment', label: 'segment', format: 'text' },
        { key: 'priority', label: 'priority', format: 'text' },
        { key: 'actions', label: 'recommended actions', format: 'text' },
      ],
      rows: withActions.map((row) => ({ segment: row.segmentId, priority: row.priority ?? '-', actions: row.recommendedActions.join(', ') })),
    });
  }
  return { ...head, blocks };
}

function segmentRow({ segmentId, segment, control, comparison }: SegmentPerformanceRow): Record<string, CellValue> {
  const cells: Record<string, CellValue> = { segment: segmentId, delivered: segment.delivered, controlDelivered: control.delivered };
  for (const { key, format } of METRICS) {
    cells[key] = [formatValue(segment.rates[key], format), formatValue(control.rates[key], format), formatValue(comparison[key].lift, 'signed_percent')].join(' / ');
  }
  return cells;
}

/** Rates are non-null on both sides of a compared row: each side delivered something. */
function rateBars(title: string, compared: readonly SegmentPerformanceRow[], rate: 'open' | 'conversion'): Block {
  return {
    kind: 'bars',
    title,
    categories: compared.map((row) => row.segmentId),
    series: (['segment', 'control'] as const).map((side) => ({ name: side, values: compared.map((row) => row[side].rates[rate]!) })),
    format: 'percent',
  };
}
