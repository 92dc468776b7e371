import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import pLimit, { type LimitFunction } from 'p-limit';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';
import { runAsCaller, type Caller } from '../iam/sdk-enforcement.ts';
import type { FunctionDef } from '../stack/cloud-template.ts';
import { resolveIntrinsics, type LocalResource } from '../stack/intrinsics.ts';

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export class FunctionTimeoutError extends Error {
  override name = 'FunctionTimeoutError';
}

export class EnvironmentConflictError extends Error {
  override name = 'EnvironmentConflictError';
}

/**
 * How many invocations of one function run at once locally when its reserved concurrency does not
 * say fewer. In AWS each invocation has its own CPU; here they all share the machine's, so beyond a
 * few in flight more only stretch each one's wall time, which Lambda's timeout counts: 600 events
 * fanned out at once on 2 cores timed invocations out and sent events to the DLQ that AWS would
 * have applied. Invocations past the limit wait their turn (as throttled async events wait in
 * Lambda's queue), and the timeout starts when they run. NUDGE_LOCAL_FUNCTION_CONCURRENCY overrides.
 */
export const DEFAULT_LOCAL_FUNCTION_CONCURRENCY = 12;

/**
 * Runs the stack's Lambda functions in this process: the same handler modules as in AWS, found
 * through the `nudge:entry` metadata of the synthesized template and configured only by their
 * environment, with Lambda's timeout and the function's concurrency enforced.
 *
 * A timed-out invocation fails at its function's Timeout with Lambda's "Task timed out after N.00
 * seconds" ({@link FunctionTimeoutError}; callers report it as `Sandbox.Timedout`) and is counted
 * ({@link timeouts}, in `GET /_nudge/status`). Unlike Lambda, which stops the execution
 * environment, the handler's promise cannot be stopped in-process: it runs on in the background,
 * its later SDK calls still made (docs/local-runtime.md).
 *
 * All functions share one process environment, so the variables of every function are merged
 * and a name that two functions would set differently is refused at startup.
 */
export class FunctionHost {
  private readonly handlers = new Map<string, LambdaHandler>();
  private readonly definitions = new Map<string, FunctionDef>();
  private readonly limits = new Map<string, LimitFunction>();
  private readonly timedOut = new Map<string, number>();

  /**
   * @param callerOf the execution role each function runs as: every SDK call its handler makes is
   *   made as that role (see `installSdkEnforcement`); without it, handlers run as no one in particular.
   */
  constructor(
    private readonly projectRoot: string,
    functions: FunctionDef[],
    private readonly callerOf: (logicalId: string) => Caller | undefined = () => undefined,
    localConcurrency = localFunctionConcurrency(),
  ) {
    for (const fn of functions) {
      this.definitions.set(fn.logicalId, fn);
      this.limits.set(fn.logicalId, pLimit(Math.max(1, Math.min(fn.reservedConcurrency ?? localConcurrency, localConcurrency))));
    }
  }

  /** Invocations of `logicalId` running now and waiting for a turn (for status and tests). */
  concurrencyOf(logicalId: string): { running: number; waiting: number; limit: number } {
    const limit = this.limits.get(logicalId);
    return { running: limit?.activeCount ?? 0, waiting: limit?.pendingCount ?? 0, limit: limit?.concurrency ?? 0 };
  }

  static mergedEnvironment(functions: FunctionDef[], resources: ReadonlyMap<string, LocalResource>): Record<string, string> {
    const merged: Record<string, string> = {};
    const owner: Record<string, string> = {};
    for (const fn of functions) {
      const resolved = resolveIntrinsics(fn.environment, resources) as Record<string, unknown>;
      for (const [name, value] of Object.entries(resolved)) {
        const text = String(value);
        if (merged[name] !== undefined && merged[name] !== text) {
          throw new EnvironmentConflictError(
            `${name} is "${merged[name]}" for ${owner[name]} but "${text}" for ${fn.logicalId}; the local runtime shares one environment`,
          );
        }
        merged[name] = text;
        owner[name] = fn.logicalId;
      }
    }
    return merged;
  }

  /** Imports every handler now, so a broken module or a missing variable fails startup, not the first event. */
  async loadAll(): Promise<void> {
    for (const fn of this.definitions.values()) {
      const module = (await import(pathToFileURL(resolve(this.projectRoot, fn.entry)).href)) as { handler?: unknown };
      if (typeof module.handler !== 'function') throw new Error(`${fn.entry} does not export a handler function`);
      this.handlers.set(fn.logicalId, module.handler as LambdaHandler);
    }
  }

  has(logicalId: string): boolean {
    return this.definitions.has(logicalId);
  }

  ids(): string[] {
    return [...this.definitions.keys()];
  }

  entryOf(logicalId: string): string {
    return this.definition(logicalId).entry;
  }

  /** Runs the handler once its turn comes (see DEFAULT_LOCAL_FUNCTION_CONCURRENCY); the timeout counts from then. */
  async invoke(logicalId: string, event: unknown): Promise<unknown> {
    this.definition(logicalId);
    return this.limits.get(logicalId)!(() => this.run(logicalId, event));
  }

  private async run(logicalId: string, event: unknown): Promise<unknown> {
    const fn = this.definition(logicalId);
    const handler = this.handlers.get(logicalId);
    if (!handler) throw new Error(`function ${logicalId} is not loaded; call loadAll() first`);
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.timedOut.set(logicalId, (this.timedOut.get(logicalId) ?? 0) + 1);
        reject(new FunctionTimeoutError(`${logicalId}: Task timed out after ${fn.timeoutSeconds}.00 seconds`));
      }, fn.timeoutSeconds * 1000);
    });
    const caller = this.callerOf(logicalId);
    const run = () => handler(event, lambdaContext(fn, deadline));
    try {
      return await Promise.race([caller ? runAsCaller(caller, run) : run(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Invocations that ran past their function's timeout since the runtime began, by function (those with none left out). */
  timeouts(): Record<string, number> {
    return Object.fromEntries(this.timedOut);
  }

  private definition(logicalId: string): FunctionDef {
    const fn = this.definitions.get(logicalId);
    if (!fn) throw new Error(`no function ${logicalId} in the stack`);
    return fn;
  }
}

function localFunctionConcurrency(): number {
  const configured = Number(process.env.NUDGE_LOCAL_FUNCTION_CONCURRENCY);
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_LOCAL_FUNCTION_CONCURRENCY;
}

function lambdaContext(fn: FunctionDef, deadline: number): Context {
  const unsupported = () => {
    throw new Error('callback-style completion is not used by Nudge handlers');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.logicalId,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${fn.logicalId}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.logicalId}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
