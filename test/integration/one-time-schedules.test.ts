import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  ValidationException,
  paginateListSchedules,
} from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { LOCAL_ACCOUNT } from '#local/emulators/local-aws.ts';
import { customerSchedulePrefix, EventBridgeOneTimeSchedules, scheduleNameFor } from '#shared/adapters/scheduler/one-time-schedules.ts';
import type { RuleTimer } from '#shared/domain/rule-timer.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';
import { welcomeSend } from './support/welcome-send.ts';

const HOUR_MS = 3_600_000;

/**
 * The EventBridgeOneTimeSchedules adapter with the real SDK client, against the local EventBridge
 * Scheduler API; schedules fire under the simulated clock into the stack's real queue and functions.
 */
describe('one-time schedules (EventBridge Scheduler, locally)', () => {
  const nudge = nudgeClient();
  const groupName = 'nudge-it';
  // The stack's scheduler role: the local Scheduler calls each target as the schedule's role, as AWS does.
  const ROLE_ARN = nudge.output('SchedulerRoleArn');
  const delayed = new EventBridgeOneTimeSchedules(nudge.scheduler, {
    groupName,
    roleArn: ROLE_ARN,
    sendQueueArn: nudge.queueArn('SendQueueUrl'),
    timerFunctionArn: nudge.output('TimerFunctionArn'),
    deadLetterQueueArn: nudge.queueArn('SendDeadLetterQueueUrl'),
  });

  /**
   * A send for a real, subscribed customer (the dispatcher re-checks the profile as the email
   * leaves). Subscribing also sends the welcome email, maybe held by quiet hours: the assertions count
   * this send's emails only (`emailsForSend`).
   */
  const sendForNewSubscriber = async (): Promise<{ request: SendRequest; now: Date }> => {
    const customerId = uniqueId('later');
    const email = `${customerId}@example.com`;
    // Daytime: in quiet hours the welcome would be held, and arrive with the scheduled send.
    await nudge.daytime();
    const now = await nudge.now();
    await nudge.putEvents([{ detailType: 'subscribe', detail: { eventId: uniqueId('sub'), customerId, occurredAt: now.toISOString(), email } }]);
    await nudge.waitForIdle();
    const request: SendRequest = welcomeSend({ customerId, email, firstName: 'Lena', at: now, withEmailCondition: true });
    return { request, now };
  };

  const scheduleNamed = async (name: string) => (await nudge.oneTimeSchedules()).schedules.find((schedule) => schedule.name === name);

  it('puts a send on the send queue only once the clock reaches its time; the dispatcher sends it and the schedule deletes itself', async () => {
    const { request, now } = await sendForNewSubscriber();
    await delayed.scheduleSend(request, new Date(now.getTime() + 2 * HOUR_MS));
    await nudge.waitForIdle();
    expect(await nudge.emailsForSend(request.email, request.sendId)).toHaveLength(0);
    expect(await nudge.ledger.find(request.customerId, request.sendId)).toBeUndefined();
    expect(await scheduleNamed(scheduleNameFor('send', request.customerId, request.sendId))).toMatchObject({ group: groupName, status: 'scheduled', targetArn: nudge.queueArn('SendQueueUrl') });

    // A few seconds past 2 h: the adapter rounds the time up to the second.
    await nudge.advanceClock('2h5s');
    await nudge.waitForIdle();
    expect(await nudge.ledger.find(request.customerId, request.sendId)).toMatchObject({ status: 'sent' });
    const emails = await nudge.emailsForSend(request.email, request.sendId);
    expect(emails).toHaveLength(1);
    expect(emails.at(-1)?.body.text).toContain('Lena');
    expect(await scheduleNamed(scheduleNameFor('send', request.customerId, request.sendId))).toBeUndefined();
  });

  it('schedules the same send once however often it is asked (ConflictException counts as done): one schedule, one email', async () => {
    const { request, now } = await sendForNewSubscriber();
    const at = new Date(now.getTime() + HOUR_MS);
    await delayed.scheduleSend(request, at);
    await delayed.scheduleSend(request, at);
    await delayed.scheduleSend(request, new Date(at.getTime() + 60_000));
    const listed = (await nudge.oneTimeSchedules()).schedules.filter((schedule) => schedule.name === scheduleNameFor('send', request.customerId, request.sendId));
    expect(listed).toHaveLength(1);

    await nudge.advanceClock('1h2m');
    await nudge.waitForIdle();
    expect(await nudge.emailsForSend(request.email, request.sendId)).toHaveLength(1);
    expect(await nudge.ledger.find(request.customerId, request.sendId)).toMatchObject({ status: 'sent' });
  });

  it('gets, lists (paginated) and deletes schedules through the SDK; a deleted schedule is ResourceNotFound', async () => {
    const now = await nudge.now();
    const prefix = uniqueId('rt');
    const customerId = uniqueId('cus');
    const timers: RuleTimer[] = ['a', 'b', 'c'].map((suffix) => ({
      timerId: `${prefix}-${suffix}`,
      kind: 'absence_check',
      ruleId: 'abandoned_cart',
      customerId,
      trigger: { eventId: uniqueId('evt'), type: 'cart_add', occurredAt: now.toISOString(), properties: {} },
      dueAt: new Date(now.getTime() + 30 * 24 * HOUR_MS + 500).toISOString(),
    }));
    for (const timer of timers) await delayed.scheduleTimer(timer);
    const name = scheduleNameFor('timer', customerId, timers[0]!.timerId);

    const schedule = await nudge.scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName }));
    const dueSecond = new Date(Math.ceil(Date.parse(timers[0]!.dueAt) / 1000) * 1000).toISOString().slice(0, 19);
    expect(schedule).toMatchObject({
      Name: name,
      GroupName: groupName,
      Arn: `arn:aws:scheduler:us-east-1:${LOCAL_ACCOUNT}:schedule/${groupName}/${name}`,
      ScheduleExpression: `at(${dueSecond})`,
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: nudge.output('TimerFunctionArn'),
        RoleArn: ROLE_ARN,
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: nudge.queueArn('SendDeadLetterQueueUrl') },
      },
    });
    expect(JSON.parse(schedule.Target!.Input!)).toEqual(timers[0]);
    expect(schedule.CreationDate).toBeInstanceOf(Date);

    const names: string[] = [];
    for await (const page of paginateListSchedules({ client: nudge.scheduler, pageSize: 2 }, { GroupName: groupName, NamePrefix: customerSchedulePrefix(customerId) })) {
      expect(page.Schedules!.length).toBeLessThanOrEqual(2);
      names.push(...page.Schedules!.map((summary) => summary.Name!));
    }
    expect(names).toEqual(timers.map((timer) => scheduleNameFor('timer', customerId, timer.timerId)));

    for (const timerName of names) await nudge.scheduler.send(new DeleteScheduleCommand({ Name: timerName, GroupName: groupName }));
    await expect(nudge.scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(nudge.scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses a malformed expression, and rate/cron, with a ValidationException the SDK surfaces', async () => {
    const create = (expression: string) =>
      nudge.scheduler.send(
        new CreateScheduleCommand({
          Name: uniqueId('bad'),
          ScheduleExpression: expression,
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: nudge.queueArn('SendQueueUrl'), RoleArn: ROLE_ARN, Input: '{}' },
        }),
      );
    const malformed = await create('at(tomorrow 9am)').catch((error: unknown) => error);
    expect(malformed).toBeInstanceOf(ValidationException);
    expect((malformed as ValidationException).message).toMatch(/Invalid Schedule Expression/);
    const recurring = await create('rate(5 minutes)').catch((error: unknown) => error);
    expect(recurring).toBeInstanceOf(ValidationException);
    expect((recurring as ValidationException).message).toMatch(/only one-time schedules/);
  });

  it('refuses a name outside the rules and an Input over 256 KB with a ValidationException the SDK surfaces', async () => {
    const at = `at(${new Date((await nudge.now()).getTime() + 3_600_000).toISOString().slice(0, 19)})`;
    const create = (Name: string, Input: string) =>
      nudge.scheduler
        .send(new CreateScheduleCommand({ Name, GroupName: groupName, ScheduleExpression: at, FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: nudge.queueArn('SendQueueUrl'), RoleArn: ROLE_ARN, Input } }))
        .catch((error: unknown) => error);
    const longName = await create('n'.repeat(65), '{}');
    expect(longName).toBeInstanceOf(ValidationException);
    expect((longName as ValidationException).message).toMatch(/1 to 64 characters/);
    const bigInput = await create(uniqueId('big'), 'x'.repeat(262_145));
    expect(bigInput).toBeInstanceOf(ValidationException);
    expect((bigInput as ValidationException).message).toMatch(/at most 256 KB/);
  });

  it('invokes a Lambda target its role may invoke when due, keeps a NONE schedule as fired, and keeps an unknown or forbidden target as failed', async () => {
    const now = await nudge.now();
    const at = `at(${new Date(now.getTime() + 10 * 60_000).toISOString().slice(0, 19)})`;
    const create = (Name: string, Arn: string, input: unknown) =>
      nudge.scheduler.send(
        new CreateScheduleCommand({
          Name,
          GroupName: groupName,
          ScheduleExpression: at,
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'NONE',
          Target: { Arn, RoleArn: ROLE_ARN, Input: JSON.stringify(input) },
        }),
      );
    // A timer of a rule the catalog does not have: the timers function runs it and skips it.
    const occurredAt = now.toISOString();
    const timer: RuleTimer = { timerId: uniqueId('t'), kind: 'absence_check', ruleId: 'no-such-rule', customerId: uniqueId('nobody'), trigger: { eventId: uniqueId('e'), type: 'cart_add', occurredAt, properties: {} }, dueAt: occurredAt };
    const timerSchedule = uniqueId('timer');
    const lost = uniqueId('lost');
    const forbidden = uniqueId('sweep');
    await create(timerSchedule, nudge.output('TimerFunctionArn'), timer);
    await create(lost, `arn:aws:sqs:us-east-1:${LOCAL_ACCOUNT}:no-such-queue`, {});
    // The scheduler role may invoke the timers function only.
    await create(forbidden, nudge.functionArn('SweepFunctionName'), {});

    await nudge.advanceClock('11m');
    await nudge.waitForIdle();
    expect(await scheduleNamed(timerSchedule)).toMatchObject({
      status: 'fired',
      lastError: null,
      targetFunction: { entry: 'functions/triggers/run-timer.ts' },
    });
    expect(await scheduleNamed(lost)).toMatchObject({ status: 'failed', lastError: expect.stringContaining('no-such-queue') });
    expect(await scheduleNamed(forbidden)).toMatchObject({
      status: 'failed',
      lastError: expect.stringMatching(/^AccessDeniedException: User: arn:aws:sts::\d{12}:assumed-role\/TriggersSchedulerRole\w+\/.+ is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:.+ because no identity-based policy allows the lambda:InvokeFunction action$/),
    });
    for (const Name of [timerSchedule, lost, forbidden]) await nudge.scheduler.send(new DeleteScheduleCommand({ Name, GroupName: groupName }));
  });
});
