import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dailySeriesFor, defaultCatalog, defaultCatalogInput, loadCatalog, segmentationOf } from '#shared/catalog/index.ts';
import { fieldDomain, satisfiable, unsatisfiableConditions } from '#shared/catalog/rule-domains.ts';
import { rules as shippedRules } from '#shared/catalog/rules.ts';
import { conditionsOf } from '#shared/domain/conditions.ts';
import { evaluateProfile } from '#shared/domain/profile-evaluation.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import type { ProfileFacts } from '#shared/domain/profile-facts.ts';
import type { TriggerRef } from '#shared/domain/rule-timer.ts';
import { matchRules, TriggerRule } from '#shared/domain/trigger-rules.ts';
import { buildEvent } from '../support/build-event.ts';

/**
 * Document 000's sample rules (create_sample_automation_rules) and its two sample events
 * (evt_001: cust_12345 abandons a 75.99 cart; evt_002: cust_67890 subscribes from the newsletter
 * signup), run through Nudge's shipped rules: what fires, with the document's conditions,
 * priority, cooldown and max frequency.
 */

type EventInput = Parameters<typeof buildEvent>[0];
const now = new Date('2026-11-20T10:00:00Z');
const rule = (id: string): TriggerRule => defaultCatalog.rules.find((r) => r.id === id)!;

/** The profile after the events, as ingest evaluates it (segments, scores), with its facts. */
function customerAfter(customerId: string, events: EventInput[]): { profile: Profile; facts: ProfileFacts } {
  let profile: Profile | undefined;
  for (const input of events) {
    const event = buildEvent({ customerId, ...input });
    const change = applyEvent(profile, event, new Date(event.occurredAt), { dailySeries: dailySeriesFor(defaultCatalog) });
    if (change.type === 'applied') profile = change.profile;
  }
  const evaluation = evaluateProfile({ profile: profile!, catalog: segmentationOf(defaultCatalog), now, triggerId: 'test' });
  return { profile: evaluation.profile, facts: evaluation.facts };
}

function firedBy(event: TriggerRef | ReturnType<typeof buildEvent>, customer: { profile: Profile; facts: ProfileFacts }): string[] {
  return matchRules(defaultCatalog.rules, event, customer.profile, customer.facts).map((match) => match.rule.id);
}

describe("document 000's sample rules, as shipped", () => {
  it('cart_abandonment_1hour: priority 100, 24 h cooldown, once a day; fires for a cart over 50', () => {
    expect(rule('cart_abandonment_1hour')).toMatchObject({ priority: 100, cooldownHours: 24, maxSends: { count: 1, periodHours: 24 }, trigger: { eventType: 'cart_abandon' } });
    const abandon = (cartValue: number): EventInput => ({
      type: 'cart_abandon',
      occurredAt: now.toISOString(),
      email: 'customer@example.com',
      properties: { cartValue, items: [{ productId: 'prod_1', quantity: 2 }] },
    });
    // evt_001: 75.99 > 50 fires; 50 itself does not (greater_than).
    const evt001 = buildEvent({ customerId: 'cust_12345', ...abandon(75.99) });
    expect(firedBy(evt001, customerAfter('cust_12345', [abandon(75.99)]))).toContain('cart_abandonment_1hour');
    const fifty = buildEvent({ customerId: 'cust_12345', ...abandon(50) });
    expect(firedBy(fifty, customerAfter('cust_12345', [abandon(50)]))).not.toContain('cart_abandonment_1hour');
  });

  it('welcome_new_subscriber: priority 90; fires for the new subscriber of evt_002, not for one who first subscribed 50 days ago', () => {
    expect(rule('welcome_new_subscriber')).toMatchObject({ priority: 90, maxSends: { count: 1 } });
    expect(rule('welcome_new_subscriber').cooldownHours).toBeUndefined(); // document: cooldown 0
    const subscribe: EventInput = { type: 'subscribe', occurredAt: now.toISOString(), email: 'newcustomer@example.com', properties: { source: 'newsletter_signup' } };
    const evt002 = buildEvent({ customerId: 'cust_67890', ...subscribe });
    expect(firedBy(evt002, customerAfter('cust_67890', [subscribe]))).toEqual(['welcome_new_subscriber']);
    // The document's profile.segment == 'new' is Nudge's new_user (signed up at most 30 days ago).
    const veteran = customerAfter('cust_old', [
      { type: 'subscribe', occurredAt: '2026-10-01T10:00:00Z', email: 'old@example.com' },
      subscribe,
    ]);
    expect(veteran.profile.segments.new_user).toBeUndefined();
    expect(firedBy(buildEvent({ customerId: 'cust_old', ...subscribe }), veteran)).not.toContain('welcome_new_subscriber');
  });

  it('churn_prevention_high_risk: priority 95, 7-day cooldown, 2 a day; churn probability > 0.7 and lifetime value > 100', () => {
    expect(rule('churn_prevention_high_risk')).toMatchObject({ priority: 95, cooldownHours: 168, maxSends: { count: 2, periodHours: 24 } });
    const buyer = (amount: number) =>
      customerAfter('cust_churn', [
        { type: 'identify', occurredAt: '2026-11-01T10:00:00Z', email: 'c@example.com' },
        { type: 'purchase', occurredAt: '2026-11-02T10:00:00Z', properties: { orderId: 'o-1', amount } },
      ]);
    const churn = (probability: number): TriggerRef => ({
      eventId: `churn-${probability}`,
      type: 'ChurnRiskChanged',
      occurredAt: now.toISOString(),
      properties: { customerId: 'cust_churn', probability, previousProbability: 0.4, modelId: 'm', at: now.toISOString(), transitionId: 't' },
    });
    expect(firedBy(churn(0.75), buyer(150))).toEqual(['churn_prevention_high_risk']);
    expect(firedBy(churn(0.7), buyer(150))).toEqual([]);
    expect(firedBy(churn(0.75), buyer(100))).toEqual([]);
  });
});

describe('every condition of every shipped rule can hold for some real profile or event', () => {
  it('the default catalog has none that can never hold', () => {
    expect(unsatisfiableConditions(defaultCatalog)).toEqual([]);
  });

  it("finds the class of bug that kept high_engagement_premium_content silent: 'high' was never an engagement level", () => {
    const before = shippedRules.map((r) =>
      r.id === 'high_engagement_premium_content' ? { ...r, conditions: { all: [{ field: 'calculated.engagement_level', op: 'equals' as const, value: 'high' }] } } : r,
    );
    expect(unsatisfiableConditions(loadCatalog({ ...defaultCatalogInput, rules: before }))).toEqual([
      "rule high_engagement_premium_content: calculated.engagement_level equals \"high\" can never hold (it takes highly_engaged, moderately_engaged, low_engagement, dormant, churned)",
    ]);
  });

  it('and the fixed rule fires for a highly engaged reader who clicks', () => {
    const premium = { ...rule('high_engagement_premium_content'), active: true };
    const click = buildEvent({ type: 'email_click', properties: { sendId: 's', url: 'https://shop.example/' } });
    const facts = (level: string) => ({ metric: (name: string) => (name === 'engagement_level' ? level : null) }) as unknown as ProfileFacts;
    const profile = customerAfter('cust-1', [{ type: 'identify', occurredAt: now.toISOString(), email: 'r@example.com' }]).profile;
    expect(matchRules([premium], click, profile, facts('highly_engaged'))).toHaveLength(1);
    expect(matchRules([premium], click, profile, facts('moderately_engaged'))).toEqual([]);
  });

  it('refuses segment ids, stages, enum properties and probabilities outside what the catalog and contract allow (any rule, any value)', () => {
    const segmentIds = defaultCatalog.segments.flatMap((d) => (d.kind === 'family' ? d.bands.map((b) => b.segment) : [d.id]));
    const probe = (conditions: unknown, trigger: unknown = { type: 'behavioral', eventType: 'support_ticket' }) =>
      unsatisfiableConditions({ ...defaultCatalog, rules: [TriggerRule.parse({ id: 'probe', description: 'p', priority: 1, templateId: 'welcome', trigger, conditions })] });
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z_]{0,12}$/), (id) => {
        const problems = probe({ all: [{ field: `profile.segments.${id}`, op: 'exists', value: true }] });
        expect(problems.length === 0).toBe(segmentIds.includes(id));
      }),
    );
    fc.assert(
      fc.property(fc.constantFrom('open', 'pending', 'solved', 'closed', 'resolved', 'done'), (status) => {
        const problems = probe({ all: [{ field: 'event.properties.status', op: 'equals', value: status }] });
        expect(problems.length === 0).toBe(['open', 'pending', 'solved', 'closed'].includes(status));
      }),
    );
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2, noNaN: true }), (threshold) => {
        const problems = probe({ all: [{ field: 'event.properties.probability', op: 'greater_than', value: threshold }] }, { type: 'predictive', eventType: 'ChurnRiskChanged' });
        expect(problems.length === 0).toBe(threshold < 1);
      }),
    );
    expect(probe({ all: [{ field: 'event.properties.cartValue', op: 'greater_than', value: 1 }] })).toEqual([
      'rule probe: event.properties.cartValue is not a field its trigger (behavioral) or the profile has',
    ]);
  });

  it('every leaf of every shipped rule has a domain (a field its trigger or the profile really has)', () => {
    for (const r of defaultCatalog.rules) {
      for (const { condition } of r.conditions ? conditionsOf(r.conditions) : []) {
        const domain = fieldDomain(defaultCatalog, r, condition.field);
        expect(domain, `${r.id} ${condition.field}`).toBeDefined();
        expect(satisfiable(condition, domain!), `${r.id} ${condition.field}`).toBe(true);
      }
    }
  });
});
