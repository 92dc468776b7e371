import { readFile, writeFile } from 'node:fs/promises';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { ReportDocument } from '#shared/presentation/report-document.ts';
import { renderHtml } from '#shared/presentation/render-html.ts';
import { renderText } from '#shared/presentation/render-text.ts';
import { attributionDocument } from '#shared/presentation/attribution-document.ts';
import { behaviorPatternsDocument } from '#shared/presentation/behavior-patterns-document.ts';
import { driftDocument } from '#shared/presentation/drift-document.ts';
import { incrementalityDocument } from '#shared/presentation/incrementality-document.ts';
import { segmentExperimentDocument } from '#shared/presentation/segment-experiment-document.ts';
import { segmentOptimizerDocument } from '#shared/presentation/segment-optimizer-document.ts';
import { segmentPerformanceDocument } from '#shared/presentation/segment-performance-document.ts';
import { triggerPerformanceDocument } from '#shared/presentation/trigger-performance-document.ts';
import { experimentsDocument } from '#shared/presentation/experiments-document.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

export type ReportOptions = { json?: boolean; html?: string; days?: string; model?: string; experiment?: string; confidence?: string; minExposures?: string };

/**
 * A report Lambda's stack output, the options its payload takes, and the document its JSON is
 * shown as (to people, in text or HTML).
 */
/** The command-line name of each payload option (`minExposures` is `--min-exposures`). */
const FLAGS = { days: 'days', model: 'model', experiment: 'experiment', confidence: 'confidence', minExposures: 'min-exposures' } as const;

type ReportView = { output: string; options: ReadonlyArray<keyof typeof FLAGS>; document: (report: any) => ReportDocument };

/** Each report and the stack output naming its Lambda. */
export const REPORTS = {
  'trigger-performance': { output: 'TriggerPerformanceReportFunctionName', options: [], document: triggerPerformanceDocument },
  'segment-performance': { output: 'SegmentPerformanceReportFunctionName', options: ['days'], document: segmentPerformanceDocument },
  attribution: { output: 'AttributionReportFunctionName', options: ['days', 'model'], document: attributionDocument },
  'behavior-patterns': { output: 'BehaviorPatternsReportFunctionName', options: ['days'], document: behaviorPatternsDocument },
  'segment-optimizer': { output: 'SegmentOptimizerReportFunctionName', options: [], document: segmentOptimizerDocument },
  'segment-experiment': { output: 'SegmentExperimentReportFunctionName', options: ['experiment'], document: segmentExperimentDocument },
  drift: { output: 'DriftReportFunctionName', options: [], document: driftDocument },
  incrementality: { output: 'IncrementalityReportFunctionName', options: ['days', 'confidence', 'minExposures'], document: incrementalityDocument },
  experiments: { output: 'ExperimentsReportFunctionName', options: [], document: experimentsDocument },
} as const satisfies Record<string, ReportView>;
export type ReportName = keyof typeof REPORTS;
export const REPORT_NAMES = Object.keys(REPORTS) as ReportName[];

/** The Lambda's payload from the command's options; an option the report does not take is an error, not ignored. */
async function payloadOf(name: ReportName, report: ReportView, options: ReportOptions): Promise<Record<string, unknown>> {
  for (const option of Object.keys(FLAGS) as Array<keyof typeof FLAGS>) {
    if (options[option] !== undefined && !report.options.includes(option)) throw new Error(`report ${name} takes no --${FLAGS[option]}`);
  }
  if (report.options.includes('experiment')) {
    if (!options.experiment) throw new Error(`report ${name} needs --experiment <file>: a JSON object { "name", "control": [conditions], "variant": [conditions], "periodDays" } (see events/experiments/)`);
    return JSON.parse(await readFile(options.experiment, 'utf8')) as Record<string, unknown>;
  }
  return {
    ...(options.days !== undefined ? { days: Number(options.days) } : {}),
    ...(options.model !== undefined ? { model: options.model } : {}),
    // Numbers as given: the report Lambda's request schema refuses what is out of range, with the field named.
    ...(options.confidence !== undefined ? { confidence: Number(options.confidence) } : {}),
    ...(options.minExposures !== undefined ? { minExposures: Number(options.minExposures) } : {}),
  };
}

/**
 * `nudge report <name> [--json | --html <file>]`: invokes the report Lambda through the Lambda API
 * (locally, the runtime's; `aws lambda invoke` returns the same JSON) and prints it for people, or
 * as is, or writes it as one self-contained HTML page with charts.
 */
export async function runReport(name: string, options: ReportOptions): Promise<void> {
  if (!(name in REPORTS)) throw new Error(`unknown report "${name}"; reports: ${REPORT_NAMES.join(', ')}`);
  const report: ReportView = REPORTS[name as ReportName];
  const payload = await payloadOf(name as ReportName, report, options);
  const answer = await invokeReport(name as ReportName, payload);
  if (options.html !== undefined) {
    await writeFile(options.html, renderHtml(report.document(answer)));
    console.log(`wrote ${options.html}`);
    return;
  }
  printResult(answer, options, (value: unknown) => renderText(report.document(value)));
}

/**
 * A report's JSON from its Lambda, for commands that read a report rather than print it (`nudge why
 * --rule-performance` reads trigger-performance), and runReport's call.
 */
export async function invokeReport(name: ReportName, payload: Record<string, unknown> = {}): Promise<unknown> {
  const status = await callLocal<LocalStatus>('status');
  const lambda = new LambdaClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.eventBridge });
  try {
    const result = await lambda.send(new InvokeCommand({ FunctionName: requireOutput(status.outputs, REPORTS[name].output), Payload: new TextEncoder().encode(JSON.stringify(payload)) }));
    const answer = JSON.parse(new TextDecoder().decode(result.Payload ?? new Uint8Array())) as unknown;
    if (result.FunctionError) {
      const error = answer as { errorType?: string; errorMessage?: string };
      throw new Error(`report ${name} failed: ${error.errorType ?? 'Error'}: ${error.errorMessage ?? JSON.stringify(answer)}`);
    }
    return answer;
  } finally {
    lambda.destroy();
  }
}
