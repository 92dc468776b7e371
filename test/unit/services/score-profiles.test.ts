import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { factsFrom } from '#shared/domain/profile-facts.ts';
import { churnRiskCrossing, heuristicChurnProbability, HEURISTIC_MODEL_ID, predictChurn, type ChurnScorer } from '#shared/domain/predictive/churn-scoring.ts';
import type { Profile } from '#shared/domain/profile.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { makeScoreProfiles } from '#shared/services/score-profiles.ts';
import { fakeServiceDeps } from '../support/fakes.ts';

const DAY = 86_400_000;
const settings = defaultCatalog.settings.predictive;

describe('the churn heuristic (no trained model yet)', () => {
  it('is half disengagement (1 - engagement score) and half recency against the 30-day churn window', () => {
    // A new, active customer: engagement 0.16, active today -> 0.5 * 0.84 + 0 = 0.42 (not a churn risk).
    expect(heuristicChurnProbability(factsFrom({ metrics: { engagement_score: 0.16, days_since_last_activity: 0 } }), 30)).toBe(0.42);
    // Idle 24 days with engagement 0.05 -> 0.5 * 0.95 + 0.5 * 0.8 = 0.875.
    expect(heuristicChurnProbability(factsFrom({ metrics: { engagement_score: 0.05, days_since_last_activity: 24 } }), 30)).toBe(0.875);
    // Idle beyond the window, or never active: recency counts in full.
    expect(heuristicChurnProbability(factsFrom({ metrics: { engagement_score: 0, days_since_last_activity: 90 } }), 30)).toBe(1);
    expect(heuristicChurnProbability(factsFrom({ metrics: {} }), 30)).toBe(1);
  });
});

describe('a churn prediction', () => {
  const profile = { customerId: 'c1', activity: { anchorDay: 0, series: {} }, predictions: {} } as unknown as Profile;
  const now = new Date('2026-11-23T04:00:00Z');

  it('comes from the trained model when there is one, with its id, and falls in the source segments (0.8 / 0.5)', () => {
    const model = (p: number): ChurnScorer => ({ modelId: 'churn-2026-11-16', predict: (rows) => rows.map(() => p) });
    const facts = factsFrom({ metrics: {} });
    expect(predictChurn({ profile, facts, now, model: model(0.81), settings })).toEqual({ probability: 0.81, segment: 'high', modelId: 'churn-2026-11-16', scoredAt: now.toISOString() });
    expect(predictChurn({ profile, facts, now, model: model(0.8), settings }).segment).toBe('high');
    expect(predictChurn({ profile, facts, now, model: model(0.5), settings }).segment).toBe('medium');
    expect(predictChurn({ profile, facts, now, model: model(0.49), settings }).segment).toBe('low');
    expect(predictChurn({ profile, facts: factsFrom({ metrics: { engagement_score: 0.16, days_since_last_activity: 0 } }), now, model: undefined, settings })).toMatchObject({ probability: 0.42, modelId: HEURISTIC_MODEL_ID });
  });

  it('puts ChurnRiskChanged on the bus only when it crosses the threshold upwards', () => {
    const at = (probability: number) => ({ probability, segment: 'low' as const, modelId: 'm', scoredAt: now.toISOString() });
    expect(churnRiskCrossing(at(0.6), at(0.75), 'c1', 0.7)).toEqual({
      detailType: 'ChurnRiskChanged',
      detail: { customerId: 'c1', probability: 0.75, previousProbability: 0.6, modelId: 'm', at: now.toISOString(), transitionId: 'churn:c1:2026-11-23' },
    });
    expect(churnRiskCrossing(undefined, at(0.9), 'c1', 0.7)?.detail).toMatchObject({ previousProbability: null });
    expect(churnRiskCrossing(at(0.75), at(0.9), 'c1', 0.7)).toBeUndefined();
    expect(churnRiskCrossing(at(0.9), at(0.5), 'c1', 0.7)).toBeUndefined();
    expect(churnRiskCrossing(at(0.69), at(0.7), 'c1', 0.7)).toBeDefined();
  });
});

describe('the scheduled scoring', () => {
  function setup() {
    let now = new Date('2026-11-02T10:00:00Z');
    const deps = fakeServiceDeps(defaultCatalog, { now: () => now });
    const scanner = { async *scanSegment(segment: number) { if (segment === 0) yield [...deps.profiles.items.values()]; } };
    let model: ChurnScorer | undefined;
    const score = makeScoreProfiles({ ...deps, scanner, models: { currentChurnModel: async () => model }, totalSegments: 2 });
    const ingest = makeIngestEvent(deps);
    let n = 0;
    const put = (customerId: string, type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
      ingest({ source: 'shop.web', 'detail-type': type, detail: { eventId: `e${++n}`, customerId, occurredAt: now.toISOString(), properties, ...extra } });
    return { ...deps, score, put, advance: (ms: number) => (now = new Date(now.getTime() + ms)), useModel: (m: ChurnScorer) => (model = m) };
  }
  const crossings = (s: ReturnType<typeof setup>) => s.bus.events.filter((e) => e.detailType === 'ChurnRiskChanged');

  it('scores every profile, writes what changed, and announces a crossing once', async () => {
    const s = setup();
    for (const id of ['fading', 'active']) {
      await s.put(id, 'subscribe', {}, { email: `${id}@example.com` });
      await s.put(id, 'purchase', { orderId: `o-${id}`, amount: 150 });
    }
    const first = await s.score();
    expect(first).toMatchObject({ modelId: HEURISTIC_MODEL_ID, scanned: 2, updated: 2, crossings: 0, segments: { low: 2 } });
    expect(s.profiles.items.get('fading')?.predictions.churn).toMatchObject({ segment: 'low', modelId: HEURISTIC_MODEL_ID });

    s.advance(24 * DAY);
    await s.put('active', 'page_view', { url: '/' });
    const second = await s.score();
    expect(second.crossings).toBe(1);
    expect(crossings(s).map((e) => e.detail)).toEqual([expect.objectContaining({ customerId: 'fading', previousProbability: expect.any(Number), modelId: HEURISTIC_MODEL_ID })]);
    expect(s.profiles.items.get('fading')?.predictions.churn?.segment).toBe('high');

    s.advance(DAY);
    const third = await s.score();
    expect(third.crossings).toBe(0); // still above the threshold: no second announcement
    expect(crossings(s)).toHaveLength(1);
  });

  it('announces a crossing once even when its write is retried after a concurrent writer', async () => {
    const s = setup();
    await s.put('c1', 'subscribe', {}, { email: 'c1@example.com' });
    s.useModel({ modelId: 'churn-test', predict: (rows) => rows.map(() => 0.93) });
    s.profiles.beforeSave = () => {
      const current = s.profiles.items.get('c1')!;
      s.profiles.items.set('c1', { ...current, version: current.version + 1 });
    };
    expect(await s.score()).toMatchObject({ crossings: 1, conflictsRetried: 1, updated: 1 });
    expect(crossings(s)).toHaveLength(1);
  });

  it('keeps a feature snapshot of each profile weekly, and labels it once its 30-day churn window has passed', async () => {
    const s = setup();
    for (const id of ['gone', 'back']) await s.put(id, 'subscribe', {}, { email: `${id}@example.com` });
    expect(await s.score()).toMatchObject({ snapshotsTaken: 2, snapshotsLabelled: 0 });
    s.advance(DAY);
    expect(await s.score()).toMatchObject({ snapshotsTaken: 0 }); // weekly, not daily
    s.advance(20 * DAY);
    await s.put('back', 'page_view', { url: '/' });
    s.advance(10 * DAY); // 31 days after the first snapshots
    expect(await s.score()).toMatchObject({ snapshotsTaken: 2, snapshotsLabelled: 2 });
    const labels = Object.fromEntries([...s.snapshots.items.values()].filter((x) => x.label !== undefined).map((x) => [x.customerId, x.label]));
    expect(labels).toEqual({ gone: 1, back: 0 });
    expect([...s.snapshots.items.values()].every((x) => x.features.length === 15)).toBe(true);
  });

  it('uses the trained model when the store has one', async () => {
    const s = setup();
    await s.put('c1', 'subscribe', {}, { email: 'c1@example.com' });
    s.useModel({ modelId: 'churn-test', predict: (rows) => rows.map(() => 0.93) });
    expect(await s.score()).toMatchObject({ modelId: 'churn-test', crossings: 1, segments: { high: 1 } });
    expect(s.profiles.items.get('c1')?.predictions.churn).toMatchObject({ probability: 0.93, modelId: 'churn-test' });
  });
});
