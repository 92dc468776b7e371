import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ProfileStore, SaveProfileResult } from '../../domain/ports.ts';
import { Profile } from '../../domain/profile.ts';
import { profileKey } from './keys.ts';
import { unmarshallRaw } from './raw-items.ts';

export class CorruptItemError extends Error {
  override name = 'CorruptItemError';
}

/** Profiles: one item per customer, written whole under an optimistic version check. */
export class DynamoProfileStore implements ProfileStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(customerId: string): Promise<Profile | undefined> {
    // Eventually consistent (half the read cost): a stale read only makes the versioned write
    // fail, and that failure returns the current item.
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: profileKey(customerId), ReturnConsumedCapacity: 'TOTAL' }),
    );
    return Item ? parseProfile(Item) : undefined;
  }

  async save(profile: Profile, expectedVersion: number | undefined): Promise<SaveProfileResult> {
    const next = { ...profile, version: (expectedVersion ?? 0) + 1 };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...profileKey(profile.customerId), kind: 'profile', ...next },
          ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(pk)' : '#version = :expected',
          ExpressionAttributeNames: expectedVersion === undefined ? undefined : { '#version': 'version' },
          ExpressionAttributeValues: expectedVersion === undefined ? undefined : { ':expected': expectedVersion },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return { type: 'saved' };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { type: 'conflict', current: error.Item ? parseProfile(unmarshallRaw(error.Item)) : undefined };
      }
      throw error;
    }
  }
}

export function parseProfile(item: Record<string, unknown>): Profile {
  const { pk: _pk, sk: _sk, kind: _kind, ...rest } = item;
  const parsed = Profile.safeParse(rest);
  if (!parsed.success) {
    throw new CorruptItemError(`profile item ${String(item.pk)} does not match the schema: ${parsed.error.message}`);
  }
  return parsed.data;
}

/**
 * Reads every profile with a parallel Scan: `totalSegments` workers each scan their own segment,
 * page by page, so a sweep's time divides by the worker count (and by Lambda fan-out at scale).
 */
export class DynamoProfileScanner {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async *scanSegment(segment: number, totalSegments: number, pageSize = 100): AsyncGenerator<Profile[]> {
    for await (const page of this.scanPages(segment, totalSegments, undefined, pageSize)) if (page.profiles.length > 0) yield page.profiles;
  }

  /** The segment's pages with the key to continue after each (absent after the last), for workers that stop and resume. */
  async *scanPages(segment: number, totalSegments: number, startKey?: Record<string, unknown>, pageSize = 100): AsyncGenerator<{ profiles: Profile[]; nextKey?: Record<string, unknown> }> {
    let key = startKey;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          Segment: segment,
          TotalSegments: totalSegments,
          Limit: pageSize,
          FilterExpression: 'kind = :profile',
          ExpressionAttributeValues: { ':profile': 'profile' },
          ExclusiveStartKey: key,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      key = page.LastEvaluatedKey;
      yield { profiles: (page.Items ?? []).map(parseProfile), ...(key ? { nextKey: key } : {}) };
    } while (key);
  }
}
