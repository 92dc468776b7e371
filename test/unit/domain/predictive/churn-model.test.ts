import { describe, expect, it } from 'vitest';
import { defaultCatalog, segmentationOf } from '#shared/catalog/index.ts';
import { parseBehaviorEvent, type BehaviorEvent } from '#shared/contract/index.ts';
import { churnExamplesFromHistory } from '#shared/domain/predictive/churn-examples.ts';
import { heuristicChurnRisk, loadChurnModel, trainChurnModel } from '#shared/domain/predictive/forests.ts';
import { calibration, precisionAt, rocAuc } from '#shared/domain/predictive/classifier-metrics.ts';
import { generateChurnPopulation } from '../../../../events/generators/churn-population.ts';

const DAY_MS = 86_400_000;
const START = '2026-01-05T00:00:00Z';
const CHURN_WINDOW_DAYS = 30;

/** The generated population's events, validated by the event contract, per customer in time order. */
function population(customers: number, seed: number) {
  const { entries, customers: truth } = generateChurnPopulation({ customers, days: 120, seed, start: START });
  const eventsByCustomer = new Map<string, BehaviorEvent[]>();
  for (const entry of entries) {
    const parsed = parseBehaviorEvent({ source: entry.Source, detailType: entry.DetailType, detail: entry.Detail });
    if (!parsed.ok) throw new Error(`generated ${entry.DetailType} is not a valid event: ${JSON.stringify(parsed.errors)}`);
    const list = eventsByCustomer.get(parsed.event.customerId) ?? [];
    list.push(parsed.event);
    eventsByCustomer.set(parsed.event.customerId, list);
  }
  return { eventsByCustomer, truth, events: entries.length };
}

const day = (n: number) => new Date(Date.parse(START) + n * DAY_MS);

describe('the churn population generator', () => {
  it('is deterministic in its seed, and its churn follows the hidden propensity', () => {
    const a = generateChurnPopulation({ customers: 200, days: 120, seed: 7, start: START });
    const b = generateChurnPopulation({ customers: 200, days: 120, seed: 7, start: START });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(generateChurnPopulation({ customers: 200, days: 120, seed: 8, start: START }))).not.toBe(JSON.stringify(a));
    const churnRate = (low: number, high: number) => {
      const group = a.customers.filter((c) => c.churnPropensity >= low && c.churnPropensity < high);
      return group.filter((c) => c.churnDay !== null).length / group.length;
    };
    expect(churnRate(0.66, 1)).toBeGreaterThan(churnRate(0, 0.33) + 0.4);
  });
});

describe('the churn model', () => {
  // Train on the history up to day 60 (labels: days 60-90); judge on a later, unseen cutoff: day 90
  // (labels: days 90-120), other customers (a different seed), as the scheduled training would.
  const catalog = segmentationOf(defaultCatalog);
  const train = population(700, 11);
  const holdout = population(700, 12);
  const trainSet = churnExamplesFromHistory({ eventsByCustomer: train.eventsByCustomer, cutoff: day(60), churnWindowDays: CHURN_WINDOW_DAYS, catalog, historyEnd: day(120) });
  const holdoutSet = churnExamplesFromHistory({ eventsByCustomer: holdout.eventsByCustomer, cutoff: day(90), churnWindowDays: CHURN_WINDOW_DAYS, catalog, historyEnd: day(120) });

  it('has enough examples of both kinds to learn from', () => {
    for (const set of [trainSet, holdoutSet]) {
      const churned = set.labels.filter((l) => l === 1).length;
      expect(set.rows.length).toBeGreaterThan(400);
      expect(churned).toBeGreaterThan(40);
      expect(set.rows.length - churned).toBeGreaterThan(100);
    }
  });

  let trained: ReturnType<typeof trainChurnModel> | undefined;
  const model = () => (trained ??= trainChurnModel(trainSet.rows, trainSet.labels, 42));

  it('ranks churners on the time-based holdout better than the fixed-weight heuristic (1 - engagement score)', () => {
    const model_ = model();
    const modelScores = model_.predict(holdoutSet.rows);
    const heuristicScores = holdoutSet.engagementScores.map(heuristicChurnRisk);
    const modelAuc = rocAuc(modelScores, holdoutSet.labels);
    const heuristicAuc = rocAuc(heuristicScores, holdoutSet.labels);
    const atThreshold = precisionAt(modelScores, holdoutSet.labels, 0.8);
    const { brier } = calibration(modelScores, holdoutSet.labels);
    console.log(
      `churn model on the holdout (${holdoutSet.rows.length} customers, ${holdoutSet.labels.filter((l) => l === 1).length} churned): ` +
        `AUC ${modelAuc.toFixed(3)} vs heuristic ${heuristicAuc.toFixed(3)}; precision at 0.8 ${atThreshold.precision.toFixed(2)} (${atThreshold.flagged} flagged, recall ${atThreshold.recall.toFixed(2)}); Brier ${brier.toFixed(3)}`,
    );
    console.log(`feature importances: ${model_.featureImportances().sort((a, b) => b.importance - a.importance).slice(0, 5).map((f) => `${f.feature} ${f.importance.toFixed(2)}`).join(', ')}`);
    expect(modelAuc).toBeGreaterThan(heuristicAuc);
    expect(modelAuc).toBeGreaterThan(0.7);
  });

  it('is the same model after a save and a load (a stored model scores as it was evaluated)', () => {
    const reloaded = loadChurnModel(JSON.parse(JSON.stringify(model().toJSON())));
    expect(reloaded.predict(holdoutSet.rows.slice(0, 50))).toEqual(model().predict(holdoutSet.rows.slice(0, 50)));
  });
}, 120_000);
