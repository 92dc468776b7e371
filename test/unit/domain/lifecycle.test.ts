import { describe, expect, it } from 'vitest';
import { lifecycleModels } from '#shared/catalog/lifecycle-stages.ts';
import { LifecycleStage, nextLifecycleStage } from '#shared/domain/lifecycle.ts';
import { factsFrom, type FactValue } from '#shared/domain/profile-facts.ts';

// The evaluation, with Nudge's previous rules (the catalog alternative `nudge`); document 001's own
// stages are tested in test/unit/sources/001-lifecycle.test.ts.
const lifecycleStages = lifecycleModels.nudge;
const stages = lifecycleStages.map((stage) => LifecycleStage.parse(stage));
const customer = (metrics: Record<string, FactValue>) =>
  factsFrom({ metrics: { purchase_count: 0, lifetime_value: 0, days_since_last_activity: 0, referrals_total: 0, last_nps_score: null, ...metrics } });
const next = (current: string | undefined, metrics: Record<string, FactValue>) => nextLifecycleStage({ current, stages, facts: customer(metrics) });

describe('nextLifecycleStage (Nudge\'s stage rules)', () => {
  it('places a customer without a stage as a prospect', () => {
    // Act
    const transition = next(undefined, {});

    // Assess
    expect(transition).toMatchObject({ stage: 'prospect', changed: true, path: ['prospect'] });
    expect(transition.from).toBeUndefined();
    expect(transition.reason).toEqual([
      { description: 'purchase_count == 0', metric: 'purchase_count', op: '==', expected: 0, actual: 0, passed: true, strength: 1 },
    ]);
  });

  it('moves a prospect to new_customer after a first purchase', () => {
    // Act
    const transition = next('prospect', { purchase_count: 1, lifetime_value: 40 });

    // Assess
    expect(transition).toMatchObject({ stage: 'new_customer', changed: true, from: 'prospect', path: ['new_customer'] });
    expect(transition.steps).toEqual([{ from: 'prospect', to: 'new_customer', entry: transition.reason }]);
    expect(transition.reason.map((r) => [r.description, r.actual])).toEqual([['purchase_count >= 1', 1]]);
  });

  it('moves new -> repeat on a second purchase, and repeat -> vip at 1000 spent', () => {
    expect(next('new_customer', { purchase_count: 2, lifetime_value: 100 })).toMatchObject({ stage: 'repeat_customer', path: ['repeat_customer'] });
    expect(next('repeat_customer', { purchase_count: 3, lifetime_value: 1200 })).toMatchObject({ stage: 'vip_customer', path: ['vip_customer'] });
  });

  it('takes several allowed steps in one evaluation', () => {
    // Act: five purchases at once qualify for repeat_customer and then vip_customer
    const transition = next('new_customer', { purchase_count: 5, lifetime_value: 300 });

    // Assess
    expect(transition).toMatchObject({ stage: 'vip_customer', from: 'new_customer', path: ['repeat_customer', 'vip_customer'] });
    expect(transition.reason.map((r) => [r.description, r.passed])).toEqual([
      ['lifetime_value >= 1000', false],
      ['purchase_count >= 5', true],
    ]);
  });

  it('moves a vip who refers someone to advocate', () => {
    expect(next('vip_customer', { purchase_count: 6, lifetime_value: 2000, referrals_total: 1 })).toMatchObject({ stage: 'advocate', path: ['advocate'] });
  });

  it.each(['prospect', 'new_customer', 'repeat_customer', 'vip_customer', 'advocate', undefined])('moves %s to at_risk after 60 idle days', (current) => {
    // Act
    const transition = next(current, { purchase_count: 6, lifetime_value: 2000, referrals_total: 1, days_since_last_activity: 60 });

    // Assess
    expect(transition).toMatchObject({ stage: 'at_risk', changed: true, path: ['at_risk'] });
  });

  it('keeps an idle at_risk customer where they are', () => {
    // Act
    const transition = next('at_risk', { purchase_count: 3, days_since_last_activity: 75 });

    // Assess
    expect(transition).toMatchObject({ stage: 'at_risk', changed: false, path: [], steps: [] });
    expect(transition.from).toBeUndefined();
    expect(transition.reason.map((r) => [r.description, r.actual, r.passed])).toEqual([['days_since_last_activity >= 60', 75, true]]);
  });

  it('brings a returning repeat buyer from at_risk back to repeat_customer through the exit', () => {
    // Act
    const transition = next('at_risk', { purchase_count: 3, lifetime_value: 200, days_since_last_activity: 0 });

    // Assess
    expect(transition).toMatchObject({ stage: 'repeat_customer', from: 'at_risk', path: ['repeat_customer'] });
    expect(transition.steps[0]!.exit).toEqual([
      { description: 'days_since_last_activity < 60', metric: 'days_since_last_activity', op: '<', expected: 60, actual: 0, passed: true, strength: 1 },
    ]);
  });

  it('brings a returning vip back to vip_customer through repeat_customer', () => {
    expect(next('at_risk', { purchase_count: 7, lifetime_value: 3000 })).toMatchObject({ stage: 'vip_customer', path: ['repeat_customer', 'vip_customer'] });
  });

  it('does not jump a prospect to vip on a first purchase of 1500: vip is two progressions away', () => {
    // Act
    const transition = next('prospect', { purchase_count: 1, lifetime_value: 1500 });

    // Assess: prospect -> new_customer; new_customer -> repeat_customer needs 2 purchases, so it stops there
    expect(transition).toMatchObject({ stage: 'new_customer', path: ['new_customer'] });
  });

  it('places a customer first seen with such a purchase directly (no stage -> any)', () => {
    expect(next(undefined, { purchase_count: 1, lifetime_value: 1500 })).toMatchObject({ stage: 'vip_customer', path: ['vip_customer'] });
  });

  it('moves an advocate who became a detractor back to vip_customer, and keeps them there', () => {
    // Prepare
    const metrics = { purchase_count: 6, lifetime_value: 2000, referrals_total: 1, last_nps_score: 3 };

    // Act
    const transition = next('advocate', metrics);
    const after = next('vip_customer', metrics);

    // Assess: the advocate's exit (NPS <= 6) holds, so it may go to the lower-ranked vip_customer; and
    // advocate cannot be re-entered while its exit holds
    expect(transition).toMatchObject({ stage: 'vip_customer', path: ['vip_customer'] });
    expect(transition.steps[0]!.exit?.map((r) => [r.description, r.actual])).toEqual([['last_nps_score <= 6', 3]]);
    expect(after).toMatchObject({ stage: 'vip_customer', changed: false });
  });

  it('keeps a stage when nothing better is reachable and its exit does not hold', () => {
    expect(next('repeat_customer', { purchase_count: 3, lifetime_value: 150 })).toMatchObject({ stage: 'repeat_customer', changed: false, path: [] });
  });

  it('lets a stage whose exit holds go, and places the customer afresh when no progression qualifies', () => {
    // Act: a detractor advocate who is no vip: the exit held before too, but they stayed advocate for good
    const transition = next('advocate', { purchase_count: 2, lifetime_value: 100, last_nps_score: 3 });

    // Assess: advocate -> no stage (its exit) -> repeat_customer (the stage their facts give)
    expect(transition).toMatchObject({ stage: 'repeat_customer', from: 'advocate', path: ['repeat_customer'], exitedBy: ['detractor'] });
    expect(transition.steps.map((step) => [step.from, step.to])).toEqual([
      ['advocate', null],
      [undefined, 'repeat_customer'],
    ]);
  });

  it('treats a stage the catalog no longer defines as no stage', () => {
    expect(next('retired_stage', { purchase_count: 2 })).toMatchObject({ stage: 'repeat_customer', changed: true, from: 'retired_stage', path: ['repeat_customer'] });
  });

  it('rejects a stage that lists a progression twice', () => {
    const stage = { ...lifecycleStages[0]!, progressions: ['new_customer', 'new_customer'] };
    expect(LifecycleStage.safeParse(stage).success).toBe(false);
  });
});
