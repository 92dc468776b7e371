/**
 * The one source of time. The domain never reads the wall clock: services receive a Clock,
 * so the local runtime and tests can run a simulated clock forward (cooldowns, delays, schedules).
 */
export interface Clock {
  now(): Date;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export function toEpochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
