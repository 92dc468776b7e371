import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { HEURISTIC_MODEL_ID } from '#shared/domain/predictive/heuristics.ts';
import type { PredictiveModels } from '#shared/domain/predictive/predict-profile.ts';
import type { Profile } from '#shared/domain/profile.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { makePlanScoring } from '#shared/services/plan-scoring.ts';
import { CONTINUE_MARGIN_MS, makeScoreSegment } from '#shared/services/score-segment.ts';
import { fakeServiceDeps, InMemoryScoringRuns, RecordingScoringTasks } from '../support/fakes.ts';

const DAY = 86_400_000;

/**
 * The scoring fan-out with in-memory ports: the planner queues one task per segment, and the test
 * runs the queued tasks as the workers would (each profile falls in segment `index % total`).
 */
function setup(options: { pageSize?: number } = {}) {
  let now = new Date('2026-11-02T10:00:00Z');
  const deps = fakeServiceDeps(defaultCatalog, { now: () => now });
  const pageSize = options.pageSize ?? 100;
  const inSegment = (segment: number, total: number): Profile[] => [...deps.profiles.items.values()].filter((_, index) => index % total === segment);
  const scanner = {
    async *scanSegment(segment: number, total: number) {
      const profiles = inSegment(segment, total);
      if (profiles.length > 0) yield { profiles, quarantined: 0 };
    },
    async *scanPages(segment: number, total: number, startKey?: Record<string, unknown>) {
      const profiles = inSegment(segment, total);
      for (let from = Number(startKey?.from ?? 0); from < profiles.length; from += pageSize) {
        const next = from + pageSize;
        yield { profiles: profiles.slice(from, next), quarantined: 0, ...(next < profiles.length ? { nextKey: { from: next } } : {}) };
      }
    },
  };
  let models: PredictiveModels = {};
  const runs = new InMemoryScoringRuns();
  const tasks = new RecordingScoringTasks();
  const modelStore = { currentModels: async () => models };
  const plan = makePlanScoring({ ...deps, scanner, profileCount: async () => deps.profiles.items.size, models: modelStore, runs, tasks, segmentBounds: { min: 2, max: 8 } });
  const scoreSegment = makeScoreSegment({ ...deps, scanner, models: modelStore, runs, tasks, concurrency: 4 });
  let remaining = 900_000;
  /** Plans a run and works its queue empty; returns the run's plan and segment results. */
  const score = async () => {
    const run = await plan();
    while (tasks.queued.length > 0) await scoreSegment(tasks.queued.shift()!, () => remaining);
    const segments = await runs.segments(run.runId);
    const sum = (pick: (s: (typeof segments)[number]) => number) => segments.reduce((total, s) => total + pick(s), 0);
    return { run, segments, scanned: sum((s) => s.scanned), updated: sum((s) => s.updated), churnCrossings: sum((s) => s.crossings.churn), intentCrossings: sum((s) => s.crossings.purchaseIntent), snapshotsTaken: sum((s) => s.snapshotsTaken), outcomesWritten: sum((s) => s.outcomesWritten), conflictsRetried: sum((s) => s.conflictsRetried), high: sum((s) => s.churn.high) };
  };
  const ingest = makeIngestEvent(deps);
  let n = 0;
  const put = (customerId: string, type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
    ingest({ source: 'shop.web', 'detail-type': type, detail: { eventId: `e${++n}`, customerId, occurredAt: now.toISOString(), properties, ...extra } });
  return {
    ...deps,
    runs,
    tasks,
    score,
    put,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    useModels: (m: PredictiveModels) => (models = m),
    setRemaining: (ms: number) => (remaining = ms),
  };
}
const events = (s: ReturnType<typeof setup>, type: string) => s.bus.events.filter((e) => e.detailType === type);

describe('the scheduled scoring', () => {
  it('sizes the fan-out from the table, and every segment records its totals', async () => {
    const s = setup();
    for (let i = 0; i < 7; i++) await s.put(`c${i}`, 'subscribe', {}, { email: `c${i}@example.com` });
    const { run, segments, scanned } = await s.score();
    expect(run).toMatchObject({ totalSegments: 2, modelIds: { churn: HEURISTIC_MODEL_ID, purchaseIntent: HEURISTIC_MODEL_ID, value: HEURISTIC_MODEL_ID, interests: HEURISTIC_MODEL_ID } });
    expect(segments.map((x) => x.segment).sort()).toEqual([0, 1]);
    expect(scanned).toBe(7);
    expect(segments.every((x) => x.invocations === 1 && x.profilesPerSecond > 0)).toBe(true);
  });

  it('puts the predictive segments (document 001) on the bus and in membership as the run scores, not a day later at the sweep', async () => {
    const s = setup();
    await s.put('scored', 'subscribe', {}, { email: 'scored@example.com' });
    const before = events(s, 'SegmentEntered').length;

    await s.score();

    const profile = s.profiles.items.get('scored')!;
    const churnSegment = `${profile.predictions.churn!.segment}_churn_risk`;
    const entered = events(s, 'SegmentEntered').slice(before).map((e) => (e.detail as { segmentId: string }).segmentId);
    expect(entered).toContain(churnSegment);
    expect(Object.keys(profile.segments)).toContain(churnSegment);
    expect(s.membership.members.get(churnSegment)?.has('scored')).toBe(true);
  });

  it('writes every prediction, and announces a churn crossing once', async () => {
    const s = setup();
    for (const id of ['fading', 'active']) {
      await s.put(id, 'subscribe', {}, { email: `${id}@example.com` });
      await s.put(id, 'purchase', { orderId: `o-${id}`, amount: 150 });
      await s.put(id, 'product_view', { productId: 'p1', category: 'garden' });
    }
    const first = await s.score();
    expect(first).toMatchObject({ scanned: 2, updated: 2, churnCrossings: 0 });
    expect(s.profiles.items.get('fading')?.predictions).toMatchObject({
      churn: { segment: 'low', modelId: HEURISTIC_MODEL_ID },
      purchaseIntent: { modelId: HEURISTIC_MODEL_ID },
      value: { modelId: HEURISTIC_MODEL_ID },
      nextPurchase: { segment: expect.any(String) },
      interests: [{ category: 'garden', score: 1, source: 'own' }],
    });

    s.advance(24 * DAY);
    await s.put('active', 'page_view', { url: '/' });
    expect((await s.score()).churnCrossings).toBe(1);
    expect(events(s, 'ChurnRiskChanged').map((e) => e.detail)).toEqual([expect.objectContaining({ customerId: 'fading', previousProbability: expect.any(Number), modelId: HEURISTIC_MODEL_ID })]);
    expect(s.profiles.items.get('fading')?.predictions.churn?.segment).toBe('high');

    s.advance(DAY);
    expect((await s.score()).churnCrossings).toBe(0); // still above the threshold: no second announcement
    expect(events(s, 'ChurnRiskChanged')).toHaveLength(1);
  });

  it('announces a purchase intent crossing with the customer interests, and a crossing once even when its write is retried', async () => {
    const s = setup();
    await s.put('c1', 'subscribe', {}, { email: 'c1@example.com' });
    await s.put('c1', 'product_view', { productId: 'p1', category: 'garden' });
    s.useModels({ churn: { modelId: 'churn-test', predict: (rows) => rows.map(() => 0.93) }, purchaseIntent: { modelId: 'intent-test', predict: (rows) => rows.map(() => 0.8) } });
    s.profiles.beforeSave = () => {
      const current = s.profiles.items.get('c1')!;
      s.profiles.items.set('c1', { ...current, version: current.version + 1 });
      s.profiles.beforeSave = undefined;
    };
    expect(await s.score()).toMatchObject({ churnCrossings: 1, intentCrossings: 1, conflictsRetried: 1, updated: 1, high: 1 });
    expect(events(s, 'ChurnRiskChanged')).toHaveLength(1);
    expect(events(s, 'PurchaseIntentChanged').map((e) => e.detail)).toEqual([
      { customerId: 'c1', probability: 0.8, previousProbability: null, modelId: 'intent-test', interests: ['garden'], at: '2026-11-02T10:00:00.000Z', transitionId: 'purchase_intent:c1:2026-11-02' },
    ]);
  });

  it('keeps a feature snapshot of each profile weekly, and writes each outcome once its window has passed', async () => {
    const s = setup();
    for (const id of ['gone', 'back']) await s.put(id, 'subscribe', {}, { email: `${id}@example.com` });
    expect(await s.score()).toMatchObject({ snapshotsTaken: 2, outcomesWritten: 0 });
    s.advance(DAY);
    expect(await s.score()).toMatchObject({ snapshotsTaken: 0 }); // weekly, not daily
    s.advance(20 * DAY);
    await s.put('back', 'purchase', { orderId: 'o1', amount: 80 });
    s.advance(10 * DAY); // 31 days after the first snapshots: churn and purchase windows over, not the 90-day value horizon
    expect(await s.score()).toMatchObject({ snapshotsTaken: 2, outcomesWritten: 2 });
    const first = (id: string) => [...s.snapshots.items.values()].find((x) => x.customerId === id && x.at === '2026-11-02T10:00:00.000Z');
    expect(first('gone')).toMatchObject({ label: 1, purchased: 0 });
    expect(first('back')).toMatchObject({ label: 0, purchased: 1 });
    expect(first('back')?.revenue).toBeUndefined();
    for (let week = 0; week < 9; week++) {
      s.advance(7 * DAY);
      await s.score();
    }
    expect(first('back')).toMatchObject({ revenue: 80 });
    expect(first('gone')).toMatchObject({ revenue: 0 });
    expect([...s.snapshots.items.values()].every((x) => x.features.length === 15)).toBe(true);
  });

  it('a worker short of time queues the rest of its segment, and the segment finishes with the totals of both invocations', async () => {
    const s = setup({ pageSize: 2 });
    for (let i = 0; i < 10; i++) await s.put(`c${i}`, 'subscribe', {}, { email: `c${i}@example.com` });
    s.setRemaining(CONTINUE_MARGIN_MS - 1);
    const { segments, scanned } = await s.score();
    expect(scanned).toBe(10);
    // 5 profiles per segment, 2 per page: each segment took three invocations.
    expect(segments.map((x) => [x.segment, x.scanned, x.invocations]).sort()).toEqual([
      [0, 5, 3],
      [1, 5, 3],
    ]);
  });

  it('classifies value potential against the cut points the planner sampled', async () => {
    const s = setup();
    for (let i = 1; i <= 8; i++) await s.put(`c${i}`, 'subscribe', {}, { email: `c${i}@example.com` });
    s.useModels({ value: { modelId: 'value-test', predict: (rows) => rows.map((row) => row[1]!) } });
    // The value model answers with lifetime value (feature 1): 100, 200, ... 800.
    for (let i = 1; i <= 8; i++) await s.put(`c${i}`, 'purchase', { orderId: `o${i}`, amount: i * 100 });
    const { run } = await s.score();
    expect(run.cutPoints).toEqual({ high: 600, medium: 400, sampled: 8 });
    const potential = (i: number) => s.profiles.items.get(`c${i}`)?.predictions.value?.potential;
    expect([1, 3, 4, 5, 6, 8].map(potential)).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high']);
  });
});
