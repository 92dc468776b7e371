import { createHash } from 'node:crypto';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SegmentMembershipStore } from '../../domain/ports.ts';
import { customerPk } from './keys.ts';
import { batchWriteAll } from './batch-write.ts';

/**
 * Membership items, one per (segment, customer): pk `SEG#<segment>#<shard>`, sk `C#<customer>`.
 * A segment is read with one Query per shard (no Scan). Shards spread a large segment's writes over
 * 16 partitions, so a sweep that moves thousands of customers at once stays under the per-partition
 * write limit. Written only when membership changes.
 */
export const MEMBERSHIP_SHARDS = 16;

export const membershipPk = (segmentId: string, shard: number): string => `SEG#${segmentId}#${shard}`;
export const membershipShard = (customerId: string): number => createHash('sha256').update(customerId).digest()[0]! % MEMBERSHIP_SHARDS;

export type SegmentMember = { customerId: string; enteredAt: string; matchScore: number };

export class DynamoSegmentMembershipStore implements SegmentMembershipStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async apply(input: { customerId: string; entered: Array<{ segmentId: string; matchScore: number }>; exited: string[]; at: Date }): Promise<void> {
    const shard = membershipShard(input.customerId);
    const sk = customerPk(input.customerId);
    const requests = [
      ...input.entered.map(({ segmentId, matchScore }) => ({
        PutRequest: {
          Item: { pk: membershipPk(segmentId, shard), sk, kind: 'segment_member', segmentId, customerId: input.customerId, enteredAt: input.at.toISOString(), matchScore },
        },
      })),
      ...input.exited.map((segmentId) => ({ DeleteRequest: { Key: { pk: membershipPk(segmentId, shard), sk } } })),
    ];
    await batchWriteAll(this.client, this.tableName, requests, `segment memberships of ${input.customerId}`);
  }

  /** Every member of a segment: one Query per shard, paginated. */
  async members(segmentId: string): Promise<SegmentMember[]> {
    const shards = await Promise.all(
      Array.from({ length: MEMBERSHIP_SHARDS }, async (_, shard) => {
        const members: SegmentMember[] = [];
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': membershipPk(segmentId, shard) },
              ExclusiveStartKey: startKey,
            }),
          );
          for (const item of page.Items ?? []) {
            members.push({ customerId: String(item.customerId), enteredAt: String(item.enteredAt), matchScore: Number(item.matchScore) });
          }
          startKey = page.LastEvaluatedKey;
        } while (startKey);
        return members;
      }),
    );
    return shards.flat().sort((a, b) => a.customerId.localeCompare(b.customerId));
  }
}
