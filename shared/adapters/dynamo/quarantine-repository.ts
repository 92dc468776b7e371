import { ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Sort-key prefix of a quarantine record, beside the item it is about (same partition, so erase finds it). */
export const QUARANTINE_PREFIX = 'QUARANTINE#';
/** Longest reason kept: the schema's complaint, enough to find the bad field. */
const MAX_REASON_LENGTH = 2_000;

/** An item a scheduled job could not read, as `nudge quarantine list` shows it. */
export type QuarantinedItem = {
  /** Key of the unreadable item (pk `C#<customerId>`, sk `PROFILE` ...). */
  pk: string;
  sk: string;
  /** What the item was meant to be (`profile`, ...). */
  itemKind: string;
  /** Why it could not be read: the schema's problems, by field. */
  reason: string;
  firstQuarantinedAt: string;
  lastSeenAt: string;
  /** How many scans met it: an item that keeps being seen was not repaired yet. */
  timesSeen: number;
};

/**
 * Items that do not match their schema. A scan that meets one records it here and goes on with
 * the others: one corrupt item must never stop a job that serves every customer. The record keeps
 * only the key and the reason (no copy of the item's data), next to the item, so it shares its
 * partition's lifetime: `nudge erase` removes it with the rest.
 */
export class DynamoQuarantine {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(input: { pk: string; sk: string; itemKind: string; reason: string; at: string }): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: input.pk, sk: `${QUARANTINE_PREFIX}${input.sk}` },
        UpdateExpression: 'SET kind = :kind, itemSk = :sk, itemKind = :itemKind, reason = :reason, firstQuarantinedAt = if_not_exists(firstQuarantinedAt, :at), lastSeenAt = :at ADD timesSeen :one',
        ExpressionAttributeValues: {
          ':kind': 'quarantine',
          ':sk': input.sk,
          ':itemKind': input.itemKind,
          ':reason': input.reason.slice(0, MAX_REASON_LENGTH),
          ':at': input.at,
          ':one': 1,
        },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
  }

  /** Every quarantine record (a Scan of the whole table: an operator's command, not a hot path). */
  async list(): Promise<QuarantinedItem[]> {
    const items: QuarantinedItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'kind = :kind',
          ExpressionAttributeValues: { ':kind': 'quarantine' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) items.push(toQuarantinedItem(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items.sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
  }
}

function toQuarantinedItem(item: Record<string, unknown>): QuarantinedItem {
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  return {
    pk: text(item.pk),
    sk: text(item.itemSk),
    itemKind: text(item.itemKind),
    reason: text(item.reason),
    firstQuarantinedAt: text(item.firstQuarantinedAt),
    lastSeenAt: text(item.lastSeenAt),
    timesSeen: typeof item.timesSeen === 'number' ? item.timesSeen : 0,
  };
}
