import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { TriggerPerformanceReport, TriggerPerformanceRow } from '#shared/domain/reports/trigger-performance.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

/** Each report and the stack output naming its Lambda. */
export const REPORTS = {
  'trigger-performance': { output: 'TriggerPerformanceReportFunctionName', table: triggerPerformanceTable },
} as const;
export type ReportName = keyof typeof REPORTS;
export const REPORT_NAMES = Object.keys(REPORTS) as ReportName[];

/**
 * `nudge report <name> [--json]`: invokes the report Lambda through the Lambda API (locally, the
 * runtime's; `aws lambda invoke` returns the same JSON) and prints it for people, or as is.
 */
export async function runReport(name: string, options: { json?: boolean }): Promise<void> {
  if (!(name in REPORTS)) throw new Error(`unknown report "${name}"; reports: ${REPORT_NAMES.join(', ')}`);
  const report = REPORTS[name as ReportName];
  const status = await callLocal<LocalStatus>('status');
  const lambda = new LambdaClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.eventBridge });
  try {
    const result = await lambda.send(new InvokeCommand({ FunctionName: requireOutput(status.outputs, report.output), Payload: new TextEncoder().encode('{}') }));
    const payload = JSON.parse(new TextDecoder().decode(result.Payload ?? new Uint8Array())) as unknown;
    if (result.FunctionError) {
      const error = payload as { errorType?: string; errorMessage?: string };
      throw new Error(`report ${name} failed: ${error.errorType ?? 'Error'}: ${error.errorMessage ?? JSON.stringify(payload)}`);
    }
    printResult(payload, options, (value: TriggerPerformanceReport) => report.table(value));
  } finally {
    lambda.destroy();
  }
}

/** People's view: one line per rule or step that did anything in the last 30 days, then the quiet ones by name. */
function triggerPerformanceTable(report: TriggerPerformanceReport): string {
  const active = report.rows.filter((row) => row.allTime.matched > 0 || row.allTime.sent > 0);
  const quiet = report.rows.filter((row) => !active.includes(row));
  const header = ['trigger', 'matched', 'fired', 'suppressed', 'sent', 'delivered', 'open', 'click', 'converted', 'revenue', 'all-time sent', 'all-time revenue'];
  const lines = active.map((row) => cells(row));
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (line: string[]) => line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [
    `trigger performance, last 30 days (${report.last30Days.from} to ${report.last30Days.to}) and all time`,
    '',
    format(header),
    ...lines.map(format),
    format(['total', ...cells({ id: 'total', kind: 'rule', description: '', active: true, last30Days: report.totals.last30Days, allTime: report.totals.allTime }).slice(1)]),
    '',
    quiet.length > 0 ? `no activity yet: ${quiet.map((row) => row.id).join(', ')}` : '',
  ].join('\n').trimEnd();
}

function cells(row: TriggerPerformanceRow): string[] {
  const t = row.last30Days;
  const pct = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);
  return [row.id, String(t.matched), String(t.fired), String(t.suppressed.total), String(t.sent), String(t.delivered), pct(t.rates.open), pct(t.rates.click), String(t.converted), t.revenue.toFixed(2), String(row.allTime.sent), row.allTime.revenue.toFixed(2)];
}
