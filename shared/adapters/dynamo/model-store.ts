import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChurnModelWriter, ModelStore } from '../../domain/ports.ts';
import type { ChurnScorer } from '../../domain/predictive/churn-scoring.ts';
import type { StoredModel, TrainingReport } from '../../domain/predictive/model-records.ts';
import { loadChurnModel } from '../../domain/predictive/churn-model.ts';

/** A forest's JSON is ~0.5 MB; gzip brings it well under DynamoDB's 400 KB item limit, which this guards. */
const MAX_STORED_BYTES = 350_000;
const MODEL_KEY = { pk: 'MODEL', sk: 'churn' };
const TRAINING_REPORT_KEY = { pk: 'MODEL', sk: 'churn#last-training' };

/** The current churn model, one item (`MODEL` / `churn`), the model gzipped in a binary attribute. */
export class DynamoModelStore implements ModelStore, ChurnModelWriter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async currentChurnModel(): Promise<ChurnScorer | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: MODEL_KEY, ReturnConsumedCapacity: 'TOTAL' }));
    if (!Item) return undefined;
    const model = loadChurnModel(JSON.parse(gunzipSync(Item.model as Uint8Array).toString('utf8')));
    return { modelId: String(Item.modelId), predict: (rows) => model.predict(rows) };
  }

  /** What `nudge models` shows: the model in use (without its trees) and the last training attempt. */
  async describeChurn(): Promise<{ current: Omit<StoredModel, 'model'> | null; lastTraining: TrainingReport | null }> {
    const [model, training] = await Promise.all([
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: MODEL_KEY,
          // Everything but the (large) model itself; `metrics` is a reserved word.
          ProjectionExpression: 'modelId, trainedAt, #metrics, featureImportances',
          ExpressionAttributeNames: { '#metrics': 'metrics' },
        }),
      ),
      this.client.send(new GetCommand({ TableName: this.tableName, Key: TRAINING_REPORT_KEY })),
    ]);
    const report = training.Item ? (({ pk: _pk, sk: _sk, kind: _kind, ...rest }) => rest)(training.Item) : null;
    return { current: (model.Item as Omit<StoredModel, 'model'> | undefined) ?? null, lastTraining: report as TrainingReport | null };
  }

  async saveTrainingReport(report: TrainingReport): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...TRAINING_REPORT_KEY, kind: 'training_report', ...report }, ReturnConsumedCapacity: 'TOTAL' }));
  }

  async saveChurnModel(stored: StoredModel): Promise<void> {
    const model = gzipSync(JSON.stringify(stored.model));
    if (model.byteLength > MAX_STORED_BYTES) throw new RangeError(`model ${stored.modelId} is ${model.byteLength} bytes gzipped; at most ${MAX_STORED_BYTES} fit in one item`);
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...MODEL_KEY, kind: 'model', ...stored, model }, ReturnConsumedCapacity: 'TOTAL' }));
  }
}
