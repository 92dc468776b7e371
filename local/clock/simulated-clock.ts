import type { Clock } from '#shared/domain/clock.ts';

/**
 * The local runtime's clock: a base reading plus an offset that only grows. `advance` runs time
 * forward for cooldowns, delays and schedules without waiting.
 *
 * - `npm start` runs on real time plus the offset (the default), so the system lives on beside you.
 * - A replay (`nudge replay`, either mode) runs on {@link SimulatedClock.standingStill}: time moves
 *   only when the replay jumps it (to the next event, the next due schedule or Wait), so every
 *   decision is taken at the same instant however long the processing took. On real time, a step
 *   due exactly 7 days after a send met the 7-day cap a few processing seconds later than it did
 *   in a clock that stands still, and the two modes disagreed.
 *
 * Nothing in the local runtime needs the clock to move by itself: what waits in real time (send
 * pacing and the SES send rate it keeps under, SQS delays and visibility timeouts in the emulator
 * mode, Lambda timeouts, retries, pollers) reads the real clock, and what waits on simulated time
 * (one-time schedules, Waits, schedule rules, the memory mode's queue delays, SES's 24-hour quota)
 * is jumped to. DynamoDB Local has no TTL deletion at all; expiry is decided by the items' own
 * attributes against this clock (claims' `expiresAtEpoch`).
 */
export class SimulatedClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly realNow: () => number = Date.now) {}

  /** A clock at `at` that moves only when advanced: a replay's. */
  static standingStill(at: Date): SimulatedClock {
    const startMs = at.getTime();
    return new SimulatedClock(() => startMs);
  }

  now(): Date {
    return new Date(this.realNow() + this.offsetMs);
  }

  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`the clock only moves forward (got ${ms} ms)`);
    this.offsetMs += ms;
    return this.now();
  }

  /** Moves to `instant` if it is ahead; an instant in the past leaves the clock where it is. */
  advanceTo(instant: Date): Date {
    const delta = instant.getTime() - this.now().getTime();
    if (delta > 0) this.offsetMs += delta;
    return this.now();
  }

  get offset(): number {
    return this.offsetMs;
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses "25h", "90m", "7d", "1d12h" (units ms, s, m, h, d, w). */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new RangeError(`"${text}" is not a duration; use e.g. 25h, 90m, 7d or 1d12h`);
  }
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * UNIT_MS[unit!]!, 0);
}
