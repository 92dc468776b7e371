import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { installClock } from '#shared/adapters/clock/runtime-clock.ts';
import { synthesizeNudgeTemplate } from '#infra/synthesize.ts';
import { LOCAL_STACK_CONTEXT } from './stack/local-context.ts';
import { SimulatedClock, parseDuration } from './clock/simulated-clock.ts';
import type { LocalPorts } from './config.ts';
import { iamEnforcementFromEnv, PORT_ENV_VARS, sesLimitsFromEnv } from './config.ts';
import type { SesLimitsConfig, SesSendingLimits } from './emulators/ses-sending-limits.ts';
import { dynamoDbStreamPollers, isDynamoDbStreamArn } from './dynamodb/stream-mappings.ts';
import { startDynamoDbLocal, type RunningEmulator } from './emulators/dynamodb-local.ts';
import { LOCAL_REGION, localCredentials } from './emulators/local-aws.ts';
import { assertPortFree } from './emulators/ports.ts';
import { publishedEvents } from './emulators/ses-account.ts';
import { resolveSesAccount } from './emulators/ses-account-template.ts';
import { startSesLocal } from './emulators/ses-local.ts';
import { closeServer, startSqsLocal } from './emulators/sqs-local.ts';
import { LocalEventBus } from './eventbridge/event-bus.ts';
import { parseEventLogQuery } from './eventbridge/event-log.ts';
import { startPutEventsServer } from './eventbridge/put-events-server.ts';
import { PolicyEvaluator } from './iam/policy-evaluator.ts';
import { RoleAuthorizer } from './iam/role-authorizer.ts';
import { installSdkEnforcement } from './iam/sdk-enforcement.ts';
import { stackFacts } from './iam/sdk-requests.ts';
import { StackRoles } from './iam/stack-roles.ts';
import { FunctionHost } from './lambda/function-host.ts';
import { AsyncInvoker } from './lambda/invoke-async.ts';
import { LocalLambdaApi } from './lambda/lambda-api.ts';
import { LocalScheduler } from './scheduler/local-scheduler.ts';
import { LocalOneTimeSchedules } from './scheduler/one-time-schedules.ts';
import { EventSourcePoller } from './sqs/event-source-poller.ts';
import { StackTemplate, type CfnTemplate } from './stack/cloud-template.ts';
import { resolveIntrinsics } from './stack/intrinsics.ts';
import { provisionStack } from './stack/provision.ts';
import { LocalFunctionUrls } from './lambda/function-urls.ts';
import { LocalSecrets } from './secrets/local-secrets.ts';
import { LocalStateMachines } from './stepfunctions/local-state-machines.ts';
import { registerStateMachines } from './stepfunctions/machine-definitions.ts';

/** Pollers per event source mapping at most, locally (see the mapping's MaximumConcurrency). */
const LOCAL_MAX_POLLERS = 4;

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `scheduler` (EventBridge Scheduler API, by path), `stepFunctions` (by X-Amz-Target) and `lambda` (Invoke, by path) are served on the EventBridge port. */
export type LocalEndpoints = { eventBridge: string; scheduler: string; stepFunctions: string; lambda: string; dynamodb: string; sqs: string; ses: string };

export type LocalSystem = {
  endpoints: LocalEndpoints;
  /** The stack's outputs, resolved to local values (table name, queue URLs, ...). */
  outputs: Record<string, string>;
  clock: SimulatedClock;
  bus: LocalEventBus;
  /** The local SES's account limits and how often each refused. */
  sesLimits: SesSendingLimits;
  scheduler: LocalScheduler;
  /** EventBridge Scheduler's one-time schedules (the Scheduler API on `endpoints.scheduler`). */
  oneTimeSchedules: LocalOneTimeSchedules;
  /** The stack's Step Functions state machines (the Step Functions API on `endpoints.stepFunctions`). */
  stateMachines: LocalStateMachines;
  startupMs: number;
  /** IAM enforcement: on or off (NUDGE_IAM), what the evaluations cost so far, and each distinct denial. */
  iam: { enforced: boolean; stats: PolicyEvaluator['stats']; denials: string[] };
  waitForIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
};

export type LocalSystemOptions = {
  ports: LocalPorts;
  log?: { info(message: string): void; warn(message: string): void; error(message: string): void };
  /** Level for the handlers' Powertools logs (default WARN: rejected events and failures, not every event). */
  handlerLogLevel?: string;
  /** The local SES's sandbox, send rate and daily quota (default: the NUDGE_SES_* env vars, else 14/s out of the sandbox). */
  sesLimits?: SesLimitsConfig;
  /**
   * Check every SDK call a handler makes, the Scheduler's target calls and Step Functions' Lambda
   * invokes against the role the template gives them, as AWS does (default: on, unless NUDGE_IAM=off).
   */
  iam?: boolean;
  /** Run this synthesized template instead of synthesizing the stack now (e.g. one a test has changed). */
  template?: CfnTemplate;
  /**
   * The clock the system runs on. Default: real time plus an offset (`npm start`). A replay passes
   * {@link SimulatedClock.standingStill}, so decisions do not depend on how long processing takes.
   */
  clock?: SimulatedClock;
};

/**
 * Boots the whole system on this machine: emulators, the stack's tables and queues (from the
 * synthesized CDK template), the same handler modules as in AWS, the local EventBridge with the
 * stack's rules, SQS and DynamoDB stream pollers with the stack's event source mappings, and the
 * stack's schedule rules under the simulated clock.
 */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  const started = Date.now();
  const log = options.log ?? console;
  const { ports } = options;
  for (const key of Object.keys(ports) as Array<keyof LocalPorts>) {
    await assertPortFree(ports[key], key, PORT_ENV_VARS[key]);
  }

  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stoppers.splice(0).reverse()) await stopOne().catch(() => undefined);
  };
  // Made before the emulators: the local SES counts its daily quota on it.
  const clock = options.clock ?? new SimulatedClock();
  try {
    const [synthesized, dynamodbLocal, sqsLocal, sesLocal] = await Promise.all([
      Promise.resolve().then(() => (options.template ? { template: options.template } : synthesizeNudgeTemplate({ bundle: false, context: LOCAL_STACK_CONTEXT }))),
      startDynamoDbLocal(ports.dynamodb).then(remember(stoppers)),
      startSqsLocal(ports.sqs).then(remember(stoppers)),
      startSesLocal(ports.ses, options.sesLimits ?? sesLimitsFromEnv(), () => clock.now().getTime()).then(remember(stoppers)),
    ]);
    const endpoints: LocalEndpoints = {
      eventBridge: `http://127.0.0.1:${ports.eventBridge}`,
      scheduler: `http://127.0.0.1:${ports.eventBridge}`,
      stepFunctions: `http://127.0.0.1:${ports.eventBridge}`,
      lambda: `http://127.0.0.1:${ports.eventBridge}`,
      dynamodb: dynamodbLocal.endpoint,
      sqs: sqsLocal.endpoint,
      ses: sesLocal.endpoint,
    };
    const stack = new StackTemplate(synthesized.template);
    const awsConfig = { region: LOCAL_REGION, credentials: localCredentials };
    const dynamodb = new DynamoDBClient({ ...awsConfig, endpoint: endpoints.dynamodb });
    const sqs = new SQSClient({ ...awsConfig, endpoint: endpoints.sqs });
    const dynamodbStreams = new DynamoDBStreamsClient({ ...awsConfig, endpoint: endpoints.dynamodb });
    stoppers.push(async () => {
      dynamodb.destroy();
      sqs.destroy();
      dynamodbStreams.destroy();
    });
    const provisioned = await provisionStack({ stack, dynamodb, sqs, sqsEndpoint: endpoints.sqs });
    // Secrets and Function URLs first: function environments reference them (LINK_SECRET_ARN, TRACKING_BASE_URL).
    const secrets = new LocalSecrets(stack.template.Resources ?? {}, provisioned.resources);
    const functionUrls = new LocalFunctionUrls(stack.template.Resources ?? {}, provisioned.resources, endpoints.eventBridge);
    // State machine ARNs too (STATE_MACHINE_ARN); the machines themselves need the loaded functions.
    registerStateMachines(stack.stateMachines(), provisioned.resources);

    // IAM: each function's role, with its policies resolved to the local ARNs the calls name.
    const roles = new StackRoles(stack, provisioned.resources);
    const evaluator = new PolicyEvaluator();
    const iamEnforced = options.iam ?? iamEnforcementFromEnv();
    const authorizer = iamEnforced ? new RoleAuthorizer(roles, evaluator) : undefined;
    const denials: string[] = [];
    if (iamEnforced) {
      const facts = stackFacts(stack.tables(), provisioned.tableNames, stack.template.Resources ?? {});
      const sdkClients = [DynamoDBClient, DynamoDBStreamsClient, SQSClient, SESv2Client, EventBridgeClient, SchedulerClient, SFNClient, SecretsManagerClient, LambdaClient];
      // Once per distinct denial: a handler retried by its queue would repeat it on every attempt.
      const onDenial = (message: string) => {
        if (denials.includes(message)) return;
        denials.push(message);
        log.warn(`IAM denied a call (the template grants no such permission): ${message}`);
      };
      const uninstall = installSdkEnforcement({ evaluator, facts, onDenial }, sdkClients);
      stoppers.push(async () => uninstall());
    }

    installClock(clock);
    const functionDefs = stack.functions();
    Object.assign(process.env, sdkEnvironment(endpoints, options.handlerLogLevel ?? 'WARN'));
    Object.assign(process.env, FunctionHost.mergedEnvironment(functionDefs, provisioned.resources));
    const functions = new FunctionHost(PROJECT_ROOT, functionDefs, (logicalId) => {
      const role = roles.roleOf(logicalId);
      // Lambda names the role session after the function.
      return role && { role, session: logicalId };
    });
    functionUrls.attach(functions);
    await functions.loadAll();

    const bus = new LocalEventBus({
      rules: stack.rules(),
      asyncInvokeConfigs: stack.asyncInvokeConfigs(),
      resources: provisioned.resources,
      functions,
      sqs,
      clock,
      log,
    });
    // The local SES learns the account the stack sets up, and publishes its events to the bus as SES would.
    const sesAccount = resolveSesAccount(stack.sesResources(), provisioned.resources, sesLocal.limits.config.verifiedIdentities);
    sesLocal.configure(sesAccount, (request, messageId) => {
      for (const result of bus.putEntries(publishedEvents(request, messageId, sesAccount, clock.now()))) {
        if ('ErrorCode' in result) log.warn(`the local SES could not publish an event: ${result.ErrorCode} ${result.ErrorMessage}`);
      }
    });
    const pollers = stack.eventSourceMappings().flatMap((mapping) => {
      if (!mapping.enabled) return [];
      const functionId = String(resolveIntrinsics(mapping.functionName, provisioned.resources));
      const queueArn = String(resolveIntrinsics(mapping.eventSourceArn, provisioned.resources));
      // Stream mappings have their own pollers (below).
      if (isDynamoDbStreamArn(queueArn)) return [];
      const queue = [...provisioned.resources.values()].find((resource) => resource.attributes.Arn === queueArn);
      if (!functions.has(functionId) || !queue?.attributes.QueueUrl) {
        log.warn(`event source mapping ${mapping.logicalId} (${queueArn} -> ${functionId}) cannot run locally; skipped`);
        return [];
      }
      // A mapping with a maximum concurrency (the scoring workers) gets that many pollers, up to
      // LOCAL_MAX_POLLERS: one machine and one DynamoDB Local gain little from more.
      const pollerCount = Math.max(1, Math.min(LOCAL_MAX_POLLERS, mapping.maximumConcurrency ?? 1));
      const queueUrl = queue.attributes.QueueUrl;
      return Array.from(
        { length: pollerCount },
        () =>
          new EventSourcePoller(sqs, functions, {
            functionId,
            queueUrl,
            queueArn,
            batchSize: mapping.batchSize,
            reportBatchItemFailures: mapping.reportBatchItemFailures,
            log,
          }),
      );
    });
    for (const poller of pollers) {
      poller.start();
      stoppers.push(() => poller.stop());
    }
    const streamPollers = dynamoDbStreamPollers({
      mappings: stack.eventSourceMappings(),
      resources: provisioned.resources,
      functions,
      streams: dynamodbStreams,
      sqs,
      log,
    });
    for (const poller of streamPollers) {
      // Resolves once the shards have their starting iterators, so a LATEST mapping misses no later write.
      await poller.start();
      stoppers.push(() => poller.stop());
    }
    // `aws lambda invoke`: Event invocations get the same async retries and on-failure destination as EventBridge's.
    const lambdaApi = new LocalLambdaApi({
      functions,
      asyncInvoker: new AsyncInvoker({ asyncInvokeConfigs: stack.asyncInvokeConfigs(), resources: provisioned.resources, functions, sqs, log }),
      log,
    });
    const scheduler = new LocalScheduler({
      rules: stack.rules(),
      asyncInvokeConfigs: stack.asyncInvokeConfigs(),
      resources: provisioned.resources,
      functions,
      sqs,
      clock,
      log,
    });
    scheduler.start();
    stoppers.push(() => scheduler.stop());
    const oneTimeSchedules = new LocalOneTimeSchedules({
      asyncInvokeConfigs: stack.asyncInvokeConfigs(),
      resources: provisioned.resources,
      functions,
      sqs,
      clock,
      log,
      ...(authorizer ? { authorizer } : {}),
    });
    oneTimeSchedules.start();
    stoppers.push(() => oneTimeSchedules.stop());
    const stateMachines = new LocalStateMachines({
      machines: stack.stateMachines(),
      resources: provisioned.resources,
      functions,
      clock,
      log,
      ...(authorizer ? { authorizer } : {}),
    });
    stateMachines.start();
    stoppers.push(() => stateMachines.stop());

    const outputs = resolveOutputs(stack, provisioned.resources);
    const waitForIdle = async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      let busy = 'nothing checked yet';
      while (Date.now() < deadline) {
        await bus.waitForIdle();
        // Fires the schedule rules already due at once (not at the loop's next tick), and waits for them.
        scheduler.tick();
        await scheduler.waitForIdle();
        // Fires the one-time schedules already due (clock past `at`) at once, and waits for them.
        await oneTimeSchedules.waitForIdle();
        // Lets go the executions whose Wait the clock has passed, and waits until each is held again or done.
        await stateMachines.waitForIdle();
        const firesBefore = oneTimeSchedules.firesStarted;
        const executionWorkBefore = stateMachines.workStarted;
        const queuesEmpty = await Promise.all(
          pollers.map(async (poller) => !poller.isBusy && (await queueIsEmpty(sqs, poller))),
        );
        const streamsDrained = await Promise.all(streamPollers.map((poller) => poller.isDrained()));
        // A schedule that came due while the queues were being looked at may have sent to one of them.
        const noNewFires = oneTimeSchedules.firesStarted === firesBefore && oneTimeSchedules.pendingRuns === 0;
        const noNewExecutionWork = stateMachines.workStarted === executionWorkBefore && stateMachines.pendingRuns === 0;
        const sourcesDrained = queuesEmpty.every(Boolean) && streamsDrained.every(Boolean) && lambdaApi.pendingInvocations === 0;
        if (sourcesDrained && bus.pendingDeliveries === 0 && scheduler.pendingRuns === 0 && noNewFires && noNewExecutionWork) return;
        // What was still busy, for the error below.
        busy = [
          ...pollers.filter((_, i) => !queuesEmpty[i]).map((poller) => `queue ${poller.queueUrl.split('/').pop()}`),
          ...streamPollers.filter((_, i) => !streamsDrained[i]).map((poller) => `stream ${poller.streamArn.split('/').slice(-3).join('/')}`),
          ...(lambdaApi.pendingInvocations > 0 ? [`${lambdaApi.pendingInvocations} Lambda API invocations`] : []),
          ...(bus.pendingDeliveries > 0 ? [`${bus.pendingDeliveries} bus deliveries`] : []),
          ...(scheduler.pendingRuns > 0 ? [`${scheduler.pendingRuns} schedule runs`] : []),
          ...(noNewFires ? [] : ['one-time schedules firing']),
          ...(noNewExecutionWork ? [] : ['state machine work']),
        ].join(', ');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the local system did not become idle within ${timeoutMs} ms; still busy: ${busy}`);
    };

    const server: Server = await startPutEventsServer({
      port: ports.eventBridge,
      bus,
      scheduler: oneTimeSchedules,
      secrets,
      functionUrls,
      stepFunctions: stateMachines,
      lambda: lambdaApi,
      control: {
        status: async () => ({ endpoints, outputs, now: clock.now().toISOString(), clockOffsetMs: clock.offset, iam: { enforced: iamEnforced, ...evaluator.stats, denials }, lambda: { timeouts: functions.timeouts() } }),
        clock: async ({ method, body }) => {
          if (method === 'POST') {
            const request = (body ?? {}) as { advance?: string; to?: string };
            if (request.advance) clock.advance(parseDuration(request.advance));
            else if (request.to) clock.advanceTo(new Date(request.to));
            else throw new Error('POST /_nudge/clock needs {"advance":"25h"} or {"to":"<ISO instant>"}');
          }
          return { now: clock.now().toISOString(), offsetMs: clock.offset };
        },
        idle: async ({ query }) => {
          await waitForIdle(Number(query.get('timeoutMs') ?? 30_000));
          return { idle: true };
        },
        // GET ?source=&sourcePrefix=&detailType=&customerId=&limit= -> { events: [envelope, ...] }, newest last.
        events: async ({ query }) => ({ events: bus.eventLog.query(parseEventLogQuery(query)) }),
        schedules: async () => ({ now: clock.now().toISOString(), schedules: scheduler.list() }),
        // GET -> { now, schedules: [{ name, group, at, targetArn, state, status, lastError, ... }] }, due first.
        'one-time-schedules': async () => ({ now: clock.now().toISOString(), schedules: oneTimeSchedules.list() }),
        // GET -> { now, stateMachines: [{ name, stateMachineArn, logicalId }], executions: [{ name, status, currentState, waitingUntil, ... }] }, in start order.
        executions: async () => ({ now: clock.now().toISOString(), stateMachines: stateMachines.stateMachines(), executions: stateMachines.list() }),
        // POST {"rule":"<logical id or part of it>"} -> { ran, ok, error? } once the run has finished.
        'schedules/run': async ({ method, body }) => {
          if (method !== 'POST') throw new Error('use POST /_nudge/schedules/run with {"rule":"<logical id or part of it, e.g. Sweep>"}');
          const rule = (body as { rule?: unknown } | undefined)?.rule;
          if (typeof rule !== 'string') throw new Error('POST /_nudge/schedules/run needs {"rule":"<logical id or part of it, e.g. Sweep>"}');
          return scheduler.runNow(rule);
        },
      },
    });
    stoppers.push(() => closeServer(server));

    const iam = { enforced: iamEnforced, stats: evaluator.stats, denials };
    return { endpoints, outputs, clock, bus, sesLimits: sesLocal.limits, scheduler, oneTimeSchedules, stateMachines, startupMs: Date.now() - started, iam, waitForIdle, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function remember(stoppers: Array<() => Promise<void>>) {
  return <E extends RunningEmulator>(emulator: E): E => {
    stoppers.push(() => emulator.stop());
    return emulator;
  };
}

/** The SDK settings that point the handlers' clients at the emulators (service-specific endpoint variables). */
function sdkEnvironment(endpoints: LocalEndpoints, logLevel: string): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge,
    AWS_ENDPOINT_URL_SCHEDULER: endpoints.scheduler,
    // The SDK's variable for the service id "SFN" (Step Functions).
    AWS_ENDPOINT_URL_SFN: endpoints.stepFunctions,
    // Secrets Manager's GetSecretValue is served on the EventBridge port too.
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.eventBridge,
    AWS_ENDPOINT_URL_LAMBDA: endpoints.lambda,
    POWERTOOLS_LOG_LEVEL: logLevel,
    // Business metrics are EMF lines that CloudWatch turns into metrics; locally they would only clutter the console.
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
}

function resolveOutputs(stack: StackTemplate, resources: Parameters<typeof resolveIntrinsics>[1]): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(stack.template.Outputs ?? {})) {
    try {
      outputs[name] = String(resolveIntrinsics((output as { Value?: unknown }).Value, resources));
    } catch {
      // An output with no local meaning (e.g. a console URL) is simply not offered locally.
    }
  }
  return outputs;
}

async function queueIsEmpty(sqs: SQSClient, poller: EventSourcePoller): Promise<boolean> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: poller.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return [Attributes?.ApproximateNumberOfMessages, Attributes?.ApproximateNumberOfMessagesNotVisible, Attributes?.ApproximateNumberOfMessagesDelayed].every(
    (count) => Number(count ?? 0) === 0,
  );
}
