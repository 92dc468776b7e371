import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NotificationMarkers } from '../../services/notify-account-manager.ts';

/** Prefix of the notifier's marker items: outside every customer partition, and the only keys its role may write. */
export const NOTIFIED_PK_PREFIX = 'NOTIFIED#';
export const notifiedKey = (markerId: string) => ({ pk: `${NOTIFIED_PK_PREFIX}${markerId}`, sk: 'NOTIFIED' });

/**
 * One item per staff notification (keyed by the bus event's deterministic transitionId, which holds
 * no personal data), so a redelivered event mails once. A claim is a lease: a notifier that dies
 * between the claim and the send leaves a claim the next delivery may take once the lease is over;
 * a done marker is final. Markers expire (TTL) long after EventBridge stops retrying (24 h).
 */
export class DynamoNotificationMarkers implements NotificationMarkers {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(markerId: string, now: Date, leaseMs: number, ttlEpoch: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...notifiedKey(markerId), kind: 'staff_notification', status: 'claimed', leaseUntil: now.getTime() + leaseMs, ttl: ttlEpoch },
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :claimed AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': 'claimed', ':now': now.getTime() },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async complete(markerId: string, outcome: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: notifiedKey(markerId),
        UpdateExpression: 'SET #status = :done, outcome = :outcome REMOVE leaseUntil',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'done', ':outcome': outcome },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
  }

  async release(markerId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: notifiedKey(markerId),
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': 'claimed' },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
