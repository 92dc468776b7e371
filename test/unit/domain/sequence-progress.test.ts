import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { exitReason, sequenceExitEventTypes, stepDueAt, type SequenceRun } from '#shared/domain/sequence-progress.ts';
import { Sequence } from '#shared/domain/sequences.ts';
import type { BehaviorEvent } from '#shared/contract/index.ts';
import { buildEvent } from '../support/build-event.ts';

const sequence = (id: string) => defaultCatalog.sequences.find((s) => s.id === id)!;
const lastSeenTypes = sequenceExitEventTypes(defaultCatalog.sequences);
const settings = defaultCatalog.settings.sendTime;

function replay(events: BehaviorEvent[]): Profile {
  let profile: Profile | undefined;
  for (const event of events) {
    const change = applyEvent(profile, event, new Date(event.occurredAt), { dailySeries: new Set(['*']), lastSeenTypes });
    if (change.type === 'applied') profile = change.profile;
  }
  return profile!;
}
const ev = (type: string, occurredAt: string, extra: Partial<BehaviorEvent> = {}) => buildEvent({ type, customerId: 'c', occurredAt, ...extra });
const run = (sequenceId: string, startedAt: string, startStage: string | null = null): SequenceRun => ({ sequenceId, customerId: 'c', startedAt, startStage, stepIndex: 1 });

describe('sequence exit goals, checked before each step', () => {
  it('cart recovery ends with a purchase after it started, not with one before', () => {
    const cart = sequence('cart_recovery');
    const before = replay([ev('subscribe', '2026-11-20T09:00:00Z', { email: 'c@example.com' }), ev('purchase', '2026-11-20T09:30:00Z', { properties: { orderId: 'o1', amount: 10 } })]);
    expect(exitReason(cart, run('cart_recovery', '2026-11-20T10:00:00Z'), before)).toBeUndefined();
    const after = replay([ev('subscribe', '2026-11-20T09:00:00Z', { email: 'c@example.com' }), ev('purchase', '2026-11-20T11:00:00Z', { properties: { orderId: 'o2', amount: 10 } })]);
    expect(exitReason(cart, run('cart_recovery', '2026-11-20T10:00:00Z'), after)).toEqual({ type: 'event', eventType: 'purchase', at: '2026-11-20T11:00:00.000Z' });
  });

  it('an unsubscribe ends any marketing sequence', () => {
    const profile = replay([ev('subscribe', '2026-11-20T09:00:00Z', { email: 'c@example.com' }), ev('unsubscribe', '2026-11-21T09:00:00Z')]);
    expect(exitReason(sequence('welcome_series'), run('welcome_series', '2026-11-20T09:00:00Z', null), { ...profile, lifecycleStage: undefined })).toEqual({ type: 'unsubscribed', category: 'marketing' });
  });

  it("a stage sequence ends when the customer's stage is no longer the one it started in", () => {
    const profile = { ...replay([ev('subscribe', '2026-11-20T09:00:00Z', { email: 'c@example.com' })]), lifecycleStage: 'new_customer' };
    const started = run('welcome_series', '2026-11-20T09:00:00Z', 'prospect');
    expect(exitReason(sequence('welcome_series'), started, profile)).toEqual({ type: 'stage_changed', from: 'prospect', to: 'new_customer' });
    expect(exitReason(sequence('welcome_series'), started, { ...profile, lifecycleStage: 'prospect' })).toBeUndefined();
  });

  it('segment_exited and condition goals', () => {
    const custom = Sequence.parse({
      id: 'custom',
      description: 'x',
      priority: 1,
      exitGoals: [{ type: 'segment_exited', segmentId: 'win_back' }, { type: 'condition', conditions: { all: [{ field: 'profile.commerce.purchaseCount', op: 'at_least', value: 2 }] } }],
      steps: [{ id: 'one', timing: { type: 'offset', days: 0 }, templateId: 'welcome' }],
    });
    const base = replay([ev('subscribe', '2026-11-20T09:00:00Z', { email: 'c@example.com' })]);
    expect(exitReason(custom, run('custom', '2026-11-20T09:00:00Z'), base)).toEqual({ type: 'segment_exited', segmentId: 'win_back' });
    const inSegment = { ...base, segments: { win_back: 1 } };
    expect(exitReason(custom, run('custom', '2026-11-20T09:00:00Z'), inSegment)).toBeUndefined();
    expect(exitReason(custom, run('custom', '2026-11-20T09:00:00Z'), { ...inSegment, commerce: { ...inSegment.commerce, purchaseCount: 2 } })).toEqual({ type: 'condition' });
  });
});

describe('when each step is due', () => {
  const profile = replay([ev('subscribe', '2026-11-20T09:00:00Z', { email: 'c@example.com' })]);

  it('the welcome series at day 0, 2 and 5 from its start', () => {
    const due = [0, 1, 2].map((stepIndex) => stepDueAt({ sequence: sequence('welcome_series'), stepIndex, startedAt: '2026-11-20T09:00:00Z', previousAt: new Date('2026-11-20T09:00:00Z'), profile, settings }));
    expect(due.map((d) => d.toISOString())).toEqual(['2026-11-20T09:00:00.000Z', '2026-11-22T09:00:00.000Z', '2026-11-25T09:00:00.000Z']);
  });

  it('a next-send-window step goes at the customer\'s next preferred hour (10:00 UTC on a business day by default)', () => {
    const onboarding = sequence('onboarding_series');
    const index = onboarding.steps.findIndex((step) => step.timing.type === 'next_send_window');
    expect(index).toBeGreaterThanOrEqual(0);
    // Friday 2026-11-27 15:00 -> Monday 10:00.
    expect(stepDueAt({ sequence: onboarding, stepIndex: index, startedAt: '2026-11-20T09:00:00Z', previousAt: new Date('2026-11-27T15:00:00Z'), profile, settings }).toISOString()).toBe('2026-11-30T10:00:00.000Z');
    expect(() => stepDueAt({ sequence: onboarding, stepIndex: 99, startedAt: '2026-11-20T09:00:00Z', previousAt: new Date(), profile, settings })).toThrow(RangeError);
  });

  it('profiles keep the latest occurrence of every exit event type the catalog names', () => {
    expect([...lastSeenTypes]).toEqual(expect.arrayContaining(['purchase', 'subscription_cancel', 'page_view']));
  });
});
