import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  countInRing,
  countInWindow,
  dailyCounts,
  emptyRing,
  rollRing,
  RING_DAYS,
  RING_WEEKS,
  upgradeLegacyRing,
  weekOf,
  weeksKept,
  type ActivityRing,
} from '#shared/domain/activity-ring.ts';
import { countBounded, topKeys } from '#shared/domain/bounded-counter.ts';
import { MAX_WINDOW_DAYS } from '#shared/domain/profile-facts.ts';

/** `x` keeps weeks for a year; `n90` for 90-day windows only; other series keep days only. */
const WEEKLY = new Map([
  ['x', MAX_WINDOW_DAYS],
  ['n90', 90],
]);

describe('activity ring', () => {
  it('counts per day and sums exact windows', () => {
    let ring = emptyRing(100);
    ring = countInRing(ring, ['page_view'], 100);
    ring = countInRing(ring, ['page_view'], 100);
    ring = countInRing(ring, ['page_view', 'purchase'], 97);
    for (let i = 0; i < 12; i++) ring = countInRing(ring, ['big'], 100);
    // one base-36 digit per day, no separators: 12 is "c"
    expect(ring.days).toEqual({ page_view: '2001', purchase: '0001', big: 'c' });
    expect(countInWindow(ring, 'big', 100, 1)).toBe(12);
    expect(countInWindow(ring, 'page_view', 100, 1)).toBe(2);
    expect(countInWindow(ring, 'page_view', 100, 3)).toBe(2);
    expect(countInWindow(ring, 'page_view', 100, 4)).toBe(3);
    expect(dailyCounts(ring, 'page_view', 100, 4)).toEqual([1, 0, 0, 2]);
  });

  it('writes counts of 36 and more with base-26 capital letters before the last digit', () => {
    let ring = emptyRing(10);
    for (let i = 0; i < 100; i++) ring = countInRing(ring, ['a'], 10);
    for (let i = 0; i < 36 * 26 + 1; i++) ring = countInRing(ring, ['a'], 9);
    // 100 = 2 * 36 + 28 -> "C" "s"; 937 = 26 * 36 + 1 -> "BA" "1"
    expect(ring.days.a).toBe('CsBA1');
    expect(dailyCounts(ring, 'a', 10, 2)).toEqual([937, 100]);
  });

  it('rolls forward: old days shift out, into their week for series that keep weeks, and empty series disappear', () => {
    let ring = countInRing(emptyRing(10), ['a', 'x'], 10);
    ring = countInRing(ring, ['b'], 8);
    ring = rollRing(ring, 12, WEEKLY);
    expect(ring).toEqual({ anchorDay: 12, days: { a: '001', x: '001', b: '00001' }, weeks: {} });
    const later = rollRing(ring, 12 + RING_DAYS, WEEKLY);
    // Day 10 is in week 1; the newest week past the ring (day 12) is week 2, so index 1.
    expect(later).toEqual({ anchorDay: 12 + RING_DAYS, days: {}, weeks: { x: '01' } });
    expect(countInWindow(later, 'x', 12 + RING_DAYS, RING_DAYS + 7)).toBe(1);
    expect(countInWindow(later, 'a', 12 + RING_DAYS, RING_DAYS + 7)).toBe(0);
  });

  it('reads windows correctly when the anchor lags behind today, and ignores days outside the ring', () => {
    const ring = countInRing(countInRing(emptyRing(50), ['x'], 50), ['x'], 50 - RING_DAYS);
    expect(ring.days).toEqual({ x: '1' });
    expect(countInWindow(ring, 'x', 55, 5)).toBe(0);
    expect(countInWindow(ring, 'x', 55, 6)).toBe(1);
  });

  it('puts a late event older than the daily ring in its week, for series that keep weeks only', () => {
    const today = 1000;
    const ring = countInRing(emptyRing(today), ['x', 'y'], today - 60, WEEKLY);
    expect(ring.days).toEqual({});
    expect(Object.keys(ring.weeks)).toEqual(['x']);
    expect(countInWindow(ring, 'x', today, 90)).toBe(1);
    expect(countInWindow(ring, 'y', today, 90)).toBe(0);
    // Older than a year of weeks: counted in no window.
    expect(countInRing(emptyRing(today), ['x'], today - 7 * (RING_WEEKS + 5) - RING_DAYS, WEEKLY)).toEqual(emptyRing(today));
  });

  it('keeps at most RING_WEEKS weeks, enough for the longest window, and fewer for a series read over 90 days', () => {
    let ring = emptyRing(0);
    for (let day = 0; day <= 800; day++) ring = countInRing(rollRing(ring, day, WEEKLY), ['x', 'n90'], day, WEEKLY);
    expect(ring.weeks.x).toHaveLength(RING_WEEKS);
    expect(RING_WEEKS).toBe(49);
    expect(ring.weeks.n90).toHaveLength(weeksKept(90));
    expect(weeksKept(90)).toBe(10);
    expect(countInWindow(ring, 'n90', 800, 90)).toBeGreaterThanOrEqual(87);
    expect(weekOf(ring.anchorDay - RING_DAYS) - weekOf(ring.anchorDay - MAX_WINDOW_DAYS + 1)).toBeLessThan(RING_WEEKS);
    expect(countInWindow(ring, 'x', 800, MAX_WINDOW_DAYS)).toBeGreaterThanOrEqual(MAX_WINDOW_DAYS - 3);
  });

  it('loads a ring stored before the weeks (comma-separated base-36 days) with the same daily counts and no weeks', () => {
    const legacy = { anchorDay: 100, series: { page_view: '2,,,1', big: '1c', purchase: ',,,1' } };
    const upgraded = upgradeLegacyRing(legacy) as ActivityRing;
    expect(upgraded).toEqual({ anchorDay: 100, days: { page_view: '2001', big: 'Bc', purchase: '0001' }, weeks: {} });
    expect(dailyCounts(upgraded, 'big', 100, 1)).toEqual([48]);
    expect(upgradeLegacyRing(upgraded)).toBe(upgraded);
  });
});

/**
 * Events on random days (some arriving late), applied in processing order as ingest does (roll to
 * the processing day, then count on the event's day), then read at a random later `today`: the
 * ring against a plain count over the list of event days.
 */
describe('activity ring windows against a brute-force count (property)', () => {
  const arrival = fc.record({ processingStep: fc.nat({ max: 12 }), lateness: fc.oneof(fc.constant(0), fc.nat({ max: 3 }), fc.nat({ max: 500 })) });
  const scenario = fc.record({
    start: fc.integer({ min: 3_000, max: 30_000 }),
    arrivals: fc.array(arrival, { maxLength: 150 }),
    idleDays: fc.oneof(fc.constant(0), fc.nat({ max: 40 }), fc.nat({ max: 400 })),
    windowDays: fc.oneof(fc.integer({ min: 1, max: RING_DAYS }), fc.integer({ min: RING_DAYS + 1, max: MAX_WINDOW_DAYS }), fc.constantFrom(90, 365)),
  });

  function replay({ start, arrivals, idleDays }: { start: number; arrivals: Array<{ processingStep: number; lateness: number }>; idleDays: number }) {
    let ring = emptyRing(start);
    let processingDay = start;
    const eventDays: number[] = [];
    for (const { processingStep, lateness } of arrivals) {
      processingDay += processingStep;
      const day = processingDay - lateness;
      eventDays.push(day);
      ring = countInRing(rollRing(ring, Math.max(processingDay, ring.anchorDay), WEEKLY), ['x', 'n90', 'daily_only'], day, WEEKLY);
    }
    const today = processingDay + idleDays;
    const exact = (windowDays: number) => eventDays.filter((day) => day > today - windowDays && day <= today).length;
    return { ring, today, exact };
  }

  it('is exact for windows up to 30 days, in every series', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const { ring, today, exact } = replay(input);
        const windowDays = Math.min(input.windowDays, RING_DAYS);
        expect(countInWindow(ring, 'x', today, windowDays)).toBe(exact(windowDays));
        expect(countInWindow(ring, 'daily_only', today, windowDays)).toBe(exact(windowDays));
      }),
      { numRuns: 400 },
    );
  });

  it('beyond 30 days, is the exact count of a window at most 3 days longer or shorter (the nearest week start)', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const { ring, today, exact } = replay(input);
        const nearWeekStart = (counted: number, windowDays: number) =>
          expect([-3, -2, -1, 0, 1, 2, 3].some((error) => exact(windowDays + error) === counted), `counted ${counted}; exact ${exact(windowDays)} over ${windowDays} days`).toBe(true);
        nearWeekStart(countInWindow(ring, 'x', today, input.windowDays), input.windowDays);
        // A series kept for 90-day windows is as precise up to 90 days.
        nearWeekStart(countInWindow(ring, 'n90', today, Math.min(input.windowDays, 90)), Math.min(input.windowDays, 90));
      }),
      { numRuns: 400 },
    );
  });
});

describe('bounded counter (Space-Saving)', () => {
  it('keeps at most capacity keys; a newcomer replaces the smallest and inherits its count + 1', () => {
    let counts: Record<string, number> = {};
    for (const key of ['a', 'a', 'a', 'b', 'b', 'c']) counts = countBounded(counts, key, 3);
    counts = countBounded(counts, 'd', 3);
    expect(counts).toEqual({ a: 3, b: 2, d: 2 });
    expect(topKeys(counts, 2)).toEqual([{ key: 'a', count: 3 }, { key: 'b', count: 2 }]);
  });
});
