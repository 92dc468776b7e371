import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BehaviorEvent } from '#shared/contract/index.ts';
import { conversionFromSends, purchaseToAttribute, touchesFromSends, type Purchase, type SendEngagement } from '#shared/domain/conversions.ts';
import type { Profile } from '#shared/domain/profile.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const LOOKBACK_HOURS = 720;

describe('the touches of a conversion, from the customer send records', () => {
  const convertedAt = '2026-11-10T12:00:00Z';

  it('takes per send its newest open and click, or else its arrival, at or before the purchase within the lookback, oldest first', () => {
    const touches = touchesFromSends(
      [
        // Opened twice before the purchase: the last open counts.
        { sendId: 's1', ruleId: 'welcome', sentAt: '2026-11-08T08:00:00Z', firstOpenAt: '2026-11-08T09:00:00Z', lastOpenAt: '2026-11-09T09:00:00Z' },
        // Clicked before and again after the purchase: the first click stands in.
        { sendId: 's2', ruleId: 'cart', sentAt: '2026-11-10T10:00:00Z', firstClickAt: '2026-11-10T11:00:00Z', lastClickAt: '2026-11-10T13:00:00Z' },
        // Opened 80 h before: outside a 72 h lookback.
        { sendId: 's3', ruleId: 'old', sentAt: '2026-11-07T03:00:00Z', firstOpenAt: '2026-11-07T04:00:00Z', lastOpenAt: '2026-11-07T04:00:00Z' },
      ],
      convertedAt,
      72,
    );
    expect(touches).toEqual([
      { sendId: 's1', ruleId: 'welcome', kind: 'open', at: '2026-11-09T09:00:00Z' },
      { sendId: 's2', ruleId: 'cart', kind: 'click', at: '2026-11-10T11:00:00Z' },
    ]);
  });

  it('lets an open stand for its email even when the tracked time (whole seconds) reads before the sent time', () => {
    const touches = touchesFromSends([{ sendId: 's1', sentAt: '2026-11-10T11:00:00.700Z', firstOpenAt: '2026-11-10T11:00:00Z', lastOpenAt: '2026-11-10T11:00:00Z' }], convertedAt, 72);
    expect(touches).toEqual([{ sendId: 's1', kind: 'open', at: '2026-11-10T11:00:00Z' }]);
    // An engagement before the lookback does not hide an arrival inside it.
    expect(touchesFromSends([{ sendId: 's1', sentAt: '2026-11-10T11:00:00Z', firstOpenAt: '2026-11-10T12:00:01Z', lastOpenAt: '2026-11-10T12:00:01Z' }], convertedAt, 72)).toEqual([
      { sendId: 's1', kind: 'send', at: '2026-11-10T11:00:00Z' },
    ]);
  });

  it('gives none when every email and engagement came after the purchase, or the email never arrived', () => {
    expect(touchesFromSends([{ sendId: 's1', sentAt: '2026-11-10T12:00:01Z', firstOpenAt: '2026-11-10T12:00:01Z', lastOpenAt: '2026-11-10T14:00:00Z' }], convertedAt, 72)).toEqual([]);
    expect(touchesFromSends([{ sendId: 's1', sentAt: '2026-11-10T10:00:00Z', outcome: 'bounced' }, { sendId: 's2' }], convertedAt, 72)).toEqual([]);
  });
});

// --- properties over any send history -------------------------------------------------------------

const PURCHASE_AT = Date.parse('2026-11-30T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const purchase: Purchase = { customerId: 'c1', orderId: 'o1', revenue: 80, currency: null, convertedAt: iso(PURCHASE_AT) };

/** A send record: sent (or not) some time before or after the purchase, maybe bounced, maybe opened and clicked after it arrived. */
const sendRecord = (index: number) =>
  fc
    .record({
      sentBefore: fc.option(fc.integer({ min: -3 * DAY_MS, max: 45 * DAY_MS }), { nil: undefined }),
      outcome: fc.constantFrom(undefined, 'delivered', 'bounced', 'rejected', 'complained'),
      openAfter: fc.option(fc.tuple(fc.integer({ min: 0, max: 10 * DAY_MS }), fc.integer({ min: 0, max: 10 * DAY_MS })), { nil: undefined }),
      clickAfter: fc.option(fc.tuple(fc.integer({ min: 0, max: 10 * DAY_MS }), fc.integer({ min: 0, max: 10 * DAY_MS })), { nil: undefined }),
      rule: fc.constantFrom('welcome', 'cart', 'newsletter'),
    })
    .map(({ sentBefore, outcome, openAfter, clickAfter, rule }): SendEngagement => {
      const sendId = `s${index}`;
      if (sentBefore === undefined) return { sendId, ruleId: rule };
      const sentAt = PURCHASE_AT - sentBefore;
      const engagement = (after: [number, number] | undefined, first: 'firstOpenAt' | 'firstClickAt', last: 'lastOpenAt' | 'lastClickAt') =>
        after && outcome !== 'bounced' && outcome !== 'rejected' ? { [first]: iso(sentAt + after[0]), [last]: iso(sentAt + after[0] + after[1]) } : {};
      return { sendId, ruleId: rule, sentAt: iso(sentAt), ...(outcome ? { outcome } : {}), ...engagement(openAfter, 'firstOpenAt', 'lastOpenAt'), ...engagement(clickAfter, 'firstClickAt', 'lastClickAt') };
    });
const sendHistory = fc.integer({ min: 0, max: 8 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => sendRecord(i))));

const inLookback = (at: string | undefined) => at !== undefined && Date.parse(at) <= PURCHASE_AT && Date.parse(at) >= PURCHASE_AT - 30 * DAY_MS;
const arrived = (send: SendEngagement) => send.outcome !== 'bounced' && send.outcome !== 'rejected';

describe('conversionFromSends: the conversion of a purchase over every email sent within the lookback', () => {
  it('converts exactly when some email arrived, or was opened or clicked, within the lookback; every touch is inside it', () => {
    fc.assert(
      fc.property(sendHistory, (sends) => {
        const conversion = conversionFromSends(purchase, sends, LOOKBACK_HOURS);
        const touched = sends.some((s) => (inLookback(s.sentAt) && arrived(s)) || inLookback(s.firstOpenAt) || inLookback(s.firstClickAt) || inLookback(s.lastOpenAt) || inLookback(s.lastClickAt));
        expect(conversion !== undefined).toBe(touched);
        for (const t of conversion?.touches ?? []) expect(inLookback(t.at)).toBe(true);
      }),
    );
  });

  it('credits a purchase with sends but no opens to the sends: every email that arrived in the lookback is a touch, the newest converts', () => {
    fc.assert(
      fc.property(sendHistory, (history) => {
        const sends = history.map(({ sendId, ruleId, sentAt, outcome }) => ({ sendId, ...(ruleId ? { ruleId } : {}), ...(sentAt ? { sentAt } : {}), ...(outcome ? { outcome } : {}) }));
        const arrivedInLookback = sends.filter((s) => inLookback(s.sentAt) && arrived(s));
        const conversion = conversionFromSends(purchase, sends, LOOKBACK_HOURS);
        expect(conversion?.touches.map((t) => t.sendId).sort()).toEqual(arrivedInLookback.length > 0 ? arrivedInLookback.map((s) => s.sendId).sort() : undefined);
        if (conversion) {
          const newest = Math.max(...arrivedInLookback.map((s) => Date.parse(s.sentAt!)));
          expect(conversion).toMatchObject({ touch: 'send', touchedAt: iso(newest), timeToConvertMs: PURCHASE_AT - newest });
          expect(Date.parse(sends.find((s) => s.sendId === conversion.sendId)!.sentAt!)).toBe(newest);
        }
      }),
    );
  });

  it('converts the last touch: no touch is newer than the converted one, and it is one of the touches', () => {
    fc.assert(
      fc.property(sendHistory, (sends) => {
        const conversion = conversionFromSends(purchase, sends, LOOKBACK_HOURS);
        if (!conversion) return;
        expect(conversion.touches).toContainEqual({ sendId: conversion.sendId, kind: conversion.touch, at: conversion.touchedAt, ...(conversion.ruleId ? { ruleId: conversion.ruleId } : {}) });
        for (const t of conversion.touches) expect(Date.parse(t.at)).toBeLessThanOrEqual(Date.parse(conversion.touchedAt));
        expect(conversion.touches.at(-1)).toMatchObject({ sendId: conversion.sendId, kind: conversion.touch });
      }),
    );
  });
});

describe('purchaseToAttribute: whether a purchase may convert, from the profile', () => {
  const event = (occurredAt: string): BehaviorEvent =>
    ({ type: 'purchase', isCustom: false, source: 'shop.web', eventId: 'p1', customerId: 'c1', occurredAt, properties: { orderId: 'o1', amount: 80 } }) as BehaviorEvent;
  const profile = (emailActivity: Partial<Profile['emailActivity']>) => ({ emailActivity: { sends: 1, openHours: {}, ...emailActivity } }) as Profile;

  it('lets a purchase through when an email was queued or engaged within the lookback (even unopened), not otherwise', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: -2 * DAY_MS, max: 60 * DAY_MS }), { nil: undefined }),
        fc.option(fc.integer({ min: -2 * DAY_MS, max: 60 * DAY_MS }), { nil: undefined }),
        (sendBefore, engagedBefore) => {
          const emailActivity = {
            ...(sendBefore !== undefined ? { lastSendAt: iso(PURCHASE_AT - sendBefore) } : {}),
            ...(engagedBefore !== undefined ? { lastEngagement: { sendId: 's1', kind: 'open' as const, at: iso(PURCHASE_AT - engagedBefore) } } : {}),
          };
          const recent = [sendBefore, engagedBefore].some((before) => before !== undefined && before <= 30 * DAY_MS);
          expect(purchaseToAttribute(event(iso(PURCHASE_AT)), profile(emailActivity), LOOKBACK_HOURS)).toEqual(
            recent ? { customerId: 'c1', orderId: 'o1', revenue: 80, currency: null, convertedAt: iso(PURCHASE_AT) } : undefined,
          );
        },
      ),
    );
  });

  it('refuses an unusable lookback', () => {
    expect(() => purchaseToAttribute(event(iso(PURCHASE_AT)), profile({ lastSendAt: iso(PURCHASE_AT) }), 0)).toThrow(/lookback must be a positive number of hours/);
  });
});
