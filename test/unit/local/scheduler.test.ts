import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '#local/emulators/local-aws.ts';
import { LocalScheduler } from '#local/scheduler/local-scheduler.ts';
import type { AsyncInvokeConfigDef, RuleDef } from '#local/stack/cloud-template.ts';
import type { LocalResource } from '#local/stack/intrinsics.ts';

const SWEEP_FN = 'ScheduledSweepFunctionF931757C';
const SWEEP_RULE = 'ScheduledSweepSchedule1B50F2E9';
const SWEEP_ENTRY = 'functions/scheduled/sweep-profiles.ts';

const sweepRule = (overrides: Partial<RuleDef> = {}): RuleDef => ({
  logicalId: SWEEP_RULE,
  eventBusName: 'default',
  eventPattern: undefined,
  enabled: true,
  scheduleExpression: 'cron(0 3 * * ? *)',
  targets: [{ id: 'Target0', arn: { 'Fn::GetAtt': [SWEEP_FN, 'Arn'] } }],
  ...overrides,
});

/** A scheduler over a settable clock and a recording function host; nothing touches AWS or the network. */
function setUp(options: { rules?: RuleDef[]; asyncInvokeConfigs?: AsyncInvokeConfigDef[]; failTimes?: number; start?: string } = {}) {
  let now = new Date(options.start ?? '2026-11-23T10:00:00Z');
  let failuresLeft = options.failTimes ?? 0;
  const invocations: Array<{ functionId: string; event: any }> = [];
  const logs: string[] = [];
  const resources = new Map<string, LocalResource>([
    [SWEEP_FN, { ref: SWEEP_FN, attributes: { Arn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${SWEEP_FN}` } }],
  ]);
  const functions = {
    has: (id: string) => id === SWEEP_FN,
    entryOf: () => SWEEP_ENTRY,
    invoke: async (functionId: string, event: unknown) => {
      invocations.push({ functionId, event });
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        throw new Error('table unavailable');
      }
      return undefined;
    },
  };
  const scheduler = new LocalScheduler({
    rules: options.rules ?? [sweepRule()],
    asyncInvokeConfigs: options.asyncInvokeConfigs ?? [],
    resources,
    functions,
    sqs: new SQSClient({ region: LOCAL_REGION }), // only used for on-failure destinations, which these tests do not configure
    clock: { now: () => now },
    log: { info: (m) => logs.push(`info: ${m}`), warn: (m) => logs.push(`warn: ${m}`), error: (m) => logs.push(`error: ${m}`) },
  });
  const setNow = (iso: string) => {
    now = new Date(iso);
  };
  return { scheduler, invocations, logs, setNow };
}

describe('LocalScheduler', () => {
  it('lists each schedule rule with its first fire time after the clock\'s start', () => {
    const { scheduler } = setUp();
    expect(scheduler.list()).toEqual([
      {
        rule: SWEEP_RULE,
        expression: 'cron(0 3 * * ? *)',
        targets: [{ functionId: SWEEP_FN, entry: SWEEP_ENTRY }],
        nextFireAt: '2026-11-24T03:00:00.000Z',
        lastFiredAt: null,
        lastRun: null,
        running: 0,
      },
    ]);
  });

  it('fires nothing before the fire time', async () => {
    const { scheduler, invocations, setNow } = setUp();
    setNow('2026-11-24T02:59:59.999Z');
    scheduler.tick();
    await scheduler.waitForIdle();
    expect(invocations).toEqual([]);
  });

  it('invokes the target once with the Scheduled Event envelope when the clock reaches the fire time', async () => {
    const { scheduler, invocations, setNow } = setUp();
    setNow('2026-11-24T03:00:00.100Z');
    scheduler.tick();
    scheduler.tick();
    await scheduler.waitForIdle();
    expect(invocations).toHaveLength(1);
    expect(invocations[0]!.functionId).toBe(SWEEP_FN);
    expect(invocations[0]!.event).toEqual({
      version: '0',
      id: expect.any(String),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: LOCAL_ACCOUNT,
      time: '2026-11-24T03:00:00Z',
      region: LOCAL_REGION,
      resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${SWEEP_RULE}`],
      detail: {},
    });
    expect(scheduler.list()[0]).toMatchObject({
      nextFireAt: '2026-11-25T03:00:00.000Z',
      lastFiredAt: '2026-11-24T03:00:00.100Z',
      lastRun: { ok: true, trigger: 'schedule', skippedPeriods: 0 },
    });
  });

  it('fires ONCE, at the current time, when the clock jumped over several fire times, and logs how many it skipped', async () => {
    const { scheduler, invocations, logs, setNow } = setUp();
    setNow('2026-11-27T10:00:00Z'); // past the 03:00 of the 24th, 25th, 26th and 27th
    scheduler.tick();
    await scheduler.waitForIdle();
    expect(invocations).toHaveLength(1);
    expect(invocations[0]!.event.time).toBe('2026-11-27T10:00:00Z');
    expect(logs).toEqual([expect.stringMatching(/^info: .*passed 4 fire times since 2026-11-24T03:00:00\.000Z.*3 skipped/)]);
    expect(scheduler.list()[0]).toMatchObject({ nextFireAt: '2026-11-28T03:00:00.000Z', lastRun: { skippedPeriods: 3 } });
  });

  it('starts a rate schedule one period after the clock\'s start', () => {
    const { scheduler } = setUp({ rules: [sweepRule({ scheduleExpression: 'rate(15 minutes)' })] });
    expect(scheduler.list()[0]!.nextFireAt).toBe('2026-11-23T10:15:00.000Z');
  });

  it('runs a rule now by a part of its logical id, awaits it, and leaves the next fire where it was', async () => {
    const { scheduler, invocations } = setUp();
    await expect(scheduler.runNow('sweep')).resolves.toEqual({ ran: SWEEP_RULE, ok: true });
    expect(invocations).toHaveLength(1);
    expect(scheduler.list()[0]).toMatchObject({
      nextFireAt: '2026-11-24T03:00:00.000Z',
      lastFiredAt: '2026-11-23T10:00:00.000Z',
      lastRun: { ok: true, trigger: 'manual' },
    });
  });

  it('retries a failing target as the function\'s async invoke config says, then reports the error', async () => {
    const { scheduler, invocations, logs } = setUp({
      failTimes: 5,
      asyncInvokeConfigs: [{ functionName: { Ref: SWEEP_FN }, maximumRetryAttempts: 1 }],
    });
    const result = await scheduler.runNow(SWEEP_RULE);
    expect(result).toEqual({ ran: SWEEP_RULE, ok: false, error: expect.stringContaining('table unavailable') });
    expect(invocations).toHaveLength(2);
    expect(logs).toEqual([expect.stringMatching(/^error: .*failed event .* from schedule .*no destination/)]);
  });

  it('succeeds when a retry succeeds', async () => {
    const { scheduler, invocations } = setUp({ failTimes: 1 });
    await expect(scheduler.runNow(SWEEP_RULE)).resolves.toMatchObject({ ok: true });
    expect(invocations).toHaveLength(2);
  });

  it('refuses an unknown or ambiguous rule name', async () => {
    const { scheduler } = setUp({ rules: [sweepRule(), sweepRule({ logicalId: 'ScheduledSweepArchiveRule' })] });
    await expect(scheduler.runNow('Nightly')).rejects.toThrow(/no schedule rule matches "Nightly"/);
    await expect(scheduler.runNow('Sweep')).rejects.toThrow(/matches several schedule rules/);
    await expect(scheduler.runNow(SWEEP_RULE)).resolves.toMatchObject({ ran: SWEEP_RULE });
  });

  it('counts a run in progress as pending until it finishes', async () => {
    const { scheduler } = setUp();
    const run = scheduler.runNow('Sweep');
    expect(scheduler.pendingRuns).toBe(1);
    await run;
    expect(scheduler.pendingRuns).toBe(0);
  });

  it('skips, with a warning, event-pattern rules, disabled rules and expressions it cannot run', () => {
    const { scheduler, logs } = setUp({
      rules: [
        sweepRule({ logicalId: 'PatternRule', scheduleExpression: undefined, eventPattern: { source: ['shop'] } }),
        sweepRule({ logicalId: 'DisabledRule', enabled: false }),
        sweepRule({ logicalId: 'LastDayRule', scheduleExpression: 'cron(0 3 L * ? *)' }),
      ],
    });
    expect(scheduler.list()).toEqual([]);
    expect(logs).toEqual([expect.stringMatching(/^warn: schedule rule LastDayRule cannot run locally: .*L, W or #/)]);
  });
});
