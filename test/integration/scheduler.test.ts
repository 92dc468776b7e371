import { describe, expect, it } from 'vitest';
import { nudgeClient, uniqueId, type LocalSchedule } from './support/nudge-client.ts';

const DAY_MS = 86_400_000;

/**
 * The stack's schedule rules run by the local scheduler under the simulated clock, and the local
 * event log that stands in for the bus archive; seen only through the control API, as the CLI sees them.
 */
describe('the local scheduler', () => {
  const nudge = nudgeClient();

  async function sweepSchedule(): Promise<{ now: Date; sweep: LocalSchedule }> {
    const { now, schedules } = await nudge.schedules();
    const sweeps = schedules.filter((schedule) => schedule.rule.includes('Sweep'));
    expect(sweeps).toHaveLength(1);
    return { now: new Date(now), sweep: sweeps[0]! };
  }

  it('lists the sweep schedule of the stack, daily at 03:00 UTC, with its next fire at the next 03:00 UTC', async () => {
    const { now, sweep } = await sweepSchedule();
    expect(sweep).toMatchObject({
      expression: 'cron(0 3 * * ? *)',
      targets: [{ functionId: expect.stringContaining('Sweep'), entry: 'functions/scheduled/sweep-profiles.ts' }],
    });
    expect(sweep.nextFireAt).toMatch(/T03:00:00\.000Z$/);
    // At most a day ahead (a tick of the loop may be a moment behind a clock that just crossed 03:00).
    const ahead = Date.parse(sweep.nextFireAt!) - now.getTime();
    expect(ahead).toBeGreaterThan(-5_000);
    expect(ahead).toBeLessThanOrEqual(DAY_MS);
  });

  it('runs the sweep on request, waits for it and reports it ok', async () => {
    const result = await nudge.runSchedule('Sweep');
    expect(result).toEqual({ ran: expect.stringContaining('Sweep'), ok: true });
    const { sweep } = await sweepSchedule();
    expect(sweep.lastRun).toMatchObject({ ok: true, trigger: 'manual' });
  });

  it('refuses a rule name that matches no schedule', async () => {
    const result = await nudge.runSchedule('NoSuchSchedule');
    expect(result.message).toMatch(/no schedule rule matches "NoSuchSchedule"/);
  });

  it('fires the sweep by itself, once, when the simulated clock passes 03:00 UTC', async () => {
    const { sweep: before } = await sweepSchedule();
    const due = Date.parse(before.nextFireAt!);
    const now = await nudge.advanceClock('25h');

    let sweep = before;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      ({ sweep } = await sweepSchedule());
      if (sweep.lastRun?.trigger === 'schedule' && Date.parse(sweep.lastFiredAt!) >= due) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await nudge.waitForIdle();
    ({ sweep } = await sweepSchedule());
    expect(Date.parse(sweep.lastFiredAt!)).toBeGreaterThanOrEqual(due);
    expect(sweep.lastRun).toMatchObject({ ok: true, trigger: 'schedule' });
    expect(Date.parse(sweep.nextFireAt!)).toBeGreaterThan(now.getTime());
    expect(sweep.nextFireAt).toMatch(/T03:00:00\.000Z$/);
  });
});

describe('the local event log (GET /_nudge/events)', () => {
  const nudge = nudgeClient();

  it('keeps every event put on the bus as its whole envelope, newest last, filterable by customer and type', async () => {
    const customerId = uniqueId('log');
    const occurredAt = (await nudge.now()).toISOString();
    const pageView = (url: string) => ({
      detailType: 'page_view',
      detail: { eventId: uniqueId('pv'), customerId, occurredAt, properties: { url } },
    });
    const [first] = await nudge.putEvents([pageView('https://shop.example.com/a')]);
    const [second] = await nudge.putEvents([pageView('https://shop.example.com/b')]);
    await nudge.waitForIdle();

    // Ingest puts the customer's internal events (source nudge) on the bus too: look at the producer's only.
    const events = await nudge.busEvents({ customerId, source: 'shop.web' });
    expect(events.map((event) => event.id)).toEqual([first!.EventId, second!.EventId]);
    expect(events[1]).toMatchObject({
      source: 'shop.web',
      'detail-type': 'page_view',
      time: expect.stringMatching(/Z$/),
      detail: { customerId, properties: { url: 'https://shop.example.com/b' } },
    });
    expect(await nudge.busEvents({ customerId, detailType: 'page_view', limit: 1 })).toEqual([events[1]]);
    expect(await nudge.busEvents({ customerId, source: 'nudge', detailType: 'page_view' })).toEqual([]);
    for (const internal of await nudge.busEvents({ customerId, source: 'nudge' })) {
      expect(internal).toMatchObject({ source: 'nudge', detail: { customerId } });
    }
  });
});
