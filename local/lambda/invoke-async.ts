import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';
import type { AsyncInvokeConfigDef } from '../stack/cloud-template.ts';
import { resolveIntrinsics, type LocalResource } from '../stack/intrinsics.ts';
import type { FunctionHost } from './function-host.ts';
import { eventBytes, PAYLOAD_TOO_LARGE, payloadTooLarge } from './payload-limits.ts';

/** What an asynchronous invoker needs of the function host (a plain object in unit tests). */
export type InvocableFunctions = Pick<FunctionHost, 'has' | 'invoke'>;

/** Where an asynchronous payload came from: the EventBridge event id and what delivered it (e.g. `rule X`), for the logs. */
export type AsyncOrigin = { eventId: string; origin: string };

export type AsyncInvokeOutcome = { ok: true; attempts: number } | { ok: false; attempts: number; error: string };

export type AsyncInvokeLog = { warn(message: string): void; error(message: string): void };

type AsyncPolicy = { maximumRetryAttempts: number; onFailureQueueUrl?: string };

/** Lambda retries asynchronous invocations after about 1 and 2 minutes; locally after a short backoff. */
const LOCAL_RETRY_DELAYS_MS = [200, 400, 800];
/** Lambda's default when a function has no EventInvokeConfig. */
const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 2;

/**
 * Lambda's asynchronous invocation, as EventBridge uses it for rule and schedule targets: the
 * function's `EventInvokeConfig` from the stack decides the retries, then the on-failure destination
 * receives Lambda's destination record, else the event is lost (logged as an error).
 *
 * Shared by the local bus and the local scheduler so that both deliver with exactly one set of
 * semantics.
 */
export class AsyncInvoker {
  private readonly policies = new Map<string, AsyncPolicy>();

  constructor(
    private readonly deps: {
      asyncInvokeConfigs: AsyncInvokeConfigDef[];
      resources: ReadonlyMap<string, LocalResource>;
      functions: InvocableFunctions;
      sqs: SQSClient;
      log: AsyncInvokeLog;
    },
  ) {
    for (const config of deps.asyncInvokeConfigs) {
      const functionId = functionIdFromName(resolveIntrinsics(config.functionName, deps.resources), deps.functions);
      if (!functionId) continue;
      const onFailure = config.onFailureDestination
        ? queueUrlFromArn(String(resolveIntrinsics(config.onFailureDestination, deps.resources)), deps.resources)
        : undefined;
      this.policies.set(functionId, { maximumRetryAttempts: config.maximumRetryAttempts, ...(onFailure ? { onFailureQueueUrl: onFailure } : {}) });
    }
  }

  /**
   * Invokes `functionId` with `payload` until it succeeds or the retries are spent. Never throws for a
   * function error: the outcome says how it went (only a failing write to the on-failure queue throws).
   * A payload over the asynchronous limit (1 MB) is refused as Lambda refuses the Invoke: the
   * function never runs and, the event never having been queued, no retry or destination applies.
   */
  async invoke(functionId: string, payload: unknown, { eventId, origin }: AsyncOrigin): Promise<AsyncInvokeOutcome> {
    const tooLarge = payloadTooLarge('Event', eventBytes(payload));
    if (tooLarge) {
      const error = `${PAYLOAD_TOO_LARGE}: ${tooLarge}`;
      this.deps.log.error(`${functionId} refused event ${eventId} from ${origin}: ${error}`);
      return { ok: false, attempts: 0, error };
    }
    const policy = this.policies.get(functionId) ?? { maximumRetryAttempts: DEFAULT_MAXIMUM_RETRY_ATTEMPTS };
    const attempts = policy.maximumRetryAttempts + 1;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(LOCAL_RETRY_DELAYS_MS[Math.min(attempt - 1, LOCAL_RETRY_DELAYS_MS.length - 1)]!);
      try {
        await this.deps.functions.invoke(functionId, payload);
        return { ok: true, attempts: attempt + 1 };
      } catch (error) {
        lastError = error;
      }
    }
    const message = describeError(lastError);
    if (!policy.onFailureQueueUrl) {
      this.deps.log.error(`${functionId} failed event ${eventId} from ${origin} after retries, no destination: ${message}`);
      return { ok: false, attempts, error: message };
    }
    this.deps.log.warn(`${functionId} failed event ${eventId} from ${origin} after ${attempts} attempts; sent to its on-failure queue: ${message}`);
    await this.deps.sqs.send(
      new SendMessageCommand({
        QueueUrl: policy.onFailureQueueUrl,
        MessageBody: JSON.stringify(destinationRecord(functionId, payload, attempts, lastError)),
      }),
    );
    return { ok: false, attempts, error: message };
  }
}

/** The local function behind a Lambda ARN (`arn:aws:lambda:<region>:<account>:function:<id>`), if it runs here. */
export function functionIdFromArn(arn: string, functions: Pick<FunctionHost, 'has'>): string | undefined {
  const match = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(arn);
  return match && functions.has(match[1]!) ? match[1] : undefined;
}

/** The local function behind a FunctionName (an ARN or the name itself). */
export function functionIdFromName(name: unknown, functions: Pick<FunctionHost, 'has'>): string | undefined {
  const text = String(name);
  return functionIdFromArn(text, functions) ?? (functions.has(text) ? text : undefined);
}

/** The local URL of the queue with ARN `arn`, if the stack has it. */
export function queueUrlFromArn(arn: string, resources: ReadonlyMap<string, LocalResource>): string | undefined {
  for (const resource of resources.values()) {
    if (resource.attributes.Arn === arn && resource.attributes.QueueUrl) return resource.attributes.QueueUrl;
  }
  return undefined;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The record Lambda sends to an on-failure destination. */
function destinationRecord(functionId: string, payload: unknown, attempts: number, error: unknown): Record<string, unknown> {
  return {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId: randomUUID(),
      functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${functionId}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: attempts,
    },
    requestPayload: payload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: {
      errorType: error instanceof Error ? error.name : 'Error',
      errorMessage: error instanceof Error ? error.message : String(error),
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
