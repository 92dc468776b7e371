import type { Clock } from '../../domain/clock.ts';

/**
 * The clock handlers use. In AWS it is the system clock. The local runtime, which runs the same
 * handler modules in its own process, installs its simulated clock here so cooldowns, delays and
 * schedules follow `nudge clock advance`.
 */
let source: Clock = { now: () => new Date() };

export const runtimeClock: Clock = { now: () => source.now() };

export function installClock(clock: Clock): void {
  source = clock;
}
