import type { Clock } from '#shared/domain/clock.ts';

/**
 * The local runtime's clock: real time plus an offset that only grows. `advance` runs time
 * forward for cooldowns, delays and schedules without waiting.
 *
 * It never runs behind the real clock: DynamoDB Local deletes TTL items by the real clock, so a
 * simulated "now" in the past would see claims vanish that, for it, have not expired yet.
 */
export class SimulatedClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly realNow: () => number = Date.now) {}

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
