import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { MAX_MONEY } from '#shared/contract/limits.ts';
import { loadChurnModel, loadValueModel } from '#shared/domain/predictive/forests.ts';
import { loadBoostedClassifier } from '#shared/domain/predictive/gradient-boosting.ts';
import type { StoredModel, TrainingReport } from '#shared/domain/predictive/model-records.ts';
import { PROFILE_FEATURES } from '#shared/domain/predictive/profile-features.ts';
import { makeTrainModels } from '#shared/services/train-models.ts';
import { InMemoryTrainingSnapshots, silentLog } from '../support/fakes.ts';

/** Every path in a saved record whose number is NaN or ±Infinity (DynamoDB refuses to store them). */
function nonFinitePaths(value: unknown, path = '$'): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path} = ${value}`];
  if (Array.isArray(value)) return value.flatMap((entry, i) => nonFinitePaths(entry, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, entry]) => nonFinitePaths(entry, `${path}.${key}`));
  return [];
}

/** A feature row as the scoring could write it: finite, within the contract's bounds. */
const featureRow = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 999 }), fc.double({ min: -1, max: MAX_MONEY, noNaN: true })), {
  minLength: PROFILE_FEATURES.length,
  maxLength: PROFILE_FEATURES.length,
});

/**
 * Histories as a shared system holds them: few distinct customers repeated over many weeks (the
 * same row again and again), lopsided outcomes, revenue in one snapshot only. Enough examples that
 * every model trains, so whatever the models, metrics and importances compute gets written.
 */
const history = fc.record({
  rows: fc.array(featureRow, { minLength: 1, maxLength: 3 }),
  positiveShare: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
  revenue: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: MAX_MONEY, noNaN: true })),
  seed: fc.integer({ min: 0, max: 1_000 }),
});

describe('the weekly training, whatever history it finds', () => {
  it('writes only numbers DynamoDB can store, in every report and model', async () => {
    await fc.assert(
      fc.asyncProperty(history, async ({ rows, positiveShare, revenue, seed }) => {
        const snapshots = new InMemoryTrainingSnapshots();
        const weeks = ['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23'];
        // Both outcomes every week, and at least the 20 positives training needs before the holdout.
        const positivesPerWeek = Math.min(62, Math.max(8, Math.round(70 * positiveShare)));
        let n = 0;
        for (const week of weeks) {
          for (let i = 0; i < 70; i++, n++) {
            const label = ((i + seed) % 70 < positivesPerWeek ? 1 : 0) as 0 | 1;
            await snapshots.put({ customerId: `c${i}`, at: `${week}T00:00:00.000Z`, features: rows[n % rows.length]!, label, purchased: label, revenue: n % 97 === 0 ? revenue : 0 });
          }
        }
        const saved: Array<TrainingReport | StoredModel> = [];
        const train = makeTrainModels({
          snapshots,
          scanner: { async *scanSegment() {} },
          totalSegments: 1,
          models: { saveModel: async (m) => void saved.push(m), saveTrainingReport: async (r) => void saved.push(r) },
          settings: defaultCatalog.settings.predictive,
          clock: { now: () => new Date('2026-04-27T00:00:00Z') },
          log: silentLog,
        });
        const run = await train();
        expect(run.churn.outcome).not.toBe('not_enough_history');
        for (const record of saved) {
          // As the model store writes it: a report as it is; a model's body as gzipped JSON, which
          // must load back and score every row with a number.
          const item = 'model' in record ? { ...record, model: 'gzipped' } : record;
          expect(nonFinitePaths(item)).toEqual([]);
          expect(() => marshall(item, { removeUndefinedValues: true })).not.toThrow();
          if ('model' in record && record.kind !== 'content_interests') {
            const load = { churn: loadChurnModel, value: loadValueModel, purchase_intent: loadBoostedClassifier }[record.kind];
            const predictions = load(JSON.parse(JSON.stringify(record.model))).predict(rows);
            expect(predictions.filter((p) => !Number.isFinite(p))).toEqual([]);
          }
        }
      }),
      { numRuns: 8 },
    );
  }, 300_000);
});
