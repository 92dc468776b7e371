import { percent } from '../domain/reports/numbers.ts';
import type { Interval, SuccessVerdict } from '../domain/reports/success-verdict.ts';
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
 * rule's and step's own success metrics (its catalog `successMetrics`), as counted for it, with
 * its target and verdict, and a warning for each metric that fails its target.
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
  // A rule that starts a sequence sends nothing itself: its emails, and their metrics, are its steps' rows.
  const measured = active.filter((row) => row.success.length > 0 && !(row.startsSequence !== undefined && row.allTime.sent === 0));
  const viaSteps = active.filter((row) => row.success.length > 0 && !measured.includes(row));
  if (measured.length > 0) {
    blocks.push({
      kind: 'table',
      title: "Each rule's success metrics (and each sequence step's), last 30 days: rate per delivered email, against its target",
      columns: [
        { key: 'trigger', label: 'trigger', format: 'text' },
        { key: 'metric', label: 'success metric', format: 'text' },
        { key: 'count', label: 'count', format: 'int' },
        { key: 'delivered', label: 'delivered', format: 'int' },
        { key: 'rate', label: 'rate', format: 'percent' },
        { key: 'target', label: 'target', format: 'percent' },
        { key: 'interval', label: `${percent(report.successCriteria.confidence)} interval`, format: 'text' },
        { key: 'verdict', label: 'verdict', format: 'text' },
      ],
      rows: measured.flatMap((row) =>
        row.success.map((s) => ({ trigger: row.id, metric: s.metric, count: s.count, delivered: s.delivered, rate: s.rate, target: s.target, interval: intervalText(s.interval), verdict: verdictText(s.verdict) })),
      ),
    });
  }
  const judged = measured.flatMap((row) => row.success.filter((s) => s.target !== null).map((s) => ({ id: row.id, ...s })));
  if (judged.length > 0 || viaSteps.length > 0) {
    const { confidence, minDelivered } = report.successCriteria;
    blocks.push({
      kind: 'notes',
      title: 'Success metrics against their targets',
      items: [
        ...judged
          .filter((s) => s.verdict === 'fail')
          .map((s) => ({ severity: 'warning' as const, text: `${s.id} ${s.metric}: ${percent(s.rate ?? 0)} of ${s.delivered} delivered (interval ${intervalText(s.interval)}) is below its ${percent(s.target ?? 0)} target` })),
        ...viaSteps.map((row) => ({ severity: 'info' as const, text: `${row.id} starts sequence ${row.startsSequence}: its emails and their metrics are the rows seq_${row.startsSequence}__<step>` })),
        ...(judged.length > 0
          ? [
              {
                severity: 'info' as const,
                text:
                  `verdicts read the ${percent(confidence)} Wilson score interval of the rate: pass when its lower bound is above the target, fail when its upper bound is below it, ` +
                  `insufficient data when the interval holds the target or fewer than ${minDelivered} emails were delivered`,
              },
            ]
          : []),
      ],
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

/** "38.2%–44.1%", or "-" without an interval. */
export function intervalText(interval: Interval | null): string {
  return interval ? `${percent(interval.low)}–${percent(interval.high)}` : '-';
}

/** A verdict for people: "-" without a target. */
export function verdictText(verdict: SuccessVerdict | null): string {
  return verdict === null ? '-' : verdict === 'insufficient_data' ? 'insufficient data' : verdict;
}
