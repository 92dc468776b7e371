import { describe, expect, it } from 'vitest';
import { compareOutcomes } from '#local/replay/compare-outcomes.ts';
import type { ReplayOutcome, TriggerOutcome } from '#local/replay/replay-outcome.ts';

const noSuppression = { no_email: 0, no_consent: 0, promotional_pause: 0, cooldown: 0, rule_cap: 0, global_cap: 0 };

function trigger(id: string, counts: Partial<Omit<TriggerOutcome, 'id' | 'kind' | 'suppressed'>> & { suppressed?: Partial<typeof noSuppression> } = {}): TriggerOutcome {
  const byReason = { ...noSuppression, ...counts.suppressed };
  const zero = { matched: 0, fired: 0, sequencesStarted: 0, holdout: 0, droppedPriority: 0, deferred: 0, goalMet: 0, sent: 0, failed: 0, delivered: 0, bounced: 0, complained: 0, opened: 0, clicked: 0, converted: 0, revenue: 0 };
  return { id, kind: 'rule', ...zero, ...counts, suppressed: { total: Object.values(byReason).reduce((a, b) => a + b, 0), byReason } };
}

function outcome(catalog: string, triggers: TriggerOutcome[]): ReplayOutcome {
  const sum = (key: 'sent' | 'converted' | 'revenue' | 'matched' | 'fired') => triggers.reduce((total, t) => total + t[key], 0);
  const totals = trigger('totals', { sent: sum('sent'), converted: sum('converted'), revenue: sum('revenue'), matched: sum('matched'), fired: sum('fired'), suppressed: Object.fromEntries(Object.keys(noSuppression).map((r) => [r, triggers.reduce((t, x) => t + x.suppressed.byReason[r as keyof typeof noSuppression], 0)])) });
  const { id: _id, kind: _kind, ...totalCounts } = totals;
  return {
    catalog,
    stream: { file: 's.jsonl', from: null, to: null, events: 0, skippedLines: 0, filteredOut: 0 },
    events: { put: 0, acceptedByBus: 0, refusedByBus: 0, rejectedAsMalformed: 0 },
    triggers,
    totals: totalCounts,
    sendsByTrigger: {},
    emailsInSesStore: 0,
  };
}

describe('compareOutcomes', () => {
  it('lists only the triggers that differ, with alternative minus baseline, and sums it up', () => {
    const baseline = outcome('shipped', [
      trigger('cart', { matched: 400, fired: 350, sent: 312, converted: 41, revenue: 2050.5, suppressed: { cooldown: 38 } }),
      trigger('welcome', { matched: 10, fired: 10, sent: 10 }),
      trigger('winback', { matched: 5, fired: 5, sent: 3, suppressed: { global_cap: 2 } }),
    ]);
    const alternative = outcome('cart-80.ts', [
      trigger('cart', { matched: 400, fired: 0, sent: 0, converted: 0, revenue: 0 }),
      trigger('welcome', { matched: 10, fired: 10, sent: 10 }),
      trigger('winback', { matched: 5, fired: 5, sent: 5 }),
    ]);
    const comparison = compareOutcomes(baseline, alternative);
    expect(comparison.changed.map((c) => c.id)).toEqual(['cart', 'winback']);
    expect(comparison.changed[0]!.delta).toMatchObject({ matched: 0, fired: -350, sent: -312, converted: -41, revenue: -2050.5, suppressed: { cooldown: -38 } });
    expect(comparison.changed[1]!.delta).toMatchObject({ sent: 2, suppressed: { global_cap: -2 } });
    expect(comparison.totals).toMatchObject({ sent: -310, converted: -41 });
    expect(comparison.summary).toBe('the alternative catalog removes 310 sends and removes 41 conversions (revenue -2,050.50)');
  });

  it('counts a trigger only one catalog has against zeros', () => {
    const comparison = compareOutcomes(outcome('a', []), outcome('b', [trigger('new_rule', { matched: 3, fired: 3, sent: 1, converted: 1, revenue: 20 })]));
    expect(comparison.changed).toHaveLength(1);
    expect(comparison.changed[0]!.baseline.sent).toBe(0);
    expect(comparison.summary).toBe('the alternative catalog adds 1 send and adds 1 conversion (revenue +20.00)');
  });

  it('says so when nothing differs', () => {
    const same = [trigger('cart', { matched: 1, fired: 1, sent: 1 })];
    const comparison = compareOutcomes(outcome('a', same), outcome('b', same));
    expect(comparison.changed).toEqual([]);
    expect(comparison.summary).toMatch(/same emails/);
  });
});
