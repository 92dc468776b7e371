import type { Interval } from '../domain/reports/incrementality.ts';
import type { IncrementalityReport, IncrementalityRow } from '../domain/reports/incrementality-report.ts';
import { formatValue } from './format-value.ts';
import type { ReportDocument } from './report-document.ts';

const VERDICTS = { lift: 'lift', harm: 'harm', no_detectable_effect: 'no detectable effect', insufficient_data: 'insufficient data' } as const;

const interval = (value: Interval | null, format: 'money' | 'number'): string =>
  value === null ? '-' : `${formatValue(value.estimate, format)} [${formatValue(value.low, format)}, ${formatValue(value.high, format)}]`;

const nameOf = (row: Pick<IncrementalityRow, 'id' | 'kind' | 'sequenceId'>): string => (row.kind === 'sequence' ? `${row.sequenceId} (sequence, via ${row.id})` : row.id);

/**
 * The incrementality report for people: the programme's incremental revenue and verdict, each rule's
 * incremental revenue with its interval as whiskers (an interval crossing zero is no evidence of an
 * effect), and a table of both groups, the conversion lift and its test per rule.
 */
export function incrementalityDocument(report: IncrementalityReport): ReportDocument {
  const { period, total } = report;
  const level = `${formatValue(report.confidence, 'percent')}`;
  const head = { title: `incrementality, decisions of the last ${period.days} days (${period.from} to ${period.to})`, generatedAt: report.generatedAt };
  const global = globalControlBlocks(report);
  if (total === null) {
    return {
      ...head,
      blocks: [
        { kind: 'notes', title: 'Summary', items: [{ severity: 'info', text: 'No rule has a holdout (holdoutPercent): no rule to compare with its own control. Give a rule a holdout to measure what its emails add.' }] },
        ...global,
      ],
    };
  }
  const withRevenue = [...report.rows.map((row) => ({ label: nameOf(row), value: row.estimate.incrementalRevenue })), { label: 'all rules (sum)', value: total.incremental.incrementalRevenue }].filter(
    (item): item is { label: string; value: Interval } => item.value !== null,
  );
  return {
    ...head,
    blocks: [
      {
        kind: 'notes',
        title: 'Summary',
        items: [
          {
            severity: total.incremental.verdict === 'harm' ? 'warning' : 'info',
            text: `All rules, each against its own control and summed (${total.incremental.rulesCounted} with a verdict): ${VERDICTS[total.incremental.verdict]}${total.incremental.reason ? ` (${total.incremental.reason})` : ''}; incremental revenue ${interval(total.incremental.incrementalRevenue, 'money')}, incremental conversions ${interval(total.incremental.incrementalConversions, 'number')} (${level} intervals).`,
          },
          { severity: 'info', text: `Exposures still inside their window, not counted yet: ${total.openExposures.treated} treated, ${total.openExposures.control} control.` },
          { severity: 'info', text: report.note },
        ],
      },
      {
        kind: 'intervals',
        title: `Incremental revenue per rule (${level} interval)`,
        items: withRevenue.map((item) => ({ label: item.label, estimate: item.value.estimate, low: item.value.low, high: item.value.high })),
        format: 'money',
      },
      {
        kind: 'table',
        title: 'Treated against control, per rule (closed cohorts)',
        columns: [
          { key: 'rule', label: 'rule', format: 'text' },
          { key: 'cohorts', label: 'decision days', format: 'text' },
          { key: 'treated', label: 'treated', format: 'int' },
          { key: 'treatedRate', label: 'conv.', format: 'percent' },
          { key: 'control', label: 'control', format: 'int' },
          { key: 'controlRate', label: 'conv.', format: 'percent' },
          { key: 'lift', label: 'lift', format: 'signed_percent' },
          { key: 'pValue', label: 'p', format: 'number' },
          { key: 'conversions', label: 'incr. conversions', format: 'text' },
          { key: 'revenue', label: 'incr. revenue', format: 'text' },
          { key: 'verdict', label: 'verdict', format: 'text' },
          { key: 'open', label: 'open', format: 'int' },
        ],
        rows: report.rows.map((row) => ({
          rule: nameOf(row),
          cohorts: row.cohorts ? `${row.cohorts.from}..${row.cohorts.to} (${row.windowHours} h window)` : `none closed (${row.windowHours} h window)`,
          treated: row.treatedTotals.exposures,
          treatedRate: row.estimate.treated.conversionRate,
          control: row.controlTotals.exposures,
          controlRate: row.estimate.control.conversionRate,
          lift: row.estimate.conversion.lift,
          pValue: row.estimate.conversion.pValue,
          conversions: interval(row.estimate.incrementalConversions, 'number'),
          revenue: interval(row.estimate.incrementalRevenue, 'money'),
          verdict: VERDICTS[row.estimate.verdict],
          open: row.openExposures.treated + row.openExposures.control,
        })),
        // Rates and a test of the pooled groups would mix rules in different proportions: the footer shows counts and the summed increments.
        footer: {
          rule: 'all rules (sum)',
          cohorts: '',
          treated: total.treatedTotals.exposures,
          treatedRate: null,
          control: total.controlTotals.exposures,
          controlRate: null,
          lift: null,
          pValue: null,
          conversions: interval(total.incremental.incrementalConversions, 'number'),
          revenue: interval(total.incremental.incrementalRevenue, 'money'),
          verdict: VERDICTS[total.incremental.verdict],
          open: total.openExposures.treated + total.openExposures.control,
        },
      },
      ...global,
    ],
  };
}

/** The global control group's section: each marketing rule's treated exposures against the group's, and their sum. */
function globalControlBlocks(report: IncrementalityReport): ReportDocument['blocks'] {
  const global = report.globalControl;
  if (global === null) return [];
  return [
    {
      kind: 'notes',
      title: `Global control group (${global.percent}% of customers get no marketing email)`,
      items: [
        {
          severity: global.total.verdict === 'harm' ? 'warning' : 'info',
          text: `The programme at these triggers, each rule's treated against the global control's would-have-been decisions and summed (${global.total.rulesCounted} rules with a verdict): ${VERDICTS[global.total.verdict]}${global.total.reason ? ` (${global.total.reason})` : ''}; incremental revenue ${interval(global.total.incrementalRevenue, 'money')}, incremental conversions ${interval(global.total.incrementalConversions, 'number')}. A row measures this rule's email together with every other email its treated customers get.`,
        },
      ],
    },
    {
      kind: 'table',
      title: 'Treated against the global control group, per marketing rule (closed cohorts)',
      columns: [
        { key: 'rule', label: 'rule', format: 'text' },
        { key: 'treated', label: 'treated', format: 'int' },
        { key: 'treatedRate', label: 'conv.', format: 'percent' },
        { key: 'control', label: 'global control', format: 'int' },
        { key: 'controlRate', label: 'conv.', format: 'percent' },
        { key: 'revenue', label: 'incr. revenue', format: 'text' },
        { key: 'verdict', label: 'verdict', format: 'text' },
      ],
      rows: global.rows.map((row) => ({
        rule: nameOf(row),
        treated: row.treatedTotals.exposures,
        treatedRate: row.estimate.treated.conversionRate,
        control: row.globalControlTotals.exposures,
        controlRate: row.estimate.control.conversionRate,
        revenue: interval(row.estimate.incrementalRevenue, 'money'),
        verdict: VERDICTS[row.estimate.verdict],
      })),
    },
  ];
}
