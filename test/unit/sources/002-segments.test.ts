import { describe, expect, it } from 'vitest';
import { defaultCatalog, segmentationOf } from '#shared/catalog/index.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import { evaluateProfile, type ProfileEvaluation } from '#shared/domain/profile-evaluation.ts';
import type { Profile } from '#shared/domain/profile.ts';
import { BEHAVIOR_INSIGHT_THRESHOLDS, ENGAGEMENT_BANDS } from '#shared/domain/reports/behavior-patterns.ts';
import { SegmentDefinition, evaluateSegments, segmentIdsOf } from '#shared/domain/segments.ts';
import { profileFromEvents, type ProfileEventInput } from '../support/build-profile.ts';
import { DOCUMENT_001_BEHAVIORAL, DOCUMENT_001_PREDICTIVE, DOCUMENT_002, NUDGE_ONLY_SEGMENTS, shippedConditions } from './documented-segments.ts';

/**
 * Document 002: the sample segments (engaged_readers, potential_buyers), the built-in rules
 * (engagement level, purchase behavior, activity pattern, account age), the channel_preference
 * criterion, the 30-day weighted activity score (unlisted event types 0.1) and the insight
 * thresholds. Customers are built from real events; expected values worked out by hand.
 */

const catalog = segmentationOf(defaultCatalog);
const now = new Date('2026-11-20T10:00:00Z');
const ago = (days: number, hours = 0) => new Date(now.getTime() - days * DAY_MS - hours * 3_600_000).toISOString();

const build = (customerId: string, steps: ProfileEventInput[]): Profile => profileFromEvents(customerId, steps);
const evaluate = (profile: Profile, at = now): ProfileEvaluation => evaluateProfile({ profile, catalog, now: at, triggerId: 't' });
const members = (evaluation: ProfileEvaluation) => evaluation.segments.filter((s) => s.member).map((s) => s.segmentId);
const segment = (evaluation: ProfileEvaluation, id: string) => evaluation.segments.find((s) => s.segmentId === id)!;

describe('documents 001 and 002: every shipped segment id is documented, with its documented thresholds', () => {
  const documented = { ...DOCUMENT_001_BEHAVIORAL, ...DOCUMENT_001_PREDICTIVE, ...DOCUMENT_002 };
  const shipped = defaultCatalog.segments.flatMap((d) => segmentIdsOf(d).map((id) => ({ id, definition: d })));

  it('lists no shipped segment that neither document (nor the short Nudge-only list) names', () => {
    expect(shipped.map((s) => s.id).filter((id) => !(id in documented) && !NUDGE_ONLY_SEGMENTS.includes(id))).toEqual([]);
    expect(Object.keys(documented).filter((id) => !shipped.some((s) => s.id === id))).toEqual([]);
  });

  it.each(Object.keys(DOCUMENT_002))('%s (002): the conditions that put a customer in it', (id) => {
    const { definition } = shipped.find((s) => s.id === id)!;
    expect(shippedConditions(definition, id)).toEqual(DOCUMENT_002[id]!.conditions.map((c) => [c.metric, c.op, c.value]));
  });
});

describe('document 002: the sample segments, customers built from events', () => {
  const reads = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ type: 'page_view' as const, occurredAt: ago(0, 12 - i), sessionId: 'w1', properties: { url: `/blog/${i}`, durationSeconds: 300 } }));
  const orders = (count: number) => Array.from({ length: count }, (_, i) => ({ type: 'purchase' as const, occurredAt: ago(2, i), properties: { orderId: `o${i}`, amount: 20 } }));

  it('engaged_readers: 10 page views in 30 days and an engagement score of 0.4 or more (Nudge asked for 0.5)', () => {
    // Engagement (document 000): session 3,000 s avg >= 300 s: 0.2; 4 purchases: 0.4 x 0.25 = 0.1;
    // 14 interactions: 14/50 x 0.15 = 0.042; recency 0 days: 0.1 -> 0.442
    const reader = evaluate(build('reader', [...orders(4), ...reads(10)]));
    expect(reader.facts.metric('engagement_score')).toBe(0.442);
    expect(segment(reader, 'engaged_readers')).toMatchObject({ member: true, matchScore: 1 });

    // No purchase: 0.2 + 10/50 x 0.15 = 0.03 + 0.1 = 0.33; 0.33/0.4 = 0.825 -> (1 + 0.825) / 2 = 0.9125
    const browser = evaluate(build('browser', reads(10)));
    expect(browser.facts.metric('engagement_score')).toBe(0.33);
    expect(segment(browser, 'engaged_readers')).toMatchObject({ member: false, matchScore: 0.9125 });
  });

  it('potential_buyers: a cart_add in the last 7 days and never purchased', () => {
    const cartAdd = (days: number) => ({ type: 'cart_add' as const, occurredAt: ago(days), properties: { productId: 'p1', quantity: 1, price: 10 } });

    expect(segment(evaluate(build('buyer-to-be', [cartAdd(3)])), 'potential_buyers')).toMatchObject({ member: true, matchScore: 1 });
    // 0 cart adds in 7 days: 0/1 = 0; has not purchased: 1 -> 0.5
    expect(segment(evaluate(build('stale-cart', [cartAdd(8)])), 'potential_buyers')).toMatchObject({ member: false, matchScore: 0.5 });
    // Bought once: 1 cart add -> 1; purchase_count 1 == 0 fails -> 0 -> 0.5
    expect(segment(evaluate(build('bought', [cartAdd(3), ...orders(1)])), 'potential_buyers')).toMatchObject({ member: false, matchScore: 0.5 });
  });
});

describe("document 002's built-in rules", () => {
  it('purchase behavior: one order of 1,500 is a first-time buyer; a repeat buyer above 1,000 is also high value', () => {
    const big = (id: string, amount: number) => ({ type: 'purchase' as const, occurredAt: ago(3), properties: { orderId: id, amount } });
    const once = members(evaluate(build('once', [big('o1', 1500)])));
    const twice = members(evaluate(build('twice', [big('o1', 700), big('o2', 500)])));
    const exactly = members(evaluate(build('exactly', [big('o1', 500), big('o2', 500)])));

    expect(once).toContain('first_time_buyer');
    expect(once).not.toContain('high_value_customer');
    expect(twice).toEqual(expect.arrayContaining(['repeat_buyer', 'high_value_customer']));
    // More than 1,000, as the document says: 1,000 exactly is not.
    expect(exactly).toContain('repeat_buyer');
    expect(exactly).not.toContain('high_value_customer');
  });

  it('activity pattern counts whole days as the document does: 7 days and 20 hours idle is still recently active', () => {
    const profile = build('idle', [{ type: 'page_view', occurredAt: ago(7, 20), properties: { url: '/' } }]);
    expect(members(evaluate(profile)).filter((id) => id.startsWith('activity_'))).toEqual(['activity_recently_active']);
    expect(members(evaluate(profile, new Date(now.getTime() + 5 * 3_600_000))).filter((id) => id.startsWith('activity_'))).toEqual(['activity_moderately_active']);
  });

  it('channel_preference: the share of email, web and app events on one channel', () => {
    const definition = SegmentDefinition.parse({ kind: 'criteria', id: 'email_first', description: 'x', criteria: [{ type: 'channel_preference', channel: 'email', minShare: 0.6 }] });
    const profile = build('mailer', [
      ...Array.from({ length: 6 }, (_, i) => ({ type: 'email_open' as const, occurredAt: ago(i + 1), properties: { sendId: `s${i}` } })),
      { type: 'page_view', occurredAt: ago(1), properties: { url: '/' } },
      { type: 'product_view', occurredAt: ago(1), properties: { productId: 'p1' } },
    ]);
    const [evaluation] = evaluateSegments([definition], evaluate(profile).facts);
    // 6 email of 8 events = 0.75 >= 0.6
    expect(evaluation).toMatchObject({ member: true, matchScore: 1 });
    expect(evaluation!.conditions[0]!.actual).toBe(0.75);
  });
});

describe("document 002's 30-day weighted activity score", () => {
  it('weighs event types the document does not list 0.1 (Nudge weighed them 0)', () => {
    // 2 purchases x 1.0 + (subscribe, support_ticket, nps_response, referral) x 0.1 = 2.4, over 2 x 30 = 60 -> 0.04
    const profile = build('mixed', [
      { type: 'subscribe', occurredAt: ago(10), email: 'mixed@example.com' },
      { type: 'purchase', occurredAt: ago(9), properties: { orderId: 'o1', amount: 10 } },
      { type: 'purchase', occurredAt: ago(8), properties: { orderId: 'o2', amount: 10 } },
      { type: 'support_ticket', occurredAt: ago(7), properties: { ticketId: 't1', status: 'solved' } },
      { type: 'nps_response', occurredAt: ago(6), properties: { score: 8 } },
      { type: 'referral', occurredAt: ago(5), properties: {} },
    ]);
    const score = evaluate(profile).scores.activity_30d!;

    expect(score.components.find((c) => c.name === 'other')).toMatchObject({ input: 4, weight: 0.1, contribution: round4(0.4 / 60) });
    expect(score.value).toBe(0.04);
  });
});

describe("document 002's insight thresholds", () => {
  it('re-engagement below a mean engagement of 0.5; a VIP segment above 30% highly engaged (scores above 0.7)', () => {
    expect(BEHAVIOR_INSIGHT_THRESHOLDS).toMatchObject({ lowMeanEngagement: 0.5, vipShare: 0.3 });
    expect(ENGAGEMENT_BANDS).toEqual({ high: 0.7, low: 0.3 });
  });
});

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
