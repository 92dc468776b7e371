/**
 * One replay on a private local system: `nudge replay` forks this (with NUDGE_CATALOG set for a
 * catalog other than the shipped one, read by shared/catalog before anything else imports it),
 * so every run starts clean, on free ports, beside any `npm start`, and two catalogs never share
 * one process's modules.
 *
 * In: the job as JSON in argv[2]. Out (IPC): progress messages, then the outcome. Exit 0 when done.
 */
import { readFileSync } from 'node:fs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATE_CONFIG } from '#shared/adapters/dynamo/translate-config.ts';
import type { TriggerPerformanceReport } from '#shared/domain/reports/trigger-performance.ts';
import { runDelayedWork } from '../clock/run-delayed-work.ts';
import { replayScenario, type ScenarioLine } from '../demo/replay-scenario.ts';
import { summarizeDemo } from '../demo/summary.ts';
import { LOCAL_REGION, localCredentials } from '../emulators/local-aws.ts';
import { freePort } from '../emulators/ports.ts';
import { hideSdkNodeVersionNotice } from '../quiet-sdk-warning.ts';
import { requireOutput } from '../stack/outputs.ts';
import { startLocalSystem, type LocalSystem } from '../system.ts';
import { triggersFromReport, type ReplayOutcome } from './replay-outcome.ts';

export type ReplayJob = {
  /** JSON lines of scenario lines (already parsed, filtered and sorted by the CLI). */
  eventsFile: string;
  stream: ReplayOutcome['stream'];
  catalog: string;
  /** 'max': the clock jumps from event to event; a number: real time runs at simulated time / speed. */
  speed: 'max' | number;
  /** How long past the last event the replay follows scheduled work (held sends, sequence steps). */
  followUpMs: number;
};

export type WorkerMessage =
  | { type: 'started'; startupMs: number }
  | { type: 'progress'; done: number; total: number }
  | { type: 'outcome'; outcome: ReplayOutcome };

async function main(): Promise<void> {
  hideSdkNodeVersionNotice();
  const job = JSON.parse(process.argv[2] ?? '') as ReplayJob;
  const lines = readFileSync(job.eventsFile, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as ScenarioLine);
  const ports = { eventBridge: await freePort(), dynamodb: await freePort(), sqs: await freePort(), ses: await freePort() };
  const quiet = { info: () => undefined, warn: (message: string) => console.error(`warn: ${message}`), error: (message: string) => console.error(`error: ${message}`) };
  const system = await startLocalSystem({ ports, log: quiet, handlerLogLevel: 'ERROR' });
  try {
    send({ type: 'started', startupMs: system.startupMs });
    const busName = requireOutput(system.outputs, 'EventBusName');
    let previousAt: number | undefined;
    const replay = await replayScenario({
      lines,
      eventBridgeEndpoint: system.endpoints.eventBridge,
      busName,
      clock: system.clock,
      // The whole system settles after each event (queues, streams, sequences), not only the bus:
      // the next event then meets the same state in every run, which makes a replay repeatable.
      waitForBus: () => system.waitForIdle(120_000),
      runDueWorkBefore: async (at) => {
        await runDelayedWork(system, at.getTime());
        if (job.speed !== 'max' && previousAt !== undefined) await sleep((at.getTime() - previousAt) / job.speed);
        previousAt = at.getTime();
      },
      onProgress: (done, total) => send({ type: 'progress', done, total }),
    });
    await runDelayedWork(system, replay.endedAt.getTime() + job.followUpMs);
    await system.waitForIdle(120_000);
    const outcome = await collectOutcome(system, job, replay);
    send({ type: 'outcome', outcome });
  } finally {
    await system.stop();
  }
}

async function collectOutcome(system: LocalSystem, job: ReplayJob, replay: { put: number; acceptedByBus: number; refusedByBus: number }): Promise<ReplayOutcome> {
  const awsConfig = { region: LOCAL_REGION, credentials: localCredentials };
  const lambda = new LambdaClient({ ...awsConfig, endpoint: system.endpoints.lambda });
  const dynamodb = new DynamoDBClient({ ...awsConfig, endpoint: system.endpoints.dynamodb });
  const sqs = new SQSClient({ ...awsConfig, endpoint: system.endpoints.sqs });
  try {
    const invoked = await lambda.send(new InvokeCommand({ FunctionName: requireOutput(system.outputs, 'TriggerPerformanceReportFunctionName'), Payload: new TextEncoder().encode('{}') }));
    const report = JSON.parse(new TextDecoder().decode(invoked.Payload)) as TriggerPerformanceReport & { errorMessage?: string };
    if (invoked.FunctionError) throw new Error(`the trigger-performance report failed: ${report.errorMessage ?? invoked.FunctionError}`);
    const ledger = await summarizeDemo({
      documentClient: DynamoDBDocumentClient.from(dynamodb, DOCUMENT_TRANSLATE_CONFIG),
      tableName: requireOutput(system.outputs, 'TableName'),
      sqs,
      rejectedQueueUrl: requireOutput(system.outputs, 'RejectedEventsQueueUrl'),
      sesEndpoint: system.endpoints.ses,
    });
    return {
      catalog: job.catalog,
      stream: job.stream,
      events: { put: replay.put, acceptedByBus: replay.acceptedByBus, refusedByBus: replay.refusedByBus, rejectedAsMalformed: ledger.rejectedEvents },
      ...triggersFromReport(report),
      sendsByTrigger: sortKeys(ledger.sendsByRule),
      emailsInSesStore: ledger.emailsInSesStore,
    };
  } finally {
    lambda.destroy();
    dynamodb.destroy();
    sqs.destroy();
  }
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
