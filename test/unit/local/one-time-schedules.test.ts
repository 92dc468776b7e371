import { SQSClient, type SendMessageCommandInput } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '#local/emulators/local-aws.ts';
import { LocalOneTimeSchedules, parseAtExpression, SchedulerApiError, validateCreate } from '#local/scheduler/one-time-schedules.ts';
import type { LocalResource } from '#local/stack/intrinsics.ts';
import { atExpression, customerSchedulePrefix, oneTimeFireTime, scheduleNameFor } from '#shared/adapters/scheduler/one-time-schedules.ts';
import { envelopeShape } from '#shared/contract/envelope.ts';
import { deterministicId } from '#shared/domain/deterministic-ids.ts';

const TIMERS_FN = 'TimersFunctionABC123';
const FN_ARN = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${TIMERS_FN}`;
const QUEUE_ARN = `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:nudge-sends`;
const QUEUE_URL = `http://127.0.0.1:9324/${LOCAL_ACCOUNT}/nudge-sends`;
const ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT}:role/nudge-scheduler`;

/** A CreateSchedule body as the SDK puts it on the wire. */
const body = (overrides: Record<string, unknown> = {}, target: Record<string, unknown> = {}) => ({
  ScheduleExpression: 'at(2026-11-23T12:00:00)',
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  Target: { Arn: FN_ARN, RoleArn: ROLE_ARN, Input: '{"timerId":"t1"}', ...target },
  ...overrides,
});

/** Schedules over a settable clock, a recording function host and an SQS client whose sends are recorded, not sent. */
function setUp(options: { failFunction?: boolean } = {}) {
  let now = new Date('2026-11-23T10:00:00Z');
  const invocations: Array<{ functionId: string; event: unknown }> = [];
  const messages: SendMessageCommandInput[] = [];
  const logs: string[] = [];
  const sqs = new SQSClient({ region: LOCAL_REGION, credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' } });
  sqs.middlewareStack.add(
    (_next, context) => async (args) => {
      if (context.commandName === 'SendMessageCommand') messages.push(args.input as SendMessageCommandInput);
      return { output: { $metadata: {}, MessageId: `m${messages.length}` }, response: {} };
    },
    { step: 'initialize', name: 'recordInsteadOfSending' },
  );
  const resources = new Map<string, LocalResource>([
    [TIMERS_FN, { ref: TIMERS_FN, attributes: { Arn: FN_ARN } }],
    ['SendQueue', { ref: QUEUE_URL, attributes: { Arn: QUEUE_ARN, QueueUrl: QUEUE_URL } }],
  ]);
  const schedules = new LocalOneTimeSchedules({
    asyncInvokeConfigs: [{ functionName: { Ref: TIMERS_FN }, maximumRetryAttempts: 0 }],
    resources,
    functions: {
      has: (id) => id === TIMERS_FN,
      entryOf: () => 'functions/scheduled/run-timers.ts',
      invoke: async (functionId, event) => {
        invocations.push({ functionId, event });
        if (options.failFunction) throw new Error('timer table unavailable');
        return undefined;
      },
    },
    sqs,
    clock: { now: () => now },
    log: { info: (m) => logs.push(`info: ${m}`), warn: (m) => logs.push(`warn: ${m}`), error: (m) => logs.push(`error: ${m}`) },
  });
  const setNow = (iso: string) => {
    now = new Date(iso);
  };
  return { schedules, invocations, messages, logs, setNow };
}

function apiError(run: () => unknown): SchedulerApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof SchedulerApiError) return error;
    throw error;
  }
  throw new Error('expected a SchedulerApiError');
}

describe('parseAtExpression', () => {
  it('reads at(...) in UTC by default and in the given IANA time zone otherwise', () => {
    expect(parseAtExpression('at(2026-11-23T12:00:00)')).toEqual(new Date('2026-11-23T12:00:00Z'));
    expect(parseAtExpression('at(2026-07-01T09:30:15)', 'Europe/Berlin')).toEqual(new Date('2026-07-01T07:30:15Z'));
  });

  it('refuses rate and cron with a message saying only one-time schedules run locally', () => {
    for (const expression of ['rate(5 minutes)', 'cron(0 3 * * ? *)']) {
      const error = apiError(() => parseAtExpression(expression));
      expect(error.type).toBe('ValidationException');
      expect(error.message).toMatch(/only one-time schedules, at\(yyyy-mm-ddThh:mm:ss\), run locally/);
    }
  });

  it('refuses malformed expressions, impossible dates and unknown time zones', () => {
    expect(apiError(() => parseAtExpression('at(2026-11-23 12:00)')).message).toMatch(/Invalid Schedule Expression/);
    expect(apiError(() => parseAtExpression('at(2026-11-23T12:00:00Z)')).message).toMatch(/Invalid Schedule Expression/);
    expect(apiError(() => parseAtExpression('at(2026-02-30T12:00:00)')).message).toMatch(/Invalid Schedule Expression/);
    expect(apiError(() => parseAtExpression('at(2026-11-23T12:00:00)', 'Mars/Olympus')).message).toMatch(/ScheduleExpressionTimezone/);
  });
});

describe('validateCreate', () => {
  it('accepts what the adapter sends', () => {
    expect(validateCreate('timer-abc', body())).toMatchObject({ Name: 'timer-abc', Target: { Arn: FN_ARN, RoleArn: ROLE_ARN } });
  });

  it.each([
    ['a name with a space', 'bad name', body(), /Name "bad name"/],
    ['a name over 64 characters', 'x'.repeat(65), body(), /1 to 64 characters/],
    ['no Target', 'ok', body({ Target: undefined }), /Target is required/],
    ['no FlexibleTimeWindow', 'ok', body({ FlexibleTimeWindow: undefined }), /FlexibleTimeWindow is required/],
    ['FLEXIBLE without a window', 'ok', body({ FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }), /MaximumWindowInMinutes/],
    ['a target that is no ARN', 'ok', body({}, { Arn: 'send-queue' }), /Target.Arn must be an ARN/],
    ['a role that is no role ARN', 'ok', body({}, { RoleArn: 'admin' }), /Target.RoleArn/],
    ['non-JSON Input for a Lambda target', 'ok', body({}, { Input: 'hello' }), /well-formed JSON/],
    ['too many retries', 'ok', body({}, { RetryPolicy: { MaximumRetryAttempts: 186 } }), /MaximumRetryAttempts/],
    ['a dead-letter queue that is no queue', 'ok', body({}, { DeadLetterConfig: { Arn: FN_ARN } }), /DeadLetterConfig/],
    ['an unknown ActionAfterCompletion', 'ok', body({ ActionAfterCompletion: 'ARCHIVE' }), /ActionAfterCompletion/],
    ['a group name with a slash', 'ok', body({ GroupName: 'nudge/prod' }), /GroupName "nudge\/prod"/],
    ['a group name over 64 characters', 'ok', body({ GroupName: 'g'.repeat(65) }), /GroupName/],
    ['a date without seconds', 'ok', body({ ScheduleExpression: 'at(2026-11-23T12:00)' }), /Invalid Schedule Expression/],
    ['an impossible date', 'ok', body({ ScheduleExpression: 'at(2026-02-30T12:00:00)' }), /Invalid Schedule Expression/],
    // 131,073 two-byte characters: under 256 K characters, over 256 KB.
    ['Input over 256 KB in UTF-8 bytes', 'ok', body({}, { Arn: QUEUE_ARN, Input: 'é'.repeat(131_073) }), /at most 256 KB/],
    ['a Description over 512 characters', 'ok', body({ Description: 'd'.repeat(513) }), /Description/],
  ])('refuses %s with a ValidationException', (_case, name, request, message) => {
    const error = apiError(() => validateCreate(name, request));
    expect(error.type).toBe('ValidationException');
    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(message);
  });

  it('accepts Input of exactly 256 KB and names of exactly 64 characters', () => {
    expect(validateCreate('n'.repeat(64), body({ GroupName: 'g'.repeat(64) }, { Arn: QUEUE_ARN, Input: 'é'.repeat(131_072) })).Target?.Input).toHaveLength(131_072);
  });

  it('takes plain text Input for an SQS target (the message body need not be JSON)', () => {
    expect(validateCreate('ok', body({}, { Arn: QUEUE_ARN, Input: 'hello' })).Target?.Input).toBe('hello');
  });
});

describe('LocalOneTimeSchedules', () => {
  it('fires nothing before the time, then invokes the Lambda target once with the parsed Input, and deletes the schedule', async () => {
    const { schedules, invocations, setNow } = setUp();
    schedules.create('timer-t1', body());
    setNow('2026-11-23T11:59:59.999Z');
    await schedules.waitForIdle();
    expect(invocations).toEqual([]);
    expect(schedules.pendingRuns).toBe(0);

    setNow('2026-11-23T12:00:00Z');
    expect(schedules.pendingRuns).toBe(1); // due, not yet fired: the system is not idle
    await schedules.waitForIdle();
    expect(invocations).toEqual([{ functionId: TIMERS_FN, event: { timerId: 't1' } }]);
    expect(schedules.list()).toEqual([]);
    expect(schedules.pendingRuns).toBe(0);
  });

  it('sends Input as the message body to the queue whose ARN the target names', async () => {
    const { schedules, messages, setNow } = setUp();
    schedules.create('send-s1', body({}, { Arn: QUEUE_ARN, Input: '{"sendId":"s1"}' }));
    setNow('2026-11-24T00:00:00Z');
    await schedules.waitForIdle();
    expect(messages).toEqual([{ QueueUrl: QUEUE_URL, MessageBody: '{"sendId":"s1"}' }]);
  });

  it('delivers schedules due by the same clock jump in due order, then creation order', async () => {
    const { schedules, messages, setNow } = setUp();
    const at = (time: string) => ({ ScheduleExpression: `at(2026-11-23T${time})` });
    schedules.create('third', body(at('13:00:00'), { Arn: QUEUE_ARN, Input: '3' }));
    schedules.create('first', body(at('11:00:00'), { Arn: QUEUE_ARN, Input: '1' }));
    schedules.create('second-a', body(at('12:00:00'), { Arn: QUEUE_ARN, Input: '2a' }));
    schedules.create('second-b', body(at('12:00:00'), { Arn: QUEUE_ARN, Input: '2b' }));
    setNow('2026-11-23T14:00:00Z');
    await schedules.waitForIdle();
    expect(messages.map((message) => message.MessageBody)).toEqual(['1', '2a', '2b', '3']);
  });

  it('keeps a schedule with ActionAfterCompletion NONE, marked fired, and a DISABLED one unfired', async () => {
    const { schedules, invocations, setNow } = setUp();
    schedules.create('kept', body({ ActionAfterCompletion: 'NONE' }));
    schedules.create('off', body({ State: 'DISABLED' }));
    setNow('2026-11-23T12:00:01Z');
    await schedules.waitForIdle();
    expect(invocations).toHaveLength(1);
    expect(schedules.list()).toEqual([
      expect.objectContaining({ name: 'kept', status: 'fired', firedAt: '2026-11-23T12:00:01.000Z', lastError: null }),
      expect.objectContaining({ name: 'off', state: 'DISABLED', status: 'scheduled', firedAt: null }),
    ]);
    expect(schedules.pendingRuns).toBe(0);
  });

  it('keeps the function error on a kept schedule whose function failed after its retries', async () => {
    const { schedules, setNow } = setUp({ failFunction: true });
    schedules.create('kept', body({ ActionAfterCompletion: 'NONE' }));
    setNow('2026-11-23T12:00:00Z');
    await schedules.waitForIdle();
    expect(schedules.list()[0]).toMatchObject({ status: 'fired', lastError: expect.stringContaining('timer table unavailable') });
  });

  it('keeps a schedule whose target is not in the local stack, failed with the reason, warns, and does not hold up idleness', async () => {
    const { schedules, logs, setNow } = setUp();
    const elsewhere = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:NoSuchFunction`;
    schedules.create('lost', body({}, { Arn: elsewhere }));
    setNow('2026-11-23T12:00:00Z');
    await schedules.waitForIdle();
    expect(schedules.list()).toEqual([
      expect.objectContaining({ name: 'lost', status: 'failed', targetArn: elsewhere, lastError: expect.stringContaining('neither a function nor a queue') }),
    ]);
    expect(logs).toEqual([expect.stringMatching(/^warn: one-time schedule default\/lost could not fire/)]);
    expect(schedules.pendingRuns).toBe(0);
  });

  it('refuses a second schedule of the same name in the same group (ConflictException), not in another group', () => {
    const { schedules } = setUp();
    expect(schedules.create('send-x', body())).toEqual({ ScheduleArn: `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/default/send-x` });
    const conflict = apiError(() => schedules.create('send-x', body()));
    expect([conflict.type, conflict.statusCode]).toEqual(['ConflictException', 409]);
    expect(schedules.create('send-x', body({ GroupName: 'nudge' })).ScheduleArn).toMatch(/schedule\/nudge\/send-x$/);
  });

  it('answers a retried CreateSchedule (same ClientToken) with the schedule instead of a conflict', () => {
    const { schedules } = setUp();
    const first = schedules.create('send-y', body({ ClientToken: 'token-1' }));
    expect(schedules.create('send-y', body({ ClientToken: 'token-1' }))).toEqual(first);
    expect(apiError(() => schedules.create('send-y', body({ ClientToken: 'token-2' }))).type).toBe('ConflictException');
    expect(schedules.list()).toHaveLength(1);
  });

  it('gets, lists by page and deletes; a missing schedule is a ResourceNotFoundException', () => {
    const { schedules } = setUp();
    for (const name of ['b', 'a', 'c']) schedules.create(name, body({ GroupName: 'nudge' }));
    schedules.create('a', body());
    expect(schedules.get('a', 'nudge')).toMatchObject({ Name: 'a', GroupName: 'nudge', ScheduleExpression: 'at(2026-11-23T12:00:00)', State: 'ENABLED' });

    const first = schedules.listSchedules({ GroupName: 'nudge', MaxResults: 2 });
    expect(first.Schedules?.map((s) => s.Name)).toEqual(['a', 'b']);
    const second = schedules.listSchedules({ GroupName: 'nudge', MaxResults: 2, NextToken: first.NextToken! });
    expect([second.Schedules?.map((s) => s.Name), second.NextToken]).toEqual([['c'], undefined]);
    expect(schedules.listSchedules({ NamePrefix: 'a' }).Schedules?.map((s) => s.GroupName)).toEqual(['default', 'nudge']);

    schedules.delete('a', 'nudge');
    expect(apiError(() => schedules.get('a', 'nudge')).type).toBe('ResourceNotFoundException');
    expect(apiError(() => schedules.delete('a', 'nudge')).statusCode).toBe(404);
    expect(schedules.get('a', undefined).GroupName).toBe('default');
  });
});

describe('the adapter\'s schedule names and times', () => {
  it('names a schedule after the customer (a shared prefix) and the send or timer id, hashing ids that do not fit a schedule name', () => {
    const prefix = customerSchedulePrefix('cust-1');
    expect(prefix).toMatch(/^c-[0-9A-Za-z_-]{12}-$/);
    expect(scheduleNameFor('send', 'cust-1', 'q3VxK_9-aZ0123456789ab')).toBe(`${prefix}s-q3VxK_9-aZ0123456789ab`);
    expect(scheduleNameFor('timer', 'cust-1', 'q3VxK_9-aZ0123456789ab')).toBe(`${prefix}t-q3VxK_9-aZ0123456789ab`);
    const hashed = scheduleNameFor('timer', 'cust-1', 'has spaces/and slashes');
    expect(hashed).toMatch(new RegExp(`^${prefix}t\\.[0-9A-Za-z_-]{22}$`));
    expect(scheduleNameFor('timer', 'cust-1', 'has spaces/and slashes')).toBe(hashed);
    expect(scheduleNameFor('send', 'cust-1', 'x'.repeat(60))).toMatch(new RegExp(`^${prefix}s\\.`));
  });

  it('only ever builds names CreateSchedule accepts, for any customer id the event contract allows and any send or timer id', () => {
    // Any Unicode (astral planes included) up to the contract's 256-character ids; the contract itself says which customer ids exist.
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 256 });
    const customerId = text.filter((id) => envelopeShape.customerId.safeParse(id).success);
    // The ids Nudge makes (digests of customer, rule and event) and, beyond them, any string at all.
    const id = fc.oneof(fc.tuple(text, text).map(([rule, event]) => deterministicId('send', 'c', rule, event)), text);
    fc.assert(
      fc.property(fc.constantFrom('send' as const, 'timer' as const), customerId, id, (kind, customer, sendOrTimerId) => {
        const name = scheduleNameFor(kind, customer, sendOrTimerId);
        expect(() => validateCreate(name, body({ GroupName: 'nudge' }))).not.toThrow();
        expect(name.startsWith(customerSchedulePrefix(customer))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('rounds up to the second and never fires in the past or less than a second ahead', () => {
    const now = new Date('2026-11-23T10:00:00.250Z');
    expect(atExpression(oneTimeFireTime(new Date('2026-11-23T12:00:00.001Z'), now))).toBe('at(2026-11-23T12:00:01)');
    expect(atExpression(oneTimeFireTime(new Date('2026-11-23T12:00:00.000Z'), now))).toBe('at(2026-11-23T12:00:00)');
    expect(atExpression(oneTimeFireTime(new Date('2026-11-22T00:00:00Z'), now))).toBe('at(2026-11-23T10:00:02)');
    expect(atExpression(oneTimeFireTime(new Date('2026-11-23T10:00:00.900Z'), now))).toBe('at(2026-11-23T10:00:02)');
  });
});
