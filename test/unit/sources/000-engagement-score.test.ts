import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dailySeriesFor, defaultCatalog, loadCatalog, segmentationOf, defaultCatalogInput } from '#shared/catalog/index.ts';
import { engagementModels, withEngagementModel } from '#shared/catalog/scoring-models.ts';
import { evaluateProfile } from '#shared/domain/profile-evaluation.ts';
import { factsFrom } from '#shared/domain/profile-facts.ts';
import { applyEvent, recordQueuedSend, type Profile } from '#shared/domain/profile.ts';
import { computeScore, contributionsByGroup, ScoringModel, type ScoreResult } from '#shared/domain/scoring.ts';
import { buildEvent } from '../support/build-event.ts';

/**
 * Document 000's engagement score: email rate x2 (30%), purchases/10 (25%), average session/300 s
 * (20%), interactions in 90 days/50 (15%), 1 - whole days since the last interaction/30 (10%), each
 * part capped at 1, the sum clamped to 0..1. Expected values are worked out by hand from that formula.
 */

type EventInput = Parameters<typeof buildEvent>[0];

/** Applies the events in order (each processed when it happens) and scores the profile at `now`. */
function scoreAfter(customerId: string, steps: Array<EventInput | { send: string }>, now: Date, catalog = defaultCatalog): ScoreResult {
  let profile: Profile | undefined;
  const dailySeries = dailySeriesFor(catalog);
  for (const step of steps) {
    if ('send' in step) {
      profile = recordQueuedSend(profile!, new Date(step.send));
      continue;
    }
    const event = buildEvent({ customerId, ...step });
    const change = applyEvent(profile, event, new Date(event.occurredAt), { dailySeries });
    if (change.type === 'applied') profile = change.profile;
  }
  const evaluation = evaluateProfile({ profile: profile!, catalog: segmentationOf(catalog), now, triggerId: 'score' });
  return evaluation.scores.engagement!;
}

describe('document 000: the engagement score of its own sample customers', () => {
  const now = new Date('2026-11-20T10:00:00Z');

  it('cust_12345 after its cart abandonment (75.99, prod_1 x2) scores 0.103: one interaction today', () => {
    // Document: email 0, purchases 0, session 0 (not a page view), 1/50 x 0.15 = 0.003, recency (0 days) 1 x 0.1 = 0.1
    const score = scoreAfter(
      'cust_12345',
      [{ type: 'cart_abandon', occurredAt: now.toISOString(), email: 'customer@example.com', properties: { cartValue: 75.99, items: [{ productId: 'prod_1', quantity: 2 }] } }],
      now,
    );

    expect(score.value).toBe(0.103);
    expect(score.level).toBe('dormant');
    expect(contributionsByGroup(score)).toEqual({ email: 0, purchases: 0, session: 0, frequency: 0.003, recency: 0.1 });
  });

  it('cust_67890 after its newsletter subscription scores 0.103 too (Nudge scored it 0.11: 1 active day of 15)', () => {
    const steps: EventInput[] = [{ type: 'subscribe', occurredAt: now.toISOString(), email: 'newcustomer@example.com', properties: { source: 'newsletter_signup' } }];

    expect(scoreAfter('cust_67890', steps, now).value).toBe(0.103);
    const nudgeCatalog = loadCatalog(withEngagementModel(defaultCatalogInput, 'nudge'));
    expect(scoreAfter('cust_67890', steps, now, nudgeCatalog).value).toBe(0.11);
  });
});

describe('document 000: every part of the score, from real events', () => {
  const at = (day: number, hour = 10) => new Date(Date.UTC(2026, 10, day, hour)).toISOString();
  // 5 emails sent, 1 open and 1 click; 3 purchases; two sessions of 240 s and 120 s (one page view
  // each, the document's session_duration); 8 events in all; the last one 2 days 5 hours before now.
  const steps: Array<EventInput | { send: string }> = [
    { type: 'subscribe', occurredAt: at(1), email: 'full@example.com' },
    { send: at(2) },
    { send: at(3) },
    { send: at(4) },
    { send: at(5) },
    { send: at(6) },
    { type: 'email_open', occurredAt: at(6, 12), properties: { sendId: 's5' } },
    { type: 'email_click', occurredAt: at(6, 13), properties: { sendId: 's5', url: 'https://shop.example/p1' } },
    { type: 'page_view', occurredAt: at(7), sessionId: 'web-1', properties: { url: '/p1', pageType: 'product', durationSeconds: 240 } },
    { type: 'purchase', occurredAt: at(7, 11), properties: { orderId: 'o1', amount: 40 } },
    { type: 'page_view', occurredAt: at(12), sessionId: 'web-2', properties: { url: '/p2', pageType: 'product', durationSeconds: 120 } },
    { type: 'purchase', occurredAt: at(12, 11), properties: { orderId: 'o2', amount: 60 } },
    { type: 'purchase', occurredAt: at(15, 5), properties: { orderId: 'o3', amount: 30 } },
  ];
  const now = new Date(Date.UTC(2026, 10, 17, 10));

  it('scores 0.5523 by hand: 0.24 + 0.075 + 0.12 + 0.024 + 0.0933', () => {
    // email (1 + 1) / 5 = 0.4 x 2 = 0.8 x 0.3 = 0.24; purchases 3/10 x 0.25 = 0.075;
    // session (240 + 120) / 2 = 180 / 300 = 0.6 x 0.2 = 0.12; interactions 8/50 x 0.15 = 0.024;
    // recency 2 whole days (2 d 5 h): (1 - 2/30) x 0.1 = 0.09333 -> 0.55233, low engagement (0.3..0.6)
    const score = scoreAfter('full', steps, now);

    expect(score.components.map((c) => [c.name, c.input])).toEqual([
      ['email', 0.4],
      ['purchases', 3],
      ['session', 180],
      ['frequency', 8],
      ['recency', 2],
    ]);
    expect(contributionsByGroup(score)).toEqual({ email: 0.24, purchases: 0.075, session: 0.12, frequency: 0.024, recency: 0.0933 });
    expect(score.value).toBe(0.5523);
    expect(score.level).toBe('low_engagement');
  });

  it('caps the email part at a 50% rate: a third interaction of five sends adds nothing more than the second would past the cap', () => {
    const more: Array<EventInput | { send: string }> = [...steps, { type: 'email_open', occurredAt: at(15, 6), properties: { sendId: 's4' } }];
    // (2 + 1) / 5 = 0.6 x 2 = 1.2 -> capped at 1 x 0.3 = 0.3; one more interaction (9/50 x 0.15 = 0.027)
    const score = scoreAfter('full', more, now);

    expect(contributionsByGroup(score)).toMatchObject({ email: 0.3, frequency: 0.027 });
  });
});

describe('document 000: the engagement model as a function of its parts (property)', () => {
  const model = ScoringModel.parse(engagementModels.documented);
  const Parts = fc.record({
    email_interaction_rate: fc.double({ min: 0, max: 5, noNaN: true }),
    purchase_count: fc.integer({ min: 0, max: 40 }),
    avg_session_seconds: fc.double({ min: 0, max: 3_600, noNaN: true }),
    interactions_90d: fc.integer({ min: 0, max: 200 }),
    full_days_since_last_activity: fc.integer({ min: 0, max: 120 }),
  });
  type Parts = typeof Parts extends fc.Arbitrary<infer T> ? T : never;
  const score = (parts: Parts) => computeScore(model, factsFrom({ metrics: parts })).value;
  /** Each metric, the direction that raises the score, the value where its part is full, and its weight. */
  const parts = [
    { metric: 'email_interaction_rate', better: 0.01, full: 0.5, weight: 0.3 },
    { metric: 'purchase_count', better: 1, full: 10, weight: 0.25 },
    { metric: 'avg_session_seconds', better: 1, full: 300, weight: 0.2 },
    { metric: 'interactions_90d', better: 1, full: 50, weight: 0.15 },
    { metric: 'full_days_since_last_activity', better: -1, full: 0, weight: 0.1 },
  ] as const;

  it('stays within 0..1', () => {
    fc.assert(
      fc.property(Parts, (p) => {
        const value = score(p);
        return value >= 0 && value <= 1;
      }),
    );
  });

  it('never falls when one part improves', () => {
    fc.assert(
      fc.property(Parts, fc.constantFrom(...parts), (p, part) => {
        const improved = { ...p, [part.metric]: Math.max(0, p[part.metric] + part.better) };
        return score(improved) >= score(p);
      }),
    );
  });

  it('gives each part exactly its weight at its cap and nothing more beyond it', () => {
    const zero: Parts = { email_interaction_rate: 0, purchase_count: 0, avg_session_seconds: 0, interactions_90d: 0, full_days_since_last_activity: 30 };
    expect(score(zero)).toBe(0);
    for (const part of parts) {
      const atCap = score({ ...zero, [part.metric]: part.full });
      expect(atCap, part.metric).toBe(part.weight);
      if (part.better > 0) expect(score({ ...zero, [part.metric]: part.full * 3 }), part.metric).toBe(part.weight);
    }
    expect(score({ email_interaction_rate: 0.5, purchase_count: 10, avg_session_seconds: 300, interactions_90d: 50, full_days_since_last_activity: 0 })).toBe(1);
  });
});
