import { describe, expect, it } from 'vitest';
import { TOUCH_KINDS } from '#shared/domain/conversions.ts';
import { conversionLogEntry } from '#shared/domain/reports/rollups.ts';

describe('the conversion log keeps every kind of touch a conversion records', () => {
  it('logs a send, an open and a click alike (a kind it dropped would vanish from the attribution report)', () => {
    const touches = TOUCH_KINDS.map((kind, i) => ({ sendId: `s${i}`, ruleId: 'cart', kind, at: `2026-11-20T0${i}:00:00Z` }));
    const entry = conversionLogEntry(undefined, { kind: 'conversion', customerId: 'c1', sendId: 's2', ruleId: 'cart', orderId: 'o1', convertedAt: '2026-11-20T12:00:00Z', revenue: 10, touches });
    expect(entry?.touches).toEqual(touches);
  });
});
