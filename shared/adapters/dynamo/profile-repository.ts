import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../domain/clock.ts';
import type { Log, ProfileStore, SaveProfileResult } from '../../domain/ports.ts';
import { describeProblems, Profile, profileProblems } from '../../domain/profile.ts';
import type { ProfilePage } from '../../services/profile-scan.ts';
import { profileKey, type ItemKey } from './keys.ts';
import { decodeProfileFields, encodeProfileItem, isPackedProfileItem } from './profile-codec.ts';
import { batchGetAll, itemId } from './batch-get.ts';
import type { DynamoQuarantine } from './quarantine-repository.ts';
import { unmarshallRaw } from './raw-items.ts';
import { PROFILES_INDEX, PROFILES_INDEX_KEY } from './sparse-indexes.ts';

export class CorruptItemError extends Error {
  override name = 'CorruptItemError';
}

/** A profile that would not parse once stored: a fault of the code that built it, so it is never written. */
export class InvalidProfileError extends Error {
  override name = 'InvalidProfileError';
}

/** Profiles: one item per customer, written whole (packed: profile-codec.ts) under an optimistic version check. */
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
    // Checked before every write: an item that does not parse would fail every later read of this customer (and the scans).
    const problems = profileProblems(next);
    if (problems.length > 0) throw new InvalidProfileError(`profile of ${profile.customerId} not saved, it does not match the schema: ${describeProblems(problems)}`);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: profileItem(next),
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

  async clearOutbox(customerId: string, version: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: profileKey(customerId),
          UpdateExpression: 'REMOVE #outbox',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#outbox': 'outbox', '#version': 'version' },
          ExpressionAttributeValues: { ':version': version },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
    } catch (error) {
      // A later write (or an erase) got there first: that writer carried the outbox on.
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }
}

/** A profile as stored (profile-codec.ts): the plain attributes queries, conditions and indexes read, and the packed rest. */
export function profileItem(profile: Profile): ItemKey & Record<string, unknown> {
  return encodeProfileItem(profile);
}

export function parseProfile(item: Record<string, unknown>): Profile {
  const parsed = readProfile(item);
  if (!parsed.ok) throw new CorruptItemError(`profile item ${String(item.pk)} does not match the schema: ${parsed.reason}`);
  return parsed.profile;
}

/** Either form: packed (profile-codec.ts), or the profile's fields as attributes (items written before it). */
function readProfile(item: Record<string, unknown>): { ok: true; profile: Profile } | { ok: false; reason: string } {
  let rest: Record<string, unknown>;
  if (isPackedProfileItem(item)) {
    try {
      rest = decodeProfileFields(item);
    } catch (error) {
      return { ok: false, reason: `its packed profile does not unpack: ${error instanceof Error ? error.message : String(error)}` };
    }
  } else {
    const { pk: _pk, sk: _sk, kind: _kind, [PROFILES_INDEX_KEY]: _indexKey, ...fields } = item;
    rest = fields;
  }
  const parsed = Profile.safeParse(rest);
  return parsed.success ? { ok: true, profile: parsed.data } : { ok: false, reason: describeProblems(profileProblems(rest)) };
}

/**
 * Reads every profile with a parallel Scan of the sparse `profiles` index (KEYS_ONLY: only profile
 * items are in it, so the sends, decisions and snapshots of the table are never read) and a
 * BatchGetItem of each page's profiles: `totalSegments` workers each scan their own segment, page
 * by page, so a sweep's time divides by the worker count (and by Lambda fan-out at scale). A
 * profile deleted between the index page and its BatchGet (an erasure) is simply skipped.
 *
 * An item that does not match the profile schema is logged, recorded in the quarantine (`nudge
 * quarantine list`), counted on its page and skipped: the jobs serve every customer, and one
 * corrupt item must not stop them for the others.
 */
export class DynamoProfileScanner {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /**
     * `quarantine`: where the daily jobs record a corrupt item (their roles may write). A reader
     * without one (a report, whose role must not write) still logs, counts and skips it.
     */
    private readonly context: { log: Log; clock: Clock; quarantine?: Pick<DynamoQuarantine, 'record'> },
  ) {}

  async *scanSegment(segment: number, totalSegments: number, pageSize = 100): AsyncGenerator<ProfilePage> {
    for await (const page of this.scanPages(segment, totalSegments, undefined, pageSize)) {
      if (page.profiles.length > 0 || page.quarantined > 0) yield page;
    }
  }

  /** The segment's pages with the key to continue after each (absent after the last), for workers that stop and resume. */
  async *scanPages(segment: number, totalSegments: number, startKey?: Record<string, unknown>, pageSize = 100): AsyncGenerator<ProfilePage> {
    let key = startKey;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          IndexName: PROFILES_INDEX,
          Segment: segment,
          TotalSegments: totalSegments,
          Limit: pageSize,
          ExclusiveStartKey: key,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      key = page.LastEvaluatedKey;
      const keys = (page.Items ?? []).map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
      const items = await batchGetAll(this.client, this.tableName, keys, 'profile pass');
      const profiles: Profile[] = [];
      let quarantined = 0;
      // In index order, so a page reads the same whichever order BatchGetItem answers in.
      for (const itemKey of keys) {
        const item = items.get(itemId(itemKey));
        if (!item) continue;
        const parsed = readProfile(item);
        if (parsed.ok) profiles.push(parsed.profile);
        else {
          await this.quarantineItem(item, parsed.reason);
          quarantined += 1;
        }
      }
      yield { profiles, quarantined, ...(key ? { nextKey: key } : {}) };
    } while (key);
  }

  private async quarantineItem(item: Record<string, unknown>, reason: string): Promise<void> {
    const pk = String(item.pk);
    const sk = String(item.sk);
    const { quarantine } = this.context;
    this.context.log.error(quarantine ? 'corrupt profile item quarantined and skipped' : 'corrupt profile item skipped (the daily sweep quarantines it)', { pk, sk, reason });
    await quarantine?.record({ pk, sk, itemKind: 'profile', reason, at: this.context.clock.now().toISOString() });
  }
}
