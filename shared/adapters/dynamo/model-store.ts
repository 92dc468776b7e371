import { gunzipSync, gzipSync } from 'node:zlib';
import { BatchGetCommand, GetCommand, PutCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ModelStore, ModelWriter } from '../../domain/ports.ts';
import { loadPredictiveModels, MODEL_KINDS, type ModelKind, type StoredModel, type TrainingReport } from '../../domain/predictive/model-records.ts';
import type { PredictiveModels } from '../../domain/predictive/predict-profile.ts';

/** A forest's JSON is ~0.5 MB; gzip brings it well under DynamoDB's 400 KB item limit, which this guards. */
const MAX_STORED_BYTES = 350_000;
const PK = 'MODEL';
const modelKey = (kind: ModelKind) => ({ pk: PK, sk: kind });
const reportKey = (kind: ModelKind) => ({ pk: PK, sk: `${kind}#last-training` });

export type ModelDescription = { current: Omit<StoredModel, 'model'> | null; lastTraining: TrainingReport | null };

/** The models in use, one item per kind (`MODEL` / `<kind>`), each model gzipped in a binary attribute. */
export class DynamoModelStore implements ModelStore, ModelWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Every kind's model in use, in one BatchGetItem; kinds without one fall back to their heuristic. */
  async currentModels(): Promise<PredictiveModels> {
    let keys: Array<Record<string, unknown>> | undefined = MODEL_KINDS.map(modelKey);
    const items: Array<Record<string, unknown>> = [];
    while (keys && keys.length > 0) {
      const page: BatchGetCommandOutput = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } }, ReturnConsumedCapacity: 'TOTAL' }));
      items.push(...(page.Responses?.[this.tableName] ?? []));
      keys = page.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return loadPredictiveModels(
      items.map((item) => ({ kind: item.sk as ModelKind, modelId: String(item.modelId), model: JSON.parse(gunzipSync(item.model as Uint8Array).toString('utf8')) })),
    );
  }

  /** What `nudge models` shows, per kind: the model in use (without the model itself) and the last training attempt. */
  async describe(): Promise<Record<ModelKind, ModelDescription>> {
    const entries = await Promise.all(
      MODEL_KINDS.map(async (kind): Promise<[ModelKind, ModelDescription]> => {
        const [model, training] = await Promise.all([
          this.client.send(
            new GetCommand({
              TableName: this.tableName,
              Key: modelKey(kind),
              // Everything but the (large) model itself; `metrics` is a reserved word.
              ProjectionExpression: 'modelId, trainedAt, #metrics, featureImportances',
              ExpressionAttributeNames: { '#metrics': 'metrics' },
            }),
          ),
          this.client.send(new GetCommand({ TableName: this.tableName, Key: reportKey(kind) })),
        ]);
        // `kind` is the table's item type; the model kind is the sort key.
        const report = training.Item ? { ...(({ pk: _pk, sk: _sk, kind: _kind, modelKind: _modelKind, ...rest }) => rest)(training.Item), kind } : null;
        const current = model.Item ? ({ ...model.Item, kind } as Omit<StoredModel, 'model'>) : null;
        return [kind, { current, lastTraining: report as TrainingReport | null }];
      }),
    );
    return Object.fromEntries(entries) as Record<ModelKind, ModelDescription>;
  }

  async saveTrainingReport(report: TrainingReport): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...report, ...reportKey(report.kind), kind: 'training_report', modelKind: report.kind }, ReturnConsumedCapacity: 'TOTAL' }));
  }

  async saveModel(stored: StoredModel): Promise<void> {
    const model = gzipSync(JSON.stringify(stored.model));
    if (model.byteLength > MAX_STORED_BYTES) throw new RangeError(`model ${stored.modelId} is ${model.byteLength} bytes gzipped; at most ${MAX_STORED_BYTES} fit in one item`);
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...stored, ...modelKey(stored.kind), kind: 'model', modelKind: stored.kind, model }, ReturnConsumedCapacity: 'TOTAL' }));
  }
}
