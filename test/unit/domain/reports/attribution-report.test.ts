import { describe, expect, it } from 'vitest';
import { attributionReport, campaignOf } from '#shared/domain/reports/attribution-report.ts';
import type { ConversionLogEntry } from '#shared/domain/reports/rollups.ts';

const now = new Date('2026-11-23T12:00:00Z');
const entry = (id: string, convertedAt: string, revenue: number, touches: ConversionLogEntry['touches']): ConversionLogEntry => ({
  day: convertedAt.slice(0, 10),
  id,
  customerId: 'c1',
  sendId: touches.at(-1)?.sendId ?? 's0',
  ruleId: touches.at(-1)?.ruleId ?? 'r0',
  convertedAt,
  revenue,
  touches,
});
const conversions = [
  // Three campaigns touched 48 h, 24 h and 6 h before a purchase of 100.
  entry('k1', '2026-11-20T12:00:00Z', 100, [
    { sendId: 's1', ruleId: 'welcome', kind: 'open', at: '2026-11-18T12:00:00Z' },
    { sendId: 's2', ruleId: 'seq_cart_recovery__reminder', kind: 'open', at: '2026-11-19T12:00:00Z' },
    { sendId: 's3', ruleId: 'cart', kind: 'click', at: '2026-11-20T06:00:00Z' },
  ]),
  // Two emails of one campaign: one credit, not two.
  entry('k2', '2026-11-21T12:00:00Z', 50, [
    { sendId: 's4', ruleId: 'cart', kind: 'click', at: '2026-11-21T10:00:00Z' },
    { sendId: 's5', ruleId: 'cart', kind: 'open', at: '2026-11-21T11:00:00Z' },
  ]),
  // Before the 30-day window.
  entry('k3', '2026-10-01T12:00:00Z', 999, [{ sendId: 's6', ruleId: 'cart', kind: 'click', at: '2026-10-01T11:00:00Z' }]),
];
// A purchase after a bare newsletter (never opened) 10 days before and an opened cart email 2 days before.
const sendOnly = entry('k4', '2026-11-22T12:00:00Z', 80, [
  { sendId: 's7', ruleId: 'newsletter', kind: 'send', at: '2026-11-12T12:00:00Z' },
  { sendId: 's8', ruleId: 'cart', kind: 'open', at: '2026-11-20T12:00:00Z' },
]);
// Logged when the lookback was longer: its only touch is outside today's 720 h.
const stale = entry('k5', '2026-11-22T13:00:00Z', 20, [{ sendId: 's9', ruleId: 'welcome', kind: 'send', at: '2026-10-20T12:00:00Z' }]);
const sentByRule = new Map([
  ['welcome', 1000],
  ['cart', 500],
  ['seq_cart_recovery__reminder', 300],
  ['seq_cart_recovery__last_call', 200],
]);
const report = attributionReport({ conversions, sentByRule, windowHours: 72, costPerThousandSends: 0.1, now, days: 30, model: 'last_touch' });
const row = (campaignId: string) => report.models.find((r) => r.campaignId === campaignId)!.models;

describe('the attribution report', () => {
  it('counts the conversions of the window and names sequence steps by their sequence', () => {
    expect(campaignOf('seq_cart_recovery__reminder')).toBe('seq_cart_recovery');
    expect(campaignOf('cart_abandonment')).toBe('cart_abandonment');
    expect(report.period).toEqual({ from: '2026-10-25', to: '2026-11-23', days: 30 });
    expect(report.conversions).toEqual({ count: 2, revenue: 150, withoutTouches: 0, withoutTouchesShare: 0, averageTouches: 2.5 });
  });

  it('divides each conversion under the five models and sums per campaign', () => {
    expect(report.models.map((r) => r.campaignId)).toEqual(['cart', 'seq_cart_recovery', 'welcome']);
    // last touch: cart gets both conversions (100 + 50); first touch: welcome 100, cart 50.
    expect(row('cart').last_touch).toEqual({ conversions: 2, revenue: 150 });
    expect(row('welcome').first_touch).toEqual({ conversions: 1, revenue: 100 });
    expect(row('cart').first_touch).toEqual({ conversions: 1, revenue: 50 });
    // linear: a third of 100 each, plus cart's 50.
    expect(row('cart').linear).toEqual({ conversions: 1.3333, revenue: 83.33 });
    expect(row('welcome').linear).toEqual({ conversions: 0.3333, revenue: 33.33 });
    // time decay, half-life 7 days: 2^(−2/7) = 0.82034, 2^(−1/7) = 0.90572, 2^(−0.25/7) = 0.97555, times the
    // touch's strength (open 2, click 4): 1.64068, 1.81144, 3.90220, sum 7.35432:
    // welcome 22.3090 → 22.31, sequence 24.6311 → 24.63, cart 53.0599 (+ 50) → 103.06.
    expect(row('welcome').time_decay.revenue).toBe(22.31);
    expect(row('seq_cart_recovery').time_decay.revenue).toBe(24.63);
    expect(row('cart').time_decay.revenue).toBe(103.06);
    // position based, three touches: 40 / 20 / 40.
    expect(row('seq_cart_recovery').position_based).toEqual({ conversions: 0.2, revenue: 20 });
    expect(row('cart').position_based).toEqual({ conversions: 1.4, revenue: 90 });
  });

  it('sums the ROI of the chosen model against what each campaign sent', () => {
    // cart: 500 sends cost 0.05, earned 150 (last touch): (150 − 0.05) / 0.05 = 2,999.
    expect(report.roi.campaigns.find((c) => c.campaignId === 'cart')).toEqual({ campaignId: 'cart', sends: 500, revenue: 150, cost: 0.05, roi: 2999 });
    // The sequence's two steps sent 500 together and earned nothing under last touch.
    expect(report.roi.campaigns.find((c) => c.campaignId === 'seq_cart_recovery')).toMatchObject({ sends: 500, revenue: 0, roi: -1 });
    expect(report.roi.totals.sends).toBe(2000);
    expect(report.roi.totals.roi).toBe(749); // (150 − 0.2) / 0.2
    const linear = attributionReport({ conversions, sentByRule, windowHours: 72, costPerThousandSends: 0.1, now, days: 30, model: 'linear' });
    expect(linear.roi.campaigns.find((c) => c.campaignId === 'welcome')?.revenue).toBeCloseTo(33.33, 2);
  });

  it('uses time decay by default (document 000), in the ROI summary too', () => {
    const byDefault = attributionReport({ conversions, sentByRule, windowHours: 72, costPerThousandSends: 0.1, now, days: 30 });
    expect(byDefault.model).toBe('time_decay');
    expect(byDefault.roi.campaigns.find((c) => c.campaignId === 'welcome')?.revenue).toBe(22.31);
  });

  it('credits a purchase whose emails were sent but never opened, an opened one more, and nothing outside the lookback', () => {
    const withSends = attributionReport({ conversions: [sendOnly, stale], sentByRule, windowHours: 720, costPerThousandSends: 0.1, now, days: 30 });
    const credits = withSends.recent.find((r) => r.convertedAt === sendOnly.convertedAt)!.credits;
    // Time decay: the newsletter's bare arrival 10 days before (2^(−10/7) = 0.37150) against the cart email opened
    // 2 days before (2 × 2^(−2/7) = 1.64068): 18.5% and 81.5%.
    expect(credits.time_decay.map((c) => [c.campaignId, c.credit])).toEqual([
      ['newsletter', 0.1846],
      ['cart', 0.8154],
    ]);
    expect(credits.last_touch.map((c) => c.campaignId)).toEqual(['cart']);
    expect(credits.first_touch.map((c) => c.campaignId)).toEqual(['newsletter']);
    expect(withSends.recent.find((r) => r.convertedAt === stale.convertedAt)!.credits.linear).toEqual([]);
    expect(withSends.conversions).toMatchObject({ count: 2, withoutTouches: 1, withoutTouchesShare: 0.5 });
  });

  it('gives each model’s credited conversions, revenue and averages per conversion', () => {
    const both = attributionReport({ conversions: [...conversions, sendOnly, stale], sentByRule, windowHours: 720, costPerThousandSends: 0.1, now, days: 30 });
    const summary = (model: string) => both.perModel.find((row) => row.model === model);
    // Three conversions have touches (100 + 50 + 80); every model divides each whole, so the totals agree.
    for (const model of ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based']) {
      expect(summary(model)).toMatchObject({ conversions: 3, revenue: 230, averageRevenue: 76.67 });
    }
    // Campaigns sharing a conversion: 1 for first and last touch; 3, 1 and 2 under the others.
    expect(summary('last_touch')!.averageTouches).toBe(1);
    expect(summary('linear')!.averageTouches).toBe(2);
    expect(summary('time_decay')!.averageTouches).toBe(2);
    expect(both.conversions).toMatchObject({ count: 4, withoutTouches: 1, withoutTouchesShare: 0.25 });
  });

  it('lists the newest conversions with every model’s credits', () => {
    expect(report.recent.map((r) => r.convertedAt)).toEqual(['2026-11-21T12:00:00Z', '2026-11-20T12:00:00Z']);
    expect(report.recent[1]!.credits.position_based.map((c) => [c.campaignId, c.credit])).toEqual([
      ['welcome', 0.4],
      ['seq_cart_recovery', 0.2],
      ['cart', 0.4],
    ]);
  });

  it('refuses an unknown model or window', () => {
    expect(() => attributionReport({ conversions, sentByRule, windowHours: 72, costPerThousandSends: 0.1, now, days: 30, model: 'u_shaped' as never })).toThrow(/model must be one of first_touch/);
    expect(() => attributionReport({ conversions, sentByRule, windowHours: 72, costPerThousandSends: 0.1, now, days: 400 })).toThrow(/days must be a whole number/);
  });
});
