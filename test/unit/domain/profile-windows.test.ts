import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '#shared/adapters/dynamo/profile-repository.ts';
import { dailySeriesFor, defaultCatalog, defaultCatalogInput, InvalidCatalogError, loadCatalog, weeklySeriesFor, type CatalogInput } from '#shared/catalog/index.ts';
import { dayNumber, RING_DAYS } from '#shared/domain/activity-ring.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import { MAX_WINDOW_DAYS } from '#shared/domain/profile-facts.ts';
import { profileFacts } from '#shared/domain/profile-metrics.ts';
import { applyEvent, Profile, profileProblems } from '#shared/domain/profile.ts';
import { buildEvent } from '../support/build-event.ts';

const NOW = new Date('2026-12-07T12:00:00Z');
const daysBefore = (days: number, hour = 12) => new Date(NOW.getTime() - days * DAY_MS + (hour - 12) * 3_600_000);

/** Applies events as ingest does: each processed at `processedAt` (at least its occurredAt). */
function replay(events: Array<{ type: string; occurredAt: Date; processedAt: Date }>, options = { dailySeries: dailySeriesFor(defaultCatalog), weeklySeries: weeklySeriesFor(defaultCatalog) }): Profile {
  let profile: Profile | undefined;
  for (const { type, occurredAt, processedAt } of events) {
    const event = buildEvent({ customerId: 'w1', type, occurredAt: occurredAt.toISOString(), properties: type === 'purchase' ? { orderId: 'o', amount: 10 } : { url: '/' } });
    const change = applyEvent(profile, event, processedAt, options);
    if (change.type === 'applied') profile = change.profile;
  }
  return profile!;
}

describe('windows beyond 30 days on the profile', () => {
  it('purchases_30d is exact; purchases_90d, purchases_365d and interactions_90d are exact to the nearest week start (property)', () => {
    const purchase = fc.record({ ageDays: fc.oneof(fc.nat({ max: 40 }), fc.nat({ max: 400 })), lateDays: fc.oneof(fc.constant(0), fc.nat({ max: 200 })) });
    fc.assert(
      fc.property(fc.array(purchase, { minLength: 1, maxLength: 30 }), fc.nat({ max: 60 }), (purchases, idleDays) => {
        // Processed in order of arrival (occurredAt + lateness), so some arrive after newer ones.
        const events = purchases
          .map(({ ageDays, lateDays }) => ({ type: 'purchase', occurredAt: daysBefore(ageDays + idleDays), processedAt: daysBefore(Math.max(0, ageDays - lateDays) + idleDays) }))
          .sort((a, b) => a.processedAt.getTime() - b.processedAt.getTime());
        const facts = profileFacts(replay(events), NOW);
        const exact = (windowDays: number) => events.filter((e) => dayNumber(e.occurredAt) > dayNumber(NOW) - windowDays).length;
        const withinAWeekStart = (counted: unknown, windowDays: number) => [-3, -2, -1, 0, 1, 2, 3].some((error) => exact(windowDays + error) === counted);
        expect(facts.metric('purchases_30d')).toBe(exact(30));
        expect(withinAWeekStart(facts.metric('purchases_90d'), 90)).toBe(true);
        expect(withinAWeekStart(facts.metric('purchases_365d'), 365)).toBe(true);
        expect(withinAWeekStart(facts.metric('interactions_90d'), 90)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('counts a late event in its own week: a purchase 60 days old arriving today counts in 90 days, not in 30', () => {
    const profile = replay([
      { type: 'page_view', occurredAt: daysBefore(0), processedAt: daysBefore(0) },
      { type: 'purchase', occurredAt: daysBefore(60), processedAt: daysBefore(0) },
    ]);
    const facts = profileFacts(profile, NOW);
    expect([facts.metric('purchases_30d'), facts.metric('purchases_90d'), facts.metric('purchases_365d'), facts.metric('interactions_90d')]).toEqual([0, 1, 1, 2]);
  });

  it('loads a profile stored before the weeks, with the same counts, and writes the new format on the next event', () => {
    const today = dayNumber(NOW);
    const stored = {
      pk: 'C#old',
      sk: 'PROFILE',
      kind: 'profile',
      customerId: 'old',
      version: 3,
      consent: {},
      firstSeenAt: daysBefore(20).toISOString(),
      lastActivityAt: daysBefore(1).toISOString(),
      eventCount: 57,
      eventCounts: { page_view: 55, purchase: 2 },
      recentEvents: '',
      updatedAt: daysBefore(1).toISOString(),
      // page views: 3 yesterday, 50 (base 36 "1e") four days ago, 2 nineteen days ago; purchases 2 four days ago
      activity: { anchorDay: today - 1, series: { '*': '3,,,1g,,,,,,,,,,,,,,,2', page_view: '3,,,1e,,,,,,,,,,,,,,,2', purchase: ',,,2' } },
    };
    const profile = parseProfile(stored);
    // 52 = 1 * 36 + 16 -> "Bg", 50 -> "Be"
    expect(profile.activity).toEqual({ anchorDay: today - 1, days: { '*': '300Bg000000000000002', page_view: '300Be000000000000002', purchase: '0002' }, weeks: {} });
    const facts = profileFacts(profile, NOW);
    expect([facts.metric('page_views_30d'), facts.metric('purchases_30d'), facts.metric('purchases_90d'), facts.metric('interactions_90d')]).toEqual([55, 2, 2, 57]);

    const change = applyEvent(profile, buildEvent({ customerId: 'old', type: 'page_view', occurredAt: NOW.toISOString(), properties: { url: '/' } }), NOW);
    if (change.type !== 'applied') throw new Error('not applied');
    expect(change.profile.activity.days.page_view).toBe('1300Be000000000000002');
    expect(profileProblems(change.profile)).toEqual([]);
    expect(Profile.parse(JSON.parse(JSON.stringify(change.profile)))).toEqual(change.profile);
  });

  it('refuses a corrupt activity (counts that are not the encoding, old or new) with the field named', () => {
    const base = replay([{ type: 'page_view', occurredAt: NOW, processedAt: NOW }]);
    const fields = (activity: unknown) => profileProblems({ ...base, activity }).map((problem) => problem.field);
    expect(fields({ anchorDay: 1, days: { page_view: '3,1' }, weeks: {} })).toEqual(['profile.activity.days.page_view']);
    expect(fields({ anchorDay: 1, days: {}, weeks: { purchase: 'Z' } })).toEqual(['profile.activity.weeks.purchase']);
    expect(fields({ anchorDay: 1, series: { page_view: '3,!' } })).toEqual(['profile.activity.days.page_view']);
    expect(fields({ anchorDay: 1.5, days: {}, weeks: {} })).toEqual(['profile.activity.anchorDay']);
  });
});

describe('catalog windows up to 365 days', () => {
  const withSegment = (windowDays: number): CatalogInput => ({
    ...defaultCatalogInput,
    segments: [
      ...defaultCatalogInput.segments,
      { kind: 'criteria', id: 'yearly_downloaders', description: 'Downloaded twice in the window.', criteria: [{ type: 'event_count', eventType: 'download', windowDays, min: 2 }], recommendedActions: [] },
    ],
  });

  it('accepts a 90-day event_count criterion, keeps weeks for its series, and counts events 31-90 days old', () => {
    const catalog = loadCatalog(withSegment(90));
    expect(weeklySeriesFor(catalog).get('download')).toBe(90);
    expect(weeklySeriesFor(defaultCatalog).has('download')).toBe(false);
    // Two downloads, then a page view today: the ring rolls to today and the downloads leave the daily ring.
    const downloads = [...[70, 45].map((age) => ({ type: 'download', occurredAt: daysBefore(age), processedAt: daysBefore(age) })), { type: 'page_view', occurredAt: NOW, processedAt: NOW }];
    const options = { dailySeries: dailySeriesFor(catalog), weeklySeries: weeklySeriesFor(catalog) };
    expect(profileFacts(replay(downloads, options), NOW).eventCount('download', 90)).toBe(2);
    // Without weeks for the series (the default catalog reads it over 30 days at most) the older days are gone.
    expect(profileFacts(replay(downloads), NOW).eventCount('download', 90)).toBe(0);
  });

  it('refuses a window over 365 days, naming the segment or scoring model', () => {
    expect(() => loadCatalog(withSegment(MAX_WINDOW_DAYS))).not.toThrow();
    expect(() => loadCatalog(withSegment(MAX_WINDOW_DAYS + 1))).toThrow(InvalidCatalogError);
    expect(() => loadCatalog(withSegment(MAX_WINDOW_DAYS + 1))).toThrow(/criteria\.0\.windowDays: segment yearly_downloaders uses a 366-day window; the profile keeps 365 days/);
    const models = defaultCatalogInput.scoringModels.map((model) => (model.id === 'activity_30d' ? { ...model, windowDays: 400 } : model));
    expect(() => loadCatalog({ ...defaultCatalogInput, scoringModels: models } as CatalogInput)).toThrow(/windowDays: scoring model activity_30d uses a 400-day window; the profile keeps 365 days/);
  });

  it('every window the shipped catalog counts over is kept: daily series for all, weeks for those over 30 days', () => {
    const daily = dailySeriesFor(defaultCatalog);
    const weekly = weeklySeriesFor(defaultCatalog);
    const windows = [
      ...defaultCatalog.segments.flatMap((segment) => (segment.kind === 'criteria' ? segment.criteria.flatMap((c) => (c.type === 'event_count' ? [{ id: segment.id, type: c.eventType, days: c.windowDays }] : [])) : [])),
      ...defaultCatalog.scoringModels.flatMap((model) =>
        model.kind === 'behavior_weighted' ? model.weights.map((w) => ({ id: model.id, type: w.eventType, days: model.windowDays })) : model.kind === 'interaction_points' ? model.points.map((p) => ({ id: model.id, type: p.eventType, days: model.windowDays })) : [],
      ),
    ];
    expect(windows.length).toBeGreaterThan(0);
    for (const { id, type, days } of windows) {
      const series = daily.has(type) ? type : `custom:${type}`;
      expect(daily.has(series), `${id}: ${type}`).toBe(true);
      if (days > RING_DAYS) expect(weekly.get(series) ?? 0, `${id}: ${type} over ${days} days`).toBeGreaterThanOrEqual(days);
    }
    for (const series of weekly.keys()) expect(daily.has(series), series).toBe(true);
  });
});
