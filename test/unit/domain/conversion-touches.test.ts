import { describe, expect, it } from 'vitest';
import { touchesFromSends } from '#shared/domain/conversions.ts';

describe('the touches of a conversion, from the customer send records', () => {
  const convertedAt = '2026-11-10T12:00:00Z';

  it('takes per send and kind the newest open or click at or before the purchase within the window, oldest first', () => {
    const touches = touchesFromSends(
      [
        // Opened twice before the purchase: the last open counts.
        { sendId: 's1', ruleId: 'welcome', firstOpenAt: '2026-11-08T09:00:00Z', lastOpenAt: '2026-11-09T09:00:00Z' },
        // Clicked before and again after the purchase: the first click stands in.
        { sendId: 's2', ruleId: 'cart', firstClickAt: '2026-11-10T11:00:00Z', lastClickAt: '2026-11-10T13:00:00Z' },
        // Opened 80 h before: outside the 72 h window.
        { sendId: 's3', ruleId: 'old', firstOpenAt: '2026-11-07T04:00:00Z', lastOpenAt: '2026-11-07T04:00:00Z' },
      ],
      convertedAt,
      72,
    );
    expect(touches).toEqual([
      { sendId: 's1', ruleId: 'welcome', kind: 'open', at: '2026-11-09T09:00:00Z' },
      { sendId: 's2', ruleId: 'cart', kind: 'click', at: '2026-11-10T11:00:00Z' },
    ]);
  });

  it('gives none when every engagement came after the purchase', () => {
    expect(touchesFromSends([{ sendId: 's1', firstOpenAt: '2026-11-10T12:00:01Z', lastOpenAt: '2026-11-10T14:00:00Z' }], convertedAt, 72)).toEqual([]);
  });
});
