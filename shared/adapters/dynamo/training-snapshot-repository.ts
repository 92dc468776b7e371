import { PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChurnSnapshotStore } from '../../domain/ports.ts';
import type { ChurnSnapshot } from '../../domain/predictive/churn-snapshots.ts';
import { customerItems } from './customer-items.ts';
import { customerPk } from './keys.ts';

const PREFIX = 'CHURNSNAP#';
const KIND = 'churn_snapshot';
/** Snapshots older than this train nothing the next model needs; TTL removes them. */
const RETENTION_DAYS = 180;

/** Snapshots under the customer's partition (`CHURNSNAP#<at>`): erased and exported with the customer. */
export class DynamoChurnSnapshots implements ChurnSnapshotStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(snapshot: ChurnSnapshot): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: customerPk(snapshot.customerId), sk: `${PREFIX}${snapshot.at}`, kind: KIND, ...snapshot, ttl: Math.floor(Date.parse(snapshot.at) / 1000) + RETENTION_DAYS * 86_400 },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
  }

  async unlabelled(customerId: string): Promise<ChurnSnapshot[]> {
    const found: ChurnSnapshot[] = [];
    for await (const item of customerItems(this.client, this.tableName, customerId, PREFIX)) if (item.label === undefined) found.push(snapshotOf(item));
    return found;
  }

  async setLabel(snapshot: ChurnSnapshot, label: 0 | 1): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: customerPk(snapshot.customerId), sk: `${PREFIX}${snapshot.at}` },
        UpdateExpression: 'SET #label = :label',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#label': 'label' },
        ExpressionAttributeValues: { ':label': label },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
  }

  async *labelled(): AsyncGenerator<ChurnSnapshot> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'kind = :kind AND attribute_exists(#label)',
          ExpressionAttributeNames: { '#label': 'label' },
          ExpressionAttributeValues: { ':kind': KIND },
          ExclusiveStartKey: startKey,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      for (const item of page.Items ?? []) yield snapshotOf(item);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}

function snapshotOf(item: Record<string, unknown>): ChurnSnapshot {
  return {
    customerId: String(item.customerId),
    at: String(item.at),
    features: (item.features as unknown[]).map(Number),
    ...(item.label === 0 || item.label === 1 ? { label: item.label } : {}),
  };
}
