import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { HEURISTIC_MODEL_ID, heuristicChurn, heuristicPurchaseIntent, heuristicValue } from '#shared/domain/predictive/heuristics.ts';
import { nextPurchaseSegment, predictNextPurchaseDays } from '#shared/domain/predictive/next-purchase.ts';
import { predictProfile, thresholdCrossings, type Predictions } from '#shared/domain/predictive/predict-profile.ts';
import { PROFILE_FEATURES, type ProfileFeature } from '#shared/domain/predictive/profile-features.ts';
import { outcomesDue } from '#shared/domain/predictive/training-snapshots.ts';
import { valueCutPoints, valuePotential } from '#shared/domain/predictive/value-potential.ts';
import { factsFrom } from '#shared/domain/profile-facts.ts';
import type { Profile } from '#shared/domain/profile.ts';

const settings = defaultCatalog.settings.predictive;
const row = (values: Partial<Record<ProfileFeature, number>>) => PROFILE_FEATURES.map((f) => values[f] ?? 0);
const now = new Date('2026-11-20T04:00:00Z');

describe('the fallback heuristics (no trained model yet)', () => {
  it('churn: half disengagement (1 - engagement), half recency against the 30-day churn window', () => {
    expect(heuristicChurn(row({ engagement_score: 0.16, days_since_last_activity: 0 }), 30)).toBe(0.42); // 0.5 * 0.84
    expect(heuristicChurn(row({ engagement_score: 0.05, days_since_last_activity: 24 }), 30)).toBe(0.875); // 0.475 + 0.4
    expect(heuristicChurn(row({ engagement_score: 0, days_since_last_activity: 999 }), 30)).toBe(1);
  });

  it('purchase intent: 1 - e^-(expected purchases in the window), from the purchase rate, browsing and freshness', () => {
    // 3 purchases in 60 days: 0.05/day * 30 = 1.5, + 0.01 * 10 active days = 1.6; fresh -> 1 - e^-1.6
    expect(heuristicPurchaseIntent(row({ purchase_count: 3, days_since_signup: 60, active_days_30d: 10 }), settings)).toBe(0.7981);
    // idle 15 of 30 days halves it: 1 - e^-0.8
    expect(heuristicPurchaseIntent(row({ purchase_count: 3, days_since_signup: 60, active_days_30d: 10, days_since_last_activity: 15 }), settings)).toBe(0.5507);
    // tenure counts as at least 30 days: 1 purchase on day 2 is 1/30 a day, not 1/2
    expect(heuristicPurchaseIntent(row({ purchase_count: 1, days_since_signup: 2 }), settings)).toBe(0.6321); // 1 - e^-1
    expect(heuristicPurchaseIntent(row({ days_since_last_activity: 999 }), settings)).toBe(0);
  });

  it('value: revenue per day of tenure over the 90-day horizon, times the chance to stay', () => {
    // 300 over 60 days = 5/day * 90 = 450; churn heuristic 0.5 * (1 - 0.5) = 0.25 -> 337.5
    expect(heuristicValue(row({ lifetime_value: 300, days_since_signup: 60, engagement_score: 0.5 }), settings)).toBe(337.5);
    expect(heuristicValue(row({ lifetime_value: 0, days_since_signup: 60 }), settings)).toBe(0);
  });
});

describe('days to the next purchase', () => {
  const base = { purchaseWindowDays: 30, now, purchaseIntent: 0.5 };
  it("follows a repeat buyer's own cadence while they are not overdue", () => {
    // 3 purchases 40 days apart end to end: every 20 days; last one 10 days ago -> 10 days to go
    expect(predictNextPurchaseDays({ ...base, purchaseCount: 3, firstPurchaseAt: '2026-10-01T04:00:00Z', lastPurchaseAt: '2026-11-10T04:00:00Z' })).toBe(10);
  });
  it('otherwise reads the purchase intent as a constant daily hazard: -window / ln(1 - intent)', () => {
    // overdue repeat buyer: 20-day cadence, 30 days since -> intent 0.5 over 30 days -> 30 / ln 2 = 43.3
    expect(predictNextPurchaseDays({ ...base, purchaseCount: 3, firstPurchaseAt: '2026-09-21T04:00:00Z', lastPurchaseAt: '2026-10-21T04:00:00Z' })).toBe(43.3);
    expect(predictNextPurchaseDays({ ...base, purchaseCount: 0, firstPurchaseAt: undefined, lastPurchaseAt: undefined })).toBe(43.3);
    expect(predictNextPurchaseDays({ ...base, purchaseCount: 0, firstPurchaseAt: undefined, lastPurchaseAt: undefined, purchaseIntent: 0 })).toBe(365);
  });
  it('falls in the source segments: imminent within 7 days, near term within 30, else long-term nurture', () => {
    expect([0, 7, 7.1, 30, 31].map((d) => nextPurchaseSegment(d, settings.nextPurchaseDays))).toEqual(['imminent', 'imminent', 'near_term', 'near_term', 'long_term_nurture']);
  });
});

describe('value potential', () => {
  it('cut points are the 75th and 50th percentile of the sample (nearest rank)', () => {
    expect(valueCutPoints(Array.from({ length: 100 }, (_, i) => 100 - i), settings.valuePercentiles)).toEqual({ high: 75, medium: 50, sampled: 100 });
    expect(valueCutPoints([], settings.valuePercentiles)).toBeUndefined();
  });
  it('high from the high cut point, medium from the medium one; nothing predicted is low', () => {
    const cuts = { high: 75, medium: 50, sampled: 100 };
    expect([75, 74.99, 50, 49, 0].map((v) => valuePotential(v, cuts))).toEqual(['high', 'medium', 'medium', 'low', 'low']);
    expect(valuePotential(0, { high: 0, medium: 0, sampled: 10 })).toBe('low');
  });
});

describe('a profile prediction', () => {
  const profile = {
    customerId: 'c1',
    activity: { anchorDay: 0, days: {}, weeks: {} },
    commerce: { purchaseCount: 0, revenue: 0, refunds: 0 },
    categories: { garden: 4, tools: 1 },
    predictions: {},
  } as unknown as Profile;
  const facts = factsFrom({ metrics: { engagement_score: 0.16, days_since_last_activity: 0 } });

  it('comes from the trained models when there are any, else from each heuristic, and records which', () => {
    const constant = (modelId: string, value: number) => ({ modelId, predict: (rows: number[][]) => rows.map(() => value) });
    const trained = predictProfile({ profile, facts, now, settings, cutPoints: { high: 100, medium: 50, sampled: 10 }, models: { churn: constant('churn-m', 0.81), purchaseIntent: constant('intent-m', 0.3), value: constant('value-m', 120) } });
    expect(trained.predictions).toMatchObject({
      churn: { probability: 0.81, segment: 'high', modelId: 'churn-m', scoredAt: now.toISOString() },
      purchaseIntent: { probability: 0.3, modelId: 'intent-m' },
      value: { predicted: 120, potential: 'high', modelId: 'value-m' },
      nextPurchase: { days: 84.1, segment: 'long_term_nurture' }, // -30 / ln 0.7
      interests: [{ category: 'garden', score: 1, source: 'own' }],
    });
    expect(trained.features).toHaveLength(PROFILE_FEATURES.length);
    const fallback = predictProfile({ profile, facts, now, settings, cutPoints: undefined, models: {} }).predictions;
    expect(fallback.churn).toMatchObject({ probability: 0.42, segment: 'low', modelId: HEURISTIC_MODEL_ID });
    expect([fallback.purchaseIntent?.modelId, fallback.value?.modelId]).toEqual([HEURISTIC_MODEL_ID, HEURISTIC_MODEL_ID]);
  });
});

describe('model events', () => {
  const at = (churn: number, intent: number): Predictions => ({
    churn: { probability: churn, segment: 'low', modelId: 'm', scoredAt: now.toISOString() },
    purchaseIntent: { probability: intent, modelId: 'i' },
    interests: [{ category: 'garden', score: 0.9, source: 'own' }],
  });

  it('are put on the bus only when a probability crosses its threshold upwards (0.7 churn, 0.8 intent: the purchase optimisation trigger of document 003)', () => {
    expect(thresholdCrossings(at(0.6, 0.5), at(0.75, 0.5), 'c1', settings)).toEqual([
      { detailType: 'ChurnRiskChanged', detail: { customerId: 'c1', probability: 0.75, previousProbability: 0.6, modelId: 'm', at: now.toISOString(), transitionId: 'churn:c1:2026-11-20' } },
    ]);
    expect(thresholdCrossings(at(0.1, 0.79), at(0.1, 0.8), 'c1', settings)).toEqual([
      { detailType: 'PurchaseIntentChanged', detail: { customerId: 'c1', probability: 0.8, previousProbability: 0.79, modelId: 'i', interests: ['garden'], at: now.toISOString(), transitionId: 'purchase_intent:c1:2026-11-20' } },
    ]);
    expect(thresholdCrossings({}, at(0.9, 0.9), 'c1', settings).map((e) => [e.detailType, (e.detail as { previousProbability: number | null }).previousProbability])).toEqual([
      ['ChurnRiskChanged', null],
      ['PurchaseIntentChanged', null],
      // The first scoring's interest (garden) is new: document 003's content-interest trigger.
      ['ContentInterestPredicted', undefined],
    ]);
    expect(thresholdCrossings(at(0.75, 0.8), at(0.9, 0.9), 'c1', settings)).toEqual([]); // already above
    expect(thresholdCrossings(at(0.9, 0.9), at(0.5, 0.5), 'c1', settings)).toEqual([]); // downwards
  });
});

describe('snapshot outcomes', () => {
  const snapshot = { customerId: 'c1', at: '2026-08-01T04:00:00Z', features: row({ purchase_count: 2, lifetime_value: 100 }) };
  const profileNow = { lastActivityAt: '2026-08-20T00:00:00Z', purchaseCount: 3, lifetimeValue: 145.5 };

  it('are written once each window has passed: churn and purchase after 30 days, revenue after 90', () => {
    expect(outcomesDue(snapshot, profileNow, new Date('2026-08-30T04:00:00Z'), settings)).toEqual({});
    expect(outcomesDue(snapshot, profileNow, new Date('2026-08-31T04:00:00Z'), settings)).toEqual({ label: 0, purchased: 1 });
    expect(outcomesDue({ ...snapshot, label: 0, purchased: 1 }, profileNow, new Date('2026-10-30T04:00:00Z'), settings)).toEqual({ revenue: 45.5 });
    expect(outcomesDue({ ...snapshot, label: 0, purchased: 1, revenue: 45.5 }, profileNow, new Date('2026-12-30T04:00:00Z'), settings)).toEqual({});
    expect(outcomesDue(snapshot, { lastActivityAt: '2026-07-01T00:00:00Z', purchaseCount: 2, lifetimeValue: 100 }, new Date('2026-08-31T04:00:00Z'), settings)).toEqual({ label: 1, purchased: 0 });
  });
});
