import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTION_MODELS,
  attribute,
  attributeAll,
  compareModels,
  roiSummary,
  type AttributionModel,
  type AttributionOptions,
  type Conversion,
  type Touch,
} from '#shared/domain/reports/attribution.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const CONVERTED_AT = '2026-03-01T12:00:00.000Z';

const before = (ms: number) => new Date(Date.parse(CONVERTED_AT) - ms).toISOString();
const touch = (campaignId: string, msBefore: number, extra: Partial<Touch> = {}): Touch => ({
  sendId: `send_${campaignId}_${msBefore}`,
  ruleId: `rule_${campaignId}`,
  campaignId,
  at: before(msBefore),
  kind: 'open',
  ...extra,
});
const conversion = (revenue = 100, extra: Partial<Conversion> = {}): Conversion => ({ conversionId: 'conv_1', customerId: 'cust_1', at: CONVERTED_AT, revenue, ...extra });

/** Campaign id → credit, for compact assertions. */
function creditsOf(model: AttributionModel, touches: readonly Touch[], options: AttributionOptions = { windowHours: 168, timeDecay: { curve: 'half_life', days: 1 } }) {
  return Object.fromEntries(attribute(conversion(), touches, model, options).map((c) => [c.campaignId, c.credit]));
}

describe('attribute: the five models by number of touches', () => {
  // Four campaigns touched 3, 2, 1 and 0 days before the conversion; the first k of them are used.
  // With a one-day half-life the time-decay weights are 2^-3, 2^-2, 2^-1, 2^0 = 1/8, 1/4, 1/2, 1.
  const all = [touch('c1', 3 * DAY_MS), touch('c2', 2 * DAY_MS), touch('c3', DAY_MS), touch('c4', 0)];
  const first = (k: number) => all.slice(0, k);

  it('credits a single touch fully under every model', () => {
    for (const model of ATTRIBUTION_MODELS) expect(creditsOf(model, first(1))).toEqual({ c1: 1 });
  });

  it('splits two touches', () => {
    expect(creditsOf('first_touch', first(2))).toEqual({ c1: 1 });
    expect(creditsOf('last_touch', first(2))).toEqual({ c2: 1 });
    expect(creditsOf('linear', first(2))).toEqual({ c1: 0.5, c2: 0.5 });
    expect(creditsOf('position_based', first(2))).toEqual({ c1: 0.5, c2: 0.5 });
    // 1/8 and 1/4 of a total 3/8: 1/3 and 2/3
    const decay = creditsOf('time_decay', first(2));
    expect(decay.c1).toBeCloseTo(1 / 3, 12);
    expect(decay.c2).toBeCloseTo(2 / 3, 12);
  });

  it('splits three touches', () => {
    expect(creditsOf('first_touch', first(3))).toEqual({ c1: 1 });
    expect(creditsOf('last_touch', first(3))).toEqual({ c3: 1 });
    const linear = creditsOf('linear', first(3));
    for (const id of ['c1', 'c2', 'c3']) expect(linear[id]).toBeCloseTo(1 / 3, 12);
    // 40 / 20 / 40
    const position = creditsOf('position_based', first(3));
    expect(position.c1).toBeCloseTo(0.4, 12);
    expect(position.c2).toBeCloseTo(0.2, 12);
    expect(position.c3).toBeCloseTo(0.4, 12);
    // 1/8, 1/4, 1/2 of a total 7/8: 1/7, 2/7, 4/7
    const decay = creditsOf('time_decay', first(3));
    expect(decay.c1).toBeCloseTo(1 / 7, 12);
    expect(decay.c2).toBeCloseTo(2 / 7, 12);
    expect(decay.c3).toBeCloseTo(4 / 7, 12);
  });

  it('splits four touches', () => {
    expect(creditsOf('first_touch', first(4))).toEqual({ c1: 1 });
    expect(creditsOf('last_touch', first(4))).toEqual({ c4: 1 });
    expect(creditsOf('linear', first(4))).toEqual({ c1: 0.25, c2: 0.25, c3: 0.25, c4: 0.25 });
    // 40 / 10 / 10 / 40: the middle 20% split between two
    const position = creditsOf('position_based', first(4));
    expect(position.c1).toBeCloseTo(0.4, 12);
    expect(position.c2).toBeCloseTo(0.1, 12);
    expect(position.c3).toBeCloseTo(0.1, 12);
    expect(position.c4).toBeCloseTo(0.4, 12);
    // 1/8, 1/4, 1/2, 1 of a total 15/8: 1/15, 2/15, 4/15, 8/15
    const decay = creditsOf('time_decay', first(4));
    expect(decay.c1).toBeCloseTo(1 / 15, 12);
    expect(decay.c2).toBeCloseTo(2 / 15, 12);
    expect(decay.c3).toBeCloseTo(4 / 15, 12);
    expect(decay.c4).toBeCloseTo(8 / 15, 12);
  });

  it('decays by the default 7-day half-life: 0, 7 and 14 days before weigh 1, 1/2, 1/4 → 4/7, 2/7, 1/7', () => {
    const touches = [touch('old', 14 * DAY_MS), touch('mid', 7 * DAY_MS), touch('new', 0)];
    const credits = attribute(conversion(70), touches, 'time_decay', { windowHours: 15 * 24 });
    expect(credits.map((c) => c.campaignId)).toEqual(['old', 'mid', 'new']);
    expect(credits[0]!.credit).toBeCloseTo(1 / 7, 12);
    expect(credits[1]!.credit).toBeCloseTo(2 / 7, 12);
    expect(credits[2]!.credit).toBeCloseTo(4 / 7, 12);
    expect(credits[2]!.revenue).toBeCloseTo(40, 9); // 4/7 of 70
  });

  it("weighs by document 000's e^(−age/7 days) with the exponential curve: 0, 7 and 14 days before weigh 1, 1/e, 1/e²", () => {
    const touches = [touch('old', 14 * DAY_MS), touch('mid', 7 * DAY_MS), touch('new', 0)];
    const credits = attribute(conversion(), touches, 'time_decay', { windowHours: 15 * 24, timeDecay: { curve: 'exponential', days: 7 } });
    const sum = 1 + Math.exp(-1) + Math.exp(-2);
    expect(credits.map((c) => c.credit)).toEqual([Math.exp(-2) / sum, Math.exp(-1) / sum, 1 / sum].map((share) => expect.closeTo(share, 12)));
  });

  // The two curves are one family: e^(−age/τ) halves every τ·ln 2, so a half-life of τ·ln 2 days
  // gives the exponential curve of τ days its credits, for any touches.
  it('gives the exponential curve of τ days the credits of a half-life of τ·ln 2 days, for any touches', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 29 * DAY_MS }), { minLength: 1, maxLength: 6 }), fc.double({ min: 0.5, max: 60, noNaN: true }), (ages, tau) => {
        const touches = ages.map((age, index) => touch(`c${index}`, age));
        const exponential = attribute(conversion(), touches, 'time_decay', { windowHours: 30 * 24, timeDecay: { curve: 'exponential', days: tau } });
        const halfLife = attribute(conversion(), touches, 'time_decay', { windowHours: 30 * 24, timeDecay: { curve: 'half_life', days: tau * Math.LN2 } });
        expect(exponential.map((c) => c.campaignId)).toEqual(halfLife.map((c) => c.campaignId));
        exponential.forEach((credit, index) => expect(credit.credit).toBeCloseTo(halfLife[index]!.credit, 9));
        expect(exponential.reduce((sum, c) => sum + c.credit, 0)).toBeCloseTo(1, 9);
      }),
      { numRuns: 200 },
    );
  });

  it('splits the revenue so it sums to the conversion revenue, whatever the model', () => {
    const touches = [touch('c1', 50 * HOUR_MS), touch('c2', 31 * HOUR_MS), touch('c3', 7 * HOUR_MS), touch('c4', 13 * 60_000)];
    for (const model of ATTRIBUTION_MODELS) {
      const credits = attribute(conversion(123.45), touches, model, { windowHours: 72 });
      expect(Math.abs(credits.reduce((sum, c) => sum + c.revenue, 0) - 123.45)).toBeLessThan(1e-9);
      expect(Math.abs(credits.reduce((sum, c) => sum + c.credit, 0) - 1)).toBeLessThan(1e-12);
      for (const c of credits) expect(c.revenue).toBeCloseTo(c.credit * 123.45, 12);
    }
  });

  it('orders touches by time, not by input order', () => {
    const shuffled = [touch('c3', DAY_MS), touch('c1', 3 * DAY_MS), touch('c2', 2 * DAY_MS)];
    expect(attribute(conversion(), shuffled, 'first_touch', { windowHours: 168 })[0]!.campaignId).toBe('c1');
    expect(attribute(conversion(), shuffled, 'linear', { windowHours: 168 }).map((c) => c.campaignId)).toEqual(['c1', 'c2', 'c3']);
  });
});

describe('attribute: which touches count', () => {
  it('collapses a campaign to its latest touch so it is not credited twice', () => {
    // welcome touched 3 days and 1 day before (two emails of one sequence), promo 2 days before.
    // Kept: promo (−2d) then welcome (−1d): welcome is now the last touch, promo the first.
    const touches = [
      touch('welcome', 3 * DAY_MS, { ruleId: 'seq_welcome__1' }),
      touch('promo', 2 * DAY_MS),
      touch('welcome', DAY_MS, { ruleId: 'seq_welcome__2', kind: 'click' }),
    ];
    expect(attribute(conversion(), touches, 'linear', { windowHours: 168 })).toEqual([
      { campaignId: 'promo', ruleId: 'rule_promo', credit: 0.5, revenue: 50 },
      { campaignId: 'welcome', ruleId: 'seq_welcome__2', credit: 0.5, revenue: 50 },
    ]);
    expect(attribute(conversion(), touches, 'first_touch', { windowHours: 168 })).toEqual([{ campaignId: 'promo', ruleId: 'rule_promo', credit: 1, revenue: 100 }]);
  });

  it('prefers the click when a campaign has an open and a click at the same instant', () => {
    const touches = [touch('c1', HOUR_MS, { ruleId: 'r_open', sendId: 's2' }), touch('c1', HOUR_MS, { ruleId: 'r_click', sendId: 's1', kind: 'click' })];
    expect(attribute(conversion(), touches, 'last_touch', { windowHours: 72 })).toEqual([{ campaignId: 'c1', ruleId: 'r_click', credit: 1, revenue: 100 }]);
  });

  it('ignores touches outside the window or after the conversion; the window includes both its ends', () => {
    const touches = [
      touch('too_old', 72 * HOUR_MS + 1),
      touch('edge', 72 * HOUR_MS),
      touch('same_instant', 0),
      touch('after', -1),
    ];
    expect(creditsOf('linear', touches, { windowHours: 72, timeDecay: { curve: 'half_life', days: 7 } })).toEqual({ edge: 0.5, same_instant: 0.5 });
  });

  it('returns [] when nothing was touched in the window', () => {
    for (const model of ATTRIBUTION_MODELS) {
      expect(attribute(conversion(), [], model, { windowHours: 72 })).toEqual([]);
      expect(attribute(conversion(), [touch('late', -HOUR_MS), touch('old', 100 * HOUR_MS)], model, { windowHours: 72 })).toEqual([]);
    }
  });

  it('rejects an unusable window, half-life, time or revenue', () => {
    const touches = [touch('c1', HOUR_MS)];
    expect(() => attribute(conversion(), touches, 'linear', { windowHours: 0 })).toThrow(RangeError);
    expect(() => attribute(conversion(), touches, 'time_decay', { windowHours: 72, timeDecay: { curve: 'half_life', days: -1 } })).toThrow(RangeError);
    expect(() => attribute(conversion(), touches, 'time_decay', { windowHours: 72, timeDecay: { curve: 'linear' as 'half_life', days: 7 } })).toThrow(RangeError);
    expect(() => attribute(conversion(100, { at: 'yesterday' }), touches, 'linear', { windowHours: 72 })).toThrow(RangeError);
    expect(() => attribute(conversion(), [{ ...touches[0]!, at: 'soon' }], 'linear', { windowHours: 72 })).toThrow(RangeError);
    expect(() => attribute(conversion(Number.NaN), touches, 'linear', { windowHours: 72 })).toThrow(RangeError);
  });
});

describe('attributeAll and compareModels', () => {
  // cust_1 bought for 100 after touching a (2 days before) and b (1 day before);
  // cust_2 bought for 60 after touching b only; cust_3 bought for 40 with no touches.
  const conversions: Conversion[] = [
    conversion(100, { conversionId: 'o1', customerId: 'cust_1' }),
    conversion(60, { conversionId: 'o2', customerId: 'cust_2' }),
    conversion(40, { conversionId: 'o3', customerId: 'cust_3' }),
  ];
  const touchesByCustomer = new Map<string, Touch[]>([
    ['cust_1', [touch('a', 2 * DAY_MS), touch('b', DAY_MS)]],
    ['cust_2', [touch('b', 3 * HOUR_MS)]],
  ]);
  const options = { windowHours: 168 };

  it('sums fractional conversions and revenue per campaign, highest revenue first', () => {
    // linear: a = 0.5 (50); b = 0.5 + 1 = 1.5 (50 + 60 = 110); cust_3's 40 credits nobody
    expect(attributeAll(conversions, touchesByCustomer, 'linear', options)).toEqual([
      { campaignId: 'b', conversions: 1.5, revenue: 110 },
      { campaignId: 'a', conversions: 0.5, revenue: 50 },
    ]);
    // first touch: a = 1 (100); b = 1 (60)
    expect(attributeAll(conversions, touchesByCustomer, 'first_touch', options)).toEqual([
      { campaignId: 'a', conversions: 1, revenue: 100 },
      { campaignId: 'b', conversions: 1, revenue: 60 },
    ]);
    expect(attributeAll([], touchesByCustomer, 'linear', options)).toEqual([]);
  });

  it('compares all five models side by side, zeros where a model credits nothing', () => {
    // time decay (7-day half-life) for cust_1: weights 2^(-2/7) = 0.820335 and 2^(-1/7) = 0.905724
    // → a = 0.820335 / 1.726059 = 0.475265, b = 0.524735; b also takes cust_2's whole conversion.
    const rows = compareModels(conversions, touchesByCustomer, options);
    expect(rows.map((row) => row.campaignId)).toEqual(['b', 'a']); // by last-touch revenue: b 160, a 0
    const [b, a] = rows;
    expect(a!.models.last_touch).toEqual({ conversions: 0, revenue: 0 });
    expect(a!.models.first_touch).toEqual({ conversions: 1, revenue: 100 });
    expect(a!.models.position_based).toEqual({ conversions: 0.5, revenue: 50 });
    expect(a!.models.time_decay.conversions).toBeCloseTo(0.475265, 6);
    expect(a!.models.time_decay.revenue).toBeCloseTo(47.5265, 4);
    expect(b!.models.last_touch).toEqual({ conversions: 2, revenue: 160 });
    expect(b!.models.time_decay.conversions).toBeCloseTo(1.524735, 6);
    expect(b!.models.linear).toEqual({ conversions: 1.5, revenue: 110 });
    // every model divides the same attributed revenue: 160 of the 200 (cust_3's 40 has no touches)
    for (const model of ATTRIBUTION_MODELS) expect(a!.models[model].revenue + b!.models[model].revenue).toBeCloseTo(160, 9);
  });
});

describe('roiSummary', () => {
  it('computes cost and ROI per campaign and in total', () => {
    // cost per thousand = 2: a 20,000 sends → 40, ROI (500 − 40)/40 = 11.5; b 5,000 → 10 with no revenue → −1;
    // c has revenue but no sends → cost 0, ROI null. Totals: 25,000 sends, 550 revenue, 50 cost → ROI 10.
    const summary = roiSummary({
      revenueByCampaign: new Map([['a', 500], ['c', 50]]),
      sendsByCampaign: new Map([['a', 20_000], ['b', 5_000]]),
      costPerThousandSends: 2,
    });
    expect(summary.campaigns).toEqual([
      { campaignId: 'a', sends: 20_000, revenue: 500, cost: 40, roi: 11.5 },
      { campaignId: 'c', sends: 0, revenue: 50, cost: 0, roi: null },
      { campaignId: 'b', sends: 5_000, revenue: 0, cost: 10, roi: -1 },
    ]);
    expect(summary.totals).toEqual({ sends: 25_000, revenue: 550, cost: 50, roi: 10 });
  });

  it('has no ROI when sending costs nothing, and rejects impossible inputs', () => {
    const free = roiSummary({ revenueByCampaign: new Map([['a', 10]]), sendsByCampaign: new Map([['a', 1000]]), costPerThousandSends: 0 });
    expect(free.campaigns[0]!.roi).toBeNull();
    expect(free.totals.roi).toBeNull();
    expect(() => roiSummary({ revenueByCampaign: new Map(), sendsByCampaign: new Map(), costPerThousandSends: -1 })).toThrow(RangeError);
    expect(() => roiSummary({ revenueByCampaign: new Map(), sendsByCampaign: new Map([['a', -5]]), costPerThousandSends: 1 })).toThrow(RangeError);
    expect(roiSummary({ revenueByCampaign: new Map(), sendsByCampaign: new Map(), costPerThousandSends: 1 })).toEqual({
      campaigns: [],
      totals: { sends: 0, revenue: 0, cost: 0, roi: null },
    });
  });
});

describe('attribute: every email sent is a touch (document 000), an open or click a stronger one', () => {
  const LOOKBACK = { windowHours: 720 } as const;
  const kinds = fc.constantFrom<Touch['kind']>('send', 'open', 'click');
  const anyTouches = fc.array(
    fc.record({ campaign: fc.integer({ min: 0, max: 5 }), ageMs: fc.integer({ min: -DAY_MS, max: 40 * DAY_MS }), kind: kinds }),
    { maxLength: 12 },
  );
  const toTouches = (raw: Array<{ campaign: number; ageMs: number; kind: Touch['kind'] }>) =>
    raw.map(({ campaign, ageMs, kind }, index) => touch(`c${campaign}`, ageMs, { kind, sendId: `s${index}` }));

  it('divides each conversion whole (credits 0..1 summing to 1) under every model when a touch is in the lookback, and credits nothing outside it', () => {
    fc.assert(
      fc.property(anyTouches, (raw) => {
        const touches = toTouches(raw);
        const inLookback = raw.some(({ ageMs }) => ageMs >= 0 && ageMs <= 30 * DAY_MS);
        for (const model of ATTRIBUTION_MODELS) {
          const credits = attribute(conversion(), touches, model, LOOKBACK);
          if (!inLookback) {
            expect(credits).toEqual([]);
            continue;
          }
          expect(credits.reduce((sum, c) => sum + c.credit, 0)).toBeCloseTo(1, 9);
          for (const c of credits) expect(c.credit).toBeGreaterThan(0);
          for (const c of credits) expect(c.credit).toBeLessThanOrEqual(1 + 1e-12);
          // Only campaigns with a touch in the lookback get credit.
          const credited = new Set(raw.filter(({ ageMs }) => ageMs >= 0 && ageMs <= 30 * DAY_MS).map(({ campaign }) => `c${campaign}`));
          for (const c of credits) expect(credited.has(c.campaignId)).toBe(true);
        }
      }),
    );
  });

  it('credits bare sends: a purchase after emails nobody opened is divided among them', () => {
    const touches = [touch('newsletter', 20 * DAY_MS, { kind: 'send' }), touch('cart', 2 * DAY_MS, { kind: 'send' })];
    expect(creditsOf('last_touch', touches, LOOKBACK)).toEqual({ cart: 1 });
    expect(creditsOf('first_touch', touches, LOOKBACK)).toEqual({ newsletter: 1 });
    expect(creditsOf('linear', touches, LOOKBACK)).toEqual({ newsletter: 0.5, cart: 0.5 });
    // 2^(−20/7) and 2^(−2/7): 13.1% and 86.9%.
    expect(creditsOf('time_decay', touches, LOOKBACK).newsletter).toBeCloseTo(2 ** (-20 / 7) / (2 ** (-20 / 7) + 2 ** (-2 / 7)), 12);
    // 31 days before: outside the 30-day lookback.
    expect(creditsOf('linear', [touch('old', 31 * DAY_MS, { kind: 'send' })], LOOKBACK)).toEqual({});
  });

  it('weighs an open over a bare send, and a click over an open, of the same age in time decay (x2 each) and in the middle of position based', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 * DAY_MS }), fc.constantFrom<[Touch['kind'], Touch['kind']]>(['send', 'open'], ['open', 'click'], ['send', 'click']), (ageMs, [weak, strong]) => {
        const decay = creditsOf('time_decay', [touch('weak', ageMs, { kind: weak }), touch('strong', ageMs, { kind: strong, sendId: 'z' })], LOOKBACK);
        expect(decay.strong! / decay.weak!).toBeCloseTo(strong === 'click' && weak === 'send' ? 4 : 2, 9);
        // Position based: the ends keep 40% each; the middle 20% goes 2:1 (or 4:1) to the stronger touch.
        const position = creditsOf('position_based', [touch('first', 29 * DAY_MS), touch('weak', ageMs, { kind: weak }), touch('strong', ageMs, { kind: strong, sendId: 'z' }), touch('last', -0)], LOOKBACK);
        if (ageMs < 29 * DAY_MS && ageMs > 0) {
          expect(position.first).toBeCloseTo(0.4, 12);
          expect(position.last).toBeCloseTo(0.4, 12);
          expect(position.strong! + position.weak!).toBeCloseTo(0.2, 12);
          expect(position.strong! / position.weak!).toBeCloseTo(strong === 'click' && weak === 'send' ? 4 : 2, 9);
        }
      }),
    );
  });

  it('lets a campaign’s open stand for its email: the open after its arrival is the campaign’s latest touch', () => {
    const touches = [touch('cart', 3 * DAY_MS, { kind: 'send', sendId: 's1' }), touch('cart', 2 * DAY_MS, { kind: 'open', sendId: 's1' }), touch('news', 2 * DAY_MS, { kind: 'send', sendId: 's2' })];
    const decay = creditsOf('time_decay', touches, LOOKBACK);
    expect(decay.cart! / decay.news!).toBeCloseTo(2, 12);
    // At one instant the open is the later touch: last touch credits the opened email.
    expect(creditsOf('last_touch', [touch('news', DAY_MS, { kind: 'send' }), touch('cart', DAY_MS, { kind: 'open' })], LOOKBACK)).toEqual({ cart: 1 });
  });
});
