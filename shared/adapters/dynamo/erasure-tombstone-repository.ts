import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ErasureTombstones } from '../../domain/ports.ts';

/**
 * SHA-256 (hex) of a customer id's UTF-16 code units. Not its UTF-8 bytes: those turn every lone
 * surrogate into U+FFFD, so two distinct ids could share one tombstone. Ids are case-sensitive and
 * not normalised (unlike addresses on the suppression list).
 */
export function customerIdHash(customerId: string): string {
  return createHash('sha256').update(Buffer.from(customerId, 'utf16le')).digest('hex');
}

export const TOMBSTONE_PK_PREFIX = 'ERASED#';
/** `ERASED#<hash of the id>` / `TOMBSTONE`: outside every customer partition, so an erase of the partition leaves it. */
export const tombstoneKey = (customerId: string) => ({ pk: `${TOMBSTONE_PK_PREFIX}${customerIdHash(customerId)}`, sk: 'TOMBSTONE' });

/**
 * One item per erased customer id, holding the hash and the day of the erase only. It has no TTL:
 * links in old emails work for up to 365 days, the archive replays events for
 * `eventArchiveRetentionDays`, and a producer's own systems may keep sending the id with no end
 * date; an item of ~100 bytes per erased person is the price (README, Privacy; decisions.md #24).
 */
export class DynamoErasureTombstones implements ErasureTombstones {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(customerId: string, at: Date): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          // The day only: when matters for an audit, the second does not.
          Item: { ...tombstoneKey(customerId), kind: 'erasure_tombstone', erasedOn: at.toISOString().slice(0, 10) },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async isErased(customerId: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: tombstoneKey(customerId), ConsistentRead: true, ProjectionExpression: 'pk', ReturnConsumedCapacity: 'TOTAL' }),
    );
    return Item !== undefined;
  }
}
