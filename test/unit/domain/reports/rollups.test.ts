import { describe, expect, it } from 'vitest';
import { mergeIncrements, rollupIncrements, type RollupIncrement } from '#shared/domain/reports/rollups.ts';
import { SEGMENT_PERFORMANCE_COUNTERS } from '#shared/domain/reports/segment-performance.ts';
import { triggerPerformance } from '#shared/domain/reports/trigger-performance.ts';

const decision = (outcome: string, extra: Record<string, unknown> = {}) => ({ kind: 'decision', ruleId: 'r1', decidedAt: '2026-11-20T10:00:00Z', outcome, ...extra });
const send = (extra: Record<string, unknown> = {}) => ({ kind: 'send', ruleId: 'r1', sendId: 's1', status: 'sending', ...extra });

/** The increments of the rule's own rollup (every send and conversion also counts for segment:*). */
const ruleRollups = (...images: Parameters<typeof rollupIncrements>) => rollupIncrements(...images).filter((increment) => increment.scope === 'r1');

describe('rollup increments from table changes', () => {
  it('count a new decision as matched, plus its outcome (fired for queued and sequence starts, the suppression reason)', () => {
    expect(rollupIncrements(undefined, decision('queued'))).toEqual([{ scope: 'r1', day: '2026-11-20', counters: { matched: 1, fired: 1 } }]);
    expect(rollupIncrements(undefined, decision('sequence_started'))[0]?.counters).toEqual({ matched: 1, fired: 1, sequences_started: 1 });
    expect(rollupIncrements(undefined, decision('suppressed', { reason: 'global_cap' }))[0]?.counters).toEqual({ matched: 1, suppressed: 1, suppressed_global_cap: 1 });
    expect(rollupIncrements(undefined, decision('holdout'))[0]?.counters).toEqual({ matched: 1, holdout: 1 });
    expect(rollupIncrements(undefined, decision('goal_met', { reason: 'follow_up_seen' }))[0]?.counters).toEqual({ matched: 1, goal_met: 1 });
  });

  it('write to a segment only counters a report reads (issue 23): failed, bounced and rejected sends and the conversion count go to the rule alone', () => {
    const segments = ['vip'];
    const sending = send({ segments });
    const transitions: Array<[Record<string, unknown> | undefined, Record<string, unknown>]> = [
      [sending, { ...sending, status: 'sent', sentAt: '2026-11-20T10:00:00Z' }],
      [sending, { ...sending, status: 'failed', failedAt: '2026-11-20T10:00:00Z' }],
      ...(['delivered', 'bounced', 'rejected', 'complained'] as const).map((outcome): [Record<string, unknown>, Record<string, unknown>] => [sending, { ...sending, outcome, outcomeAt: '2026-11-20T10:00:00Z' }]),
      ...(['firstOpenAt', 'firstClickAt', 'convertedAt', 'unsubscribedAt'] as const).map((at): [Record<string, unknown>, Record<string, unknown>] => [sending, { ...sending, [at]: '2026-11-20T10:00:00Z' }]),
      [undefined, { kind: 'conversion', ruleId: 'r1', convertedAt: '2026-11-21T09:00:00Z', revenue: 20, segments }],
    ];
    const read = new Set<string>(SEGMENT_PERFORMANCE_COUNTERS);
    const written = new Set<string>();
    for (const [before, after] of transitions) {
      const increments = rollupIncrements(before, after);
      expect(increments.filter((i) => i.scope === 'r1')).toHaveLength(1); // the rule counts every step
      for (const i of increments.filter((i) => i.scope.startsWith('segment:'))) for (const name of Object.keys(i.counters)) written.add(name);
    }
    expect([...written].filter((name) => !read.has(name))).toEqual([]);
    expect(rollupIncrements(sending, { ...sending, status: 'failed', failedAt: '2026-11-20T10:00:00Z' }).map((i) => i.scope)).toEqual(['r1']);
  });

  it('count nothing for a decision taken again (a redelivery: `repeat`), or rewritten in place', () => {
    expect(rollupIncrements(undefined, decision('queued', { repeat: true }))).toEqual([]);
    expect(rollupIncrements(decision('queued'), decision('queued'))).toEqual([]);
  });

  it('count a send once per step it first reaches, on the day it happened', () => {
    expect(ruleRollups(send(), send({ status: 'sent', sentAt: '2026-11-20T10:01:00Z' }))).toEqual([{ scope: 'r1', day: '2026-11-20', counters: { sent: 1 } }]);
    const sent = send({ status: 'sent', sentAt: '2026-11-20T10:01:00Z' });
    expect(ruleRollups(sent, { ...sent, outcome: 'delivered', outcomeAt: '2026-11-20T10:01:05Z' })).toEqual([{ scope: 'r1', day: '2026-11-20', counters: { delivered: 1 } }]);
    const delivered = { ...sent, outcome: 'delivered', outcomeAt: '2026-11-20T10:01:05Z' };
    // Opened the next day: counted that day. A second open moves lastOpenAt only: nothing.
    const opened = { ...delivered, firstOpenAt: '2026-11-21T08:00:00Z', lastOpenAt: '2026-11-21T08:00:00Z' };
    expect(ruleRollups(delivered, opened)).toEqual([{ scope: 'r1', day: '2026-11-21', counters: { opened: 1 } }]);
    expect(ruleRollups(opened, { ...opened, lastOpenAt: '2026-11-22T08:00:00Z' })).toEqual([]);
    const clickedAndConverted = { ...opened, firstClickAt: '2026-11-21T08:01:00Z', convertedAt: '2026-11-21T09:00:00Z' };
    expect(mergeIncrements(ruleRollups(opened, clickedAndConverted))).toEqual([{ scope: 'r1', day: '2026-11-21', counters: { clicked: 1, converted: 1 } }]);
    // A complaint after delivery counts too; the same outcome written again does not.
    expect(ruleRollups(delivered, { ...delivered, outcome: 'complained', outcomeAt: '2026-11-22T00:00:00Z' })[0]?.counters).toEqual({ complained: 1 });
    expect(ruleRollups(delivered, { ...delivered })).toEqual([]);
  });

  it('count a new conversion with its revenue; other kinds of items add nothing', () => {
    expect(ruleRollups(undefined, { kind: 'conversion', ruleId: 'r1', convertedAt: '2026-11-21T09:00:00Z', revenue: 49.9 })).toEqual([{ scope: 'r1', day: '2026-11-21', counters: { conversions: 1, revenue: 49.9 } }]);
    expect(rollupIncrements(undefined, { kind: 'profile', customerId: 'c1' })).toEqual([]);
    expect(rollupIncrements(undefined, { kind: 'rollup', ruleId: 'r1', day: '2026-11-21' })).toEqual([]);
    expect(rollupIncrements({ kind: 'send' }, undefined)).toEqual([]); // a deletion (TTL, erase) does not un-count history
  });

  it('count the outcomes of a send, its unsubscribe and the revenue of its conversion for each segment it left in, and for all sends', () => {
    const sent = send({ status: 'sent', sentAt: '2026-11-20T10:01:00Z', segments: ['vip', 'win_back'] });
    expect(rollupIncrements(sent, { ...sent, unsubscribedAt: '2026-11-20T12:00:00Z' }).map((i) => `${i.scope}:${JSON.stringify(i.counters)}`)).toEqual([
      'r1:{"unsubscribed":1}',
      'segment:vip:{"unsubscribed":1}',
      'segment:win_back:{"unsubscribed":1}',
      'segment:*:{"unsubscribed":1}',
    ]);
    // 20 × 20 = 400: the square feeds the variance of revenue per email.
    const conversion = { kind: 'conversion', ruleId: 'r1', convertedAt: '2026-11-21T09:00:00Z', revenue: 20, segments: ['vip'] };
    expect(rollupIncrements(undefined, conversion)).toEqual([
      { scope: 'r1', day: '2026-11-21', counters: { conversions: 1, revenue: 20 } },
      { scope: 'segment:vip', day: '2026-11-21', counters: { revenue: 20, revenue_sq: 400 } },
      { scope: 'segment:*', day: '2026-11-21', counters: { revenue: 20, revenue_sq: 400 } },
    ]);
  });

  it('merge per rule and day, revenue exact to the cent', () => {
    const merged = mergeIncrements([
      { scope: 'r1', day: '2026-11-21', counters: { revenue: 0.1 } },
      { scope: 'r2', day: '2026-11-21', counters: { sent: 1 } },
      { scope: 'r1', day: '2026-11-21', counters: { revenue: 0.2, conversions: 1 } },
    ]);
    expect(merged).toEqual([
      { scope: 'r1', day: '2026-11-21', counters: { revenue: 0.3, conversions: 1 } },
      { scope: 'r2', day: '2026-11-21', counters: { sent: 1 } },
    ]);
  });
});

describe('the trigger-performance report', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const rollups = new Map<string, RollupIncrement[]>([
    [
      'r1',
      [
        { scope: 'r1', day: '2026-09-01', counters: { matched: 10, fired: 5, sent: 5, delivered: 5, opened: 1, revenue: 100 } },
        { scope: 'r1', day: '2026-10-25', counters: { matched: 4, fired: 4, sent: 4, delivered: 4, opened: 2, clicked: 1, converted: 1, revenue: 50, suppressed: 0 } },
        { scope: 'r1', day: '2026-11-23', counters: { matched: 6, fired: 2, suppressed: 4, suppressed_cooldown: 3, suppressed_global_cap: 1, sent: 2, delivered: 1, bounced: 1 } },
      ],
    ],
  ]);
  const report = triggerPerformance({ triggers: [{ id: 'r1', kind: 'rule', description: 'one', active: true }, { id: 'never', kind: 'rule', description: 'two', active: false }], rollups, now });

  it('sums the last 30 UTC days (from 2026-10-25 to today) and all time, with rates against the right denominators', () => {
    expect(report.last30Days).toEqual({ from: '2026-10-25', to: '2026-11-23' });
    const [r1] = report.rows;
    expect(r1?.last30Days).toMatchObject({ matched: 10, fired: 6, sent: 6, delivered: 5, bounced: 1, opened: 2, clicked: 1, converted: 1, revenue: 50, suppressed: { total: 4, byReason: { cooldown: 3, global_cap: 1, rule_cap: 0 } } });
    // fire 6/10, delivery 5/6, open 2/5, click 1/5, click-to-open 1/2, conversion 1/5, revenue per send 50/6
    expect(r1?.last30Days.rates).toEqual({ fire: 0.6, delivery: 0.8333, open: 0.4, click: 0.2, clickToOpen: 0.5, conversion: 0.2, revenuePerSend: 8.33 });
    expect(r1?.allTime).toMatchObject({ matched: 20, fired: 11, sent: 11, revenue: 150 });
    // The trend: one point per day of the window; the 2026-09-01 day is outside it.
    expect(report.daily).toHaveLength(30);
    expect(report.daily[0]).toEqual({ day: '2026-10-25', sent: 4, delivered: 4, opened: 2, clicked: 1, converted: 1, revenue: 50 });
    expect(report.daily[29]).toEqual({ day: '2026-11-23', sent: 2, delivered: 1, opened: 0, clicked: 0, converted: 0, revenue: 0 });
    expect(report.daily.slice(1, 29).every((d) => d.sent === 0)).toBe(true);
  });

  it('lists a rule that never matched with zeros and no rates, and totals every row', () => {
    expect(report.rows[1]).toMatchObject({ id: 'never', active: false, allTime: { matched: 0, sent: 0, rates: { fire: null, open: null, revenuePerSend: null } } });
    expect(report.totals.allTime).toMatchObject({ matched: 20, revenue: 150 });
  });
});
