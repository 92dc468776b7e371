import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { conversionFromSends } from '#shared/domain/conversions.ts';
import { ATTRIBUTION_MODELS, attribute, type Touch } from '#shared/domain/reports/attribution.ts';
import { DEFAULT_ATTRIBUTION_MODEL } from '#shared/domain/reports/attribution-report.ts';

/**
 * Document 000's multi-touch attribution (TriggerAttributionTracker): a touchpoint per campaign email
 * sent, five models, `lookbackWindow: 30` days and `defaultAttribution: 'time_decay'`; position
 * based gives 40% to the first and the last touchpoint and shares 20% among the middle.
 */
describe('document 000: attribution', () => {
  const DAY_MS = 86_400_000;
  const at = '2026-11-30T12:00:00.000Z';
  const before = (days: number) => new Date(Date.parse(at) - days * DAY_MS).toISOString();
  const lookback = { windowHours: defaultCatalog.settings.attributionWindowHours };

  it('has the five models, time decay by default and a 30-day lookback', () => {
    expect([...ATTRIBUTION_MODELS].sort()).toEqual(['first_touch', 'last_touch', 'linear', 'position_based', 'time_decay']);
    expect(DEFAULT_ATTRIBUTION_MODEL).toBe('time_decay');
    expect(defaultCatalog.settings.attributionWindowHours).toBe(30 * 24);
  });

  it('records a touchpoint per email sent: a purchase after sends nobody opened converts, over all of them within 30 days', () => {
    const sends = [0, 1, 2, 3].map((i) => ({ sendId: `s${i}`, ruleId: `campaign_${i}`, sentAt: before([29, 20, 10, 31][i]!) }));
    const conversion = conversionFromSends({ customerId: 'c', orderId: 'order_xyz', revenue: 89.99, currency: null, convertedAt: at }, sends, lookback.windowHours);
    expect(conversion?.touches.map((t) => t.sendId)).toEqual(['s0', 's1', 's2']);
    const touches: Touch[] = conversion!.touches.map((t) => ({ ...t, ruleId: t.ruleId!, campaignId: t.ruleId! }));
    const credits = (model: (typeof ATTRIBUTION_MODELS)[number]) => attribute({ conversionId: 'order_xyz', customerId: 'c', at, revenue: 89.99 }, touches, model, lookback).map((c) => c.credit);
    const [first, middle, last] = credits('position_based');
    expect([first, middle, last].map((c) => Number(c!.toFixed(12)))).toEqual([0.4, 0.2, 0.4]);
    expect(credits('first_touch')).toEqual([1]);
    for (const model of ATTRIBUTION_MODELS) expect(credits(model).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});
