import { describe, expect, it } from 'vitest';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { timerIdFor } from '#shared/domain/rule-timer.ts';
import { absenceTimersFor, checkAbsence, dueTemporalTriggers } from '#shared/domain/temporal-triggers.ts';
import { lastSeenTypesFor, matchRules, TriggerRule, type TriggerRuleInput } from '#shared/domain/trigger-rules.ts';
import type { BehaviorEvent } from '#shared/contract/index.ts';
import { buildEvent } from '../support/build-event.ts';

const rule = (input: Partial<TriggerRuleInput> & Pick<TriggerRuleInput, 'id' | 'trigger'>): TriggerRule =>
  TriggerRule.parse({ description: input.id, priority: 50, templateId: 'welcome', ...input });

const absence = rule({ id: 'cart_no_purchase', trigger: { type: 'temporal', kind: 'absence', eventType: 'cart_add', absentEventTypes: ['purchase'], withinHours: 1 } });
const composite = rule({ id: 'researcher', trigger: { type: 'composite', eventTypes: ['search', 'page_view', 'wishlist_add'], withinHours: 24 } });
const rules = [absence, composite];
const lastSeenTypes = lastSeenTypesFor(rules);

function replay(events: BehaviorEvent[]): Profile {
  let profile: Profile | undefined;
  for (const event of events) {
    const change = applyEvent(profile, event, new Date(event.occurredAt), { dailySeries: new Set(['*']), lastSeenTypes });
    if (change.type === 'applied') profile = change.profile;
  }
  if (!profile) throw new Error('no profile');
  return profile;
}
const ev = (type: string, occurredAt: string, properties: Record<string, unknown> = {}) => buildEvent({ type, customerId: 'c', occurredAt, properties });

describe('rule schema: trigger types', () => {
  it('accepts every trigger type and refuses bad ones with clear messages', () => {
    expect(() => rule({ id: 'a', trigger: { type: 'predictive', eventType: 'ChurnRiskChanged' } })).not.toThrow();
    expect(() => rule({ id: 'b', trigger: { type: 'temporal', kind: 'anniversary', of: 'signup' } })).not.toThrow();
    const problems = (input: Partial<TriggerRuleInput>) =>
      TriggerRule.safeParse({ id: 'x', description: 'x', priority: 1, templateId: 'welcome', ...input }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(problems({ trigger: { type: 'predictive', eventType: 'churn_risk' } as never })).toEqual(['trigger.eventType: must be a model event type, e.g. ChurnRiskChanged']);
    expect(problems({ trigger: { type: 'composite', eventTypes: ['search', 'search'], withinHours: 1 } })).toEqual(['trigger: composite eventTypes must be distinct']);
    expect(problems({ trigger: { type: 'temporal', kind: 'absence', eventType: 'cart_add', absentEventTypes: ['cart_add'], withinHours: 1 } })).toEqual([
      'trigger.absentEventTypes: an absence trigger cannot wait for the absence of its own event type',
    ]);
    expect(problems({ trigger: { type: 'temporal', kind: 'absence', eventType: 'cart_add', absentEventTypes: ['purchase'], withinHours: 24 * 31 } })[0]).toMatch(/^trigger.withinHours:/);
    expect(problems({ trigger: { type: 'contextual', eventType: 'page_view' }, conditions: { all: [{ field: 'event.properties.url', op: 'exists', value: true }] } })[0]).toMatch(
      /^conditions: a contextual rule needs a condition on the event's context/,
    );
    expect(problems({ trigger: { type: 'behavioral', eventType: 'purchase' }, onConflict: { action: 'defer' } as never })[0]).toMatch(/^onConflict.deferHours/);
  });

  it('defaults: active, drop on conflict, immediate send, marketing, no holdout', () => {
    const parsed = rule({ id: 'd', trigger: { type: 'behavioral', eventType: 'purchase' } });
    expect(parsed).toMatchObject({ active: true, onConflict: { action: 'drop' }, sendTime: { policy: 'immediate' }, category: 'marketing', transactional: false, holdoutPercent: 0 });
  });
});

describe('event-started triggers', () => {
  const profile = replay([ev('identify', '2026-11-20T09:00:00Z', { email: 'c@example.com' })]);

  it('contextual: fires on the event type when the context condition holds', () => {
    const mobile = rule({
      id: 'mobile_app_tip',
      trigger: { type: 'contextual', eventType: 'page_view' },
      conditions: { all: [{ field: 'event.device', op: 'in', value: ['ios', 'android'] }] },
    });
    expect(matchRules([mobile], buildEvent({ type: 'page_view', device: 'ios' }), profile).map((m) => m.rule.id)).toEqual(['mobile_app_tip']);
    expect(matchRules([mobile], buildEvent({ type: 'page_view', device: 'web' }), profile)).toEqual([]);
  });

  it('predictive: fires on the model event type only, reading its numbers as event.properties', () => {
    const churn = rule({
      id: 'churn',
      trigger: { type: 'predictive', eventType: 'ChurnRiskChanged' },
      conditions: { all: [{ field: 'event.properties.probability', op: 'greater_than', value: 0.7 }] },
    });
    const modelEvent = (probability: number) => ({ eventId: 't1', type: 'ChurnRiskChanged', occurredAt: '2026-11-20T10:00:00Z', properties: { probability } });
    expect(matchRules([churn], modelEvent(0.85), profile)).toHaveLength(1);
    expect(matchRules([churn], modelEvent(0.6), profile)).toEqual([]);
    expect(matchRules([churn], buildEvent({ type: 'purchase' }), profile)).toEqual([]);
  });

  it('temporal rules never fire straight from an event', () => {
    expect(matchRules([absence], ev('cart_add', '2026-11-20T10:00:00Z'), profile)).toEqual([]);
  });

  it('composite: fires on the event that completes the set within the window, not before, not after the window', () => {
    const events = [ev('search', '2026-11-20T08:00:00Z'), ev('page_view', '2026-11-20T09:00:00Z')];
    const partial = replay(events);
    expect(matchRules([composite], events[1]!, partial)).toEqual([]);
    const last = ev('wishlist_add', '2026-11-20T20:00:00Z');
    expect(matchRules([composite], last, replay([...events, last])).map((m) => m.rule.id)).toEqual(['researcher']);
    const late = ev('wishlist_add', '2026-11-21T08:30:00Z'); // the search is 24.5 h old
    expect(matchRules([composite], late, replay([...events, late]))).toEqual([]);
  });

  it('keeps lastSeen only for the event types the rules ask about, never moving backwards', () => {
    const profileAfter = replay([ev('purchase', '2026-11-20T12:00:00Z'), ev('purchase', '2026-11-20T11:00:00Z'), ev('product_view', '2026-11-20T12:00:00Z')]);
    expect(profileAfter.lastSeen).toEqual({ purchase: Date.parse('2026-11-20T12:00:00Z') / 1000 });
    expect([...lastSeenTypes].sort()).toEqual(['cart_add', 'page_view', 'purchase', 'search', 'wishlist_add']);
  });
});

describe('absence triggers', () => {
  const cartAdd = ev('cart_add', '2026-11-20T10:00:00Z', { cartValue: 80 });

  it('a start event schedules one timer per absence rule, due when the window ends after it occurred', () => {
    expect(absenceTimersFor(rules, cartAdd)).toEqual([
      {
        timerId: timerIdFor('absence_check', cartAdd.customerId, 'cart_no_purchase', cartAdd.eventId),
        kind: 'absence_check',
        ruleId: 'cart_no_purchase',
        customerId: 'c',
        trigger: { eventId: cartAdd.eventId, type: 'cart_add', occurredAt: '2026-11-20T10:00:00Z', properties: { cartValue: 80 } },
        dueAt: '2026-11-20T11:00:00.000Z',
      },
    ]);
    expect(absenceTimersFor(rules, ev('purchase', '2026-11-20T10:00:00Z'))).toEqual([]);
    expect(absenceTimersFor([{ ...absence, active: false }], cartAdd)).toEqual([]);
  });

  it('is due when nothing followed; goal met when a purchase followed; superseded by a newer cart_add', () => {
    const [timer] = absenceTimersFor(rules, cartAdd);
    expect(checkAbsence(absence, timer!, replay([cartAdd]))).toEqual({ status: 'absent' });
    expect(checkAbsence(absence, timer!, replay([cartAdd, ev('purchase', '2026-11-20T10:40:00Z')]))).toEqual({
      status: 'follow_up_seen',
      eventType: 'purchase',
      at: '2026-11-20T10:40:00.000Z',
    });
    expect(checkAbsence(absence, timer!, replay([cartAdd, ev('cart_add', '2026-11-20T10:30:00Z')]))).toEqual({ status: 'superseded', at: '2026-11-20T10:30:00.000Z' });
    // A purchase before the cart_add is not a follow-up.
    expect(checkAbsence(absence, timer!, replay([ev('purchase', '2026-11-20T09:00:00Z'), cartAdd]))).toEqual({ status: 'absent' });
  });
});

describe('sweep-driven temporal triggers', () => {
  const idle = rule({ id: 'win_back_60', trigger: { type: 'temporal', kind: 'inactivity', days: 60 } });
  const anniversary = rule({ id: 'signup_anniversary', trigger: { type: 'temporal', kind: 'anniversary', of: 'signup' } });
  const profile = replay([ev('subscribe', '2025-03-10T09:00:00Z', { email: 'c@example.com' }), ev('page_view', '2025-09-01T12:00:00Z')]);

  it('inactivity fires from day 60 for the grace period, with one trigger id per idle streak', () => {
    const at = (iso: string) => dueTemporalTriggers([idle], profile, new Date(iso));
    expect(at('2025-10-31T11:00:00Z')).toEqual([]); // 59.96 days
    const first = at('2025-10-31T12:00:00Z');
    expect(first).toHaveLength(1);
    expect(first[0]!.trigger).toMatchObject({ type: 'inactivity', eventId: 'inactivity:60d:2025-09-01T12:00:00Z', properties: { idleDays: 60 } });
    expect(at('2025-11-01T12:00:00Z')[0]!.trigger.eventId).toBe(first[0]!.trigger.eventId);
    expect(at('2025-11-02T12:00:00Z')).toEqual([]); // past the 2-day grace: the streak was handled
  });

  it('anniversary fires on the yearly anniversary of signup, once per year by id', () => {
    expect(dueTemporalTriggers([anniversary], profile, new Date('2026-03-09T12:00:00Z'))).toEqual([]);
    const due = dueTemporalTriggers([anniversary], profile, new Date('2026-03-10T12:00:00Z'));
    expect(due[0]?.trigger).toMatchObject({ eventId: 'anniversary:signup:1', type: 'anniversary', properties: { years: 1 } });
    expect(dueTemporalTriggers([anniversary], profile, new Date('2026-03-13T12:00:00Z'))).toEqual([]);
    expect(dueTemporalTriggers([anniversary], profile, new Date('2025-12-10T12:00:00Z'))).toEqual([]);
  });
});
