import { writeFile } from 'node:fs/promises';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { ReportDocument } from '#shared/presentation/report-document.ts';
import { renderHtml } from '#shared/presentation/render-html.ts';
import { renderText } from '#shared/presentation/render-text.ts';
import { triggerPerformanceDocument } from '#shared/presentation/trigger-performance-document.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

/** A report Lambda's stack output, and the document its JSON is shown as (to people, in text or HTML). */
type ReportView = { output: string; document: (report: any) => ReportDocument };

/** Each report and the stack output naming its Lambda. */
export const REPORTS = {
  'trigger-performance': { output: 'TriggerPerformanceReportFunctionName', document: triggerPerformanceDocument },
} as const satisfies Record<string, ReportView>;
export type ReportName = keyof typeof REPORTS;
export const REPORT_NAMES = Object.keys(REPORTS) as ReportName[];

/**
 * `nudge report <name> [--json | --html <file>]`: invokes the report Lambda through the Lambda API
 * (locally, the runtime's; `aws lambda invoke` returns the same JSON) and prints it for people, or
 * as is, or writes it as one self-contained HTML page with charts.
 */
export async function runReport(name: string, options: { json?: boolean; html?: string }): Promise<void> {
  if (!(name in REPORTS)) throw new Error(`unknown report "${name}"; reports: ${REPORT_NAMES.join(', ')}`);
  const report: ReportView = REPORTS[name as ReportName];
  const status = await callLocal<LocalStatus>('status');
  const lambda = new LambdaClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.eventBridge });
  try {
    const result = await lambda.send(new InvokeCommand({ FunctionName: requireOutput(status.outputs, report.output), Payload: new TextEncoder().encode('{}') }));
    const payload = JSON.parse(new TextDecoder().decode(result.Payload ?? new Uint8Array())) as unknown;
    if (result.FunctionError) {
      const error = payload as { errorType?: string; errorMessage?: string };
      throw new Error(`report ${name} failed: ${error.errorType ?? 'Error'}: ${error.errorMessage ?? JSON.stringify(payload)}`);
    }
    if (options.html !== undefined) {
      await writeFile(options.html, renderHtml(report.document(payload)));
      console.log(`wrote ${options.html}`);
      return;
    }
    printResult(payload, options, (value: unknown) => renderText(report.document(value)));
  } finally {
    lambda.destroy();
  }
}
