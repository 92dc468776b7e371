import { DAY_MS } from './clock.ts';
import { MAX_WINDOW_DAYS } from './profile-facts.ts';

/**
 * Event counts per series (an event type, or a derived series such as `page:pricing` or `*` for
 * any event) over the last year, kept compact in the profile item:
 *
 * - `days`: one count per UTC day for the RING_DAYS days ending with the anchor day, every series.
 * - `weeks`: one count per week (Monday to Sunday, UTC) for the days older than that, for the
 *   series read over more than RING_DAYS days (the catalog's long windows, `weeklySeriesFor`, and
 *   `*` and `purchase`), as far back as the longest window reading the series reaches
 *   (`weeksKept`: 10 weeks for 90 days, RING_WEEKS = 49 for MAX_WINDOW_DAYS = 365). A day
 *   leaving the daily ring moves into its week, so no count is lost or counted twice.
 *
 * Precision of `countInWindow` for a window of W days ending today (today >= the anchor day, as
 * whenever the profile is read after its last event):
 * - W <= RING_DAYS: exact (by UTC day of the effective occurredAt).
 * - W > RING_DAYS: the last RING_DAYS days exactly, then whole weeks; the week holding the window's
 *   first day counts whole when at least half of its days are inside the window, else not at all.
 *   So the count is exact for an effective window of W - 3 to W + 3 days (the nearest week start),
 *   for W up to the longest window the series keeps weeks for; past that the older weeks are gone
 *   (`weeklySeriesFor` keeps, for every window the catalog reads, the weeks it needs).
 * - A series that starts keeping weeks (a catalog change) has none before its days leave the ring,
 *   as a new daily series has no days before its first event.
 *
 * Each series is one string of counts, index 0 = the anchor day (days) or the newest week past the
 * daily ring (weeks): a count is its base-36 digit below 36 ("0".."z"); a larger count puts
 * floor(count / 36) before it in base 26 with the digits "A".."Z" (100 = 2 * 36 + 28 -> "Cs").
 * Trailing zeros are dropped, and so are series that fall to all-zero, so the size follows the
 * activity. Profiles stored before the weeks existed (`series`: comma-separated base-36 counts)
 * load through `upgradeLegacyRing`, with no weeks (their older days were never kept).
 */
export const RING_DAYS = 30;
export const WEEK_DAYS = 7;
/** Weeks kept past the daily ring for a window: enough for the week holding the window's first day (0 up to 30 days). */
export const weeksKept = (windowDays: number): number => Math.max(0, Math.ceil((Math.min(windowDays, MAX_WINDOW_DAYS) - 1 - RING_DAYS) / WEEK_DAYS) + 1);
export const RING_WEEKS = weeksKept(MAX_WINDOW_DAYS);

/** Series that keep weeks -> the longest window (days) that reads each: how many weeks it keeps. */
export type WeeklySeries = ReadonlyMap<string, number>;

export type ActivityRing = { anchorDay: number; days: Record<string, string>; weeks: Record<string, string> };

/** A series' counts as stored; `LEGACY_COUNTS_PATTERN` is the format before the weeks. */
export const COUNTS_PATTERN = /^(?:[A-Z]*[0-9a-z])*$/;
export const LEGACY_COUNTS_PATTERN = /^[0-9a-z,]*$/;

const NO_SERIES: WeeklySeries = new Map();

export const dayNumber = (instant: Date | string | number): number =>
  Math.floor((typeof instant === 'number' ? instant : new Date(instant).getTime()) / DAY_MS);

/** The week of a day number; weeks start on Monday (day 0, 1970-01-01, was a Thursday). */
export const weekOf = (day: number): number => Math.floor((day + 3) / WEEK_DAYS);
const firstDayOfWeek = (week: number): number => week * WEEK_DAYS - 3;

export function emptyRing(anchorDay: number): ActivityRing {
  return { anchorDay, days: {}, weeks: {} };
}

function encodeCount(count: number): string {
  let prefix = '';
  for (let high = Math.floor(count / 36); high > 0; high = Math.floor(high / 26)) prefix = String.fromCharCode(65 + (high % 26)) + prefix;
  return prefix + (count % 36).toString(36);
}

function decode(encoded: string | undefined): number[] {
  if (!encoded) return [];
  return Array.from(encoded.matchAll(/([A-Z]*)([0-9a-z])/g), ([, high = '', low = '0']) => {
    let value = 0;
    for (const letter of high) value = value * 26 + (letter.charCodeAt(0) - 65);
    return value * 36 + parseInt(low, 36);
  });
}

function encode(counts: readonly number[]): string {
  let end = counts.length;
  while (end > 0 && counts[end - 1] === 0) end -= 1;
  return counts.slice(0, end).map(encodeCount).join('');
}

function withSeries(series: Record<string, string>, key: string, counts: readonly number[]): Record<string, string> {
  const text = encode(counts);
  const { [key]: _old, ...rest } = series;
  return text === '' ? rest : { ...rest, [key]: text };
}

function addAt(counts: number[], index: number, amount: number): void {
  while (counts.length <= index) counts.push(0);
  counts[index] = (counts[index] ?? 0) + amount;
}

/** The newest week that can hold days past the daily ring of `anchorDay`. */
const newestWeek = (anchorDay: number): number => weekOf(anchorDay - RING_DAYS);

/** Series that keep weeks: those asked for, and those that have some already (a roll without the catalog keeps them). */
const keepsWeeks = (ring: ActivityRing, key: string, weekly: WeeklySeries): boolean => weekly.has(key) || Object.hasOwn(ring.weeks, key);
/** Weeks a series keeps: as its longest window needs, or a year when the caller does not say (a roll without the catalog). */
const weeksOf = (key: string, weekly: WeeklySeries): number => weeksKept(weekly.get(key) ?? MAX_WINDOW_DAYS);

/** A series by its own key only (a key named like an Object.prototype member is a plain key). */
const seriesOf = (series: Record<string, string>, key: string): string | undefined => (Object.hasOwn(series, key) ? series[key] : undefined);

/**
 * Moves the anchor forward to `day` (never back). Days leaving the daily ring move into their week
 * for the series in `weeklySeries` (or already with weeks), and are dropped for the others; weeks
 * older than the series keeps are dropped.
 */
export function rollRing(ring: ActivityRing, day: number, weeklySeries: WeeklySeries = NO_SERIES): ActivityRing {
  const shift = day - ring.anchorDay;
  if (shift <= 0) return ring;
  const weekShift = newestWeek(day) - newestWeek(ring.anchorDay);
  let weeks: Record<string, string> = {};
  for (const [key, encoded] of Object.entries(ring.weeks)) {
    const kept = weeksOf(key, weeklySeries);
    weeks = withSeries(weeks, key, [...new Array<number>(Math.min(weekShift, kept)).fill(0), ...decode(encoded)].slice(0, kept));
  }
  let days: Record<string, string> = {};
  for (const [key, encoded] of Object.entries(ring.days)) {
    const counts = decode(encoded);
    days = withSeries(days, key, [...new Array<number>(Math.min(shift, RING_DAYS)).fill(0), ...counts].slice(0, RING_DAYS));
    if (!keepsWeeks(ring, key, weeklySeries)) continue;
    const weekCounts = decode(seriesOf(weeks, key));
    // Index i of the old ring is day anchorDay - i; it leaves when it is RING_DAYS or more days before `day`.
    counts.forEach((count, i) => {
      const at = ring.anchorDay - i;
      const week = newestWeek(day) - weekOf(at);
      if (count > 0 && day - at >= RING_DAYS && week < weeksOf(key, weeklySeries)) addAt(weekCounts, week, count);
    });
    weeks = withSeries(weeks, key, weekCounts);
  }
  return { anchorDay: day, days, weeks };
}

/**
 * Counts one occurrence of each series key on `day` (already rolled so that day <= anchorDay). A
 * day older than the daily ring (a late event) counts in its week for the series that keep weeks,
 * and in no window for the others; a day older than the weeks counts in none.
 */
export function countInRing(ring: ActivityRing, keys: string[], day: number, weeklySeries: WeeklySeries = NO_SERIES): ActivityRing {
  const index = ring.anchorDay - day;
  if (index < 0) return ring;
  if (index < RING_DAYS) {
    let days = ring.days;
    for (const key of keys) {
      const counts = decode(seriesOf(days, key));
      addAt(counts, index, 1);
      days = withSeries(days, key, counts);
    }
    return { ...ring, days };
  }
  const week = newestWeek(ring.anchorDay) - weekOf(day);
  let weeks = ring.weeks;
  for (const key of keys.filter((k) => keepsWeeks(ring, k, weeklySeries) && week < weeksOf(k, weeklySeries))) {
    const counts = decode(seriesOf(weeks, key));
    addAt(counts, week, 1);
    weeks = withSeries(weeks, key, counts);
  }
  return { ...ring, weeks };
}

/**
 * Occurrences on the `windowDays` days ending with `today` (today included): exact per day inside
 * the daily ring; a week past it counts whole when at least half of the days it holds are in the
 * window (see the module comment for the precision).
 */
export function countInWindow(ring: ActivityRing, key: string, today: number, windowDays: number): number {
  const first = today - windowDays + 1;
  const inWindow = (from: number, to: number) => Math.max(0, Math.min(to, today) - Math.max(from, first) + 1);
  let total = 0;
  decode(seriesOf(ring.days, key)).forEach((count, i) => {
    if (inWindow(ring.anchorDay - i, ring.anchorDay - i) === 1) total += count;
  });
  const ringStart = ring.anchorDay - RING_DAYS + 1;
  decode(seriesOf(ring.weeks, key)).forEach((count, i) => {
    const week = newestWeek(ring.anchorDay) - i;
    // The newest week may hold only the days before the ring; its other days are in `days`.
    const from = firstDayOfWeek(week);
    const to = Math.min(from + WEEK_DAYS - 1, ringStart - 1);
    if (2 * inWindow(from, to) >= to - from + 1) total += count;
  });
  return total;
}

/** Counts per day for the `days` days ending with `today`, oldest first (days past the daily ring read 0). */
export function dailyCounts(ring: ActivityRing, key: string, today: number, days: number): number[] {
  const counts = decode(seriesOf(ring.days, key));
  const result: number[] = [];
  for (let day = today - days + 1; day <= today; day++) {
    const index = ring.anchorDay - day;
    result.push(index >= 0 && index < counts.length ? (counts[index] ?? 0) : 0);
  }
  return result;
}

/**
 * A stored ring as the current format: a profile written before the weeks existed has `series`
 * (comma-separated base-36 daily counts, "3,,,c") and no `days`; its days are re-encoded and its
 * weeks start empty. Anything else is returned as it is, for the schema to judge.
 */
export function upgradeLegacyRing(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || 'days' in value || !('series' in value)) return value;
  const { series, ...rest } = value as { series: unknown };
  if (typeof series !== 'object' || series === null || Array.isArray(series)) return value;
  const days = Object.fromEntries(
    Object.entries(series).map(([key, text]) => [
      key,
      typeof text === 'string' && LEGACY_COUNTS_PATTERN.test(text) ? encode(text.split(',').map((part) => (part === '' ? 0 : parseInt(part, 36)))) : text,
    ]),
  );
  return { ...rest, days, weeks: {} };
}
