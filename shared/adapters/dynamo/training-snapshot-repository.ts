import { PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TrainingSnapshotStore } from '../../domain/ports.ts';
import { snapshotOpen, type SnapshotOutcomes, type TrainingSnapshot } from '../../domain/predictive/training-snapshots.ts';
import { customerItems } from './customer-items.ts';
import { customerPk } from './keys.ts';
import { LABELLED_SNAPSHOTS_INDEX, LABELLED_SNAPSHOTS_INDEX_KEY } from './sparse-indexes.ts';
import { expiresAt } from './ttl.ts';

const PREFIX = 'SNAPSHOT#';
const KIND = 'training_snapshot';
/** Snapshots older than this train nothing the next model needs; TTL removes them. */
const RETENTION_DAYS = 180;

/** Snapshots under the customer's partition (`SNAPSHOT#<at>`): erased and exported with the customer. */
export class DynamoTrainingSnapshots implements TrainingSnapshotStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(snapshot: TrainingSnapshot): Promise<void> {
    const pk = customerPk(snapshot.customerId);
    // A snapshot put with its label already set is in the labelled index from the start.
    const indexKey = snapshot.label === undefined ? {} : { [LABELLED_SNAPSHOTS_INDEX_KEY]: pk };
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk, sk: `${PREFIX}${snapshot.at}`, kind: KIND, ...snapshot, ...indexKey, ttl: expiresAt(snapshot.at, RETENTION_DAYS) },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
  }

  async open(customerId: string): Promise<TrainingSnapshot[]> {
    const found: TrainingSnapshot[] = [];
    for await (const item of customerItems(this.client, this.tableName, customerId, PREFIX)) {
      const snapshot = snapshotOf(item);
      if (snapshotOpen(snapshot)) found.push(snapshot);
    }
    return found;
  }

  /**
   * Sets only the given outcomes (an UpdateItem of those attributes), on a snapshot that still
   * exists. Setting the churn `label` also sets the labelled index key: the snapshot enters the
   * sparse `labelled-snapshots` index, which is all training reads.
   */
  async setOutcomes(snapshot: TrainingSnapshot, outcomes: SnapshotOutcomes): Promise<void> {
    const entries: Array<[string, unknown]> = Object.entries(outcomes).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return;
    if (outcomes.label !== undefined) entries.push([LABELLED_SNAPSHOTS_INDEX_KEY, customerPk(snapshot.customerId)]);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: customerPk(snapshot.customerId), sk: `${PREFIX}${snapshot.at}` },
        UpdateExpression: `SET ${entries.map((_, i) => `#o${i} = :o${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#o${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:o${i}`, value])),
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
  }

  /** Every snapshot with its churn label, from the sparse `labelled-snapshots` index. */
  async *labelled(): AsyncGenerator<TrainingSnapshot> {
    let startKey: Record<string, unknown> | undefined;
    do {
      // The sparse index holds only labelled snapshots (projection ALL): nothing else is read.
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          IndexName: LABELLED_SNAPSHOTS_INDEX,
          ExclusiveStartKey: startKey,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      for (const item of page.Items ?? []) yield snapshotOf(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

function snapshotOf(item: Record<string, unknown>): TrainingSnapshot {
  return {
    customerId: String(item.customerId),
    at: String(item.at),
    features: (item.features as unknown[]).map(Number),
    ...(item.label === 0 || item.label === 1 ? { label: item.label } : {}),
    ...(item.purchased === 0 || item.purchased === 1 ? { purchased: item.purchased } : {}),
    ...(typeof item.revenue === 'number' ? { revenue: item.revenue } : {}),
  };
}
