import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoModelStore } from '#shared/adapters/dynamo/model-store.ts';
import { CHURN_FEATURES } from '#shared/domain/predictive/churn-features.ts';
import { trainChurnModel } from '#shared/domain/predictive/churn-model.ts';
import { seededRandom } from '../../events/generators/seeded-random.ts';
import { nudgeClient } from './support/nudge-client.ts';

/** The model store against DynamoDB Local: a trained forest round-trips through one gzipped item. */
describe('the model store', () => {
  const nudge = nudgeClient();
  const store = new DynamoModelStore(nudge.documentClient, nudge.output('TableName'));
  // The local system is shared: the scoring tests expect no trained model (the heuristic), so this one goes again.
  afterAll(() => nudge.documentClient.send(new DeleteCommand({ TableName: nudge.output('TableName'), Key: { pk: 'MODEL', sk: 'churn' } })));

  it('stores a trained churn model in one item and scores with it as trained; describing it leaves the trees out', async () => {
    const random = seededRandom(5);
    const rows = Array.from({ length: 400 }, () => CHURN_FEATURES.map(() => random() * 100));
    const labels = rows.map((row) => (row[5]! + random() * 40 > 70 ? 1 : 0));
    const model = trainChurnModel(rows, labels, 9);
    const importances = model.featureImportances();
    await store.saveChurnModel({ modelId: 'churn-test', trainedAt: '2026-11-22T02:00:00.000Z', metrics: { auc: 0.91 }, featureImportances: importances, model: model.toJSON() });

    const loaded = await store.currentChurnModel();
    expect(loaded?.modelId).toBe('churn-test');
    expect(loaded!.predict(rows.slice(0, 20))).toEqual(model.predict(rows.slice(0, 20)));
    const described = await store.describeChurn();
    expect(described.current).toEqual({ modelId: 'churn-test', trainedAt: '2026-11-22T02:00:00.000Z', metrics: { auc: 0.91 }, featureImportances: importances });
  });
});
