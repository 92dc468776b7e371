import { describe, expect, it } from 'vitest';
import { defaultCatalog, defaultCatalogInput, InvalidCatalogError, loadCatalog, type CatalogInput } from '#shared/catalog/index.ts';
import { Sequence, type SequenceInput } from '#shared/domain/sequences.ts';
import { TriggerRule, type TriggerRuleInput } from '#shared/domain/trigger-rules.ts';

const rule = (successMetrics: unknown): TriggerRuleInput =>
  ({ id: 'probe', description: 'probe', priority: 1, templateId: 'welcome', trigger: { type: 'behavioral', eventType: 'purchase' }, successMetrics }) as TriggerRuleInput;
const sequence = (successMetrics: unknown): SequenceInput =>
  ({ id: 'probe_series', description: 'probe', priority: 1, exitGoals: [], steps: [{ id: 'first', timing: { type: 'offset', days: 1 }, templateId: 'welcome', successMetrics }] }) as SequenceInput;
const messages = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
  (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('success metrics with targets (rules and sequence steps)', () => {
  it('a rule takes the plain form and the form with a target, parsed alike', () => {
    const parsed = TriggerRule.parse(rule(['email_open', { metric: 'purchase', target: 0.02 }, { metric: 'email_click' }]));
    expect(parsed.successMetrics).toEqual([{ metric: 'email_open' }, { metric: 'purchase', target: 0.02 }, { metric: 'email_click' }]);
    expect(TriggerRule.parse(rule(undefined)).successMetrics).toEqual([]);
    // The parsed form parses again to itself (the catalog is parsed where it is built and where it is read).
    expect(TriggerRule.parse(parsed).successMetrics).toEqual(parsed.successMetrics);
  });

  it('a sequence step declares them too', () => {
    const parsed = Sequence.parse(sequence(['email_open', { metric: 'purchase', target: 0.5 }]));
    expect(parsed.steps[0]!.successMetrics).toEqual([{ metric: 'email_open' }, { metric: 'purchase', target: 0.5 }]);
    expect(Sequence.parse({ ...sequence(undefined), steps: [{ id: 'first', timing: { type: 'offset', days: 1 }, templateId: 'welcome' }] }).steps[0]!.successMetrics).toEqual([]);
  });

  it('a target outside 0..1 is refused with the rule or step, the field and what a target is', () => {
    for (const target of [-0.1, 1.5, 2]) {
      expect(messages(TriggerRule.safeParse(rule([{ metric: 'purchase', target }])))).toEqual([
        `successMetrics.0.target: rule probe: successMetrics[0] (purchase) target ${target} must be a rate per delivered email from 0 to 1 (0.02 is 2 %)`,
      ]);
      expect(messages(Sequence.safeParse(sequence(['email_open', { metric: 'purchase', target }])))).toEqual([
        `steps.0.successMetrics.1.target: step first of sequence probe_series: successMetrics[1] (purchase) target ${target} must be a rate per delivered email from 0 to 1 (0.02 is 2 %)`,
      ]);
    }
    for (const target of [0, 1, 0.02]) expect(TriggerRule.safeParse(rule([{ metric: 'purchase', target }])).success).toBe(true);
  });

  it('refuses a metric named twice, an unknown metric, a target that is not a number and unknown fields', () => {
    expect(messages(TriggerRule.safeParse(rule(['purchase', { metric: 'purchase', target: 0.1 }])))).toEqual(['successMetrics.1.metric: rule probe names success metric purchase twice']);
    for (const bad of [['app_session'], [{ metric: 'app_session', target: 0.1 }], [{ metric: 'purchase', target: '2%' }], [{ metric: 'purchase', goal: 0.1 }], [{ target: 0.1 }]]) {
      const result = TriggerRule.safeParse(rule(bad));
      expect(result.success, JSON.stringify(bad)).toBe(false);
      expect(messages(result).every((message) => message.startsWith('successMetrics.0')), messages(result).join('\n')).toBe(true);
    }
  });

  it('the catalog names the rule by its index path and its id', () => {
    const bad: CatalogInput = { ...defaultCatalogInput, rules: defaultCatalogInput.rules.map((r, i) => (i === 1 ? { ...r, successMetrics: [{ metric: 'email_open', target: 40 }] } : r)) };
    expect(() => loadCatalog(bad)).toThrow(InvalidCatalogError);
    expect(() => loadCatalog(bad)).toThrow(`rules.1.successMetrics.0.target: rule ${defaultCatalogInput.rules[1]!.id}: successMetrics[0] (email_open) target 40 must be a rate per delivered email`);
  });

  it('the shipped catalog gives targets only with a source: cart recovery steps and browse abandonment', () => {
    const targeted = [
      ...defaultCatalog.rules.filter((r) => r.successMetrics.some((s) => s.target !== undefined)).map((r) => r.id),
      ...defaultCatalog.sequences.flatMap((s) => s.steps.filter((step) => step.successMetrics.some((m) => m.target !== undefined)).map((step) => `${s.id}.${step.id}`)),
    ];
    expect(targeted).toEqual(['browse_abandonment', 'cart_recovery.reminder', 'cart_recovery.still_saved', 'cart_recovery.last_call']);
  });
});
