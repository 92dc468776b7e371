import type { LocalSystem } from '../system.ts';

/**
 * Runs the delayed work due up to `until` (sends held by quiet hours, delayed follow-ups, rule
 * timers, sequence steps waiting for their day, the daily jobs), each at its own instant: the clock
 * jumps to the earliest of the next pending one-time schedule, the next end of an execution's Wait
 * and the next fire of a schedule rule, and the
 * system settles, until nothing is due by `until`. During a replay (the demo's or `nudge replay`'s)
 * that is the next event's time; after it, a follow-up period past the last event, so the summary
 * shows what was finally sent.
 */
export async function runDelayedWork(
  system: Pick<LocalSystem, 'oneTimeSchedules' | 'stateMachines' | 'scheduler' | 'clock' | 'waitForIdle'>,
  until: number,
  /** `afterEachStep`: runs at each step's instant once the system has settled (the demo's recipients read their mail). */
  options: { afterEachStep?: () => Promise<void> } = {},
): Promise<number> {
  let jumps = 0;
  for (;;) {
    const dueTimes = system.oneTimeSchedules
      .list()
      .filter((schedule) => schedule.status === 'scheduled')
      .map((schedule) => Date.parse(schedule.at));
    const wake = system.stateMachines.nextWakeAt();
    if (wake) dueTimes.push(wake.getTime());
    // The daily jobs too: left to the scheduler's real-time loop, a sweep or scoring due before the
    // next event ran whenever the loop noticed the jump, concurrently with that event, so the same
    // replay gave different outcomes (an event decided before or after the scoring's predictions).
    const fire = system.scheduler.nextFireAt();
    if (fire) dueTimes.push(fire.getTime());
    const next = dueTimes.filter((at) => at <= until).sort((a, b) => a - b)[0];
    if (next === undefined) return jumps;
    if (next > system.clock.now().getTime()) system.clock.advanceTo(new Date(next));
    await system.waitForIdle(60_000);
    await options.afterEachStep?.();
    jumps += 1;
  }
}
