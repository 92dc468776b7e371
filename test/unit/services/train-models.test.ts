import { describe, expect, it } from 'vitest';
import { defaultCatalog, segmentationOf } from '#shared/catalog/index.ts';
import { parseBehaviorEvent, type BehaviorEvent } from '#shared/contract/index.ts';
import { churnExamplesFromHistory } from '#shared/domain/predictive/churn-examples.ts';
import type { ClassifierHoldout, RegressionHoldout, StoredModel, TrainingReport } from '#shared/domain/predictive/model-records.ts';
import type { Profile } from '#shared/domain/profile.ts';
import { makeTrainModels } from '#shared/services/train-models.ts';
import { generateChurnPopulation } from '../../../events/generators/churn-population.ts';
import { InMemoryTrainingSnapshots, silentLog } from '../support/fakes.ts';

const START = '2026-01-05T00:00:00Z';
const day = (n: number) => new Date(Date.parse(START) + n * 86_400_000);
/** The value horizon is shortened to 30 days here, so 120 generated days give labelled revenue at every cutoff. */
const settings = { ...defaultCatalog.settings.predictive, valueHorizonDays: 30 };

/** What the weekly scoring would have kept for a generated population: snapshots at each cutoff, with their outcomes. */
async function labelledSnapshots(customers: number, cutoffs: number[]): Promise<InMemoryTrainingSnapshots> {
  const { entries } = generateChurnPopulation({ customers, days: 120, seed: 21, start: START });
  const eventsByCustomer = new Map<string, BehaviorEvent[]>();
  for (const entry of entries) {
    const parsed = parseBehaviorEvent({ source: entry.Source, detailType: entry.DetailType, detail: entry.Detail });
    if (!parsed.ok) throw new Error('invalid generated event');
    eventsByCustomer.set(parsed.event.customerId, [...(eventsByCustomer.get(parsed.event.customerId) ?? []), parsed.event]);
  }
  const store = new InMemoryTrainingSnapshots();
  for (const cutoff of cutoffs) {
    const examples = churnExamplesFromHistory({ eventsByCustomer, cutoff: day(cutoff), churnWindowDays: 30, catalog: segmentationOf(defaultCatalog), historyEnd: day(120), purchaseWindowDays: 30, valueHorizonDays: 30 });
    for (const [index, customerId] of examples.customerIds.entries()) {
      const revenue = examples.revenue[index];
      await store.put({
        customerId,
        at: day(cutoff).toISOString(),
        features: examples.rows[index]!,
        label: examples.labels[index] as 0 | 1,
        purchased: examples.purchased[index] as 0 | 1,
        ...(revenue === null || revenue === undefined ? {} : { revenue }),
      });
    }
  }
  return store;
}

/** Profiles whose content categories go together in two groups (outdoor, home). */
function categoryProfiles(count: number): Profile[] {
  return Array.from({ length: count }, (_, i) => ({ categories: i % 2 === 0 ? { garden: 3, tools: 2 } : { kitchen: 4, decor: 1 } }) as unknown as Profile);
}

function setup(snapshots: InMemoryTrainingSnapshots, profiles: Profile[] = []) {
  const saved: { models: StoredModel[]; reports: TrainingReport[] } = { models: [], reports: [] };
  const train = makeTrainModels({
    snapshots,
    scanner: { async *scanSegment(segment: number) { if (segment === 0 && profiles.length > 0) yield { profiles, quarantined: 0 }; } },
    totalSegments: 2,
    models: { saveModel: async (m) => void saved.models.push(m), saveTrainingReport: async (r) => void saved.reports.push(r) },
    settings,
    clock: { now: () => day(120) },
    log: silentLog,
  });
  return { train, saved };
}

describe('the weekly training', () => {
  it('trains every model on the older snapshots, judges it on the newest, and keeps those that beat their heuristic', async () => {
    const { train, saved } = setup(await labelledSnapshots(400, [40, 55, 70, 85]), categoryProfiles(60));
    const run = await train();

    expect(run.churn).toMatchObject({ outcome: 'trained', modelId: 'churn-2026-05-05', holdout: { from: '2026-03-31' } });
    const churn = run.churn.holdout as ClassifierHoldout;
    expect(churn.auc).toBeGreaterThan(churn.heuristicAuc);
    expect(run.churn.featureImportances).toHaveLength(15);

    // Purchase intent and value: reported against their heuristics on the same holdout, kept only when better.
    const intent = run.purchase_intent.holdout as ClassifierHoldout;
    expect(intent).toMatchObject({ from: '2026-03-31', threshold: 0.8 });
    expect(intent.positives).toBeGreaterThan(0);
    expect(run.purchase_intent.outcome).toBe(intent.auc > intent.heuristicAuc ? 'trained' : 'kept_heuristic');
    const value = run.value.holdout as RegressionHoldout;
    expect(value.mae).toBeGreaterThan(0);
    expect(run.value.outcome).toBe(value.mae < value.heuristicMae ? 'trained' : 'kept_heuristic');

    expect(run.content_interests).toMatchObject({ outcome: 'trained', modelId: 'content_interests-2026-05-05', examples: 60 });
    const kept = saved.models.map((m) => m.kind);
    expect(kept).toContain('churn');
    expect(kept).toContain('content_interests');
    expect(kept.includes('purchase_intent')).toBe(run.purchase_intent.outcome === 'trained');
    expect(saved.reports.map((r) => r.kind).sort()).toEqual(['churn', 'content_interests', 'purchase_intent', 'value']);
  }, 180_000);

  it('with too little history keeps every heuristic and says why', async () => {
    const { train, saved } = setup(await labelledSnapshots(30, [40]));
    const run = await train();
    for (const report of Object.values(run)) expect(report).toMatchObject({ outcome: 'not_enough_history', modelId: null, holdout: null });
    expect(run.churn.reason).toMatch(/training needs 200/);
    expect(run.content_interests.reason).toMatch(/need 50/);
    expect(saved.models).toEqual([]);
    expect(saved.reports).toHaveLength(4);
  }, 60_000);
});
