import { describe, expect, it } from 'vitest';
import { defaultCatalog, defaultCatalogInput, loadCatalog } from '#shared/catalog/index.ts';
import { emptyVariantCounters, variantScope, type VariantCounters } from '#shared/domain/experiments.ts';
import { experimentsReport, MIN_SENDS_FOR_VERDICT } from '#shared/domain/reports/experiments.ts';
import type { RollupIncrement } from '#shared/domain/reports/rollups.ts';
import { Experiment } from '#shared/domain/trigger-rules.ts';
import { experimentsDocument } from '#shared/presentation/experiments-document.ts';
import { renderHtml } from '#shared/presentation/render-html.ts';
import { renderText } from '#shared/presentation/render-text.ts';
import { makeExperimentsReport } from '#shared/services/reports/experiments.ts';

const NOW = new Date('2026-11-30T12:00:00Z');
const test = Experiment.parse({
  id: 'subject_test',
  variants: [{ id: 'control' }, { id: 'short', subject: 'Hi' }, { id: 'later', sendTime: { policy: 'preferred_hour' } }],
  autoWinner: { metric: 'open_rate', minSendsPerVariant: 500, confidence: 0.95 },
});
const counters = (sent: number, opened: number, extra: Partial<VariantCounters> = {}): VariantCounters => ({ ...emptyVariantCounters(), sent, delivered: sent, opened, ...extra });

describe('experiments report', () => {
  it('compares every variant with the first on each metric, with a verdict only after the minimum sample', () => {
    const report = experimentsReport({
      experiments: [{ scopeId: 'promo', experiment: test, counters: new Map([['control', counters(1_000, 200)], ['short', counters(1_000, 300)], ['later', counters(MIN_SENDS_FOR_VERDICT - 1, 90)]]) }],
      now: NOW,
    });
    const [result] = report.experiments;
    expect(result!.controlId).toBe('control');
    expect(result!.variants.map((v) => [v.variantId, v.openRate, v.overrides])).toEqual([
      ['control', 0.2, []],
      ['short', 0.3, ['subject']],
      ['later', 90 / 99, ['sendTime']],
    ]);
    const verdict = (variantId: string, metric: string) => result!.comparisons.find((c) => c.variantId === variantId && c.metric === metric)?.verdict;
    expect(verdict('short', 'open_rate')).toBe('better');
    expect(verdict('short', 'click_rate')).toBe('no_difference');
    // A huge open rate, but below the minimum sample: no verdict.
    expect(verdict('later', 'open_rate')).toBe('too_few_sends');
    expect(result!.comparisons).toHaveLength(2 * 4);
    // The automatic winner waits for 500 sends on every variant.
    expect(result!.autoWinner?.verdict).toEqual({ type: 'too_few_sends', variantId: 'later', sends: 99, needed: 500 });
  });

  it('a worse variant is called worse', () => {
    const report = experimentsReport({ experiments: [{ scopeId: 'promo', experiment: test, counters: new Map([['control', counters(2_000, 600)], ['short', counters(2_000, 400)]]) }], now: NOW });
    expect(report.experiments[0]!.comparisons.find((c) => c.variantId === 'short' && c.metric === 'open_rate')?.verdict).toBe('worse');
  });

  it('the service reads each variant\'s rollups of the catalog\'s rules and sequence steps, summing its days', async () => {
    const sequences = defaultCatalogInput.sequences.map((sequence) =>
      sequence.id === 'welcome_series' ? { ...sequence, steps: sequence.steps.map((step, at) => (at === 0 ? { ...step, experiment: { id: 'hello_test', variants: [{ id: 'a' }, { id: 'b', subject: 'Hello' }] } } : step)) } : sequence,
    );
    const rules = defaultCatalogInput.rules.map((rule) => (rule.id === 'churn_prevention_high_risk' ? { ...rule, experiment: { id: 'copy', variants: [{ id: 'a' }, { id: 'b', preheader: 'x' }] } } : rule));
    const catalog = loadCatalog({ ...defaultCatalogInput, rules, sequences });
    const days = new Map<string, RollupIncrement[]>([
      [variantScope('seq_welcome_series__hello', 'hello_test', 'b'), [
        { scope: '', day: '2026-11-28', counters: { sent: 3, delivered: 3, opened: 1 } },
        { scope: '', day: '2026-11-29', counters: { sent: 2, delivered: 2, revenue: 10, revenue_sq: 100 } },
      ]],
    ]);
    const report = await makeExperimentsReport({ rollups: { days: async (scope) => days.get(scope) ?? [] }, catalog, clock: { now: () => NOW } })();
    expect(report.experiments.map((e) => `${e.scopeId}/${e.experimentId}`)).toEqual(['churn_prevention_high_risk/copy', 'seq_welcome_series__hello/hello_test']);
    expect(report.experiments[1]!.variants[1]!.counters).toEqual({ ...emptyVariantCounters(), sent: 5, delivered: 5, opened: 1, revenue: 10, revenue_sq: 100 });
    expect(report.experiments[1]!.variants[1]!.revenuePerSend).toBe(2);
  });

  it('the shipped catalog declares no experiment, and the report says so', async () => {
    const report = await makeExperimentsReport({ rollups: { days: async () => [] }, catalog: defaultCatalog, clock: { now: () => NOW } })();
    expect(report.experiments).toEqual([]);
    expect(renderText(experimentsDocument(report))).toContain('No rule or sequence step of the catalog declares an experiment');
  });

  it('renders as text and HTML with every variant, its comparisons and the automatic winner\'s state', () => {
    const report = experimentsReport({ experiments: [{ scopeId: 'promo', experiment: test, counters: new Map([['control', counters(1_000, 200)], ['short', counters(1_000, 300)], ['later', counters(1_000, 210)]]) }], now: NOW });
    const text = renderText(experimentsDocument(report));
    for (const expected of ['promo / subject_test', 'short', 'later', 'open rate', 'better', 'no difference', 'automatic winner on open rate']) expect(text).toContain(expected);
    expect(text).toMatch(/short beats control \(p < 0\.001\), later \(p < 0\.001\)/);
    expect(renderHtml(experimentsDocument(report))).toContain('<svg');
  });
});
