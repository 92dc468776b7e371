import { describe, expect, it } from 'vitest';
import { renderComparison, renderOutcome } from '../../../cli/commands/replay-text.ts';
import { compareOutcomes } from '#local/replay/compare-outcomes.ts';
import { triggersFromReport, type ReplayOutcome } from '#local/replay/replay-outcome.ts';
import { triggerPerformance } from '#shared/domain/reports/trigger-performance.ts';

const NOW = new Date('2027-02-20T12:00:00Z');
const exposures = (treatedRevenue: number) => ({
  matched: 400, fired: 300, holdout: 100, sent: 300, converted: 20, revenue: 1200,
  exposures_treated: 300, exposures_control: 100, exposure_converted_treated: 30, exposure_converted_control: 5,
  exposure_revenue_treated: treatedRevenue, exposure_revenue_sq_treated: treatedRevenue * 60, exposure_revenue_control: 250, exposure_revenue_sq_control: 12_500,
});

function outcomeWith(treatedRevenue: number, catalog: string): ReplayOutcome {
  const report = triggerPerformance({
    triggers: [{ id: 'cart', kind: 'rule', description: 'c', active: true, holdout: { windowHours: 168 } }, { id: 'plain', kind: 'rule', description: 'p', active: true }],
    rollups: new Map([['cart', [{ scope: 'cart', day: '2027-02-01', counters: exposures(treatedRevenue) }]], ['plain', [{ scope: 'plain', day: '2027-02-01', counters: { matched: 3, fired: 3, sent: 3 } }]]]),
    now: NOW,
  });
  return {
    catalog,
    stream: { file: 'x.jsonl', from: '2027-01-01', to: '2027-02-10', events: 10, skippedLines: 0, filteredOut: 0 },
    events: { put: 10, acceptedByBus: 10, refusedByBus: 0, rejectedAsMalformed: 0 },
    ...triggersFromReport(report),
    sendsByTrigger: {},
    emailsInSesStore: 303,
  };
}

describe('replay outcomes with a holdout', () => {
  it('carry each holdout rule\'s incremental revenue (all closed cohorts) and show it beside the attributed revenue, in a replay and in a comparison', () => {
    const baseline = outcomeWith(1500, 'shipped');
    const cart = baseline.triggers.find((t) => t.id === 'cart')!;
    expect(cart.incrementality).toMatchObject({ treated: 300, control: 100, incrementalRevenue: { estimate: 750 } });
    expect(baseline.triggers.find((t) => t.id === 'plain')!.incrementality).toBeUndefined();
    const text = renderOutcome(baseline);
    expect(text).toContain('Attributed and incremental revenue');
    expect(text).toMatch(/cart\s+1200\.00\s+750\.00 \[-?\d+\.\d\d, \d+\.\d\d\]/);
    const alternative = outcomeWith(3000, 'cheaper.json');
    const compared = renderComparison(baseline, alternative, compareOutcomes(baseline, alternative));
    expect(compared).toMatch(/cart\s+1200\.00\s+750\.00 \[.*\]\s+\S.*1200\.00\s+2250\.00 \[1250\.08, 3249\.92\]/);
  });
});

describe('a rule that starts a sequence', () => {
  it('is attributed its sequence\'s step emails\' revenue beside its incremental revenue (it sends nothing itself)', () => {
    const report = triggerPerformance({
      triggers: [
        { id: 'cart_start', kind: 'rule', description: 'c', active: true, startsSequence: 'recovery', holdout: { windowHours: 168 } },
        { id: 'seq_recovery__first', kind: 'sequence_step', description: 's1', active: true },
        { id: 'seq_recovery__second', kind: 'sequence_step', description: 's2', active: true },
        { id: 'seq_other__first', kind: 'sequence_step', description: 'o', active: true },
      ],
      rollups: new Map([
        ['cart_start', [{ scope: 'cart_start', day: '2027-02-01', counters: { ...exposures(1500), sent: 0, converted: 0, revenue: 0 } }]],
        ['seq_recovery__first', [{ scope: 'seq_recovery__first', day: '2027-02-01', counters: { sent: 300, converted: 9, revenue: 900 } }]],
        ['seq_recovery__second', [{ scope: 'seq_recovery__second', day: '2027-02-02', counters: { sent: 200, converted: 2, revenue: 150.5 } }]],
        ['seq_other__first', [{ scope: 'seq_other__first', day: '2027-02-02', counters: { sent: 50, converted: 1, revenue: 77 } }]],
      ]),
      now: NOW,
    });
    const outcome: ReplayOutcome = { ...outcomeWith(1500, 'shipped'), ...triggersFromReport(report) };
    expect(outcome.triggers.find((t) => t.id === 'cart_start')!.startsSequence).toBe('recovery');
    expect(renderOutcome(outcome)).toMatch(/cart_start\s+1050\.50\s+750\.00 \[/);
  });
});
