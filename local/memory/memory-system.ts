import type { SQSEvent, DynamoDBRecord } from 'aws-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { installClock } from '#shared/adapters/clock/runtime-clock.ts';
import { MARSHALL_OPTIONS } from '#shared/adapters/dynamo/translate-config.ts';
import { installProfileWait } from '#shared/services/profile-as-of.ts';
import { synthesizeNudgeTemplate } from '#infra/synthesize.ts';
import type { TableChange } from '#shared/services/update-rollups.ts';
import { SimulatedClock } from '../clock/simulated-clock.ts';
import { sesLimitsFromEnv } from '../config.ts';
import { isDynamoDbStreamArn } from '../dynamodb/stream-mappings.ts';
import { LOCAL_REGION, localCredentials } from '../emulators/local-aws.ts';
import { publishedEvents } from '../emulators/ses-account.ts';
import { resolveSesAccount } from '../emulators/ses-account-template.ts';
import { SesSendingLimits } from '../emulators/ses-sending-limits.ts';
import { LocalEventBus } from '../eventbridge/event-bus.ts';
import { matchesEventPattern, validateEventPattern, type EventPattern } from '../eventbridge/pattern-matcher.ts';
import { FunctionHost } from '../lambda/function-host.ts';
import { functionIdFromName } from '../lambda/invoke-async.ts';
import { LocalFunctionUrls } from '../lambda/function-urls.ts';
import { LocalScheduler } from '../scheduler/local-scheduler.ts';
import { LocalOneTimeSchedules } from '../scheduler/one-time-schedules.ts';
import { LocalSecrets } from '../secrets/local-secrets.ts';
import { LOCAL_STACK_CONTEXT } from '../stack/local-context.ts';
import { StackTemplate } from '../stack/cloud-template.ts';
import { resolveIntrinsics } from '../stack/intrinsics.ts';
import { provisionStack } from '../stack/provision.ts';
import { LocalStateMachines } from '../stepfunctions/local-state-machines.ts';
import { sqsRecordOf } from '../sqs/event-source-poller.ts';
import { registerStateMachines } from '../stepfunctions/machine-definitions.ts';
import { PROJECT_ROOT } from '../system.ts';
import { MemoryAws } from './memory-aws.ts';
import { readyBatchLength, streamRecordBytes, windowEndsAt, type StreamBatching } from '../dynamodb/stream-batches.ts';

type Log = { info(message: string): void; warn(message: string): void; error(message: string): void };

type QueueSource = { functionId: string; queueUrl: string; queueArn: string; batchSize: number; reportBatchItemFailures: boolean };
type StreamSource = {
  functionId: string;
  streamArn: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
  maximumRetryAttempts: number;
  filters: EventPattern[];
  /** The image attributes the filters read; undefined when they read more than images (then every record is built whole to be matched). */
  filteredAttributes: Set<string> | undefined;
  pending: DynamoDBRecord[];
  /** Per pending record: when it entered the stream (simulated clock) and its payload bytes, for the batching window (stream-batches.ts). */
  pendingAt: number[];
  pendingBytes: number[];
  batching: StreamBatching;
};

/** Attempts of a failing stream batch when the mapping retries "until the record expires" (-1): the replay must end. */
const STREAM_RETRY_CAP = 10;

export type MemorySystem = {
  clock: SimulatedClock;
  memory: MemoryAws;
  outputs: Record<string, string>;
  functions: FunctionHost;
  bus: LocalEventBus;
  startupMs: number;
  /** Runs everything the system can do at the clock's current reading (bus, queues, stream, schedules, executions) until nothing is left. */
  settle(): Promise<void>;
  /** The next instant something is due after now: a one-time schedule, a Wait's end, a delayed or retried message, a scheduled rule. */
  nextDueAt(): number | undefined;
  /** Fires the scheduled rules (daily jobs) the clock has passed, as the local scheduler's loop does after a clock jump. */
  tickSchedules(): void;
  stop(): Promise<void>;
};

/**
 * The whole system in this process with AWS in memory (memory-aws.ts), for the fast replay: the
 * synthesized stack's functions (the same handler modules), its EventBridge rules, SQS and stream
 * event source mappings (with their batch sizes, filters and partial-failure reporting), schedule
 * rules, one-time schedules and Step Functions state machines (the same definitions), on a
 * simulated clock that moves only when the replay moves it. Where the emulator mode polls on real
 * time, this one runs each piece until it has nothing left ({@link MemorySystem.settle}), so one
 * event costs function calls and memory writes only.
 */
export async function startMemorySystem(options: { startAt: Date; log: Log; handlerLogLevel?: string }): Promise<MemorySystem> {
  const started = Date.now();
  const { log } = options;
  // Simulated time only: no real time leaks into a replay, so two runs are the same run.
  const clock = SimulatedClock.standingStill(options.startAt);
  const memory = new MemoryAws(() => clock.now());
  const uninstall = memory.install();
  try {
    const { template } = await synthesizeNudgeTemplate({ bundle: false, context: LOCAL_STACK_CONTEXT });
    const stack = new StackTemplate(template);
    const awsConfig = { region: LOCAL_REGION, credentials: localCredentials };
    const sqs = new SQSClient(awsConfig);
    const provisioned = await provisionStack({ stack, dynamodb: new DynamoDBClient(awsConfig), sqs, sqsEndpoint: 'http://sqs.memory' });
    const secrets = new LocalSecrets(stack.template.Resources ?? {}, provisioned.resources);
    new LocalFunctionUrls(stack.template.Resources ?? {}, provisioned.resources, 'http://lambda-url.memory');
    registerStateMachines(stack.stateMachines(), provisioned.resources);

    installClock(clock);
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      POWERTOOLS_LOG_LEVEL: options.handlerLogLevel ?? 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const functionDefs = stack.functions();
    Object.assign(process.env, FunctionHost.mergedEnvironment(functionDefs, provisioned.resources));
    const functions = new FunctionHost(PROJECT_ROOT, functionDefs);
    await functions.loadAll();
    installProfileWait(waitForOtherInvocations(functions));

    const bus = new LocalEventBus({ rules: stack.rules(), asyncInvokeConfigs: stack.asyncInvokeConfigs(), resources: provisioned.resources, functions, sqs, clock, log });
    const scheduler = new LocalScheduler({ rules: stack.rules(), asyncInvokeConfigs: stack.asyncInvokeConfigs(), resources: provisioned.resources, functions, sqs, clock, log });
    const oneTimeSchedules = new LocalOneTimeSchedules({ asyncInvokeConfigs: stack.asyncInvokeConfigs(), resources: provisioned.resources, functions, sqs, clock, log });
    const stateMachines = new LocalStateMachines({ machines: stack.stateMachines(), resources: provisioned.resources, functions, clock, log });
    const sesAccount = resolveSesAccount(stack.sesResources(), provisioned.resources, sesLimitsFromEnv().verifiedIdentities);
    memory.attach({
      putEvents: (entries) => bus.putEntries(entries),
      schedules: oneTimeSchedules,
      stepFunctions: stateMachines,
      secrets,
      ses: {
        account: sesAccount,
        limits: new SesSendingLimits(sesLimitsFromEnv()),
        publish: (request, messageId) => {
          for (const result of bus.putEntries(publishedEvents(request, messageId, sesAccount, clock.now()))) {
            if ('ErrorCode' in result) log.warn(`SES could not publish an event: ${result.ErrorCode} ${result.ErrorMessage}`);
          }
        },
      },
    });

    const queueSources: QueueSource[] = [];
    const streamSources: StreamSource[] = [];
    for (const mapping of stack.eventSourceMappings()) {
      if (!mapping.enabled) continue;
      const sourceArn = String(resolveIntrinsics(mapping.eventSourceArn, provisioned.resources));
      if (isDynamoDbStreamArn(sourceArn)) {
        const functionId = functionIdFromName(resolveIntrinsics(mapping.functionName, provisioned.resources), functions);
        if (!functionId) continue;
        const patterns = (resolveIntrinsics(mapping.filterPatterns, provisioned.resources) as unknown[]) ?? [];
        streamSources.push({
          functionId,
          streamArn: sourceArn,
          batchSize: mapping.batchSize,
          reportBatchItemFailures: mapping.reportBatchItemFailures,
          maximumRetryAttempts: mapping.maximumRetryAttempts,
          filters: patterns.map((pattern) => validateEventPattern(typeof pattern === 'string' ? JSON.parse(pattern) : pattern)),
          filteredAttributes: imageAttributesRead(patterns.map((pattern) => (typeof pattern === 'string' ? JSON.parse(pattern) : pattern) as unknown)),
          pending: [],
          pendingAt: [],
          pendingBytes: [],
          batching: { batchSize: mapping.batchSize, windowMs: mapping.maximumBatchingWindowInSeconds * 1000 },
        });
        continue;
      }
      const functionId = String(resolveIntrinsics(mapping.functionName, provisioned.resources));
      const queue = [...provisioned.resources.values()].find((resource) => resource.attributes.Arn === sourceArn);
      if (!functions.has(functionId) || !queue?.attributes.QueueUrl) {
        log.warn(`event source mapping ${mapping.logicalId} cannot run in memory; skipped`);
        continue;
      }
      queueSources.push({ functionId, queueUrl: queue.attributes.QueueUrl, queueArn: sourceArn, batchSize: mapping.batchSize, reportBatchItemFailures: mapping.reportBatchItemFailures });
    }
    // The table's stream: every change, in write order, to each mapping whose filters it passes.
    for (const source of streamSources) {
      const tableName = source.streamArn.split('/')[1]!;
      const enqueue = (record: DynamoDBRecord, now: Date) => {
        source.pending.push(record);
        source.pendingAt.push(now.getTime());
        source.pendingBytes.push(streamRecordBytes(record));
      };
      memory.table(tableName).onChange((change) => {
        const now = clock.now();
        if (source.filters.length === 0) return void enqueue(streamRecord(change, source.streamArn, now), now);
        // Matched on a record with only the attributes the filters read (most changes are profile
        // writes the filters drop: marshalling their whole images was a quarter of the replay's CPU).
        const probe = streamRecord(change, source.streamArn, now, source.filteredAttributes);
        if (source.filters.some((pattern) => matchesEventPattern(pattern, probe))) {
          enqueue(source.filteredAttributes ? streamRecord(change, source.streamArn, now) : probe, now);
        }
      });
    }

    const drainQueue = async (source: QueueSource): Promise<boolean> => {
      let worked = false;
      for (;;) {
        const messages = memory.queues.receive(source.queueUrl, source.batchSize);
        if (messages.length === 0) return worked;
        worked = true;
        const event: SQSEvent = { Records: messages.map((message) => sqsRecordOf(message, source.queueArn, { senderId: 'memory', timestampMs: 0 })) };
        let failed: Set<string>;
        try {
          const result = (await functions.invoke(source.functionId, event)) as { batchItemFailures?: Array<{ itemIdentifier: string }> } | undefined;
          failed = new Set(source.reportBatchItemFailures ? (result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier) : []);
        } catch (error) {
          log.warn(`${source.functionId} failed a batch of ${messages.length}: ${describe(error)}`);
          failed = new Set(messages.map((message) => message.MessageId!));
        }
        // The failed stay in flight until their visibility timeout (simulated), then come back, as with SQS.
        for (const message of messages) if (!failed.has(message.MessageId!)) memory.queues.delete(source.queueUrl, message.ReceiptHandle!);
      }
    };

    const drainStream = async (source: StreamSource): Promise<boolean> => {
      let worked = false;
      while (source.pending.length > 0) {
        // A full batch goes at once, a partial one when the mapping's batching window has passed on the simulated clock (nextDueAt).
        const length = readyBatchLength(source.pendingBytes, source.pendingAt[0]!, clock.now().getTime(), source.batching);
        if (length === 0) break;
        worked = true;
        source.pendingAt.splice(0, length);
        source.pendingBytes.splice(0, length);
        let batch = source.pending.splice(0, length);
        for (let attempt = 0; batch.length > 0; attempt += 1) {
          let failedFrom: number | undefined;
          try {
            const result = (await functions.invoke(source.functionId, { Records: batch })) as { batchItemFailures?: Array<{ itemIdentifier: string }> } | undefined;
            const first = source.reportBatchItemFailures ? result?.batchItemFailures?.[0]?.itemIdentifier : undefined;
            if (first !== undefined) failedFrom = Math.max(0, batch.findIndex((record) => record.dynamodb?.SequenceNumber === first));
          } catch (error) {
            log.warn(`${source.functionId} failed a stream batch of ${batch.length}: ${describe(error)}`);
            failedFrom = 0;
          }
          if (failedFrom === undefined) break;
          const limit = source.maximumRetryAttempts < 0 ? STREAM_RETRY_CAP : source.maximumRetryAttempts;
          if (attempt >= limit) {
            log.error(`${source.functionId}: skipped ${batch.length - failedFrom} stream records after ${attempt + 1} attempts`);
            break;
          }
          batch = batch.slice(failedFrom);
        }
      }
      return worked;
    };

    const settle = async () => {
      for (;;) {
        await bus.waitForIdle();
        await scheduler.waitForIdle();
        await oneTimeSchedules.waitForIdle();
        await stateMachines.waitForIdle();
        let worked = false;
        for (const source of streamSources) worked = (await drainStream(source)) || worked;
        for (const source of queueSources) worked = (await drainQueue(source)) || worked;
        // Stream records still in their batching window wait for the clock (nextDueAt).
        if (!worked && bus.pendingDeliveries === 0 && scheduler.pendingRuns === 0 && stateMachines.pendingRuns === 0) return;
      }
    };

    const nextDueAt = () => {
      const now = clock.now().getTime();
      const candidates = [
        oneTimeSchedules.nextScheduledAt(),
        stateMachines.nextWakeAt()?.getTime(),
        // The daily jobs at their own instants, before the next event (as the emulator mode's runDelayedWork).
        scheduler.nextFireAt()?.getTime(),
        memory.queues.nextVisibleAfter(now),
        ...streamSources.filter((source) => source.pending.length > 0).map((source) => windowEndsAt(source.pendingAt[0]!, source.batching)),
      ].filter((at): at is number => at !== undefined);
      return candidates.length === 0 ? undefined : Math.min(...candidates);
    };

    const outputs: Record<string, string> = {};
    for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
      try {
        outputs[name] = String(resolveIntrinsics((output as { Value?: unknown }).Value, provisioned.resources));
      } catch {
        // An output with no local meaning.
      }
    }
    return {
      clock,
      memory,
      outputs,
      functions,
      bus,
      startupMs: Date.now() - started,
      settle,
      nextDueAt,
      tickSchedules: () => scheduler.tick(),
      stop: async () => {
        await stateMachines.stop();
        uninstall();
      },
    };
  } catch (error) {
    uninstall();
    throw error;
  }
}

/**
 * The fast replay's wait of a handler that reads a profile until another handler's write lands
 * (shared/services/profile-as-of.ts): every writer runs in this process, so once no invocation but
 * the waiting ones runs or waits for its turn, no write can land before the wait's end and it ends
 * there; otherwise at its real-time end as before. A real-time wait was a quarter of a replay's wall
 * time, spent idle.
 */
export function waitForOtherInvocations(functions: Pick<FunctionHost, 'ids' | 'concurrencyOf'>): (ms: number) => Promise<void> {
  let waiting = 0;
  const othersInFlight = () => {
    let inFlight = 0;
    for (const id of functions.ids()) {
      const { running, waiting: queued } = functions.concurrencyOf(id);
      inFlight += running + queued;
    }
    return inFlight - waiting;
  };
  return async (ms) => {
    const until = Date.now() + ms;
    waiting += 1;
    try {
      // A macrotask turn first: work driven by promises (the writer's own) has then run as far as it can.
      for (let turn = 0; Date.now() < until; turn += 1) {
        await new Promise<void>((resolve) => (turn < 3 ? setImmediate(resolve) : setTimeout(resolve, 1)));
        if (othersInFlight() <= 0) return;
      }
    } finally {
      waiting -= 1;
    }
  };
}

/** A change as Lambda delivers a NEW_AND_OLD_IMAGES stream record (JSON attribute values, epoch seconds). */
export function streamRecord(change: TableChange, streamArn: string, now: Date, only?: Set<string>): DynamoDBRecord {
  const image = change.newImage ?? change.oldImage!;
  const keys = { pk: image.pk, sk: image.sk };
  const toJson = (whole: Record<string, unknown>) => {
    const item = only ? Object.fromEntries([...only].filter((name) => whole[name] !== undefined).map((name) => [name, whole[name]])) : whole;
    return marshalledJson(item);
  };
  const marshalledJson = (item: Record<string, unknown>) => JSON.parse(JSON.stringify(marshall(item, MARSHALL_OPTIONS), (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value))) as never;
  return {
    eventID: change.sequenceNumber,
    eventName: !change.oldImage ? 'INSERT' : !change.newImage ? 'REMOVE' : 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: LOCAL_REGION,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(now.getTime() / 1000),
      Keys: toJson(keys),
      ...(change.newImage ? { NewImage: toJson(change.newImage) } : {}),
      ...(change.oldImage ? { OldImage: toJson(change.oldImage) } : {}),
      SequenceNumber: change.sequenceNumber,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/**
 * The top-level image attributes a stream mapping's filter patterns read (under dynamodb.NewImage
 * and dynamodb.OldImage); undefined if a pattern reads anything else under dynamodb but the keys.
 */
export function imageAttributesRead(patterns: unknown[]): Set<string> | undefined {
  const names = new Set<string>(['pk', 'sk']);
  for (const pattern of patterns) {
    const dynamodb = (pattern as { dynamodb?: unknown }).dynamodb;
    if (dynamodb === undefined) continue;
    if (typeof dynamodb !== 'object' || dynamodb === null) return undefined;
    for (const [field, value] of Object.entries(dynamodb)) {
      if (field === 'Keys') continue;
      if ((field !== 'NewImage' && field !== 'OldImage') || typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
      for (const name of Object.keys(value)) names.add(name);
    }
  }
  return names;
}


function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
