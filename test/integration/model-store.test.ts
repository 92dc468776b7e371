import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoModelStore } from '#shared/adapters/dynamo/model-store.ts';
import { fitInterestModel } from '#shared/domain/predictive/content-interests.ts';
import { trainChurnModel, trainValueModel } from '#shared/domain/predictive/forests.ts';
import { PURCHASE_INTENT_BOOSTING, trainBoostedClassifier } from '#shared/domain/predictive/gradient-boosting.ts';
import { MODEL_KINDS } from '#shared/domain/predictive/model-records.ts';
import { PROFILE_FEATURES } from '#shared/domain/predictive/profile-features.ts';
import { seededRandom } from '#shared/domain/seeded-random.ts';
import { nudgeClient } from './support/nudge-client.ts';

/** The model store against DynamoDB Local: each kind of trained model round-trips through one gzipped item. */
describe('the model store', () => {
  const nudge = nudgeClient();
  const store = new DynamoModelStore(nudge.documentClient, nudge.output('TableName'));
  // The local system is shared: the scoring tests expect no trained model (the heuristics), so these go again.
  afterAll(() => Promise.all(MODEL_KINDS.map((kind) => nudge.documentClient.send(new DeleteCommand({ TableName: nudge.output('TableName'), Key: { pk: 'MODEL', sk: kind } })))));

  it('stores every kind of model in one item each and scores with them as trained; describing leaves the models out', async () => {
    const random = seededRandom(5);
    const rows = Array.from({ length: 400 }, () => PROFILE_FEATURES.map(() => random() * 100));
    const labels = rows.map((row) => (row[5]! + random() * 40 > 70 ? 1 : 0));
    const trainedAt = '2026-11-22T02:00:00.000Z';
    const churn = trainChurnModel(rows, labels, 9);
    const intent = trainBoostedClassifier(rows, labels, { ...PURCHASE_INTENT_BOOSTING, seed: 9 });
    const value = trainValueModel(rows, rows.map((row) => row[1]! * 2), 9);
    const interests = fitInterestModel([{ garden: 2, tools: 1 }, { garden: 1, tools: 3 }, { kitchen: 1 }]);
    await store.saveModel({ kind: 'churn', modelId: 'churn-test', trainedAt, metrics: { auc: 0.91 }, featureImportances: churn.featureImportances(), model: churn.toJSON() });
    await store.saveModel({ kind: 'purchase_intent', modelId: 'intent-test', trainedAt, metrics: { auc: 0.8 }, featureImportances: intent.featureImportances(PROFILE_FEATURES), model: intent.toJSON() });
    await store.saveModel({ kind: 'value', modelId: 'value-test', trainedAt, metrics: { mae: 3 }, featureImportances: value.featureImportances(), model: value.toJSON() });
    await store.saveModel({ kind: 'content_interests', modelId: 'interests-test', trainedAt, metrics: { categories: 3 }, featureImportances: [], model: interests });

    const loaded = await store.currentModels();
    const sample = rows.slice(0, 20);
    expect(loaded.churn?.modelId).toBe('churn-test');
    expect(loaded.churn!.predict(sample)).toEqual(churn.predict(sample));
    expect(loaded.purchaseIntent!.predict(sample)).toEqual(intent.predict(sample));
    expect(loaded.value!.predict(sample)).toEqual(value.predict(sample));
    expect(loaded.interests).toEqual({ modelId: 'interests-test', model: interests });

    const described = await store.describe();
    expect(described.churn.current).toEqual({ kind: 'churn', modelId: 'churn-test', trainedAt, metrics: { auc: 0.91 }, featureImportances: churn.featureImportances() });
    expect(described.value.current).toMatchObject({ kind: 'value', modelId: 'value-test', metrics: { mae: 3 } });
    expect(Object.keys(described).sort()).toEqual([...MODEL_KINDS].sort());
  });
});
