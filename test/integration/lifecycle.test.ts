import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoSegmentMembershipStore } from '#shared/adapters/dynamo/segment-membership-repository.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

const run = promisify(execFile);

type BusEvent = { source: string; 'detail-type': string; detail: Record<string, any> };

/**
 * Segmentation end to end through the local system: a scripted stream moves a customer through
 * document 001's lifecycle with the matching internal events on the bus, `nudge profile --json`
 * explains the result, and the daily sweep (under the simulated clock) ends the VIP stage of the
 * customer who stopped reading their email (document 001's engagement_drop exit).
 */
describe('lifecycle stages, segments and the sweep', () => {
  const nudge = nudgeClient();
  const customerId = uniqueId('life');
  let now: Date;

  const put = async (type: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    await nudge.putEvents([{ detailType: type, detail: { eventId: uniqueId(type), customerId, occurredAt: now.toISOString(), properties, ...extra } }]);
    await nudge.waitForIdle();
  };
  const internalEvents = async (detailType: string): Promise<BusEvent[]> => {
    const query = new URLSearchParams({ source: 'nudge', detailType, customerId });
    const response = (await (await fetch(`${nudge.context.endpoints.eventBridge}/_nudge/events?${query}`)).json()) as { events: BusEvent[] };
    return response.events;
  };
  const stageChanges = async () => (await internalEvents('LifecycleStageChanged')).map((e) => `${e.detail.from ?? '-'}>${e.detail.to}`);
  const cli = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, ['bin/nudge.js', ...args], {
      env: { ...process.env, NUDGE_EVENTBRIDGE_PORT: new URL(nudge.context.endpoints.eventBridge).port },
    });
    return stdout;
  };

  beforeAll(async () => {
    now = await nudge.now();
  });

  it('moves prospect -> new_customer -> repeat_customer -> vip_customer, putting each change on the bus', async () => {
    await put('subscribe', { firstName: 'Lia' }, { email: `${customerId}@example.com` });
    expect(await stageChanges()).toEqual(['->prospect']);

    await put('purchase', { orderId: 'o1', amount: 100, currency: 'EUR' });
    await put('purchase', { orderId: 'o2', amount: 150, currency: 'EUR' });
    expect(await stageChanges()).toEqual(['->prospect', 'prospect>new_customer', 'new_customer>repeat_customer']);

    // Document 001's vip also needs an interaction score of 8 of 10: two clicks (3 each) and two opens (1 each).
    for (const type of ['email_click', 'email_click', 'email_open', 'email_open']) await put(type, { sendId: uniqueId('s'), url: 'https://shop.example/p' });
    expect((await stageChanges()).at(-1)).toBe('new_customer>repeat_customer');
    await put('purchase', { orderId: 'o3', amount: 900, currency: 'EUR' });
    const changes = await internalEvents('LifecycleStageChanged');
    expect(changes.map((e) => `${e.detail.from ?? '-'}>${e.detail.to}`)).toEqual([
      '->prospect',
      'prospect>new_customer',
      'new_customer>repeat_customer',
      'repeat_customer>vip_customer',
    ]);
    // The change carries the metrics that triggered it, and the stage's nurture sequences.
    expect(changes.at(-1)!.detail.metrics).toMatchObject({ lifetime_value: 1150 });
    expect(changes.at(-1)!.detail.nurtureSequences).toContain('vip_content');

    const escalations = await internalEvents('VipEscalation');
    expect(escalations.map((e) => e.detail.orderId)).toEqual(['o3']);
  });

  it('puts SegmentEntered events with the deciding conditions, and nudge profile --json explains the result', async () => {
    const entered = await internalEvents('SegmentEntered');
    const segments = entered.map((e) => e.detail.segmentId);
    expect(segments).toContain('high_value_customer');
    const highValue = entered.find((e) => e.detail.segmentId === 'high_value_customer')!;
    expect(highValue.detail.conditions.some((c: { passed: boolean; actual: unknown }) => c.passed && c.actual === 1150)).toBe(true);

    const view = JSON.parse(await cli('profile', customerId, '--json', '--explain'));
    expect(view.lifecycleStage).toBe('vip_customer');
    expect(view.scores.map((s: { model: string }) => s.model)).toEqual(expect.arrayContaining(['engagement', 'activity_30d', 'interaction']));
    const member = view.segments.find((s: { segmentId: string }) => s.segmentId === 'high_value_customer');
    expect(member.conditions.length).toBeGreaterThan(0);

    // Membership is listed per segment by Query (no Scan of profiles).
    const members = await new DynamoSegmentMembershipStore(nudge.documentClient, nudge.output('TableName')).members('high_value_customer');
    expect(members.map((m) => m.customerId)).toContain(customerId);

    const why = await cli('why-segment', customerId, 'high_value_customer');
    expect(why).toMatch(/IS in high_value_customer/);
    expect(why).toMatch(/pass/);
  });

  // The jump of 61 days runs the daily jobs over the whole shared table (every earlier suite's
  // profiles), which on a loaded machine takes more than the default minute.
  it('the daily sweep ends the vip stage of the idle customer (engagement_drop) under the simulated clock', { timeout: 240_000 }, async () => {
    await nudge.advanceClock('61d');
    const sweep = async () => {
      const result = (await (await fetch(`${nudge.context.endpoints.eventBridge}/_nudge/schedules/run`, {
        method: 'POST',
        body: JSON.stringify({ rule: 'Sweep' }),
      })).json()) as { ok: boolean; error?: string };
      expect(result).toMatchObject({ ok: true });
      await nudge.waitForIdle(180_000);
    };
    await sweep();
    // The daily scoring the jump also fired may finish after that sweep; the next sweep reads its predictions.
    await sweep();
    // 61 days without an email interaction: the interaction score is 0 (<= 2), so vip_customer is left.
    const changes = (await internalEvents('LifecycleStageChanged')).map((e) => e.detail);
    const leftVip = changes.find((c) => c.from === 'vip_customer')!;
    expect(leftVip.exitedBy).toContain('engagement_drop');
    // Then the stage the facts give: repeat_customer (last purchase 61 days ago, within 90) unless the
    // churn risk the evaluation read was medium or worse, repeat_customer's own exit: then none. Which
    // one depends on whether the scoring the jump fired had written its prediction when the sweep
    // evaluated the profile (stages read predictions at the next event or sweep), so the test accepts
    // either and checks that no stage comes with that churn risk.
    const profile = (await nudge.profiles.get(customerId))!;
    expect([undefined, 'repeat_customer']).toContain(profile.lifecycleStage);
    const last = changes.at(-1)!;
    expect(last.to ?? undefined).toBe(profile.lifecycleStage);
    if (profile.lifecycleStage === undefined) expect(['medium', 'high']).toContain(profile.predictions.churn?.segment);
    const entered = (await internalEvents('SegmentEntered')).map((e) => e.detail.segmentId);
    expect(entered).toContain('activity_at_risk');
  });
});
