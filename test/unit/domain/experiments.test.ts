import { describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { defaultCatalog, defaultCatalogInput, loadCatalog } from '#shared/catalog/index.ts';
import { assignVariant, emptyVariantCounters, pickWinner, variantScope, type VariantCounters } from '#shared/domain/experiments.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { rollupIncrements } from '#shared/domain/reports/rollups.ts';
import { isInHoldout, prepareSends } from '#shared/domain/send-decision.ts';
import { seededRandom } from '#shared/domain/seeded-random.ts';
import { Experiment, TriggerRule, type TriggerRuleInput } from '#shared/domain/trigger-rules.ts';
import { stepRule } from '#shared/services/run-sequence-step.ts';
import { buildEvent } from '../support/build-event.ts';

const NOW = new Date('2026-11-20T12:00:00Z');
const customers = (n: number, prefix = 'c') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

// Loosely typed on purpose: the cases below include invalid declarations.
const experiment = (variants: unknown[], extra: Record<string, unknown> = {}): z.input<typeof Experiment> => ({ id: 'subject_test', variants, ...extra }) as z.input<typeof Experiment>;
const ruleInput = (overrides: Partial<TriggerRuleInput> = {}): TriggerRuleInput => ({
  id: 'promo',
  description: 'a promotion',
  priority: 10,
  trigger: { type: 'behavioral', eventType: 'page_view' },
  templateId: 'welcome',
  ...overrides,
});

describe('experiment declarations', () => {
  it.each([
    ['one variant', experiment([{ id: 'a' }]), /at least two variants/],
    ['duplicate ids', experiment([{ id: 'a' }, { id: 'a' }]), /duplicate variant id "a" in experiment subject_test/],
    ['a zero weight', experiment([{ id: 'a', weight: 0 }, { id: 'b' }]), /weights must be positive/],
    ['a negative weight', experiment([{ id: 'a', weight: -1 }, { id: 'b' }]), /weights must be positive/],
    ['an unknown override', experiment([{ id: 'a', subjectLine: 'x' }, { id: 'b' }]), /subjectLine/],
    ['an unknown send-time policy', experiment([{ id: 'a', sendTime: { policy: 'whenever' } }, { id: 'b' }]), /policy/],
  ])('rejects %s', (_, input, message) => {
    const parsed = Experiment.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')).toMatch(message);
  });

  it('the catalog names the rule, the variant and the field of a template it does not define', () => {
    const bad = { ...defaultCatalogInput, rules: [ruleInput({ experiment: experiment([{ id: 'a' }, { id: 'b', templateId: 'no_such_template' }]) })] };
    expect(() => loadCatalog(bad)).toThrow(/rules\.0\.experiment\.variants\.1\.templateId: rule promo: variant b of experiment subject_test uses template "no_such_template"/);
  });

  it('the catalog checks a sequence step experiment\'s templates too, and a rule that starts a sequence cannot have one', () => {
    const sequences = defaultCatalogInput.sequences.map((sequence, index) =>
      index === 0 ? { ...sequence, steps: sequence.steps.map((step, at) => (at === 0 ? { ...step, experiment: experiment([{ id: 'a' }, { id: 'b', templateId: 'missing' }]) } : step)) } : sequence,
    );
    expect(() => loadCatalog({ ...defaultCatalogInput, sequences })).toThrow(/sequences\.0\.steps\.0\.experiment\.variants\.1\.templateId/);
    const starter = ruleInput({ templateId: undefined, startSequence: 'welcome_series', experiment: experiment([{ id: 'a' }, { id: 'b' }]) });
    expect(() => loadCatalog({ ...defaultCatalogInput, rules: [starter] })).toThrow(/rule promo starts a sequence: put the experiment on the sequence's steps/);
  });

  it('a sequence step keeps its experiment as the decision path\'s rule', () => {
    const sequence = { ...defaultCatalog.sequences[0]!, steps: defaultCatalog.sequences[0]!.steps.map((step) => ({ ...step, experiment: Experiment.parse(experiment([{ id: 'a' }, { id: 'b' }])) })) };
    expect(stepRule(sequence, 0).experiment?.id).toBe('subject_test');
  });
});

describe('variant assignment', () => {
  const twoToOne = Experiment.parse(experiment([{ id: 'a', weight: 2 }, { id: 'b', weight: 1 }]));

  it('is stable per customer and converges on the weights (within 3 standard deviations over 10,000 customers)', () => {
    const ids = customers(10_000);
    const first = ids.map((id) => assignVariant(id, 'promo', twoToOne).id);
    expect(ids.map((id) => assignVariant(id, 'promo', twoToOne).id)).toEqual(first);
    const p = 2 / 3;
    const share = first.filter((id) => id === 'a').length / ids.length;
    expect(Math.abs(share - p)).toBeLessThan(3 * Math.sqrt((p * (1 - p)) / ids.length));
  });

  it('splits independently of the holdout and across rules', () => {
    const even = Experiment.parse(experiment([{ id: 'a' }, { id: 'b' }]));
    const ids = customers(4_000);
    const heldInA = ids.filter((id) => isInHoldout(id, 'promo', 50) && assignVariant(id, 'promo', even).id === 'a').length / ids.length;
    expect(heldInA).toBeGreaterThan(0.2);
    expect(heldInA).toBeLessThan(0.3);
    const sameAcrossRules = ids.filter((id) => assignVariant(id, 'promo', even).id === assignVariant(id, 'other', even).id).length / ids.length;
    expect(sameAcrossRules).toBeGreaterThan(0.45);
    expect(sameAcrossRules).toBeLessThan(0.55);
  });

  it('a recorded winner takes every customer; an unknown winner id changes nothing', () => {
    expect(customers(500).every((id) => assignVariant(id, 'promo', twoToOne, 'b').id === 'b')).toBe(true);
    expect(customers(500).map((id) => assignVariant(id, 'promo', twoToOne, 'gone').id)).toEqual(customers(500).map((id) => assignVariant(id, 'promo', twoToOne).id));
  });
});

describe('the decision path with an experiment', () => {
  const change = applyEvent(undefined, buildEvent({ type: 'subscribe', customerId: 'base', email: 'base@example.com', occurredAt: '2026-11-20T11:00:00Z' }), NOW);
  if (change.type !== 'applied') throw new Error('expected applied');
  const base: Profile = change.profile;
  const categories = defaultCatalog.subscriptionCategories.map((c) => (c.id === 'marketing' ? { ...c, consent: 'opt_out' as const } : c));
  const rule = TriggerRule.parse(
    ruleInput({
      holdoutPercent: 20,
      sendTime: { policy: 'immediate' },
      experiment: experiment([{ id: 'control' }, { id: 'later', subject: 'Short {{ first_name | default: "friend" }}', preheader: 'pre', templateId: 'churn_prevention', sendTime: { policy: 'delay', minutes: 120 } }]),
    }),
  );
  const decide = (customerId: string, winners?: ReadonlyMap<string, string>) => {
    const profile = { ...base, customerId };
    const event = buildEvent({ type: 'page_view', customerId, occurredAt: NOW.toISOString() });
    const [candidate] = prepareSends({ matches: [{ rule, conditions: [] }], trigger: event, profile, categories, marketingCap: { count: 3, periodHours: 168 }, sendTime: defaultCatalog.settings.sendTime, now: NOW, ...(winners ? { winners } : {}) });
    if (candidate?.type !== 'candidate') throw new Error(`expected a candidate, got ${candidate?.type}`);
    return candidate;
  };

  it('for every customer: a holdout stays a holdout without a variant; the treated get their variant, its template, subject, preheader and send time', () => {
    const seen = new Set<string>();
    for (const id of customers(1_000)) {
      const { holdout, request, plan } = decide(id);
      // Boolean: a holdout may say which control group it is (the rule's, a global one).
      expect(Boolean(holdout)).toBe(isInHoldout(id, 'promo', 20));
      if (holdout) {
        expect(request.variantId).toBeUndefined();
        continue;
      }
      const variant = assignVariant(id, 'promo', rule.experiment!);
      seen.add(variant.id);
      expect(request).toMatchObject({ experimentId: 'subject_test', variantId: variant.id });
      if (variant.id === 'later') {
        expect(request).toMatchObject({ templateId: 'churn_prevention', overrides: { subject: 'Short {{ first_name | default: "friend" }}', preheader: 'pre' }, sendAt: '2026-11-20T14:00:00.000Z' });
        expect(plan.reason).not.toBe('immediate');
      } else {
        expect(request.templateId).toBe('welcome');
        expect(request.overrides).toBeUndefined();
        expect(request.sendAt).toBeUndefined();
      }
    }
    expect([...seen].sort()).toEqual(['control', 'later']);
  });

  it('a recorded winner gets every treated customer', () => {
    const winners = new Map([['promo:subject_test', 'later']]);
    const treated = customers(200).filter((id) => !isInHoldout(id, 'promo', 20));
    expect(treated.every((id) => decide(id, winners).request.variantId === 'later')).toBe(true);
  });
});

describe('per-variant rollups', () => {
  const send = (extra: Record<string, unknown>) => ({ kind: 'send', ruleId: 'promo', sendId: 's1', segments: ['vip'], ...extra });
  const steps: Array<[Record<string, unknown> | undefined, Record<string, unknown>]> = [
    [undefined, { status: 'sending' }],
    [{ status: 'sending' }, { status: 'sent', sentAt: '2026-11-20T12:00:00Z' }],
    [{ status: 'sent' }, { status: 'sent', outcome: 'delivered', outcomeAt: '2026-11-20T12:01:00Z' }],
    [{ status: 'sent', outcome: 'delivered' }, { status: 'sent', outcome: 'delivered', firstOpenAt: '2026-11-20T13:00:00Z' }],
    [{ status: 'sent', firstOpenAt: 'x' }, { status: 'sent', firstOpenAt: 'x', firstClickAt: '2026-11-20T13:05:00Z' }],
    [{ status: 'sent' }, { status: 'sent', convertedAt: '2026-11-21T09:00:00Z' }],
    [{ status: 'sent' }, { status: 'failed', failedAt: '2026-11-20T12:00:00Z' }],
    [{ status: 'sent', outcome: 'delivered' }, { status: 'sent', outcome: 'complained', outcomeAt: '2026-11-20T12:01:00Z' }],
  ];
  const scope = variantScope('promo', 'subject_test', 'later');
  const variantFields = { experimentId: 'subject_test', variantId: 'later' };

  it('for every step of a send, the per-rule and segment counters are what they are without an experiment; the variant adds its own scope', () => {
    for (const [before, after] of steps) {
      const plain = rollupIncrements(before && send(before), send(after));
      const withVariant = rollupIncrements(before && send({ ...before, ...variantFields }), send({ ...after, ...variantFields }));
      expect(withVariant.filter((increment) => increment.scope !== scope)).toEqual(plain);
      const counted = withVariant.filter((increment) => increment.scope === scope).flatMap((increment) => Object.keys(increment.counters));
      expect(counted).toEqual(plain.filter((i) => i.scope === 'promo').flatMap((i) => Object.keys(i.counters)).filter((c) => ['sent', 'delivered', 'opened', 'clicked', 'converted'].includes(c)));
    }
  });

  it('a conversion of a variant\'s send adds its revenue and its square to the variant', () => {
    const conversion = { kind: 'conversion', ruleId: 'promo', sendId: 's1', convertedAt: '2026-11-21T09:00:00Z', revenue: 40, segments: [], ...variantFields };
    expect(rollupIncrements(undefined, conversion)).toContainEqual({ scope, day: '2026-11-21', counters: { revenue: 40, revenue_sq: 1600 } });
    const { experimentId: _e, variantId: _v, ...plain } = conversion;
    expect(rollupIncrements(undefined, plain).some((increment) => increment.scope.startsWith('experiment:'))).toBe(false);
  });
});

/**
 * A generated population with a known truth: every customer is assigned by the real assignment,
 * each delivered email is opened with its variant's true probability (seeded), and the pure winner
 * logic is asked once the sample is in.
 */
function simulate(seed: number, openRates: Record<string, number>, population = 4_000): Array<{ id: string; counters: VariantCounters }> {
  const random = seededRandom(seed);
  const test = Experiment.parse(experiment(Object.keys(openRates).map((id) => ({ id }))));
  const counters = new Map(Object.keys(openRates).map((id) => [id, emptyVariantCounters()]));
  for (const id of customers(population, `s${seed}`)) {
    const variant = assignVariant(id, 'promo', test).id;
    const c = counters.get(variant)!;
    c.sent += 1;
    c.delivered += 1;
    if (random() < openRates[variant]!) c.opened += 1;
  }
  return [...counters].map(([id, c]) => ({ id, counters: c }));
}

describe('automatic winner on a population with a known effect', () => {
  const rule = { metric: 'open_rate' as const, minSendsPerVariant: 1_000, confidence: 0.95 };
  const seeds = Array.from({ length: 20 }, (_, i) => i + 1);

  it('picks the variant with the better true open rate (26 % against 20 %) in every one of 20 seeds', () => {
    const verdicts = seeds.map((seed) => pickWinner(simulate(seed, { control: 0.2, bolder: 0.26 }), rule));
    expect(verdicts.filter((v) => v.type === 'winner' && v.variantId === 'bolder')).toHaveLength(20);
  });

  it('with three variants, picks the one better than both others', () => {
    const verdicts = seeds.map((seed) => pickWinner(simulate(seed, { control: 0.2, same: 0.2, bolder: 0.27 }, 6_000), rule));
    expect(verdicts.filter((v) => v.type === 'winner' && v.variantId === 'bolder').length).toBeGreaterThanOrEqual(19);
    expect(verdicts.some((v) => v.type === 'winner' && v.variantId !== 'bolder')).toBe(false);
  });

  it('with no true difference declares no winner in at least 19 of 20 seeds', () => {
    const verdicts = seeds.map((seed) => pickWinner(simulate(seed, { control: 0.2, same: 0.2 }), rule));
    expect(verdicts.filter((v) => v.type === 'no_winner').length).toBeGreaterThanOrEqual(19);
  });

  it('waits for the minimum sample, naming the variant that lacks it', () => {
    expect(pickWinner(simulate(1, { control: 0.2, bolder: 0.4 }, 1_500), rule)).toMatchObject({ type: 'too_few_sends', needed: 1_000 });
  });

  it('judges revenue per send with Welch\'s test', () => {
    const counters = (sent: number, revenue: number, revenueSq: number): VariantCounters => ({ ...emptyVariantCounters(), sent, delivered: sent, converted: revenueSq > 0 ? 1 : 0, revenue, revenue_sq: revenueSq });
    // 2,000 sends each; 100 orders of 50 against 160 orders of 50.
    const verdict = pickWinner([{ id: 'control', counters: counters(2_000, 5_000, 250_000) }, { id: 'richer', counters: counters(2_000, 8_000, 400_000) }], { ...rule, metric: 'revenue_per_send' });
    expect(verdict).toMatchObject({ type: 'winner', variantId: 'richer' });
  });
});
