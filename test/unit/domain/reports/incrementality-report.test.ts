import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateIncrementality } from '#shared/domain/reports/incrementality.ts';
import { incrementalityReport, lastClosedCohortDay, type HoldoutTrigger } from '#shared/domain/reports/incrementality-report.ts';
import { reportPeriod } from '#shared/domain/reports/period.ts';
import type { RollupIncrement } from '#shared/domain/reports/rollups.ts';
import { renderHtml } from '#shared/presentation/render-html.ts';
import { renderText } from '#shared/presentation/render-text.ts';
import { incrementalityDocument } from '#shared/presentation/incrementality-document.ts';
import { triggerPerformance } from '#shared/domain/reports/trigger-performance.ts';
import { triggerPerformanceDocument } from '#shared/presentation/trigger-performance-document.ts';

const NOW = new Date('2027-02-20T12:00:00Z');
const cart: HoldoutTrigger = { id: 'cart', kind: 'rule', description: 'cart', holdoutPercent: 10, windowHours: 168 };
const welcome: HoldoutTrigger = { id: 'welcome_start', kind: 'sequence', sequenceId: 'welcome_series', description: 'welcome', holdoutPercent: 20, windowHours: 24 };
const day = (d: string, counters: Record<string, number>): RollupIncrement => ({ scope: 'x', day: d, counters });

describe('the incrementality report', () => {
  it('a cohort day counts once every window from it has closed: D + 1 day + window ≤ now', () => {
    expect(lastClosedCohortDay(NOW, 168)).toBe('2027-02-12');
    expect(lastClosedCohortDay(new Date('2027-02-20T00:00:00Z'), 24)).toBe('2027-02-18');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 11 }), fc.integer({ min: 1, max: 2160 }), (ms, hours) => {
        const now = new Date(Date.parse('2025-01-01T00:00:00Z') + ms);
        const last = lastClosedCohortDay(now, hours);
        const endOf = (d: string) => Date.parse(`${d}T00:00:00Z`) + 24 * 3_600_000 + hours * 3_600_000;
        expect(endOf(last)).toBeLessThanOrEqual(now.getTime());
        expect(endOf(new Date(Date.parse(`${last}T00:00:00Z`) + 24 * 3_600_000).toISOString().slice(0, 10))).toBeGreaterThan(now.getTime());
      }),
    );
  });

  it('sums each rule\'s closed cohorts of the period into its groups, lists the open exposures, and totals all rules', () => {
    const rollups = new Map<string, RollupIncrement[]>([
      [
        'cart',
        [
          day('2027-01-01', { exposures_treated: 999 }), // before the period
          day('2027-02-01', { exposures_treated: 300, exposures_control: 40, exposure_converted_treated: 30, exposure_converted_control: 2, exposure_revenue_treated: 1500, exposure_revenue_sq_treated: 90_000, exposure_revenue_control: 100, exposure_revenue_sq_control: 5_000 }),
          day('2027-02-12', { exposures_treated: 100, exposures_control: 60, exposure_converted_treated: 10, exposure_converted_control: 3, exposure_revenue_treated: 500, exposure_revenue_sq_treated: 30_000, exposure_revenue_control: 150, exposure_revenue_sq_control: 7_500 }),
          day('2027-02-13', { exposures_treated: 7, exposures_control: 1, exposure_converted_treated: 1 }), // window still open
          day('2027-02-19', { matched: 5 }),
        ],
      ],
      ['welcome_start', [day('2027-02-19', { exposures_treated: 3, exposures_control: 2 })]],
    ]);
    const report = incrementalityReport({ triggers: [cart, welcome], rollups, period: reportPeriod(NOW, 30), now: NOW });
    const [cartRow, welcomeRow] = report.rows;
    expect(cartRow!.cohorts).toEqual({ from: '2027-01-22', to: '2027-02-12' });
    expect(cartRow!.treatedTotals).toEqual({ exposures: 400, converted: 40, revenue: 2000, revenueSq: 120_000 });
    expect(cartRow!.controlTotals).toEqual({ exposures: 100, converted: 5, revenue: 250, revenueSq: 12_500 });
    expect(cartRow!.openExposures).toEqual({ treated: 7, control: 1 });
    expect(cartRow!.estimate).toEqual(estimateIncrementality(cartRow!.treatedTotals, cartRow!.controlTotals));
    // 10 % against 5 % over 400 treated exposures: 20 incremental conversions.
    expect(cartRow!.estimate.incrementalConversions!.estimate).toBeCloseTo(20, 9);
    expect(welcomeRow).toMatchObject({ kind: 'sequence', sequenceId: 'welcome_series', cohorts: { from: '2027-01-22', to: '2027-02-18' }, openExposures: { treated: 3, control: 2 } });
    expect(welcomeRow!.estimate.verdict).toBe('insufficient_data');
    expect(report.total!.treatedTotals).toEqual(cartRow!.treatedTotals);
    expect(report.total!.openExposures).toEqual({ treated: 10, control: 3 });
    // The total sums the rows with a verdict (welcome has none yet): here, cart's own increments.
    expect(report.total!.incremental.rulesCounted).toBe(1);
    expectSameInterval(report.total!.incremental.incrementalConversions, cartRow!.estimate.incrementalConversions);
    expectSameInterval(report.total!.incremental.incrementalRevenue, cartRow!.estimate.incrementalRevenue);
    expect(report.globalControl).toBeNull();
  });

  it('has no cohorts when the period is shorter than the window, and no total without a rule with a holdout', () => {
    const report = incrementalityReport({ triggers: [cart], rollups: new Map(), period: reportPeriod(NOW, 3), now: NOW });
    expect(report.rows[0]!.cohorts).toBeNull();
    expect(report.rows[0]!.estimate.verdict).toBe('insufficient_data');
    expect(incrementalityReport({ triggers: [], rollups: new Map(), period: reportPeriod(NOW, 30), now: NOW }).total).toBeNull();
  });

  it('reads as text and as a page whose chart draws each rule\'s incremental revenue with its interval', () => {
    const rollups = new Map([['cart', [day('2027-02-01', { exposures_treated: 300, exposures_control: 100, exposure_converted_treated: 30, exposure_converted_control: 5, exposure_revenue_treated: 1500, exposure_revenue_sq_treated: 90_000, exposure_revenue_control: 250, exposure_revenue_sq_control: 12_500 })]]]);
    const report = incrementalityReport({ triggers: [cart], rollups, period: reportPeriod(NOW, 30), now: NOW });
    const text = renderText(incrementalityDocument(report));
    expect(text).toContain('Incremental revenue per rule (95.0% interval)');
    expect(text).toMatch(/cart .*\bno detectable effect|cart .*\blift/);
    const html = renderHtml(incrementalityDocument(report));
    const revenue = report.rows[0]!.estimate.incrementalRevenue!;
    expect(html).toContain(`data-value="${revenue.estimate}" data-low="${revenue.low}" data-high="${revenue.high}"`);
    expect(renderText(incrementalityDocument(incrementalityReport({ triggers: [], rollups: new Map(), period: reportPeriod(NOW, 30), now: NOW })))).toContain('No rule has a holdout');
  });

  it('trigger performance shows a rule with a holdout\'s incremental revenue, the same as the incrementality report over its 30 days, beside the attributed revenue', () => {
    const counters = { matched: 420, fired: 400, holdout: 100, sent: 400, delivered: 400, converted: 50, revenue: 2600, exposures_treated: 300, exposures_control: 100, exposure_converted_treated: 30, exposure_converted_control: 5, exposure_revenue_treated: 1500, exposure_revenue_sq_treated: 90_000, exposure_revenue_control: 250, exposure_revenue_sq_control: 12_500 };
    const days = [day('2027-02-01', counters), day('2027-02-15', { exposures_treated: 9 })];
    const report = triggerPerformance({ triggers: [{ id: 'cart', kind: 'rule', description: 'c', active: true, holdout: { windowHours: 168 } }, { id: 'plain', kind: 'rule', description: 'p', active: true }], rollups: new Map([['cart', days]]), now: NOW });
    const expected = incrementalityReport({ triggers: [cart], rollups: new Map([['cart', days]]), period: reportPeriod(NOW, 30), now: NOW }).rows[0]!;
    expect(report.rows[0]!.incrementality!.last30Days).toEqual({
      cohorts: expected.cohorts,
      treated: 300,
      control: 100,
      incrementalRevenue: expected.estimate.incrementalRevenue,
      incrementalConversions: expected.estimate.incrementalConversions,
      verdict: expected.estimate.verdict,
    });
    expect(report.rows[1]!.incrementality).toBeUndefined();
    // All time: from the first rollup day, the 2027-01-01 exposures (before the 30 days) too.
    const allTime = triggerPerformance({ triggers: [{ id: 'cart', kind: 'rule', description: 'c', active: true, holdout: { windowHours: 168 } }], rollups: new Map([['cart', [day('2027-01-01', { exposures_treated: 5 }), ...days]]]), now: NOW }).rows[0]!.incrementality!.allTime;
    expect(allTime).toMatchObject({ cohorts: { from: '2027-01-01', to: '2027-02-12' }, treated: 305, control: 100 });
    const text = renderText(triggerPerformanceDocument(report));
    expect(text).toContain('Attributed and incremental revenue');
    expect(text).toMatch(/cart\s+2600\.00\s+750\.00 \[-109\.99, 1609\.99\]/);
  });
});

describe('incrementality against the global control group', () => {
  it('compares each marketing rule\'s treated exposures with the global control group\'s, apart from the rule\'s own control, and sums them', () => {
    const rollups = new Map([
      ['cart', [day('2027-02-01', { exposures_treated: 500, exposures_control: 100, exposure_converted_treated: 60, exposure_converted_control: 8, exposures_global_control: 200, exposure_converted_global_control: 10, exposure_revenue_global_control: 400, exposure_revenue_sq_global_control: 20_000 })]],
      ['promo', [day('2027-02-01', { exposures_treated: 300, exposures_global_control: 90, exposure_converted_treated: 9, exposure_converted_global_control: 2 })]],
    ]);
    const report = incrementalityReport({
      triggers: [cart],
      rollups,
      period: reportPeriod(NOW, 30),
      now: NOW,
      globalControl: { percent: 10, triggers: [{ id: 'cart', kind: 'rule', description: 'cart', windowHours: 168 }, { id: 'promo', kind: 'rule', description: 'promo', windowHours: 168 }] },
    });
    // The rule's own comparison never sees the global control group.
    expect(report.rows[0]!.controlTotals.exposures).toBe(100);
    const [cartGlobal, promoGlobal] = report.globalControl!.rows;
    expect(cartGlobal!.treatedTotals.exposures).toBe(500);
    expect(cartGlobal!.globalControlTotals).toEqual({ exposures: 200, converted: 10, revenue: 400, revenueSq: 20_000 });
    expect(cartGlobal!.estimate).toEqual(estimateIncrementality(cartGlobal!.treatedTotals, cartGlobal!.globalControlTotals));
    expect(promoGlobal!.estimate.verdict).toBe('insufficient_data'); // 90 global-control exposures, below 100
    expect(report.globalControl!.total.rulesCounted).toBe(1);
    expectSameInterval(report.globalControl!.total.incrementalConversions, cartGlobal!.estimate.incrementalConversions);
    const text = renderText(incrementalityDocument(report));
    expect(text).toContain('Global control group (10% of customers get no marketing email)');
    expect(text).toContain('Treated against the global control group, per marketing rule');
  });
});

function expectSameInterval(actual: { estimate: number; low: number; high: number } | null, expected: { estimate: number; low: number; high: number } | null) {
  expect(actual).not.toBeNull();
  for (const key of ['estimate', 'low', 'high'] as const) expect(actual![key]).toBeCloseTo(expected![key], 9);
}
