import { DAY_MS } from './clock.ts';

/**
 * Daily event counts for the last RING_DAYS days, per series (an event type, or a derived series
 * such as `page:pricing` or `*` for any event), kept compact in the profile item: one string per
 * series, comma-separated base-36 counts, index 0 = the ring's anchor day, zeros written as empty
 * strings ("3,,,c"). Series that fall to all-zero are dropped, so the size follows recent activity.
 *
 * Windows up to 30 days are exact (by UTC day of occurredAt); events older than the ring are
 * counted in the totals only.
 */
export const RING_DAYS = 30;

export type ActivityRing = { anchorDay: number; series: Record<string, string> };

export const dayNumber = (instant: Date | string | number): number =>
  Math.floor((typeof instant === 'number' ? instant : new Date(instant).getTime()) / DAY_MS);

export function emptyRing(anchorDay: number): ActivityRing {
  return { anchorDay, series: {} };
}

function decode(encoded: string | undefined): number[] {
  if (!encoded) return [];
  return encoded.split(',').map((part) => (part === '' ? 0 : parseInt(part, 36)));
}

function encode(counts: number[]): string {
  let end = counts.length;
  while (end > 0 && counts[end - 1] === 0) end -= 1;
  return counts
    .slice(0, end)
    .map((count) => (count === 0 ? '' : count.toString(36)))
    .join(',');
}

/** Moves the anchor forward to `day` (never back), shifting every series and dropping what falls off. */
export function rollRing(ring: ActivityRing, day: number): ActivityRing {
  const shift = day - ring.anchorDay;
  if (shift <= 0) return ring;
  const series: Record<string, string> = {};
  for (const [key, encoded] of Object.entries(ring.series)) {
    const shifted = [...new Array<number>(Math.min(shift, RING_DAYS)).fill(0), ...decode(encoded)].slice(0, RING_DAYS);
    const text = encode(shifted);
    if (text !== '') series[key] = text;
  }
  return { anchorDay: day, series };
}

/** Counts one occurrence of each series key on `day` (already rolled so that day <= anchorDay). */
export function countInRing(ring: ActivityRing, keys: string[], day: number): ActivityRing {
  const index = ring.anchorDay - day;
  if (index < 0 || index >= RING_DAYS) return ring;
  const series = { ...ring.series };
  for (const key of keys) {
    const counts = decode(series[key]);
    while (counts.length <= index) counts.push(0);
    counts[index] = (counts[index] ?? 0) + 1;
    series[key] = encode(counts);
  }
  return { anchorDay: ring.anchorDay, series };
}

/** Occurrences on the `windowDays` days ending with `today` (today included). */
export function countInWindow(ring: ActivityRing, key: string, today: number, windowDays: number): number {
  return dailyCounts(ring, key, today, windowDays).reduce((sum, count) => sum + count, 0);
}

/** Counts per day for the `days` days ending with `today`, oldest first. */
export function dailyCounts(ring: ActivityRing, key: string, today: number, days: number): number[] {
  const counts = decode(ring.series[key]);
  const result: number[] = [];
  for (let day = today - days + 1; day <= today; day++) {
    const index = ring.anchorDay - day;
    result.push(index >= 0 && index < counts.length ? (counts[index] ?? 0) : 0);
  }
  return result;
}
