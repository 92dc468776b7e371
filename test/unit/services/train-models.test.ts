import { describe, expect, it } from 'vitest';
import { defaultCatalog, segmentationOf } from '#shared/catalog/index.ts';
import { parseBehaviorEvent, type BehaviorEvent } from '#shared/contract/index.ts';
import { churnExamplesFromHistory } from '#shared/domain/predictive/churn-examples.ts';
import type { TrainingReport } from '#shared/domain/predictive/model-records.ts';
import { makeTrainChurnModel } from '#shared/services/train-churn-model.ts';
import { generateChurnPopulation } from '../../../events/generators/churn-population.ts';
import { InMemoryChurnSnapshots, silentLog } from '../support/fakes.ts';

const START = '2026-01-05T00:00:00Z';
const day = (n: number) => new Date(Date.parse(START) + n * 86_400_000);

/** What the weekly scoring would have kept for a generated population: labelled snapshots at each cutoff. */
async function labelledSnapshots(customers: number, cutoffs: number[]): Promise<InMemoryChurnSnapshots> {
  const { entries } = generateChurnPopulation({ customers, days: 120, seed: 21, start: START });
  const eventsByCustomer = new Map<string, BehaviorEvent[]>();
  for (const entry of entries) {
    const parsed = parseBehaviorEvent({ source: entry.Source, detailType: entry.DetailType, detail: entry.Detail });
    if (!parsed.ok) throw new Error('invalid generated event');
    eventsByCustomer.set(parsed.event.customerId, [...(eventsByCustomer.get(parsed.event.customerId) ?? []), parsed.event]);
  }
  const store = new InMemoryChurnSnapshots();
  for (const cutoff of cutoffs) {
    const examples = churnExamplesFromHistory({ eventsByCustomer, cutoff: day(cutoff), churnWindowDays: 30, catalog: segmentationOf(defaultCatalog), historyEnd: day(120) });
    for (const [index, customerId] of examples.customerIds.entries()) {
      await store.put({ customerId, at: day(cutoff).toISOString(), features: examples.rows[index]!, label: examples.labels[index] as 0 | 1 });
    }
  }
  return store;
}

function setup(snapshots: InMemoryChurnSnapshots) {
  const saved: { models: Array<{ modelId: string }>; reports: TrainingReport[] } = { models: [], reports: [] };
  const train = makeTrainChurnModel({
    snapshots,
    models: { saveChurnModel: async (m) => void saved.models.push(m), saveTrainingReport: async (r) => void saved.reports.push(r) },
    clock: { now: () => day(120) },
    log: silentLog,
  });
  return { train, saved };
}

describe('the churn training', () => {
  it('trains on the older snapshots, judges on the newest, and keeps a model that beats the heuristic', async () => {
    const { train, saved } = setup(await labelledSnapshots(400, [40, 55, 70, 85]));
    const report = await train();
    expect(report).toMatchObject({ outcome: 'trained', modelId: 'churn-2026-05-05', holdout: { from: '2026-03-31' } });
    expect(report.holdout!.auc).toBeGreaterThan(report.holdout!.heuristicAuc);
    expect(report.featureImportances).toHaveLength(15);
    expect(saved.models.map((m) => m.modelId)).toEqual(['churn-2026-05-05']);
    expect(saved.reports).toEqual([report]);
  }, 120_000);

  it('with too little history keeps the heuristic and says why', async () => {
    const { train, saved } = setup(await labelledSnapshots(30, [40]));
    const report = await train();
    expect(report).toMatchObject({ outcome: 'not_enough_history', modelId: null, holdout: null });
    expect(report.reason).toMatch(/training needs 200/);
    expect(saved.models).toEqual([]);
    expect(saved.reports).toHaveLength(1);
  }, 60_000);
});
