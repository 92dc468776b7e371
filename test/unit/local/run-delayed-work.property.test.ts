import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runDelayedWork } from '#local/clock/run-delayed-work.ts';

/**
 * A replay (the demo's, `nudge replay`'s) runs the delayed work due before each event at its own
 * instant: held sends and rule timers (one-time schedules), sequence Waits (state machines) and the
 * daily jobs (schedule rules). The CI run of 2026-12-07 found `nudge replay` giving two outcomes for
 * one stream: the schedule rules were left to the scheduler's real-time loop, so a scoring due
 * before an event ran whenever the loop noticed the clock's jump, concurrently with that event.
 * Property: whatever mix of due times the three sources hold, each piece of work runs at exactly its
 * due instant, in time order, and nothing due after `until` runs.
 */
type Source = 'oneTime' | 'execution' | 'rule';
const work = fc.array(fc.record({ source: fc.constantFrom<Source>('oneTime', 'execution', 'rule'), at: fc.integer({ min: 1, max: 1_000 }) }), { maxLength: 12 });

function fakeSystem(items: Array<{ source: Source; at: number }>) {
  let now = 0;
  const pending = items.map((item, id) => ({ ...item, id }));
  const ran: Array<{ id: number; at: number; ranAt: number }> = [];
  const dueOf = (source: Source) => pending.filter((item) => item.source === source).map((item) => item.at);
  const earliest = (source: Source) => {
    const times = dueOf(source);
    return times.length === 0 ? undefined : new Date(Math.min(...times));
  };
  const system = {
    clock: {
      now: () => new Date(now),
      advanceTo: (instant: Date) => {
        now = instant.getTime();
        return instant;
      },
    },
    oneTimeSchedules: { list: () => pending.filter((item) => item.source === 'oneTime').map((item) => ({ status: 'scheduled', at: new Date(item.at).toISOString() })) },
    stateMachines: { nextWakeAt: () => earliest('execution') },
    scheduler: { nextFireAt: () => earliest('rule') },
    /** Settling runs everything the clock has made due, as the local system does. */
    waitForIdle: async () => {
      for (const item of [...pending].filter((p) => p.at <= now)) {
        pending.splice(pending.indexOf(item), 1);
        ran.push({ id: item.id, at: item.at, ranAt: now });
      }
    },
  };
  return { system, ran, pending };
}

describe('runDelayedWork', () => {
  it('runs every piece of due work at its own instant, the daily jobs included, and nothing past until', async () => {
    await fc.assert(
      fc.asyncProperty(work, fc.integer({ min: 0, max: 1_000 }), async (items, until) => {
        const { system, ran, pending } = fakeSystem(items);
        await runDelayedWork(system as unknown as Parameters<typeof runDelayedWork>[0], until);
        for (const run of ran) expect(run.ranAt, `work due at ${run.at}`).toBe(run.at);
        expect(ran.map((r) => r.ranAt)).toEqual([...ran.map((r) => r.ranAt)].sort((a, b) => a - b));
        expect(pending.every((item) => item.at > until)).toBe(true);
      }),
    );
  });
});
