import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { makeRunSequenceStep, type SequenceStepInput } from '#shared/services/run-sequence-step.ts';
import { fakeServiceDeps } from '../support/fakes.ts';

function setup(start = '2026-11-23T10:00:00Z') {
  let now = new Date(start);
  const deps = fakeServiceDeps(defaultCatalog, { now: () => now });
  let n = 0;
  const ingest = makeIngestEvent(deps);
  return {
    ...deps,
    step: makeRunSequenceStep(deps),
    put: (type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
      ingest({ source: 'shop.web', 'detail-type': type, detail: { eventId: `e${++n}`, customerId: 'c1', occurredAt: now.toISOString(), properties, ...extra } }),
    at: (iso: string) => (now = new Date(iso)),
  };
}

const run = (sequenceId: string, stepIndex: number, startedAt = '2026-11-23T10:00:00Z', startStage: string | null = 'prospect'): SequenceStepInput => ({
  runId: `${sequenceId}-c1-start1`,
  sequenceId,
  customerId: 'c1',
  startedAt,
  startStage,
  stepIndex,
  trigger: { eventId: 'start1', type: 'LifecycleStageChanged', occurredAt: startedAt, properties: {} },
});

describe('a nurture sequence step', () => {
  it('sends the step through the decision path, tagged with the sequence and step, and says when the next is due', async () => {
    const s = setup();
    await s.put('subscribe', {}, { email: 'c1@example.com' });
    const first = await s.step(run('welcome_series', 0));
    expect(first).toMatchObject({ type: 'stepped', stepId: 'hello', next: { stepIndex: 1, dueAt: '2026-11-25T10:00:00.000Z' } });
    expect(s.sendQueue.sent.at(-1)).toMatchObject({ ruleId: 'seq_welcome_series__hello', templateId: 'welcome_series_hello' });
    expect(s.decisions.records.at(-1)).toMatchObject({ via: 'sequence', outcome: 'queued', ruleId: 'seq_welcome_series__hello' });
    s.at('2026-11-28T10:00:00Z');
    const last = await s.step(run('welcome_series', 2));
    expect(last).toMatchObject({ type: 'stepped', stepId: 'getting_started', next: null });
  });

  it('a retried step sends once (same send id)', async () => {
    const s = setup();
    await s.put('subscribe', {}, { email: 'c1@example.com' });
    await s.step(run('welcome_series', 0));
    await s.step(run('welcome_series', 0));
    expect(new Set(s.sendQueue.sent.filter((r) => r.ruleId.startsWith('seq_')).map((r) => r.sendId)).size).toBe(1);
  });

  it('stops when an exit goal is met: a purchase after cart recovery started, an unsubscribe', async () => {
    const s = setup();
    await s.put('subscribe', {}, { email: 'c1@example.com' });
    await s.put('cart_add', { productId: 'p', cartValue: 80 });
    s.at('2026-11-23T10:30:00Z');
    await s.put('purchase', { orderId: 'o1', amount: 80 });
    s.at('2026-11-24T10:00:00Z');
    const cart = await s.step(run('cart_recovery', 1, '2026-11-23T10:00:00Z', null));
    expect(cart).toEqual({ type: 'exited', reason: { type: 'event', eventType: 'purchase', at: '2026-11-23T10:30:00.000Z' } });
    // The purchase also moved the customer on from prospect, which ends the prospect's welcome series.
    expect(await s.step(run('welcome_series', 1))).toMatchObject({ type: 'exited', reason: { type: 'stage_changed', from: 'prospect', to: 'new_customer' } });
    const fresh = setup();
    await fresh.put('subscribe', {}, { email: 'c1@example.com' });
    await fresh.put('unsubscribe');
    expect(await fresh.step(run('welcome_series', 1))).toMatchObject({ type: 'exited', reason: { type: 'unsubscribed' } });
    const sequenceSends = [...s.sendQueue.sent, ...fresh.sendQueue.sent].filter((r) => r.ruleId.startsWith('seq_'));
    expect(sequenceSends).toEqual([]);
  });

  it('an unknown sequence or step is an error (the runner retries, then the DLQ keeps it); a missing customer ends the run', async () => {
    const s = setup();
    await expect(s.step(run('no_such_sequence', 0))).rejects.toThrow(/not in the catalog/);
    await expect(s.step(run('welcome_series', 9))).rejects.toThrow(RangeError);
    expect(await s.step(run('welcome_series', 0))).toEqual({ type: 'exited', reason: { type: 'no_profile' } });
  });
});
