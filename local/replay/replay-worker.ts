/**
 * One replay on a private local system: `nudge replay` forks this (with NUDGE_CATALOG set for a
 * catalog other than the shipped one, read by shared/catalog before anything else imports it),
 * so every run starts clean, on free ports, beside any `npm start`, and two catalogs never share
 * one process's modules.
 *
 * In: the job as JSON in argv[2]. Out (IPC): progress messages, then the outcome. Exit 0 when done.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATE_CONFIG } from '#shared/adapters/dynamo/translate-config.ts';
import type { TriggerPerformanceReport } from '#shared/domain/reports/trigger-performance.ts';
import { runDelayedWork } from '../clock/run-delayed-work.ts';
import { SimulatedClock } from '../clock/simulated-clock.ts';
import { replayScenario, type ScenarioLine } from '../demo/replay-scenario.ts';
import { summarizeDemo } from '../demo/summary.ts';
import { LOCAL_REGION, localCredentials } from '../emulators/local-aws.ts';
import { freePort } from '../emulators/ports.ts';
import { hideSdkNodeVersionNotice } from '../quiet-sdk-warning.ts';
import { requireOutput } from '../stack/outputs.ts';
import { startLocalSystem, type LocalSystem } from '../system.ts';
import { startMemorySystem, type MemorySystem } from '../memory/memory-system.ts';
import { createDocumentClient } from '#shared/adapters/aws/clients.ts';
import { triggersFromReport, type ReplayOutcome } from './replay-outcome.ts';

/**
 * `emulators` (the default): the full local system, DynamoDB Local, the SQS and SES emulators over
 * HTTP, polled on real time: the most faithful, 3-4 events/s. `memory`: the same handlers, stack
 * and state machines with AWS in this process's memory (local/memory/), settled event by event: for
 * backtests of long streams. Both run on a clock that stands still between the replay's jumps, and
 * give the identical outcome on the same stream (test/integration/replay.test.ts).
 */
export type ReplayMode = 'emulators' | 'memory';

export type ReplayJob = {
  mode?: ReplayMode;
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
  if (job.mode === 'memory') return runInMemory(job, lines);
  const ports = { eventBridge: await freePort(), dynamodb: await freePort(), sqs: await freePort(), ses: await freePort() };
  const quiet = { info: () => undefined, warn: (message: string) => console.error(`warn: ${message}`), error: (message: string) => console.error(`error: ${message}`) };
  // The clock stands still between the replay's jumps, as in the memory mode: both modes take every
  // decision at the same instants, so the same stream gives the same outcome in either.
  const system = await startLocalSystem({ ports, log: quiet, handlerLogLevel: 'ERROR', clock: SimulatedClock.standingStill(new Date()) });
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
    const outcome = await withEmulatorSources(system, (sources) => collectOutcome(sources, job, replay));
    send({ type: 'outcome', outcome });
  } finally {
    await system.stop();
  }
}

/** The fast mode: the same replay on the in-memory system; progress at most every quarter second. */
async function runInMemory(job: ReplayJob, lines: ScenarioLine[]): Promise<void> {
  let shownAt = 0;
  const outcome = await replayInMemory(job, lines, {
    onStarted: (startupMs) => send({ type: 'started', startupMs }),
    onProgress: (done, total) => {
      if (done < total && Date.now() - shownAt < 250) return;
      shownAt = Date.now();
      send({ type: 'progress', done, total });
    },
  });
  send({ type: 'outcome', outcome });
}

/**
 * One replay on the in-memory system (local/memory/): the same scenario replay as the emulator
 * mode, the system settled after each event, the delayed work due before the next event run at
 * its own instants. Also run in-process by bench/replay-speed.ts.
 */
export async function replayInMemory(
  job: ReplayJob,
  lines: ScenarioLine[],
  hooks: { onStarted?: (startupMs: number) => void; onProgress?: (done: number, total: number) => void; onSystem?: (system: MemorySystem) => void } = {},
): Promise<ReplayOutcome> {
  const quiet = { info: () => undefined, warn: (message: string) => console.error(`warn: ${message}`), error: (message: string) => console.error(`error: ${message}`) };
  const system = await startMemorySystem({ startAt: new Date(), log: quiet, handlerLogLevel: 'ERROR' });
  try {
    hooks.onSystem?.(system);
    hooks.onStarted?.(system.startupMs);
    const runDueWork = async (until: number) => {
      for (let next = system.nextDueAt(); next !== undefined && next <= until; next = system.nextDueAt()) {
        system.clock.advanceTo(new Date(next));
        system.tickSchedules();
        await system.settle();
      }
    };
    let previousAt: number | undefined;
    const replay = await replayScenario({
      lines,
      eventBridgeEndpoint: 'http://events.memory',
      busName: requireOutput(system.outputs, 'EventBusName'),
      clock: system.clock,
      // runDueWork ran the scheduled rules due before this event at their instants; this fires any due at the event's own instant.
      waitForBus: async () => {
        system.tickSchedules();
        await system.settle();
      },
      runDueWorkBefore: async (at) => {
        await runDueWork(at.getTime());
        if (job.speed !== 'max' && previousAt !== undefined) await sleep((at.getTime() - previousAt) / job.speed);
        previousAt = at.getTime();
      },
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    });
    await runDueWork(replay.endedAt.getTime() + job.followUpMs);
    return await collectOutcome(
      {
        outputs: system.outputs,
        report: async () => (await system.functions.invoke(requireOutput(system.outputs, 'TriggerPerformanceReportFunctionName'), {})) as TriggerPerformanceReport,
        documentClient: createDocumentClient({ config: { region: LOCAL_REGION, credentials: localCredentials } }),
        sqs: new SQSClient({ region: LOCAL_REGION, credentials: localCredentials }),
        sesStore: () => system.memory.emailsAccepted,
      },
      job,
      replay,
    );
  } finally {
    await system.stop();
  }
}

/** Where an outcome is read from: the system's own report function, table, rejected-events queue and SES store. */
type OutcomeSources = {
  outputs: Record<string, string>;
  /** The trigger-performance report, from its function. */
  report(): Promise<TriggerPerformanceReport>;
  documentClient: DynamoDBDocumentClient;
  sqs: SQSClient;
  sesStore: string | (() => number);
};

/** The emulator mode's sources: the Lambda API, DynamoDB Local, the SQS emulator and the local SES, over HTTP. */
async function withEmulatorSources<T>(system: LocalSystem, read: (sources: OutcomeSources) => Promise<T>): Promise<T> {
  const awsConfig = { region: LOCAL_REGION, credentials: localCredentials };
  const lambda = new LambdaClient({ ...awsConfig, endpoint: system.endpoints.lambda });
  const dynamodb = new DynamoDBClient({ ...awsConfig, endpoint: system.endpoints.dynamodb });
  const sqs = new SQSClient({ ...awsConfig, endpoint: system.endpoints.sqs });
  try {
    return await read({
      outputs: system.outputs,
      report: async () => {
        const invoked = await lambda.send(new InvokeCommand({ FunctionName: requireOutput(system.outputs, 'TriggerPerformanceReportFunctionName'), Payload: new TextEncoder().encode('{}') }));
        const report = JSON.parse(new TextDecoder().decode(invoked.Payload)) as TriggerPerformanceReport & { errorMessage?: string };
        if (invoked.FunctionError) throw new Error(`the trigger-performance report failed: ${report.errorMessage ?? invoked.FunctionError}`);
        return report;
      },
      documentClient: DynamoDBDocumentClient.from(dynamodb, DOCUMENT_TRANSLATE_CONFIG),
      sqs,
      sesStore: system.endpoints.ses,
    });
  } finally {
    lambda.destroy();
    dynamodb.destroy();
    sqs.destroy();
  }
}

async function collectOutcome(sources: OutcomeSources, job: ReplayJob, replay: { put: number; acceptedByBus: number; refusedByBus: number }): Promise<ReplayOutcome> {
  const report = await sources.report();
  const ledger = await summarizeDemo({
    documentClient: sources.documentClient,
    tableName: requireOutput(sources.outputs, 'TableName'),
    sqs: sources.sqs,
    rejectedQueueUrl: requireOutput(sources.outputs, 'RejectedEventsQueueUrl'),
    sesEndpoint: sources.sesStore,
  });
  return {
    catalog: job.catalog,
    stream: job.stream,
    events: { put: replay.put, acceptedByBus: replay.acceptedByBus, refusedByBus: replay.refusedByBus, rejectedAsMalformed: ledger.rejectedEvents },
    ...triggersFromReport(report),
    sendsByTrigger: sortKeys(ledger.sendsByRule),
    emailsInSesStore: ledger.emailsInSesStore,
  };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

// Run as the forked worker; imported (the bench), it only lends replayInMemory.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
