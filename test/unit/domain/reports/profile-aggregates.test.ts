import { describe, expect, it } from 'vitest';
import { parseBehaviorCounter, profileAggregateIncrements, segmentStatsFromItem } from '#shared/domain/reports/profile-aggregates.ts';
import { mergeIncrements } from '#shared/domain/reports/rollups.ts';
import { emptySegmentStats } from '#shared/domain/reports/segment-stats.ts';

/**
 * engagement 0.55 -> bucket 5 (0.5, 0.6]; revenue 120 -> bucket 2 (50, 200]; 2 purchases -> bucket 2 (1, 2];
 * not scored, so no churn_risk bucket. engagement² = 0.3025.
 */
const profile = (extra: Record<string, unknown> = {}) => ({
  kind: 'profile',
  customerId: 'c1',
  eventCount: 5,
  scores: { engagement: 0.55 },
  commerce: { revenue: 120, purchaseCount: 2, refunds: 0 },
  segments: { vip: 1_763_600_000 },
  lastEvent: { type: 'page_view', at: '2026-11-20T10:00:00Z' },
  ...extra,
});
const member = { members: 1, engagement_sum: 0.55, engagement_sq: 0.3025, 'h:engagement:5': 1, 'h:revenue:2': 1, 'h:purchases:2': 1 };
const negated = (counters: Record<string, number>) => Object.fromEntries(Object.entries(counters).map(([name, value]) => [name, -value]));
const behavior = (increments: ReturnType<typeof profileAggregateIncrements>) => increments.filter((i) => i.scope === 'behavior');
const afterEvent = (type: string, at: string, extra: Record<string, unknown> = {}) => profile({ eventCount: 6, lastEvent: { type, at }, ...extra });

describe('live segment statistics from profile changes', () => {
  it('add a profile entering a segment to that segment only (the population is unchanged)', () => {
    expect(profileAggregateIncrements(profile({ segments: {} }), profile())).toEqual([{ scope: 'segstats:vip', day: 'LIVE', counters: member }]);
  });

  it('take a profile leaving a segment away from it', () => {
    expect(profileAggregateIncrements(profile(), profile({ segments: {} }))).toEqual([{ scope: 'segstats:vip', day: 'LIVE', counters: negated(member) }]);
  });

  it('move an engagement change from one bucket to another in every segment of the profile, without float residue', () => {
    // 0.72 − 0.55 = 0.17; 0.72² − 0.55² = 0.5184 − 0.3025 = 0.2159; 0.72 falls in bucket 7 (0.7, 0.8].
    const counters = { engagement_sum: 0.17, engagement_sq: 0.2159, 'h:engagement:5': -1, 'h:engagement:7': 1 };
    expect(profileAggregateIncrements(profile(), profile({ scores: { engagement: 0.72 } }))).toEqual([
      { scope: 'segstats:*', day: 'LIVE', counters },
      { scope: 'segstats:vip', day: 'LIVE', counters },
    ]);
    // 0.1 − 0.3 is −0.19999999999999998 in binary floating point.
    const [drop] = profileAggregateIncrements(profile({ scores: { engagement: 0.3 } }), profile({ scores: { engagement: 0.1 } }));
    expect(drop!.counters).toEqual({ engagement_sum: -0.2, engagement_sq: -0.08, 'h:engagement:2': -1, 'h:engagement:0': 1 });
  });

  it('subtract everything a deleted profile contributed, and count nothing of its behavior', () => {
    const scored = profile({ predictions: { churn: { probability: 0.65 } } }); // churn bucket 3 (0.6, 0.8]
    const all = negated({ ...member, 'h:churn_risk:3': 1 });
    expect(profileAggregateIncrements(scored, undefined)).toEqual([
      { scope: 'segstats:*', day: 'LIVE', counters: all },
      { scope: 'segstats:vip', day: 'LIVE', counters: all },
    ]);
  });

  it('count a missing engagement as 0 (first bucket) and clamp scores outside 0..1', () => {
    const [inserted] = profileAggregateIncrements(undefined, profile({ segments: {}, scores: {}, lastEvent: undefined }));
    expect(inserted!.counters).toEqual({ members: 1, 'h:engagement:0': 1, 'h:revenue:2': 1, 'h:purchases:2': 1 });
    const [high] = profileAggregateIncrements(undefined, profile({ segments: {}, scores: { engagement: 1.4 }, lastEvent: undefined }));
    expect(high!.counters).toMatchObject({ engagement_sum: 1, engagement_sq: 1, 'h:engagement:9': 1 });
  });

  it('yield nothing for a write that changes nothing they count, or for items that are not profiles', () => {
    expect(profileAggregateIncrements(profile(), profile({ updatedAt: '2026-11-21T00:00:00Z', email: 'new@example.com' }))).toEqual([]);
    expect(profileAggregateIncrements(undefined, { kind: 'send', scores: { engagement: 1 } })).toEqual([]);
    expect(profileAggregateIncrements(undefined, undefined)).toEqual([]);
  });

  it('skip malformed fields without throwing', () => {
    const odd = { kind: 'profile', segments: ['vip'], scores: 'high', commerce: 5, predictions: { churn: 'yes' }, eventCount: 'many', lastEvent: { type: 'x', at: 'yesterday' } };
    expect(profileAggregateIncrements(undefined, odd)).toEqual([{ scope: 'segstats:*', day: 'LIVE', counters: { members: 1, 'h:engagement:0': 1 } }]);
    expect(profileAggregateIncrements(odd, profile({ segments: {} }))).toEqual([
      { scope: 'segstats:*', day: 'LIVE', counters: { engagement_sum: 0.55, engagement_sq: 0.3025, 'h:engagement:0': -1, 'h:engagement:5': 1, 'h:revenue:2': 1, 'h:purchases:2': 1 } },
    ]);
  });

  it('read back as the sums of what was added: a profile that came and went leaves nothing', () => {
    // Three inserts: engagement 0.1 + 0.2 + 0.7 = 1; squares 0.01 + 0.04 + 0.49 = 0.54. A fourth joins and leaves.
    const increments = [0.1, 0.2, 0.7].flatMap((engagement) => profileAggregateIncrements(undefined, profile({ scores: { engagement }, segments: {}, lastEvent: undefined })));
    const visitor = profile({ scores: { engagement: 0.9 }, segments: {}, lastEvent: undefined });
    increments.push(...profileAggregateIncrements(undefined, visitor), ...profileAggregateIncrements(visitor, undefined));
    const [item] = mergeIncrements(increments);
    const stats = segmentStatsFromItem('*', item!.counters);
    const expected = emptySegmentStats('*');
    expected.members = 3;
    expected.engagementSum = 1;
    expected.engagementSumSquares = 0.54;
    expected.histograms.engagement = [1, 1, 0, 0, 0, 0, 1, 0, 0, 0];
    expected.histograms.revenue = [0, 0, 3, 0, 0, 0];
    expected.histograms.purchases = [0, 0, 3, 0, 0, 0];
    expect(stats).toEqual(expected);
  });

  it('read an item with missing counters as 0, clamp negative residue to 0 and ignore other attributes', () => {
    const stats = segmentStatsFromItem('vip', { pk: 'ROLLUP#segstats:vip', members: 2, engagement_sum: 0.9, engagement_sq: -0.000001, 'h:engagement:4': 2, 'h:revenue:1': -1, 'h:churn_risk:0': 'x' });
    expect(stats).toMatchObject({ segmentId: 'vip', members: 2, engagementSum: 0.9, engagementSumSquares: 0 });
    expect(stats.histograms).toEqual({ ...emptySegmentStats('vip').histograms, engagement: [0, 0, 0, 0, 2, 0, 0, 0, 0, 0] });
    expect(segmentStatsFromItem('x', {})).toEqual(emptySegmentStats('x'));
  });
});

describe('daily behavior from profile changes', () => {
  it('count the applied event on its UTC day: type, categories, local hour and weekday (0 = Monday)', () => {
    // 2026-11-20 is a Friday (weekday 4); no zone on the profile, so UTC.
    const after = afterEvent('cart_add', '2026-11-20T12:00:00Z', { lastEvent: { type: 'cart_add', at: '2026-11-20T12:00:00Z', categories: ['shoes', 'shoes', 'hats', 7] } });
    expect(behavior(profileAggregateIncrements(profile(), after))).toEqual([
      { scope: 'behavior', day: '2026-11-20', counters: { 'event:cart_add': 1, 'category:shoes': 2, 'category:hats': 1, 'hour_weekday:4:12': 1 } },
    ]);
  });

  it('count the event of an insert', () => {
    expect(behavior(profileAggregateIncrements(undefined, profile({ eventCount: 1 })))[0]?.counters).toEqual({ 'event:page_view': 1, 'hour_weekday:4:10': 1 });
  });

  it('count no behavior for a scoring or sweep write (eventCount unchanged), nor without lastEvent', () => {
    const scored = profile({ predictions: { churn: { probability: 0.1 } } });
    expect(profileAggregateIncrements(profile(), scored)).toEqual([
      { scope: 'segstats:*', day: 'LIVE', counters: { 'h:churn_risk:0': 1 } },
      { scope: 'segstats:vip', day: 'LIVE', counters: { 'h:churn_risk:0': 1 } },
    ]);
    expect(behavior(profileAggregateIncrements(profile(), profile({ eventCount: 6, lastEvent: undefined })))).toEqual([]);
    expect(behavior(profileAggregateIncrements(profile({ eventCount: undefined }), afterEvent('purchase', '2026-11-20T10:05:00Z')))).toEqual([]);
  });

  it('count a transition from the previous event within 30 minutes (inclusive), not after 2 hours nor out of order', () => {
    const transitions = (at: string) => Object.keys(behavior(profileAggregateIncrements(profile(), afterEvent('cart_add', at)))[0]!.counters).filter((n) => n.startsWith('transition:'));
    expect(transitions('2026-11-20T10:20:00Z')).toEqual(['transition:page_view>cart_add']);
    expect(transitions('2026-11-20T10:30:00Z')).toEqual(['transition:page_view>cart_add']);
    expect(transitions('2026-11-20T10:30:01Z')).toEqual([]);
    expect(transitions('2026-11-20T12:00:00Z')).toEqual([]);
    expect(transitions('2026-11-20T09:55:00Z')).toEqual([]);
  });

  it("use the customer's time zone for hour and weekday, UTC for the day, and UTC when the zone is invalid", () => {
    const counters = (timezone: string, at: string) => behavior(profileAggregateIncrements(profile(), afterEvent('page_view', at, { timezone })))[0]!;
    // 23:30Z Friday is 08:30 Saturday in Tokyo (UTC+9); the item stays on the UTC day.
    expect(counters('Asia/Tokyo', '2026-11-20T23:30:00Z')).toMatchObject({ day: '2026-11-20', counters: { 'hour_weekday:5:8': 1 } });
    // 03:30Z Friday is 22:30 Thursday in New York (EST, UTC−5).
    expect(counters('America/New_York', '2026-11-20T03:30:00Z')).toMatchObject({ day: '2026-11-20', counters: { 'hour_weekday:3:22': 1 } });
    expect(counters('Mars/Olympus_Mons', '2026-11-20T23:30:00Z').counters).toMatchObject({ 'hour_weekday:4:23': 1 });
  });

  it('sanitise counter names from user data so they cannot break the name structure, and cap them at 64 characters', () => {
    const long = 'a'.repeat(70);
    const before = profile({ lastEvent: { type: 'Step: 1>2', at: '2026-11-20T10:00:00Z' } });
    const after = afterEvent('Signed Up: promo>x', '2026-11-20T10:01:00Z', { lastEvent: { type: 'Signed Up: promo>x', at: '2026-11-20T10:01:00Z', categories: [long, 'Home & Garden'] } });
    const names = Object.keys(behavior(profileAggregateIncrements(before, after))[0]!.counters);
    expect(names).toEqual([
      'event:Signed_Up__promo_x',
      `category:${'a'.repeat(64)}`,
      'category:Home___Garden',
      'hour_weekday:4:10',
      'transition:Step__1_2>Signed_Up__promo_x',
    ]);
    expect(names.map(parseBehaviorCounter)).toEqual([
      { kind: 'event', type: 'Signed_Up__promo_x' },
      { kind: 'category', category: 'a'.repeat(64) },
      { kind: 'category', category: 'Home___Garden' },
      { kind: 'hour_weekday', weekday: 4, hour: 10 },
      { kind: 'transition', from: 'Step__1_2', to: 'Signed_Up__promo_x' },
    ]);
  });

  it('reject counter names it does not know', () => {
    for (const name of ['members', 'event:', 'event:a:b', 'hour:24', 'hour:-1', 'weekday:7', 'hour_weekday:7:1', 'hour_weekday:1', 'transition:a', 'transition:a>b>c', 'h:engagement:1']) {
      expect(parseBehaviorCounter(name), name).toBeUndefined();
    }
  });
});
