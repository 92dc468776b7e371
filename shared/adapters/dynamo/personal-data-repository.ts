import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PersonalDataStore, PersonalItem } from '../../domain/ports.ts';
import { batchWriteAll } from './batch-write.ts';
import { partitionItems } from './customer-items.ts';
import { readableProfileItem } from './profile-codec.ts';
import { SPARSE_INDEX_ATTRIBUTES } from './sparse-indexes.ts';
import { customerPk } from './keys.ts';
import { membershipPk, membershipShard } from './segment-membership-repository.ts';

/**
 * Every item about one customer. Almost all live in their partition `C#<id>` (profile, cooldowns,
 * caps, decisions, sends with their tracking, conversions, sequence runs, training snapshots): one
 * Query. The only items keyed elsewhere that name them are segment memberships
 * (`SEG#<segment>#<shard>` / `C#<id>`), read with one GetItem per known segment on the customer's
 * shard, and the conversion log's entries (`CONVLOG#<day>`, kept for attribution), each found
 * through its index item in the partition (rollup-repository.ts), whether or not the conversion
 * item it logs still exists. What else is keyed outside the partition holds no customer id: the
 * suppression list and the erasure tombstones (hashes), rollups (aggregates).
 */
export class DynamoPersonalData implements PersonalDataStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async items(customerId: string, segmentIds: readonly string[]): Promise<PersonalItem[]> {
    const items = await this.all(customerPk(customerId));
    const shard = membershipShard(customerId);
    const memberships = await Promise.all(
      [...new Set(segmentIds)].map(async (segmentId) => {
        const { Item } = await this.client.send(
          new GetCommand({ TableName: this.tableName, Key: { pk: membershipPk(segmentId, shard), sk: customerPk(customerId) }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }),
        );
        return Item as PersonalItem | undefined;
      }),
    );
    const logged = await Promise.all(
      items
        .filter((item) => item.kind === 'conversion_log_ref' && typeof item.logPk === 'string' && typeof item.logSk === 'string')
        .map(async (ref) => {
          const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: ref.logPk, sk: ref.logSk }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
          return Item as PersonalItem | undefined;
        }),
    );
    const found = (item: PersonalItem | undefined): item is PersonalItem => item !== undefined;
    return [...items, ...memberships.filter(found), ...logged.filter(found)];
  }

  /** Every item of partition `pk`, strongly consistent (an erase must not miss a write of the last second). */
  private async all(pk: string): Promise<PersonalItem[]> {
    const items: PersonalItem[] = [];
    // The profile unpacked (profile-codec.ts): erase reads its address and segments, export shows its fields.
    for await (const item of partitionItems(this.client, this.tableName, pk, '', { consistentRead: true })) items.push(withoutIndexKeys(readableProfileItem(item) as PersonalItem));
    return items;
  }

  async delete(keys: ReadonlyArray<{ pk: string; sk: string }>): Promise<void> {
    await batchWriteAll(this.client, this.tableName, keys.map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } })), 'erase');
  }
}

/** The sparse index keys copy the item's `pk` (sparse-indexes.ts): table keys, not personal data, so an export leaves them out like `pk`. */
function withoutIndexKeys(item: PersonalItem): PersonalItem {
  const copy = { ...item };
  for (const attribute of SPARSE_INDEX_ATTRIBUTES) delete copy[attribute];
  return copy;
}
