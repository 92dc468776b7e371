import { BatchWriteCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PersonalDataStore, PersonalItem } from '../../domain/ports.ts';
import { customerPk } from './keys.ts';
import { membershipPk, membershipShard } from './segment-membership-repository.ts';

const BATCH = 25;
const MAX_ATTEMPTS = 9;

/**
 * Every item about one customer. Almost all live in their partition `C#<id>` (profile, cooldowns,
 * caps, decisions, sends with their tracking, conversions, sequence runs, training snapshots): one
 * Query. The only items keyed elsewhere that name them are segment memberships
 * (`SEG#<segment>#<shard>` / `C#<id>`), read with one GetItem per known segment on the customer's
 * shard. What else is keyed outside the partition holds no customer id: the suppression list
 * (hashed addresses), rollups and the conversion log's daily counters are aggregates... except the
 * conversion log entries, which are kept for attribution without an address (see erase-customer.ts).
 */
export class DynamoPersonalData implements PersonalDataStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async items(customerId: string, segmentIds: readonly string[]): Promise<PersonalItem[]> {
    const items = await this.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': customerPk(customerId) } });
    const shard = membershipShard(customerId);
    const memberships = await Promise.all(
      [...new Set(segmentIds)].map(async (segmentId) => {
        const { Item } = await this.client.send(
          new GetCommand({ TableName: this.tableName, Key: { pk: membershipPk(segmentId, shard), sk: customerPk(customerId) }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }),
        );
        return Item as PersonalItem | undefined;
      }),
    );
    const days = new Set(items.filter((item) => item.kind === 'conversion' && typeof item.convertedAt === 'string').map((item) => new Date(item.convertedAt as string).toISOString().slice(0, 10)));
    const logged: PersonalItem[] = [];
    for (const day of days) {
      logged.push(...(await this.queryAll({ KeyConditionExpression: 'pk = :pk', FilterExpression: 'customerId = :customerId', ExpressionAttributeValues: { ':pk': `CONVLOG#${day}`, ':customerId': customerId } })));
    }
    return [...items, ...memberships.filter((item): item is PersonalItem => item !== undefined), ...logged];
  }

  /** Every item a Query returns, page by page, strongly consistent (an erase must not miss a write of the last second). */
  private async queryAll(query: { KeyConditionExpression: string; FilterExpression?: string; ExpressionAttributeValues: Record<string, unknown> }): Promise<PersonalItem[]> {
    const items: PersonalItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ TableName: this.tableName, ...query, ExclusiveStartKey: startKey, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
      items.push(...((page.Items ?? []) as PersonalItem[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  async delete(keys: ReadonlyArray<{ pk: string; sk: string }>): Promise<void> {
    for (let i = 0; i < keys.length; i += BATCH) {
      let pending: Record<string, unknown[]> | undefined = { [this.tableName]: keys.slice(i, i + BATCH).map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } })) };
      // UnprocessedItems (throttling) are retried with backoff; the SDK already retried the request itself.
      for (let attempt = 0; pending && Object.keys(pending).length > 0; attempt++) {
        if (attempt >= MAX_ATTEMPTS) throw new Error(`erase: ${pending[this.tableName]?.length ?? 0} deletes stayed unprocessed after ${MAX_ATTEMPTS} attempts`);
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
        const result = await this.client.send(new BatchWriteCommand({ RequestItems: pending as never, ReturnConsumedCapacity: 'TOTAL' }));
        pending = result.UnprocessedItems as typeof pending;
      }
    }
  }
}
