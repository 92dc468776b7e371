import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATE_CONFIG } from '#shared/adapters/dynamo/translate-config.ts';
import { DynamoScoringRuns } from '#shared/adapters/dynamo/scoring-run-repository.ts';
import { addTotals, emptyTotals, perSecond, type ScoringRun, type ScoringTotals, type SegmentResult } from '#shared/domain/predictive/scoring-runs.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

type RunResult = { ran: string; ok: boolean; error?: string };
export type ScoringReport = ScoringRun & {
  segmentsFinished: number;
  totals: ScoringTotals;
  /** Per worker: profiles per second of scoring time, slowest to fastest. */
  workerProfilesPerSecond: number[];
  wallSeconds: number;
};

const POLL_MS = 250;
/** A local run of a few thousand profiles takes seconds; this only stops a stuck run from hanging the CLI. */
const GIVE_UP_MS = 30 * 60_000;

/**
 * `nudge score`: runs the daily scoring now (the planner at its simulated time), follows its
 * workers segment by segment with progress on stderr, and prints the run's totals.
 */
export async function runScoring(options: { json?: boolean }): Promise<void> {
  const started = Date.now();
  const status = await callLocal<LocalStatus>('status');
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.dynamodb });
  try {
    const runs = new DynamoScoringRuns(DynamoDBDocumentClient.from(client, DOCUMENT_TRANSLATE_CONFIG), requireOutput(status.outputs, 'TableName'));
    const before = (await runs.latestRun())?.runId;
    // Like an EventBridge schedule target, the planner's run reports only whether it succeeded; the run itself is in the table.
    const planned = await callLocal<RunResult>('schedules/run', { method: 'POST', body: { rule: 'Scoring' } });
    const run = planned.ok ? await runs.latestRun() : undefined;
    if (!run || run.runId === before) {
      process.exitCode = 1;
      printResult(planned, options, (p: RunResult) => `scoring ${p.ran} failed: ${p.error ?? 'the planner recorded no new run'}`);
      return;
    }
    let segments: SegmentResult[] = [];
    let shown = -1;
    while (segments.length < run.totalSegments) {
      if (Date.now() - started > GIVE_UP_MS) throw new Error(`scoring run ${run.runId}: ${segments.length} of ${run.totalSegments} segments finished after ${GIVE_UP_MS / 60_000} minutes; see npx nudge dlq list --queue scoring`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      segments = await runs.segments(run.runId);
      if (segments.length !== shown && !options.json) {
        shown = segments.length;
        const scanned = segments.reduce((sum, s) => sum + s.scanned, 0);
        process.stderr.write(`scoring ${run.runId}: ${segments.length}/${run.totalSegments} segments, ${scanned} profiles\n`);
      }
    }
    const report: ScoringReport = {
      ...run,
      segmentsFinished: segments.length,
      totals: segments.reduce<ScoringTotals>((sum, s) => addTotals(sum, s), emptyTotals()),
      workerProfilesPerSecond: segments.map((s) => s.profilesPerSecond).sort((a, b) => a - b),
      wallSeconds: Math.round((Date.now() - started) / 100) / 10,
    };
    printResult(report, options, describe);
  } finally {
    client.destroy();
  }
}

function describe(r: ScoringReport): string {
  const t = r.totals;
  const rate = perSecond(t.scanned, r.wallSeconds * 1000);
  return [
    `scoring ${r.runId}: ${t.scanned} profiles in ${r.totalSegments} segments, ${r.wallSeconds} s (${rate}/s overall; per worker ${r.workerProfilesPerSecond[0] ?? 0}-${r.workerProfilesPerSecond.at(-1) ?? 0}/s)`,
    `  models: churn ${r.modelIds.churn}, purchase intent ${r.modelIds.purchaseIntent}, value ${r.modelIds.value}, interests ${r.modelIds.interests}`,
    `  churn risk: ${t.churn.high} high, ${t.churn.medium} medium, ${t.churn.low} low; ${t.crossings.churn} ChurnRiskChanged`,
    `  purchase intent: ${t.crossings.purchaseIntent} PurchaseIntentChanged`,
    `  value potential: ${t.valuePotential.high} high, ${t.valuePotential.medium} medium, ${t.valuePotential.low} low (cut points ${r.cutPoints ? `${r.cutPoints.high} / ${r.cutPoints.medium} from ${r.cutPoints.sampled} sampled` : 'none: no profiles'})`,
    `  next purchase: ${t.nextPurchase.imminent} imminent, ${t.nextPurchase.near_term} near term, ${t.nextPurchase.long_term_nurture} long-term nurture`,
    `  ${t.updated} profiles written, ${t.snapshotsTaken} training snapshots taken, ${t.outcomesWritten} given outcomes, ${t.conflictsRetried} busy profiles retried`,
  ].join('\n');
}
