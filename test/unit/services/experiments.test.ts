import { describe, expect, it } from 'vitest';
import { defaultCatalogInput, loadCatalog } from '#shared/catalog/index.ts';
import { emptyVariantCounters, variantScope, type ExperimentWinners, type RecordedWinner } from '#shared/domain/experiments.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import type { RollupIncrement } from '#shared/domain/reports/rollups.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import type { TriggerRuleInput } from '#shared/domain/trigger-rules.ts';
import { makeExperimentWinnerCheck } from '#shared/services/check-experiments.ts';
import { makeDispatchSend } from '#shared/services/dispatch-send.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { makeExperimentsReport } from '#shared/services/reports/experiments.ts';
import { buildEvent } from '../support/build-event.ts';
import { fakeServiceDeps, InMemoryErasures, InMemoryLedger, InMemoryProfiles, InMemorySuppression, ScriptedSender, silentLog } from '../support/fakes.ts';

const NOW = new Date('2026-11-24T12:00:00Z');

class InMemoryWinners implements ExperimentWinners {
  readonly items = new Map<string, RecordedWinner>();
  async find(keys: readonly string[]) {
    return new Map(keys.flatMap((key) => (this.items.has(key) ? [[key, this.items.get(key)!] as const] : [])));
  }
  async record(winner: RecordedWinner) {
    const key = `${winner.scopeId}:${winner.experimentId}`;
    if (this.items.has(key)) return false;
    this.items.set(key, winner);
    return true;
  }
}

const promo: TriggerRuleInput = {
  id: 'promo',
  description: 'promo',
  priority: 10,
  trigger: { type: 'behavioral', eventType: 'purchase' },
  templateId: 'welcome',
  experiment: {
    id: 'copy',
    variants: [{ id: 'plain' }, { id: 'bold', subject: 'Bold {{ first_name | default: "friend" }}' }],
    autoWinner: { metric: 'open_rate', minSendsPerVariant: 100, confidence: 0.95 },
  },
};

describe('dispatch with a variant', () => {
  it('renders the variant\'s subject and preheader instead of the template\'s, and only then', async () => {
    const change = applyEvent(undefined, buildEvent({ type: 'subscribe', customerId: 'c1', email: 'c1@example.com', occurredAt: '2026-11-20T11:00:00Z' }), NOW);
    if (change.type !== 'applied') throw new Error('expected applied');
    const profiles = new InMemoryProfiles();
    profiles.items.set('c1', change.profile as Profile);
    const sender = new ScriptedSender([]);
    const dispatch = makeDispatchSend({
      ledger: new InMemoryLedger(),
      sender,
      profiles,
      suppression: new InMemorySuppression(),
      erasures: new InMemoryErasures(),
      links: { baseUrl: 'https://links.example.com/', keyring: async () => ({ current: { id: 'k1', key: 'a-test-secret-of-at-least-32-characters!!' }, previous: [] }) },
      catalog: loadCatalog(defaultCatalogInput),
      clock: { now: () => NOW },
      log: silentLog,
    });
    const base: SendRequest = {
      sendId: 's1',
      customerId: 'c1',
      ruleId: 'promo',
      templateId: 'welcome',
      category: 'marketing',
      email: 'c1@example.com',
      decidedAt: NOW.toISOString(),
      trigger: { eventId: 'e1', type: 'purchase', occurredAt: NOW.toISOString() },
      conditions: [],
      personalization: { firstName: 'Ana', eventProperties: {} },
    };
    await dispatch({ ...base, experimentId: 'copy', variantId: 'bold', overrides: { subject: 'Bold {{ first_name }}', preheader: 'Only for {{ first_name }}' } });
    await dispatch({ ...base, sendId: 's2' });
    expect(sender.sent[0]).toMatchObject({ subject: 'Bold Ana' });
    expect(sender.sent[0]!.html).toContain('Only for Ana');
    expect(sender.sent[1]!.subject).toMatch(/^Welcome to /);
    expect(sender.sent[1]!.html).not.toContain('Only for');
  });
});

describe('the decision path and a recorded winner', () => {
  const setup = (winners?: InMemoryWinners) => {
    const deps = fakeServiceDeps(loadCatalog({ ...defaultCatalogInput, rules: [promo] }), { now: () => NOW });
    const ingest = makeIngestEvent({ ...deps, ...(winners ? { winners } : {}) });
    let n = 0;
    const event = (customerId: string, type: string, extra: Record<string, unknown> = {}) => ({
      source: 'shop.web',
      'detail-type': type,
      detail: { eventId: `e${++n}`, customerId, occurredAt: NOW.toISOString(), properties: type === 'purchase' ? { orderId: `o${n}`, amount: 10 } : {}, ...extra },
    });
    return { deps, ingest, event };
  };
  const customers = Array.from({ length: 40 }, (_, i) => `c${i}`);

  it('without a winner the customers are split and each decision records its variant; with one, all get the winner, marked so', async () => {
    const split = setup();
    for (const id of customers) {
      await split.ingest(split.event(id, 'subscribe', { email: `${id}@example.com` }));
      await split.ingest(split.event(id, 'purchase'));
    }
    const queued = split.deps.decisions.records.filter((r) => r.outcome === 'queued');
    expect(queued).toHaveLength(customers.length);
    expect(new Set(queued.map((r) => r.variantId))).toEqual(new Set(['plain', 'bold']));
    expect(queued.every((r) => r.experimentId === 'copy' && r.variantBy === undefined)).toBe(true);
    expect(split.deps.sendQueue.sent.map((r) => r.variantId)).toEqual(queued.map((r) => r.variantId));

    const winners = new InMemoryWinners();
    winners.items.set('promo:copy', { scopeId: 'promo', experimentId: 'copy', variantId: 'bold', decidedAt: NOW.toISOString(), metric: 'open_rate', confidence: 0.95, minSendsPerVariant: 100, evidence: [], counters: {} });
    const won = setup(winners);
    for (const id of customers) {
      await won.ingest(won.event(id, 'subscribe', { email: `${id}@example.com` }));
      await won.ingest(won.event(id, 'purchase'));
    }
    const after = won.deps.decisions.records.filter((r) => r.outcome === 'queued');
    expect(after.map((r) => [r.variantId, r.variantBy])).toEqual(customers.map(() => ['bold', 'winner']));
    expect(won.deps.sendQueue.sent.every((r) => r.overrides?.subject === 'Bold {{ first_name | default: "friend" }}')).toBe(true);
  });
});

describe('the scheduled winner check', () => {
  it('records the winner once, with its evidence and time, and the report shows it; a report never records one', async () => {
    const catalog = loadCatalog({ ...defaultCatalogInput, rules: [promo] });
    const days = new Map<string, RollupIncrement[]>();
    const set = (variant: string, sent: number, opened: number) => days.set(variantScope('promo', 'copy', variant), [{ scope: '', day: '2026-11-24', counters: { sent, delivered: sent, opened } }]);
    const rollups = { days: async (scope: string) => days.get(scope) ?? [] };
    const winners = new InMemoryWinners();
    const check = makeExperimentWinnerCheck({ rollups, winners, catalog, clock: { now: () => NOW }, log: silentLog });
    const report = makeExperimentsReport({ rollups, winners, catalog, clock: { now: () => NOW } });

    set('plain', 99, 20);
    set('bold', 150, 90);
    expect(await check()).toEqual([{ scopeId: 'promo', experimentId: 'copy', type: 'too_few_sends', variantId: 'plain', sends: 99, needed: 100 }]);
    set('plain', 400, 80);
    set('bold', 400, 80);
    expect(await check()).toMatchObject([{ type: 'no_winner' }]);
    set('bold', 400, 160);
    // The report shows where the verdict stands but records nothing.
    expect((await report()).experiments[0]).toMatchObject({ autoWinner: { verdict: { type: 'winner', variantId: 'bold' } } });
    expect(winners.items.size).toBe(0);
    const [outcome] = await check();
    expect(outcome).toMatchObject({ type: 'recorded', winner: { variantId: 'bold', decidedAt: NOW.toISOString(), metric: 'open_rate', evidence: [{ against: 'plain' }], counters: { plain: { ...emptyVariantCounters(), sent: 400, delivered: 400, opened: 80 } } } });
    // Later data cannot move it.
    set('plain', 4_000, 4_000);
    expect(await check()).toEqual([{ scopeId: 'promo', experimentId: 'copy', type: 'already_decided', variantId: 'bold' }]);
    expect((await report()).experiments[0]!.recordedWinner).toEqual({ variantId: 'bold', decidedAt: NOW.toISOString() });
  });
});
