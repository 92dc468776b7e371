import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, segmentationOf } from '#shared/catalog/index.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import { nextPurchaseSegment } from '#shared/domain/predictive/next-purchase.ts';
import { valueCutPoints, valuePotential } from '#shared/domain/predictive/value-potential.ts';
import { evaluateProfile, type ProfileEvaluation } from '#shared/domain/profile-evaluation.ts';
import { factsFrom } from '#shared/domain/profile-facts.ts';
import type { Profile } from '#shared/domain/profile.ts';
import { ComparisonOp, conditionStrength, evaluateSegments, segmentIdsOf } from '#shared/domain/segments.ts';
import { profileFromEvents, type ProfileEventInput } from '../support/build-profile.ts';
import { DOCUMENT_001_BEHAVIORAL, DOCUMENT_001_PREDICTIVE, shippedConditions } from './documented-segments.ts';

/**
 * Document 001's segments: the five behavioral rules with their thresholds, priorities and actions,
 * the match score (>=: min(1, value / threshold); <=: 1 at or below, else threshold / value; ==: 1 or
 * 0; the mean over conditions; a missing metric counts as 0), the order (priority, then match score),
 * and the predictive segments. The document gives no example customer for segments, so each test
 * builds one through real events and works the expected numbers out by hand from the formula.
 */

const catalog = segmentationOf(defaultCatalog);
const now = new Date('2026-11-20T10:00:00Z');
const ago = (days: number, hours = 0) => new Date(now.getTime() - days * DAY_MS - hours * 3_600_000).toISOString();

const build = (customerId: string, steps: ProfileEventInput[]): Profile => profileFromEvents(customerId, steps);

const evaluate = (profile: Profile): ProfileEvaluation => evaluateProfile({ profile, catalog, now, triggerId: 't' });
const segment = (evaluation: ProfileEvaluation, id: string) => evaluation.segments.find((s) => s.segmentId === id)!;

describe('document 001: every behavioral and predictive segment ships as documented', () => {
  const documented = { ...DOCUMENT_001_BEHAVIORAL, ...DOCUMENT_001_PREDICTIVE };

  it.each(Object.keys(documented))('%s: conditions, priority and recommended actions', (id) => {
    const definition = defaultCatalog.segments.find((d) => segmentIdsOf(d).includes(id));
    const row = documented[id]!;
    expect(definition, id).toBeDefined();
    expect(shippedConditions(definition!, id)).toEqual(row.conditions.map((c) => [c.metric, c.op, c.value]));
    expect(definition!.kind === 'family' ? undefined : definition!.priority).toBe(row.priority);
    expect(definition!.kind === 'family' ? undefined : definition!.recommendedActions).toEqual(row.recommendedActions);
  });

  it("the predictive thresholds are the document's: churn 0.8 / 0.5, value at the 75th / 50th percentile, next purchase 7 / 30 days", () => {
    expect(defaultCatalog.settings.predictive).toMatchObject({
      churnSegments: { high: 0.8, medium: 0.5 },
      valuePercentiles: { high: 75, medium: 50 },
      nextPurchaseDays: { imminent: 7, nearTerm: 30 },
    });
  });
});

describe('document 001: the behavioral segments, customers built from events', () => {
  it('purchase_intent: 3 pricing visits, 180 s on product pages and a cart left in the last 24 h; 2 visits and 90 s score 0.3889', () => {
    const pricing = (hoursAgo: number) => ({ type: 'page_view' as const, occurredAt: ago(0, hoursAgo), properties: { url: '/pricing', pageType: 'pricing' } });
    const product = (hoursAgo: number, seconds: number) => ({ type: 'page_view' as const, occurredAt: ago(0, hoursAgo), properties: { url: '/p/1', pageType: 'product', durationSeconds: seconds } });
    const member = build('intent', [pricing(9), pricing(8), pricing(7), product(6, 100), product(5, 80), { type: 'cart_abandon', occurredAt: ago(0, 2), properties: { cartValue: 80 } }]);
    const almost = build('almost', [pricing(9), pricing(8), product(6, 90)]);

    const yes = segment(evaluate(member), 'purchase_intent');
    const no = segment(evaluate(almost), 'purchase_intent');

    // 3/3 = 1, 180/180 = 1, 1 abandon: 1 -> 1. Nudge's previous 120 s let 2 minutes qualify.
    expect(yes).toMatchObject({ member: true, matchScore: 1, priority: 'critical' });
    // 2/3 = 0.6667, 90/180 = 0.5, no abandon 0/1 = 0 -> 1.1667 / 3 = 0.3889
    expect(no).toMatchObject({ member: false, matchScore: 0.3889 });
    expect(no.conditions.map((c) => c.strength)).toEqual([0.6667, 0.5, 0]);
  });

  it('feature_interest: 2 feature pages, 1 documentation read and a support ticket (Nudge asked for 3 and 2, and no ticket)', () => {
    const page = (pageType: string, hoursAgo: number) => ({ type: 'page_view' as const, occurredAt: ago(0, hoursAgo), properties: { url: `/${pageType}`, pageType } });
    const steps = [page('feature', 9), page('feature', 8), page('docs', 7)];
    const withTicket = build('features', [...steps, { type: 'support_ticket', occurredAt: ago(0, 6), properties: { ticketId: 't1', status: 'solved' } }]);
    const withoutTicket = build('features2', steps);

    expect(segment(evaluate(withTicket), 'feature_interest')).toMatchObject({ member: true, matchScore: 1, priority: 'medium' });
    // 1 + 1 + (0 tickets: the document divides by the threshold 0; Nudge scores a failed "> 0" as 0) -> 2/3
    expect(segment(evaluate(withoutTicket), 'feature_interest')).toMatchObject({ member: false, matchScore: 0.6667 });
  });

  it('at_risk_churn: no open for 30 days, a declining trend and support satisfaction of 3 or less out of 5', () => {
    const steps: ProfileEventInput[] = [
      { type: 'email_open', occurredAt: ago(35), properties: { sendId: 's1' } },
      ...[20, 20, 19, 18].map((days) => ({ type: 'page_view' as const, occurredAt: ago(days), properties: { url: '/' } })),
    ];
    // A rating of 2 of 5 is 2 on the document's 1-5 scale; 8 of 10 is 4.
    const unhappy = build('unhappy', [...steps, { type: 'support_rating', occurredAt: ago(17), properties: { rating: 2, scale: 5 } }]);
    const content = build('content', [...steps, { type: 'support_rating', occurredAt: ago(17), properties: { rating: 8 } }]);

    const yes = evaluate(unhappy);
    expect(yes.facts.metric('support_satisfaction_5')).toBe(2);
    expect(yes.facts.metric('declining_engagement_trend')).toBe(true);
    expect(segment(yes, 'at_risk_churn')).toMatchObject({ member: true, matchScore: 1, priority: 'critical' });
    // 35/30 -> 1, trend 1, satisfaction 4 > 3: 3/4 = 0.75 -> 2.75 / 3 = 0.9167
    expect(segment(evaluate(content), 'at_risk_churn')).toMatchObject({ member: false, matchScore: 0.9167 });
  });

  it("a metric without a value fails membership (Nudge); missingMetrics: 'zero' switches to the document's reading it as 0", () => {
    // Never rated support: the document's get(metric, 0) reads satisfaction 0, which is <= 3.
    const neverRated = build('never-rated', [
      { type: 'email_open', occurredAt: ago(35), properties: { sendId: 's1' } },
      ...[20, 20, 19, 18].map((days) => ({ type: 'page_view' as const, occurredAt: ago(days), properties: { url: '/' } })),
    ]);
    const documented = defaultCatalog.segments.map((d) => (d.kind === 'behavioral' && d.id === 'at_risk_churn' ? { ...d, missingMetrics: 'zero' as const } : d));
    const facts = evaluate(neverRated).facts;

    expect(segment(evaluate(neverRated), 'at_risk_churn')).toMatchObject({ member: false, matchScore: 1 });
    expect(evaluateSegments(documented, facts).find((s) => s.segmentId === 'at_risk_churn')).toMatchObject({ member: true, matchScore: 1 });
  });

  it('loyal_advocate: a customer of 12 months or more, 2 referrals and an NPS of 9 or more', () => {
    const steps: ProfileEventInput[] = [
      { type: 'subscribe', occurredAt: ago(400), email: 'fan@example.com' },
      { type: 'referral', occurredAt: ago(40), properties: { channel: 'email' } },
      { type: 'referral', occurredAt: ago(10), properties: { channel: 'link' } },
    ];
    const promoter = build('fan', [...steps, { type: 'nps_response', occurredAt: ago(5), properties: { score: 9 } }]);
    const passive = build('passive', [...steps, { type: 'nps_response', occurredAt: ago(5), properties: { score: 7 } }]);

    expect(segment(evaluate(promoter), 'loyal_advocate')).toMatchObject({ member: true, matchScore: 1, priority: 'medium' });
    // 400 days = 13.14 months -> 1; 2/2 -> 1; 7/9 = 0.7778 -> 2.7778 / 3 = 0.9259
    expect(segment(evaluate(passive), 'loyal_advocate')).toMatchObject({ member: false, matchScore: 0.9259 });
  });

  it('high_engagement: 10 opens and a click rate of 15% in 30 days, a click in the last 7; the clicker who never clicked scores on opens', () => {
    const opens = Array.from({ length: 10 }, (_, i) => ({ type: 'email_open' as const, occurredAt: ago(20 - i), properties: { sendId: `s${i}` } }));
    const engaged = build('engaged', [...opens, ...[5, 3].map((days) => ({ type: 'email_click' as const, occurredAt: ago(days), properties: { sendId: 's1', url: 'https://shop.example/' } }))]);
    const reader = build('reader', opens.slice(0, 5));

    // 10/10, clicks 2 of 10 opens = 0.2 >= 0.15, 3 days <= 7 -> 1
    expect(segment(evaluate(engaged), 'high_engagement')).toMatchObject({ member: true, matchScore: 1, priority: 'high' });
    // 5/10 = 0.5; click rate 0/0.15 = 0; never clicked: counts as 0 days in the score (<= 7: 1), fails membership -> 1.5 / 3 = 0.5
    expect(segment(evaluate(reader), 'high_engagement')).toMatchObject({ member: false, matchScore: 0.5 });
  });

  it('sorts a customer in several segments by priority, then match score, in SegmentEntered and in the profile', () => {
    // Critical purchase_intent and high high_engagement; a medium feature_interest.
    const page = (pageType: string, hoursAgo: number, seconds = 0) => ({ type: 'page_view' as const, occurredAt: ago(0, hoursAgo), properties: { url: `/${pageType}`, pageType, durationSeconds: seconds } });
    const opens = Array.from({ length: 10 }, (_, i) => ({ type: 'email_open' as const, occurredAt: ago(20 - i), properties: { sendId: `s${i}` } }));
    const profile = build('busy', [
      ...opens,
      { type: 'email_click', occurredAt: ago(2), properties: { sendId: 's1', url: 'https://shop.example/' } },
      { type: 'email_click', occurredAt: ago(1), properties: { sendId: 's2', url: 'https://shop.example/' } },
      page('feature', 12),
      page('feature', 11),
      page('docs', 10),
      { type: 'support_ticket', occurredAt: ago(0, 9), properties: { ticketId: 't1', status: 'solved' } },
      page('pricing', 8),
      page('pricing', 7),
      page('pricing', 6),
      page('product', 5, 200),
      { type: 'cart_abandon', occurredAt: ago(0, 1), properties: { cartValue: 10 } },
    ]);

    const evaluation = evaluate(profile);
    const entered = evaluation.internalEvents.filter((e) => e.detailType === 'SegmentEntered').map((e) => (e.detail as { segmentId: string }).segmentId);

    expect(entered.slice(0, 3)).toEqual(['purchase_intent', 'high_engagement', 'feature_interest']);
    expect(Object.keys(evaluation.profile.segments).slice(0, 3)).toEqual(['purchase_intent', 'high_engagement', 'feature_interest']);
  });
});

describe('document 001: predictive segments are segments like the others', () => {
  const base = build('predicted', [{ type: 'purchase', occurredAt: ago(3), properties: { orderId: 'o1', amount: 50 } }]);
  const withPredictions = (churn: number, churnSegment: 'high' | 'medium' | 'low', potential: 'high' | 'medium' | 'low', days: number): Profile => ({
    ...base,
    predictions: {
      churn: { probability: churn, segment: churnSegment, modelId: 'heuristic-v1', scoredAt: now.toISOString() },
      value: { predicted: 400, potential, modelId: 'heuristic-v1' },
      nextPurchase: { days, segment: nextPurchaseSegment(days, defaultCatalog.settings.predictive.nextPurchaseDays) },
    },
  });

  it('a scored profile enters its churn, value and next-purchase segments with SegmentEntered, and exits them when the class changes', () => {
    const first = evaluate(withPredictions(0.85, 'high', 'high', 5));
    const members = first.segments.filter((s) => s.member && s.definitionId.match(/churn|value_potential|purchase$|nurture/)).map((s) => s.segmentId);
    expect(members).toEqual(['high_churn_risk', 'high_value_potential', 'imminent_purchase']);
    const entered = first.internalEvents.filter((e) => e.detailType === 'SegmentEntered').map((e) => e.detail as { segmentId: string; matchScore: number });
    expect(entered).toEqual(expect.arrayContaining([expect.objectContaining({ segmentId: 'high_churn_risk', matchScore: 1 })]));
    expect(segment(first, 'high_churn_risk').recommendedActions).toEqual(['immediate_intervention', 'personal_outreach', 'retention_incentives']);

    const later = evaluateProfile({ profile: { ...withPredictions(0.6, 'medium', 'medium', 20), segments: first.profile.segments }, catalog, now, triggerId: 't2' });
    expect(later.membership.exited).toEqual(expect.arrayContaining(['high_churn_risk', 'high_value_potential', 'imminent_purchase']));
    expect(later.membership.entered.map((e) => e.segmentId)).toEqual(expect.arrayContaining(['medium_churn_risk', 'medium_value_potential', 'near_term_purchase']));
  });

  it('an unscored profile is in none of them (no class yet, not "low")', () => {
    const ids = Object.keys(DOCUMENT_001_PREDICTIVE);
    expect(evaluate(base).segments.filter((s) => ids.includes(s.segmentId) && s.member)).toEqual([]);
  });

  it("classifies at the document's boundaries: next purchase 7 / 30 days, value at the 75th / 50th percentile", () => {
    const days = defaultCatalog.settings.predictive.nextPurchaseDays;
    expect([7, 7.1, 30, 30.1].map((d) => nextPurchaseSegment(d, days))).toEqual(['imminent', 'near_term', 'near_term', 'long_term_nurture']);
    // Predicted values 1..100: the 75th percentile (nearest rank) is 75, the 50th is 50.
    const cuts = valueCutPoints(Array.from({ length: 100 }, (_, i) => i + 1), defaultCatalog.settings.predictive.valuePercentiles)!;
    expect(cuts).toMatchObject({ high: 75, medium: 50 });
    expect([75, 74.9, 50, 49.9].map((v) => valuePotential(v, cuts))).toEqual(['high', 'medium', 'medium', 'low']);
  });
});

describe("document 001's match score (property)", () => {
  const Value = fc.double({ min: 0, max: 1_000, noNaN: true });
  const Threshold = fc.double({ min: 0.01, max: 1_000, noNaN: true });

  it('is in [0, 1] for every operator, value and threshold, a missing value included', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ComparisonOp.options), fc.option(fc.double({ min: -1_000, max: 1_000, noNaN: true })), fc.double({ min: -1_000, max: 1_000, noNaN: true }), (op, value, threshold) => {
        const strength = conditionStrength(op, value, threshold);
        return strength >= 0 && strength <= 1;
      }),
    );
  });

  it('is min(1, v/t) for >=, 1 or t/v for <=, monotone in the value', () => {
    fc.assert(
      fc.property(Value, Value, Threshold, (a, b, t) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(conditionStrength('>=', high, t)).toBeGreaterThanOrEqual(conditionStrength('>=', low, t));
        expect(conditionStrength('<=', high, t)).toBeLessThanOrEqual(conditionStrength('<=', low, t));
        expect(conditionStrength('>=', a, t)).toBeCloseTo(Math.min(1, a / t), 4);
        expect(conditionStrength('<=', a, t)).toBeCloseTo(a <= t ? 1 : t / a, 4);
      }),
    );
  });

  it('is 1 for every shipped segment a customer is a member of, and the mean of its conditions otherwise', () => {
    const Metrics = fc.record({
      email_opens_30d: fc.integer({ min: 0, max: 30 }),
      click_rate_30d: fc.double({ min: 0, max: 1, noNaN: true }),
      days_since_last_click: fc.option(fc.double({ min: 0, max: 60, noNaN: true })),
      pricing_page_visits: fc.integer({ min: 0, max: 6 }),
      product_page_time: fc.integer({ min: 0, max: 600 }),
      cart_abandonment_24h: fc.integer({ min: 0, max: 3 }),
      feature_page_visits: fc.integer({ min: 0, max: 5 }),
      documentation_reads: fc.integer({ min: 0, max: 5 }),
      support_tickets_total: fc.integer({ min: 0, max: 3 }),
      days_since_last_open: fc.option(fc.double({ min: 0, max: 90, noNaN: true })),
      declining_engagement_trend: fc.boolean(),
      support_satisfaction_5: fc.option(fc.double({ min: 0.5, max: 5, noNaN: true })),
      customer_lifetime_months: fc.double({ min: 0, max: 40, noNaN: true }),
      referrals_total: fc.integer({ min: 0, max: 4 }),
      last_nps_score: fc.option(fc.integer({ min: 0, max: 10 })),
      purchase_count: fc.integer({ min: 0, max: 5 }),
      lifetime_value: fc.double({ min: 0, max: 3_000, noNaN: true }),
    });
    fc.assert(
      fc.property(Metrics, (metrics) => {
        for (const evaluation of evaluateSegments(defaultCatalog.segments, factsFrom({ metrics }))) {
          if (evaluation.kind !== 'behavioral') continue;
          const mean = evaluation.conditions.reduce((sum, c) => sum + c.strength, 0) / evaluation.conditions.length;
          expect(evaluation.matchScore, evaluation.segmentId).toBeCloseTo(mean, 3); // both are rounded to 4 decimals
          if (evaluation.member) expect(evaluation.matchScore, evaluation.segmentId).toBe(1);
        }
      }),
    );
  });
});
