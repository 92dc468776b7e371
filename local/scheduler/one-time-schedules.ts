import { randomUUID } from 'node:crypto';
import type {
  ActionAfterCompletion,
  CreateScheduleInput,
  CreateScheduleOutput,
  FlexibleTimeWindow,
  GetScheduleOutput,
  ListSchedulesInput,
  ListSchedulesOutput,
  RetryPolicy,
  ScheduleState,
  Target,
} from '@aws-sdk/client-scheduler';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DateTime, IANAZone } from 'luxon';
import type { Clock } from '#shared/domain/clock.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';
import type { RoleAuthorizer } from '../iam/role-authorizer.ts';
import type { FunctionHost } from '../lambda/function-host.ts';
import { AsyncInvoker, functionIdFromArn, queueUrlFromArn } from '../lambda/invoke-async.ts';
import type { AsyncInvokeConfigDef } from '../stack/cloud-template.ts';
import type { LocalResource } from '../stack/intrinsics.ts';
import { DEFAULT_TICK_MS, type SchedulerLog } from './local-scheduler.ts';
import { TickLoop } from '../clock/tick-loop.ts';

/** An error of the Scheduler API, as the SDK expects it on the wire (`x-amzn-errortype` and HTTP status). */
export class SchedulerApiError extends Error {
  override name = 'SchedulerApiError';
  constructor(
    readonly type: 'ValidationException' | 'ConflictException' | 'ResourceNotFoundException',
    message: string,
  ) {
    super(message);
  }

  get statusCode(): number {
    return { ValidationException: 400, ConflictException: 409, ResourceNotFoundException: 404 }[this.type];
  }
}

/**
 * Where a one-time schedule is in its life, locally: `scheduled` (waiting for the clock), `firing`
 * (its target is being called or still running), `fired` (kept because ActionAfterCompletion is
 * NONE; `lastError` holds the function's error if it failed after its retries), `failed` (the target
 * could not be called at all, e.g. an ARN the stack does not have; kept whatever ActionAfterCompletion says).
 */
export type OneTimeScheduleStatus = 'scheduled' | 'firing' | 'fired' | 'failed';

/** One schedule as `GET /_nudge/one-time-schedules` shows it. */
export type OneTimeScheduleView = {
  name: string;
  group: string;
  arn: string;
  expression: string;
  timezone: string;
  /** ISO instant the schedule is due, in UTC. */
  at: string;
  targetArn: string;
  /** The local function (and its handler file) a Lambda target resolves to; null for other targets. */
  targetFunction: { functionId: string; entry: string } | null;
  state: ScheduleState;
  status: OneTimeScheduleStatus;
  actionAfterCompletion: ActionAfterCompletion;
  createdAt: string;
  /** Simulated instant it fired; null before. */
  firedAt: string | null;
  lastError: string | null;
};

type Entry = {
  name: string;
  group: string;
  arn: string;
  expression: string;
  timezone: string;
  at: Date;
  state: ScheduleState;
  description: string | undefined;
  target: Target;
  flexibleTimeWindow: FlexibleTimeWindow;
  actionAfterCompletion: ActionAfterCompletion;
  createdAt: Date;
  /** The request's idempotency token: a retry of the same CreateSchedule succeeds instead of conflicting. */
  clientToken: string | undefined;
  /** Creation order: schedules due at the same instant fire in the order they were created. */
  seq: number;
  status: OneTimeScheduleStatus;
  firedAt: Date | undefined;
  lastError: string | undefined;
};

type ResolvedTarget = { kind: 'lambda'; functionId: string } | { kind: 'sqs'; queueUrl: string };

const DEFAULT_GROUP = 'default';
/** Schedule and group names, as the Scheduler API reference constrains them (CreateSchedule Name, GroupName: 1-64 of `[0-9a-zA-Z-_.]+`). */
const NAME_PATTERN = /^[0-9a-zA-Z_.-]{1,64}$/;
/** "The maximum size of the Input field is 256 KB" (Scheduler API reference, Target.Input), counted in UTF-8 bytes. */
const MAX_INPUT_BYTES = 256 * 1024;
/** CreateSchedule Description: at most 512 characters (Scheduler API reference). */
const MAX_DESCRIPTION = 512;
const DEFAULT_MAX_RESULTS = 100;
const MAX_RESULTS = 1000;

/**
 * EventBridge Scheduler's one-time schedules, locally: the Scheduler API (create, get, delete, list)
 * over an in-memory store, and a loop that fires each schedule once the runtime's simulated clock
 * reaches its `at(...)` time. Only one-time schedules run: `rate(...)` and `cron(...)` are refused
 * (the stack's recurring schedules are EventBridge rules, run by {@link LocalScheduler}).
 *
 * The store is in memory on purpose: the local system is a dev runtime whose tables and queues also
 * start empty on every run, so schedules surviving a restart would point at work that no longer exists.
 *
 * Targets, as AWS's templated targets: a Lambda function ARN is invoked asynchronously with the
 * parsed `Input` as the event (the function's async retries and on-failure destination apply, via
 * the bus's {@link AsyncInvoker}); an SQS queue ARN receives `Input` as the message body. Due
 * schedules are delivered one at a time in due order (then creation order); Lambda functions then
 * run concurrently, as Lambda's asynchronous invocations do.
 *
 * Schedule groups are implicit: any valid GroupName is accepted (the stack's group is not provisioned).
 * A schedule whose `at` is already past fires at the next tick. A clock jump over several due
 * times fires each schedule once, at the current simulated time.
 * FlexibleTimeWindow FLEXIBLE fires at the start of the window (AWS picks a moment within it).
 * RetryPolicy and DeadLetterConfig are kept but not acted on: a local target either exists or never
 * will, so a failed delivery is kept on the schedule (`status: failed`, `lastError`) instead.
 */
export class LocalOneTimeSchedules {
  private readonly entries = new Map<string, Entry>();
  private readonly invoker: AsyncInvoker;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Deliveries run one after another, so due order is also the order targets see. */
  private deliveries: Promise<void> = Promise.resolve();
  private running = 0;
  private started = 0;
  private seq = 0;
  private readonly loop = new TickLoop(() => this.tick());

  constructor(
    private readonly deps: {
      asyncInvokeConfigs: AsyncInvokeConfigDef[];
      resources: ReadonlyMap<string, LocalResource>;
      functions: Pick<FunctionHost, 'has' | 'invoke' | 'entryOf'>;
      sqs: SQSClient;
      clock: Clock;
      log: SchedulerLog;
      /** Checks that the target's role may call the target (sqs:SendMessage, lambda:InvokeFunction), as Scheduler does with it. */
      authorizer?: RoleAuthorizer;
    },
  ) {
    this.invoker = new AsyncInvoker(deps);
  }

  /** Starts the loop that fires due schedules (every `tickMs` of real time). */
  start(tickMs = DEFAULT_TICK_MS): void {
    this.loop.start(tickMs);
  }

  async stop(): Promise<void> {
    this.loop.stop();
  }

  // ------------------------------------------------------------------------------------ the API

  /** CreateSchedule (`POST /schedules/{Name}`). */
  create(name: string, body: unknown): CreateScheduleOutput {
    const input = validateCreate(name, body);
    const group = input.GroupName ?? DEFAULT_GROUP;
    const key = keyOf(group, name);
    const existing = this.entries.get(key);
    if (existing && input.ClientToken !== undefined && existing.clientToken === input.ClientToken) return { ScheduleArn: existing.arn };
    if (existing) throw new SchedulerApiError('ConflictException', `Schedule ${name} already exists.`);
    const timezone = input.ScheduleExpressionTimezone ?? 'UTC';
    const entry: Entry = {
      name,
      group,
      arn: `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/${group}/${name}`,
      expression: input.ScheduleExpression!,
      timezone,
      at: parseAtExpression(input.ScheduleExpression!, timezone),
      state: input.State ?? 'ENABLED',
      description: input.Description,
      target: input.Target!,
      flexibleTimeWindow: input.FlexibleTimeWindow!,
      actionAfterCompletion: input.ActionAfterCompletion ?? 'NONE',
      createdAt: this.deps.clock.now(),
      clientToken: input.ClientToken,
      seq: this.seq++,
      status: 'scheduled',
      firedAt: undefined,
      lastError: undefined,
    };
    this.entries.set(key, entry);
    return { ScheduleArn: entry.arn };
  }

  /** GetSchedule (`GET /schedules/{Name}?groupName=`). */
  get(name: string, groupName: string | undefined): GetScheduleOutput {
    const entry = this.find(name, groupName);
    return {
      Arn: entry.arn,
      GroupName: entry.group,
      Name: entry.name,
      ScheduleExpression: entry.expression,
      ScheduleExpressionTimezone: entry.timezone,
      State: entry.state,
      CreationDate: entry.createdAt,
      LastModificationDate: entry.createdAt,
      Target: entry.target,
      FlexibleTimeWindow: entry.flexibleTimeWindow,
      ActionAfterCompletion: entry.actionAfterCompletion,
      ...(entry.description !== undefined ? { Description: entry.description } : {}),
    };
  }

  /** DeleteSchedule (`DELETE /schedules/{Name}?groupName=`). A run already started still finishes. */
  delete(name: string, groupName: string | undefined): void {
    const entry = this.find(name, groupName);
    this.entries.delete(keyOf(entry.group, entry.name));
  }

  /** ListSchedules (`GET /schedules?ScheduleGroup=&NamePrefix=&State=&MaxResults=&NextToken=`), by group then name. */
  listSchedules(input: ListSchedulesInput): ListSchedulesOutput {
    const maxResults = input.MaxResults ?? DEFAULT_MAX_RESULTS;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS) {
      throw new SchedulerApiError('ValidationException', `MaxResults must be an integer from 1 to ${MAX_RESULTS}`);
    }
    const after = input.NextToken !== undefined ? decodeNextToken(input.NextToken) : undefined;
    const matching = [...this.entries.entries()]
      .filter(([, entry]) => input.GroupName === undefined || entry.group === input.GroupName)
      .filter(([, entry]) => input.NamePrefix === undefined || entry.name.startsWith(input.NamePrefix))
      .filter(([, entry]) => input.State === undefined || entry.state === input.State)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .filter(([key]) => after === undefined || key > after);
    const page = matching.slice(0, maxResults);
    const more = matching.length > maxResults;
    return {
      Schedules: page.map(([, entry]) => ({
        Arn: entry.arn,
        Name: entry.name,
        GroupName: entry.group,
        State: entry.state,
        CreationDate: entry.createdAt,
        LastModificationDate: entry.createdAt,
        Target: { Arn: entry.target.Arn },
      })),
      ...(more ? { NextToken: Buffer.from(page.at(-1)![0]).toString('base64url') } : {}),
    };
  }

  // ------------------------------------------------------------------------------ the runtime's view

  /** Every schedule, due first (for `GET /_nudge/one-time-schedules`). */
  list(): OneTimeScheduleView[] {
    return [...this.entries.values()].sort(byDue).map((entry) => {
      const functionId = functionIdFromArn(entry.target.Arn ?? '', this.deps.functions);
      return {
        name: entry.name,
        group: entry.group,
        arn: entry.arn,
        expression: entry.expression,
        timezone: entry.timezone,
        at: entry.at.toISOString(),
        targetArn: entry.target.Arn ?? '',
        targetFunction: functionId ? { functionId, entry: this.deps.functions.entryOf(functionId) } : null,
        state: entry.state,
        status: entry.status,
        actionAfterCompletion: entry.actionAfterCompletion,
        createdAt: entry.createdAt.toISOString(),
        firedAt: entry.firedAt?.toISOString() ?? null,
        lastError: entry.lastError ?? null,
      };
    });
  }

  /** The earliest time of a schedule not fired yet (enabled or not, as {@link list} shows them), in epoch ms: without building the views. */
  nextScheduledAt(): number | undefined {
    let next: number | undefined;
    for (const entry of this.entries.values()) if (entry.status === 'scheduled' && (next === undefined || entry.at.getTime() < next)) next = entry.at.getTime();
    return next;
  }

  /**
   * Schedules the system is not done with: due (the clock is past `at`) but not yet picked up by
   * the loop, plus those firing (delivery or their Lambda function still running).
   */
  get pendingRuns(): number {
    const now = this.deps.clock.now();
    let due = 0;
    for (const entry of this.entries.values()) if (isDue(entry, now)) due += 1;
    return due + this.running;
  }

  /** How many fires have started since the runtime began; lets a caller notice work begun while it looked elsewhere. */
  get firesStarted(): number {
    return this.started;
  }

  /** Fires what is due now (rather than at the next loop tick) and resolves when every fire started has finished. */
  async waitForIdle(): Promise<void> {
    this.tick();
    while (this.inFlight.size > 0) {
      await Promise.allSettled([...this.inFlight]);
      this.tick();
    }
  }

  /** Starts firing every enabled schedule whose time has come, in due order (called by the loop; public for tests). */
  tick(): void {
    const now = this.deps.clock.now();
    const due = [...this.entries.values()].filter((entry) => isDue(entry, now)).sort(byDue);
    if (due.length === 0) return;
    for (const entry of due) {
      entry.status = 'firing';
      entry.firedAt = now;
    }
    this.running += due.length;
    this.started += due.length;
    this.deliveries = this.deliveries.then(() => this.deliverAll(due, now));
    this.track(this.deliveries);
  }

  // ------------------------------------------------------------------------------------ firing

  private async deliverAll(due: Entry[], now: Date): Promise<void> {
    for (const entry of due) {
      try {
        await this.deliver(entry, now);
      } catch (error) {
        this.fail(entry, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      }
    }
  }

  private async deliver(entry: Entry, now: Date): Promise<void> {
    const arn = entry.target.Arn ?? '';
    const target = this.resolve(arn);
    if (!target) {
      this.fail(entry, `target ${arn} is neither a function nor a queue of the local stack`);
      return;
    }
    const denial = await this.roleDenial(entry, target.kind === 'sqs' ? 'sqs:SendMessage' : 'lambda:InvokeFunction', arn);
    if (denial) {
      this.fail(entry, `AccessDeniedException: ${denial}`);
      return;
    }
    if (target.kind === 'sqs') {
      if (entry.target.Input === undefined) {
        this.fail(entry, 'an SQS target needs Input: it is the message body');
        return;
      }
      const groupId = entry.target.SqsParameters?.MessageGroupId;
      await this.deps.sqs.send(
        new SendMessageCommand({ QueueUrl: target.queueUrl, MessageBody: entry.target.Input, ...(groupId ? { MessageGroupId: groupId } : {}) }),
      );
      this.complete(entry, undefined);
      return;
    }
    // Input was checked to be JSON when the schedule was created (a Lambda target requires it).
    const payload = entry.target.Input !== undefined ? JSON.parse(entry.target.Input) : defaultNotification(entry, now);
    // Lambda's asynchronous invocation is accepted at once: the next schedule need not wait for this function.
    this.track(
      this.invoker
        .invoke(target.functionId, payload, { eventId: randomUUID(), origin: `one-time schedule ${entry.group}/${entry.name}` })
        .then(
          (outcome) => this.complete(entry, outcome.ok ? undefined : outcome.error),
          (error: unknown) => this.complete(entry, error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
        ),
    );
  }

  /** Scheduler calls the target as the target's role (its session named for the schedule). */
  private async roleDenial(entry: Entry, action: string, resource: string): Promise<string | undefined> {
    const authorizer = this.deps.authorizer;
    if (!authorizer) return undefined;
    return authorizer.denial(authorizer.roles.roleByArn(entry.target.RoleArn ?? ''), entry.name, { action, resource });
  }

  private resolve(arn: string): ResolvedTarget | undefined {
    const functionId = functionIdFromArn(arn, this.deps.functions);
    if (functionId) return { kind: 'lambda', functionId };
    const queueUrl = queueUrlFromArn(arn, this.deps.resources);
    return queueUrl ? { kind: 'sqs', queueUrl } : undefined;
  }

  /**
   * The target was called. As in AWS, a function that failed after its async retries still
   * completes the schedule (its on-failure destination has the event); the error is kept on a
   * schedule that stays (ActionAfterCompletion NONE).
   */
  private complete(entry: Entry, functionError: string | undefined): void {
    this.running -= 1;
    entry.lastError = functionError;
    if (entry.actionAfterCompletion === 'DELETE') this.remove(entry);
    else entry.status = 'fired';
  }

  /** The target could not be called: keep the schedule, with the reason, for whoever looks at it. */
  private fail(entry: Entry, reason: string): void {
    this.running -= 1;
    entry.status = 'failed';
    entry.lastError = reason;
    this.deps.log.warn(`one-time schedule ${entry.group}/${entry.name} could not fire: ${reason}`);
  }

  /** Removes `entry` unless the name now belongs to a schedule created after it was deleted. */
  private remove(entry: Entry): void {
    const key = keyOf(entry.group, entry.name);
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }

  private find(name: string, groupName: string | undefined): Entry {
    const group = groupName ?? DEFAULT_GROUP;
    const entry = this.entries.get(keyOf(group, name));
    if (!entry) throw new SchedulerApiError('ResourceNotFoundException', `Schedule ${name} does not exist.`);
    return entry;
  }

  private track<T>(run: Promise<T>): Promise<T> {
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run)).catch(() => undefined);
    return run;
  }
}

// ---------------------------------------------------------------------------------- pure helpers

/**
 * Parses a one-time schedule's `at(yyyy-mm-ddThh:mm:ss)` in `timezone` (an IANA name; default UTC).
 * `rate(...)` and `cron(...)` are valid in AWS but refused here: only one-time schedules run locally.
 */
export function parseAtExpression(expression: string, timezone = 'UTC'): Date {
  const trimmed = expression.trim();
  if (/^(rate|cron)\(/.test(trimmed)) {
    throw new SchedulerApiError(
      'ValidationException',
      `ScheduleExpression "${expression}": only one-time schedules, at(yyyy-mm-ddThh:mm:ss), run locally; the stack's recurring schedules are EventBridge rules`,
    );
  }
  const match = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(trimmed);
  if (!match) throw new SchedulerApiError('ValidationException', `Invalid Schedule Expression "${expression}": use at(yyyy-mm-ddThh:mm:ss)`);
  if (!IANAZone.isValidZone(timezone)) throw new SchedulerApiError('ValidationException', `Invalid ScheduleExpressionTimezone "${timezone}"`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const at = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone: timezone });
  if (!at.isValid) throw new SchedulerApiError('ValidationException', `Invalid Schedule Expression "${expression}": ${at.invalidExplanation ?? 'not a date and time'}`);
  return at.toJSDate();
}

/** Due first, then in creation order. */
export function byDue(a: { at: Date; seq: number }, b: { at: Date; seq: number }): number {
  return a.at.getTime() - b.at.getTime() || a.seq - b.seq;
}

function isDue(entry: Entry, now: Date): boolean {
  return entry.status === 'scheduled' && entry.state === 'ENABLED' && entry.at.getTime() <= now.getTime();
}

function keyOf(group: string, name: string): string {
  return `${group}/${name}`;
}

function decodeNextToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (!key.includes('/')) throw new SchedulerApiError('ValidationException', 'NextToken is not one this server returned');
  return key;
}

/** What AWS delivers to a Lambda target when the schedule has no Input: an EventBridge-style Scheduled Event. */
function defaultNotification(entry: Entry, now: Date): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: LOCAL_ACCOUNT,
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [entry.arn],
    detail: '{}',
  };
}

/**
 * Checks a CreateSchedule body against the API's constraints, with messages that say what to fix.
 * Unknown members are ignored, as the service does; StartDate and EndDate do not apply to one-time schedules.
 */
export function validateCreate(name: string, body: unknown): CreateScheduleInput {
  const invalid = (message: string) => new SchedulerApiError('ValidationException', message);
  if (!NAME_PATTERN.test(name)) throw invalid(`Name "${name}" must be 1 to 64 characters of [0-9a-zA-Z-_.]`);
  if (!isObject(body)) throw invalid('the request body must be a JSON object');
  const groupName = optionalString(body, 'GroupName');
  if (groupName !== undefined && !NAME_PATTERN.test(groupName)) throw invalid(`GroupName "${groupName}" must be 1 to 64 characters of [0-9a-zA-Z-_.]`);
  const expression = optionalString(body, 'ScheduleExpression');
  if (expression === undefined) throw invalid('ScheduleExpression is required, e.g. at(2030-01-01T09:00:00)');
  const timezone = optionalString(body, 'ScheduleExpressionTimezone');
  parseAtExpression(expression, timezone); // throws a ValidationException saying what is wrong

  const window = body.FlexibleTimeWindow;
  if (!isObject(window)) throw invalid('FlexibleTimeWindow is required, e.g. {"Mode":"OFF"}');
  if (window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE') throw invalid('FlexibleTimeWindow.Mode must be OFF or FLEXIBLE');
  if (window.Mode === 'FLEXIBLE' && !isIntegerIn(window.MaximumWindowInMinutes, 1, 1440)) {
    throw invalid('FlexibleTimeWindow.MaximumWindowInMinutes must be an integer from 1 to 1440 when Mode is FLEXIBLE');
  }

  const target = validateTarget(body.Target, invalid);
  const state = optionalString(body, 'State');
  if (state !== undefined && state !== 'ENABLED' && state !== 'DISABLED') throw invalid('State must be ENABLED or DISABLED');
  const action = optionalString(body, 'ActionAfterCompletion');
  if (action !== undefined && action !== 'NONE' && action !== 'DELETE') throw invalid('ActionAfterCompletion must be NONE or DELETE');
  const clientToken = optionalString(body, 'ClientToken');
  const description = optionalString(body, 'Description');
  if (description !== undefined && description.length > MAX_DESCRIPTION) throw invalid(`Description must be at most ${MAX_DESCRIPTION} characters`);

  return {
    Name: name,
    ScheduleExpression: expression,
    Target: target,
    FlexibleTimeWindow: window as unknown as FlexibleTimeWindow,
    ...(groupName !== undefined ? { GroupName: groupName } : {}),
    ...(timezone !== undefined ? { ScheduleExpressionTimezone: timezone } : {}),
    ...(state !== undefined ? { State: state } : {}),
    ...(action !== undefined ? { ActionAfterCompletion: action } : {}),
    ...(description !== undefined ? { Description: description } : {}),
    ...(clientToken !== undefined ? { ClientToken: clientToken } : {}),
  };

  function optionalString(object: Record<string, unknown>, key: string): string | undefined {
    const value = object[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalid(`${key} must be a string`);
    return value;
  }
}

function validateTarget(value: unknown, invalid: (message: string) => SchedulerApiError): Target {
  if (!isObject(value)) throw invalid('Target is required: {"Arn": "<queue or function ARN>", "RoleArn": "<role ARN>", "Input": "..."}');
  const { Arn: arn, RoleArn: roleArn, Input: input, RetryPolicy: retry, DeadLetterConfig: deadLetter } = value;
  if (typeof arn !== 'string' || !/^arn:[^:]+:[^:]+:/.test(arn) || arn.length > 1600) throw invalid('Target.Arn must be an ARN');
  if (typeof roleArn !== 'string' || !/^arn:[^:]+:iam::\d{12}:role\/.+/.test(roleArn)) {
    throw invalid('Target.RoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)');
  }
  if (input !== undefined) {
    if (typeof input !== 'string' || input.length === 0) throw invalid('Target.Input must be a non-empty string');
    if (Buffer.byteLength(input) > MAX_INPUT_BYTES) throw invalid('Target.Input must be at most 256 KB');
    if (arn.startsWith('arn:aws:lambda:') && !isJson(input)) throw invalid('Target.Input must be well-formed JSON for a Lambda target');
  }
  if (retry !== undefined) {
    if (!isObject(retry)) throw invalid('Target.RetryPolicy must be an object');
    if (retry.MaximumEventAgeInSeconds !== undefined && !isIntegerIn(retry.MaximumEventAgeInSeconds, 60, 86_400)) {
      throw invalid('Target.RetryPolicy.MaximumEventAgeInSeconds must be an integer from 60 to 86400');
    }
    if (retry.MaximumRetryAttempts !== undefined && !isIntegerIn(retry.MaximumRetryAttempts, 0, 185)) {
      throw invalid('Target.RetryPolicy.MaximumRetryAttempts must be an integer from 0 to 185');
    }
  }
  if (deadLetter !== undefined && (!isObject(deadLetter) || typeof deadLetter.Arn !== 'string' || !deadLetter.Arn.startsWith('arn:aws:sqs:'))) {
    throw invalid('Target.DeadLetterConfig.Arn must be an SQS queue ARN');
  }
  return {
    ...(value as unknown as Target),
    Arn: arn,
    RoleArn: roleArn,
    ...(retry !== undefined ? { RetryPolicy: retry as RetryPolicy } : {}),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
