import { describe, expect, it } from 'vitest';
import { countInRing, countInWindow, dailyCounts, emptyRing, rollRing, RING_DAYS } from '#shared/domain/activity-ring.ts';
import { countBounded, topKeys } from '#shared/domain/bounded-counter.ts';

describe('activity ring', () => {
  it('counts per day and sums exact windows', () => {
    let ring = emptyRing(100);
    ring = countInRing(ring, ['page_view'], 100);
    ring = countInRing(ring, ['page_view'], 100);
    ring = countInRing(ring, ['page_view', 'purchase'], 97);
    for (let i = 0; i < 12; i++) ring = countInRing(ring, ['big'], 100);
    // base 36: 12 is "c"
    expect(ring.series).toEqual({ page_view: '2,,,1', purchase: ',,,1', big: 'c' });
    expect(countInWindow(ring, 'big', 100, 1)).toBe(12);
    expect(countInWindow(ring, 'page_view', 100, 1)).toBe(2);
    expect(countInWindow(ring, 'page_view', 100, 3)).toBe(2);
    expect(countInWindow(ring, 'page_view', 100, 4)).toBe(3);
    expect(dailyCounts(ring, 'page_view', 100, 4)).toEqual([1, 0, 0, 2]);
  });

  it('rolls forward: old days shift out and empty series disappear', () => {
    let ring = countInRing(emptyRing(10), ['a'], 10);
    ring = countInRing(ring, ['b'], 8);
    ring = rollRing(ring, 12);
    expect(ring).toEqual({ anchorDay: 12, series: { a: ',,1', b: ',,,,1' } });
    expect(rollRing(ring, 12 + RING_DAYS)).toEqual({ anchorDay: 12 + RING_DAYS, series: {} });
  });

  it('reads windows correctly when the anchor lags behind today, and ignores days outside the ring', () => {
    const ring = countInRing(countInRing(emptyRing(50), ['x'], 50), ['x'], 50 - RING_DAYS);
    expect(ring.series).toEqual({ x: '1' });
    expect(countInWindow(ring, 'x', 55, 5)).toBe(0);
    expect(countInWindow(ring, 'x', 55, 6)).toBe(1);
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
