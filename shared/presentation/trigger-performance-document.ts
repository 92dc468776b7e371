import type { TriggerPerformanceReport, TriggerTotals } from '../domain/reports/trigger-performance.ts';
import { formatValue } from './format-value.ts';
import type { Block, CellValue, ReportDocument } from './report-document.ts';

const COLUMNS = [
  { key: 'trigger', label: 'trigger', format: 'text' },
  { key: 'matched', label: 'matched', format: 'int' },
  { key: 'fired', label: 'fired', format: 'int' },
  { key: 'suppressed', label: 'suppressed', format: 'int' },
  { key: 'sent', label: 'sent', format: 'int' },
  { key: 'delivered', label: 'delivered', format: 'int' },
  { key: 'open', label: 'open', format: 'percent' },
  { key: 'click', label: 'click', format: 'percent' },
  { key: 'converted', label: 'converted', format: 'int' },
  { key: 'revenue', label: 'revenue', format: 'money' },
  { key: 'allTimeSent', label: 'all-time sent', format: 'int' },
  { key: 'allTimeRevenue', label: 'all-time revenue', format: 'money' },
] as const satisfies Extract<Block, { kind: 'table' }>['columns'];

/**
 * The trigger-performance report for people: all triggers' sends to conversions per day of the last
 * 30 days, as trend lines; a row per rule or sequence step that ever matched or sent (last 30 days,
 * with all-time sends and revenue) and the totals; a funnel, sent to converted, per rule or step
 * that sent in the last 30 days (a funnel of zeros says nothing); the triggers with no activity yet,
 * by name, worth seeing since a rule that never matches may be misconfigured; and each active
 * rule's own success metrics (its catalog `successMetrics`), as counted for it.
 */
export function triggerPerformanceDocument(report: TriggerPerformanceReport): ReportDocument {
  const active = report.rows.filter((row) => row.allTime.matched > 0 || row.allTime.sent > 0);
  const quiet = report.rows.filter((row) => !active.includes(row));
  const blocks: Block[] = [
    {
      kind: 'lines',
      title: 'Last 30 days',
      x: report.daily.map((d) => d.day),
      series: (['sent', 'delivered', 'opened', 'clicked', 'converted'] as const).map((name) => ({ name, values: report.daily.map((d) => d[name]) })),
      format: 'int',
    },
    {
      kind: 'table',
      title: 'Rules and sequence steps',
      columns: [...COLUMNS],
      rows: active.map((row) => cells(row.id, row.last30Days, row.allTime)),
      footer: cells('total', report.totals.last30Days, report.totals.allTime),
    },
    {
      kind: 'funnel',
      title: 'Last 30 days, from sent to converted',
      funnels: report.rows
        .filter((row) => row.last30Days.sent > 0)
        .map(({ id, last30Days: t }) => ({
          name: id,
          steps: [
            { label: 'sent', value: t.sent },
            { label: 'delivered', value: t.delivered },
            { label: 'opened', value: t.opened },
            { label: 'clicked', value: t.clicked },
            { label: 'converted', value: t.converted },
          ],
        })),
    },
  ];
  const measured = active.filter((row) => row.success.length > 0);
  if (measured.length > 0) {
    blocks.push({
      kind: 'table',
      title: "Each rule's success metrics, last 30 days (rate per delivered email)",
      columns: [
        { key: 'trigger', label: 'trigger', format: 'text' },
        { key: 'metric', label: 'success metric', format: 'text' },
        { key: 'count', label: 'count', format: 'int' },
        { key: 'rate', label: 'rate', format: 'percent' },
      ],
      rows: measured.flatMap((row) => row.success.map(({ metric, count, rate }) => ({ trigger: row.id, metric, count, rate }))),
    });
  }
  const held = report.rows.filter((row) => row.incrementality !== undefined);
  if (held.length > 0) {
    const interval = (value: { estimate: number; low: number; high: number } | null, format: 'money' | 'number') =>
      value === null ? '-' : `${formatValue(value.estimate, format)} [${formatValue(value.low, format)}, ${formatValue(value.high, format)}]`;
    blocks.push({
      kind: 'table',
      title: 'Attributed and incremental revenue, rules with a holdout (last 30 days; incremental: decision days whose window has closed, 95% interval)',
      columns: [
        { key: 'trigger', label: 'trigger', format: 'text' },
        { key: 'attributed', label: 'attributed revenue', format: 'money' },
        { key: 'incremental', label: 'incremental revenue', format: 'text' },
        { key: 'conversions', label: 'incremental conversions', format: 'text' },
        { key: 'groups', label: 'treated / control', format: 'text' },
        { key: 'verdict', label: 'verdict', format: 'text' },
      ],
      rows: held.map((row) => ({
        trigger: row.id,
        attributed: row.last30Days.revenue,
        incremental: interval(row.incrementality!.last30Days.incrementalRevenue, 'money'),
        conversions: interval(row.incrementality!.last30Days.incrementalConversions, 'number'),
        groups: `${row.incrementality!.last30Days.treated} / ${row.incrementality!.last30Days.control}`,
        verdict: row.incrementality!.last30Days.verdict.replaceAll('_', ' '),
      })),
    });
  }
  if (quiet.length > 0) blocks.push({ kind: 'notes', title: 'Quiet triggers', items: [{ severity: 'info', text: `no activity yet: ${quiet.map((row) => row.id).join(', ')}` }] });
  return {
    // The CLI's people view has always started with this line; keep it for readers and scripts alike.
    title: `trigger performance, last 30 days (${report.last30Days.from} to ${report.last30Days.to}) and all time`,
    generatedAt: report.generatedAt,
    blocks,
  };
}

function cells(trigger: string, t: TriggerTotals, allTime: TriggerTotals): Record<(typeof COLUMNS)[number]['key'], CellValue> {
  return {
    trigger,
    matched: t.matched,
    fired: t.fired,
    suppressed: t.suppressed.total,
    sent: t.sent,
    delivered: t.delivered,
    open: t.rates.open,
    click: t.rates.click,
    converted: t.converted,
    revenue: t.revenue,
    allTimeSent: allTime.sent,
    allTimeRevenue: allTime.revenue,
  };
}
