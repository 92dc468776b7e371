import { ConflictException, CreateScheduleCommand, type CreateScheduleCommandInput, type SchedulerClient } from '@aws-sdk/client-scheduler';
import type { Clock } from '../../domain/clock.ts';
import { customerDigest, deterministicId } from '../../domain/deterministic-ids.ts';
import type { DelayedWork } from '../../domain/ports.ts';
import type { RuleTimer } from '../../domain/rule-timer.ts';
import type { SendRequest } from '../../domain/send-request.ts';
import { runtimeClock } from '../clock/runtime-clock.ts';

export type OneTimeSchedulesConfig = {
  /** Schedule group the schedules go in (created by the stack). */
  groupName: string;
  /** Role EventBridge Scheduler assumes to call the targets (sqs:SendMessage on the queue, lambda:InvokeFunction on the timers function). */
  roleArn: string;
  sendQueueArn: string;
  timerFunctionArn: string;
  /** Queue for events the target still refused after the retry policy (the role needs sqs:SendMessage on it). */
  deadLetterQueueArn?: string;
};

/** Schedule names: 1-64 characters of `[0-9a-zA-Z-_.]` (the Scheduler API's constraint). */
const NAME_PATTERN = /^[0-9a-zA-Z_.-]+$/;
const MAX_NAME_LENGTH = 64;
/** A one-time schedule is never created less than this far ahead of now (see {@link oneTimeFireTime}). */
export const MIN_LEAD_MS = 1_000;

/**
 * Retries when the target call itself fails (SQS or Lambda throttling, a transient permission
 * error). 185 is the service's maximum; backoff is exponential, so the event age is the real
 * bound: work a day late is given up rather than delivered stale. Lambda's own async retries
 * (function errors) are configured on the function, not here.
 */
const RETRY_POLICY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 };

/**
 * {@link DelayedWork} on EventBridge Scheduler: one one-time schedule (`at(...)`, UTC) per send or
 * timer, with a templated target (SQS SendMessage: `Input` is the message body; Lambda Invoke,
 * asynchronous: `Input` is the event) that deletes itself once it has run.
 *
 * Idempotent: the name is derived from the customer and the sendId / timerId (which are digests of
 * customer, rule and trigger event), so a `ConflictException` (a schedule of that name exists)
 * means this very send or timer is already scheduled, never another customer's (its input may
 * differ only in what a re-decision recomputes, e.g. the due time; the first one stands). Once a
 * schedule has fired and deleted itself, the same call creates it again; the consumers deduplicate
 * (the dispatcher's send ledger by sendId, the timers function by timerId).
 *
 * Due times in the past or less than {@link MIN_LEAD_MS} ahead are scheduled at now + that lead,
 * rounded up to the second: the work runs promptly (EventBridge Scheduler invokes within 60 s of
 * the `at` time) instead of relying on how the service treats an `at` already past, and never
 * before the time asked for.
 */
export class EventBridgeOneTimeSchedules implements DelayedWork {
  constructor(
    private readonly client: SchedulerClient,
    private readonly config: OneTimeSchedulesConfig,
    private readonly clock: Clock = runtimeClock,
  ) {}

  async scheduleSend(request: SendRequest, at: Date): Promise<void> {
    await this.create(scheduleNameFor('send', request.customerId, request.sendId), at, this.config.sendQueueArn, request);
  }

  async scheduleTimer(timer: RuleTimer): Promise<void> {
    const dueAt = new Date(timer.dueAt);
    if (Number.isNaN(dueAt.getTime())) throw new RangeError(`timer ${timer.timerId} has no valid dueAt ("${timer.dueAt}")`);
    await this.create(scheduleNameFor('timer', timer.customerId, timer.timerId), dueAt, this.config.timerFunctionArn, timer);
  }

  private async create(name: string, at: Date, targetArn: string, input: unknown): Promise<void> {
    const command: CreateScheduleCommandInput = {
      Name: name,
      GroupName: this.config.groupName,
      ScheduleExpression: atExpression(oneTimeFireTime(at, this.clock.now())),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: targetArn,
        RoleArn: this.config.roleArn,
        Input: JSON.stringify(input),
        RetryPolicy: RETRY_POLICY,
        ...(this.config.deadLetterQueueArn ? { DeadLetterConfig: { Arn: this.config.deadLetterQueueArn } } : {}),
      },
    };
    try {
      await this.client.send(new CreateScheduleCommand(command));
    } catch (error) {
      if (error instanceof ConflictException) return; // already scheduled
      throw error;
    }
  }
}

/**
 * The deterministic schedule name of a send or a timer: `c-<customer digest>-s-<sendId>` /
 * `c-<customer digest>-t-<timerId>`. The customer digest (fixed length) comes first so that one
 * customer's pending schedules share a prefix (erase and export list them with `NamePrefix`); the
 * send and timer ids already include the customer (deterministic-ids.ts), so equal names mean the
 * same send or timer. An id that does not fit the name's rules (none Nudge makes) is digested,
 * after a `.` so it can never equal a direct name. Always 1-64 characters of `[0-9a-zA-Z-_.]`.
 */
export function scheduleNameFor(kind: 'send' | 'timer', customerId: string, id: string): string {
  const prefix = `${customerSchedulePrefix(customerId)}${kind === 'send' ? 's' : 't'}`;
  const direct = `${prefix}-${id}`;
  if (direct.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(id)) return direct;
  return `${prefix}.${deterministicId(`schedule:${kind}`, customerId, id)}`;
}

/** The name prefix every schedule of the customer starts with (and no other customer's, but for a 72-bit digest collision). */
export function customerSchedulePrefix(customerId: string): string {
  return `c-${customerDigest(customerId)}-`;
}

/** When to fire: `at` rounded up to the second, but at least {@link MIN_LEAD_MS} after `now`. */
export function oneTimeFireTime(at: Date, now: Date): Date {
  const earliest = Math.max(at.getTime(), now.getTime() + MIN_LEAD_MS);
  return new Date(Math.ceil(earliest / 1000) * 1000);
}

/** `at(yyyy-mm-ddThh:mm:ss)` for `instant`, read in UTC (the schedule's time zone). */
export function atExpression(instant: Date): string {
  return `at(${instant.toISOString().slice(0, 19)})`;
}
