import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RollupIncrement } from '#shared/domain/reports/rollups.ts';
import { triggerPerformance, type TriggerDescription } from '#shared/domain/reports/trigger-performance.ts';
import { explainRulePerformance, rulePerformanceText } from '#shared/presentation/rule-performance-explanation.ts';

const now = new Date('2026-11-23T12:00:00Z');
const reportOf = (triggers: TriggerDescription[], rollups: Array<[string, Record<string, number>]>) =>
  triggerPerformance({ triggers, rollups: new Map(rollups.map(([scope, counters]): [string, RollupIncrement[]] => [scope, [{ scope, day: '2026-11-20', counters }]])), now });

describe('explainRulePerformance', () => {
  // 1000 matches: 700 suppressed (500 by the cooldown, 200 by the rule cap), 20 held out, 280 fired
  // and sent, 270 delivered, 80 opened, 20 clicked, 5 purchases.
  const report = reportOf(
    [{ id: 'cart', kind: 'rule', description: 'cart reminder', active: true, successMetrics: [{ metric: 'email_open', target: 0.4 }, 'purchase'] }],
    [['cart', { matched: 1000, fired: 280, suppressed: 700, suppressed_cooldown: 500, suppressed_rule_cap: 200, holdout: 20, sent: 280, delivered: 270, bounced: 10, opened: 80, clicked: 20, converted: 5 }]],
  );
  const explained = explainRulePerformance(report, 'cart');

  it('gives the funnel of the last 30 days and why matches did not fire', () => {
    expect(explained.funnel).toEqual([
      { stage: 'matched', count: 1000 },
      { stage: 'fired', count: 280 },
      { stage: 'sent', count: 280 },
      { stage: 'delivered', count: 270 },
      { stage: 'opened', count: 80 },
      { stage: 'clicked', count: 20 },
      { stage: 'converted', count: 5 },
    ]);
    expect(explained.notFired).toEqual({ heldOut: 20, suppressed: 700, suppressedBy: [{ reason: 'cooldown', count: 500 }, { reason: 'rule_cap', count: 200 }], droppedPriority: 0, deferred: 0, goalMet: 0 });
    expect(explained.period).toEqual({ from: '2026-10-25', to: '2026-11-23' });
  });

  it('names the biggest drop in words, with its main cause', () => {
    expect(explained.biggestDrop).toMatchObject({ from: 'matched', to: 'fired', lost: 720, share: 0.72, causes: [{ cause: 'suppressed', count: 700 }, { cause: 'held_out', count: 20 }] });
    expect(explained.summary[0]).toBe('biggest drop: 70% of matches were suppressed, mostly by the cooldown (500 of 700); 72% did not fire in all');
  });

  it('judges each metric with a target, and says why a verdict is missing', () => {
    expect(explained.success.map((s) => [s.metric, s.verdict])).toEqual([
      ['email_open', 'fail'],
      ['purchase', null],
    ]);
    expect(explained.summary.slice(1)).toEqual(['cart email_open: 29.63% of 270 delivered, target 40%: fail (95% interval 24.5%–35.33%)']);
    const few = explainRulePerformance(reportOf([{ id: 'r', kind: 'rule', description: 'r', active: true, successMetrics: [{ metric: 'email_open', target: 0.4 }] }], [['r', { matched: 10, fired: 10, sent: 10, delivered: 10, opened: 9 }]]), 'r');
    expect(few.summary[1]).toBe('r email_open: 90% of 10 delivered, target 40%: insufficient data: a verdict needs 100 delivered (95% interval 59.58%–98.21%)');
  });

  it('prints the funnel, the drop and the metrics for people', () => {
    const text = rulePerformanceText(explained);
    expect(text.split('\n').slice(0, 4)).toEqual(['cart (rule): cart reminder', 'last 30 days, 2026-10-25 to 2026-11-23', '', 'funnel']);
    expect(text).toContain('  matched    1000');
    expect(text).toContain('  fired       280  28% of matched');
    expect(text).toContain('    not fired: suppressed 700 (the cooldown 500, the rule\'s send cap 200); held out 20');
    expect(text).toContain('\nbiggest drop: 70% of matches were suppressed');
    expect(text).toContain('  email_open: 29.63% of 270 delivered, target 40%: fail');
    expect(text).toContain('  purchase: 1.85% of 270 delivered, no target');
  });

  it('the biggest drop is the step that loses the most, the earliest on a tie, and each other cause reads as such', () => {
    // Small counts, so that ties are common.
    const funnel = fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 7, maxLength: 7 }).map((counts) => counts.sort((a, b) => b - a));
    fc.assert(
      fc.property(funnel, ([matched, fired, sent, delivered, opened, clicked, converted]) => {
        const e = explainRulePerformance(reportOf([{ id: 'r', kind: 'rule', description: 'r', active: true }], [['r', { matched: matched!, fired: fired!, holdout: matched! - fired!, sent: sent!, delivered: delivered!, opened: opened!, clicked: clicked!, converted: converted! }]]), 'r');
        const losses = e.funnel.slice(1).map((s, i) => e.funnel[i]!.count - s.count);
        const most = Math.max(...losses);
        if (most === 0) return expect(e.biggestDrop).toBeNull();
        const at = losses.indexOf(most);
        expect(e.biggestDrop).toMatchObject({ from: e.funnel[at]!.stage, to: e.funnel[at + 1]!.stage, lost: most });
        if (at === 0) expect(e.biggestDrop!.text).toMatch(/of matches were held out \(the control group\)$/);
      }),
    );
  });

  it('a rule that starts a sequence stops at the starts and shows its steps and their targets', () => {
    const withSteps = reportOf(
      [
        { id: 'cart', kind: 'rule', description: 'cart', active: true, startsSequence: 'cart_recovery', successMetrics: ['purchase'] },
        { id: 'seq_cart_recovery__reminder', kind: 'sequence_step', description: 'cart_recovery, step 1 (reminder)', active: true, successMetrics: [{ metric: 'email_click', target: 0.09 }] },
        { id: 'seq_other__one', kind: 'sequence_step', description: 'other', active: true },
      ],
      [
        ['cart', { matched: 200, fired: 150, sequences_started: 150, suppressed: 50, suppressed_no_consent: 50 }],
        ['seq_cart_recovery__reminder', { matched: 150, fired: 150, sent: 150, delivered: 150, opened: 60, clicked: 30, converted: 3 }],
      ],
    );
    const e = explainRulePerformance(withSteps, 'cart');
    expect(e.funnel.map((s) => s.stage)).toEqual(['matched', 'fired']);
    expect(e.sequence).toEqual({
      id: 'cart_recovery',
      started: 150,
      steps: [{ id: 'seq_cart_recovery__reminder', sent: 150, delivered: 150, opened: 60, clicked: 30, converted: 3, success: withSteps.rows[1]!.success }],
    });
    expect(e.summary).toEqual([
      'biggest drop: 25% of matches were suppressed, all by no consent (50 of 50)',
      'seq_cart_recovery__reminder email_click: 20% of 150 delivered, target 9%: pass (95% interval 14.38%–27.11%)',
    ]);
    expect(rulePerformanceText(e)).toContain("  started    150  75% of matched\n    not fired: suppressed 50 (no consent 50)\n  its emails are sequence cart_recovery's steps:\n    seq_cart_recovery__reminder: sent 150, delivered 150");
  });

  it('an unknown id names the known ones; a rule without matches says so', () => {
    expect(() => explainRulePerformance(report, 'nope')).toThrow('no rule or sequence step "nope" in the catalog; known: cart');
    const quiet = explainRulePerformance(reportOf([{ id: 'q', kind: 'rule', description: 'q', active: true }], []), 'q');
    expect(quiet.biggestDrop).toBeNull();
    expect(quiet.summary[0]).toMatch(/^no matches in the last 30 days/);
  });
});
