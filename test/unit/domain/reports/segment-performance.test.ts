import { describe, expect, it } from 'vitest';
import type { RollupIncrement } from '#shared/domain/reports/rollups.ts';
import { segmentPerformance } from '#shared/domain/reports/segment-performance.ts';

const now = new Date('2026-11-23T12:00:00Z');
const scopeOf = (id: string) => `segment:${id}`;
const day = (scope: string, date: string, counters: Record<string, number>): RollupIncrement => ({ scope, day: date, counters });

// All sends over the window: 1,000 delivered, 250 opened, 50 clicked, 20 converted, 5 unsubscribed, 1,000.00 revenue.
// Split over two days to check the sum; a third day, 31 days ago, lies outside the 30-day window.
const rollups = new Map<string, RollupIncrement[]>([
  [
    'segment:*',
    [
      day('segment:*', '2026-10-23', { sent: 999, delivered: 999, opened: 999 }),
      day('segment:*', '2026-11-01', { sent: 510, delivered: 500, opened: 125, clicked: 25, converted: 10, unsubscribed: 5, revenue: 500, revenue_sq: 26_000 }),
      day('segment:*', '2026-11-23', { sent: 500, delivered: 500, opened: 125, clicked: 25, converted: 10, revenue: 500, revenue_sq: 26_000 }),
    ],
  ],
  // vip: 10 conversions of 60.00 each (600; 10 × 3,600 = 36,000 squared).
  ['segment:vip', [day('segment:vip', '2026-11-01', { sent: 202, delivered: 200, opened: 80, clicked: 20, converted: 10, unsubscribed: 4, revenue: 600, revenue_sq: 36_000 })]],
  ['segment:bargain', [day('segment:bargain', '2026-11-23', { sent: 100, delivered: 100, opened: 22, clicked: 4, converted: 1, revenue: 50, revenue_sq: 2_500 })]],
  ['segment:tiny', [day('segment:tiny', '2026-11-23', { sent: 10, delivered: 10, opened: 5 })]],
]);
const report = segmentPerformance({
  segments: [
    { id: 'tiny', description: 'Ten emails' },
    { id: 'bargain', description: 'Bargain hunters' },
    { id: 'vip', description: 'Big spenders' },
    { id: 'never', description: 'Nobody yet' },
  ],
  rollups,
  allScope: 'segment:*',
  scopeOf,
  now,
  days: 30,
});

describe('the segment-performance report', () => {
  it('compares each segment with everyone else over the window, most delivered first', () => {
    expect(report.period).toEqual({ from: '2026-10-25', to: '2026-11-23', days: 30 });
    expect(report.all).toMatchObject({ sent: 1010, delivered: 1000, opened: 250, revenue: 1000 });
    expect(report.rows.map((row) => row.segmentId)).toEqual(['vip', 'bargain', 'tiny', 'never']);
    const vip = report.rows[0]!;
    // Control = all − vip: 800 delivered, 170 opened, 30 clicked, 10 converted, 1 unsubscribed, 400.00.
    expect(vip.control).toMatchObject({ delivered: 800, opened: 170, clicked: 30, converted: 10, unsubscribed: 1, revenue: 400 });
    expect(vip.segment.rates).toEqual({ open: 0.4, click: 0.1, conversion: 0.05, unsubscribe: 0.02, revenuePerRecipient: 3 });
    expect(vip.control.rates).toEqual({ open: 0.2125, click: 0.0375, conversion: 0.0125, unsubscribe: 0.0013, revenuePerRecipient: 0.5 });
  });

  it('tests each lift: the open rate by a two-proportion z-test, revenue per email by Welch', () => {
    const { open, revenuePerRecipient } = report.rows[0]!.comparison;
    // Lift (0.4 − 0.2125) / 0.2125 = 0.88235. Pooled p = 250 / 1,000 = 0.25;
    // se = √(0.25 × 0.75 × (1/800 + 1/200)) = √0.001171875 = 0.034233; z = 0.1875 / 0.034233 = 5.4772.
    expect(open.lift).toBeCloseTo(0.88235, 4);
    expect(open.z).toBeCloseTo(5.4772, 3);
    expect(open.significant).toBe(true);
    // Segment: mean 600/200 = 3, variance (36,000 − 200 × 9) / 199 = 171.859; control: mean 0.5, variance (16,000 − 800 × 0.25) / 799 = 19.775.
    // Lift (3 − 0.5) / 0.5 = 5; se = √(171.859/200 + 19.775/800) = √0.88401 = 0.94022; t = 2.5 / 0.94022 = 2.6590.
    expect(revenuePerRecipient.lift).toBeCloseTo(5, 6);
    expect(revenuePerRecipient.t).toBeCloseTo(2.659, 2);
  });

  it("gives the source's advice: a critical list-health warning when unsubscribes rise more than 20 %, each weak lift its own advice", () => {
    // vip: every lift is strong, but unsubscribes 0.02 vs 0.00125: +1,500 %.
    expect(report.rows[0]!.recommendations.map((r) => [r.metric, r.severity])).toEqual([['unsubscribeImpact', 'critical']]);
    // bargain against the other 900: opens 0.22 vs 0.2533 (−13 %), clicks 0.04 vs 0.0511 (−22 %), conversions 0.01 vs 0.0211 (−53 %),
    // revenue per email 0.5 vs 1.0556 (−53 %); no unsubscribes (−100 %): four pieces of advice, no warning.
    expect(report.rows[1]!.recommendations.map((r) => r.metric)).toEqual(['openLift', 'clickLift', 'conversionLift', 'revenueLift']);
    expect(report.rows[1]!.recommendations[0]!.message).toContain('13.16% below the control');
  });

  it('gives no advice on too few emails, says why, and lists a segment with no sends with zeros', () => {
    const tiny = report.rows[2]!;
    expect(tiny.recommendations).toEqual([]);
    expect(tiny.note).toContain('10 delivered in the segment');
    const never = report.rows[3]!;
    expect(never.segment.delivered).toBe(0);
    expect(never.segment.rates.open).toBeNull();
    expect(never.comparison.open.lift).toBeNull();
  });

  it('refuses a window it cannot read', () => {
    expect(() => segmentPerformance({ segments: [], rollups, allScope: 'segment:*', scopeOf, now, days: 0 })).toThrow(/days must be a whole number from 1 to 366, got 0/);
  });
});
