import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../domain/clock.ts';
import { runtimeClock } from '../clock/runtime-clock.ts';
import type { RollupMarker, RollupStore } from '../../domain/ports.ts';
import { LIVE, type ConversionLogEntry, type RollupIncrement } from '../../domain/reports/rollups.ts';
import { customerPk } from './keys.ts';
import { expiresAt } from './ttl.ts';

/** TransactWriteItems takes at most 100 actions. */
export const MAX_ROLLUP_WRITES = 100;
const pk = (scope: string) => `ROLLUP#${scope}`;
const sk = (day: string) => (day === LIVE ? LIVE : `DAY#${day}`);
export const conversionLogPk = (day: string) => `CONVLOG#${day}`;
/** A customer's index item of one log entry, in their partition: `C#<id>` / `CONVLOG#<day>#<entry id>`. */
export const conversionLogRefSk = (day: string, id: string) => `CONVLOG#${day}#${id}`;
/**
 * Each logged conversion is two writes in the rollup transaction: the day's entry, which the
 * attribution report reads by day, and an index item in the customer's partition, which erase and
 * export find with the one Query of that partition. The index, not the customer's conversion item,
 * is what leads to the entry: a conversion item may expire (or be deleted) first, and a log keyed
 * by customer could not be read by day. Written in one transaction, so there is no entry without
 * its index.
 */
export const WRITES_PER_LOGGED_CONVERSION = 2;
/**
 * The index outlives its entry by this much: DynamoDB deletes expired items lazily (typically
 * within days), and an expired entry not yet deleted must still be found by an erase.
 */
const INDEX_TTL_MARGIN_DAYS = 30;
const countedPk = (mark: string) => `COUNTED#${mark}`;
const COUNTED_SK = 'STREAM';
/** Attributes of a rollup item that are not counters. */
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'kind', 'scope', 'day', 'ruleId']);
/** A change's mark is 12 base64url characters: 9 bytes in the marker's binary list. */
const MARK_BYTES = 9;

/**
 * How long a group's marker is kept: longer than the stream keeps records (24 h) and Lambda retries
 * them, so a redelivery always finds it; TTL then deletes it.
 */
export const MARK_RETENTION_DAYS = 2;

/**
 * Rollups, one item per scope and day (`ROLLUP#<scope>` / `DAY#<yyyy-mm-dd>`) or per scope's live
 * aggregate (`ROLLUP#<scope>` / `LIVE`), counters added atomically. Each transaction of counted
 * stream changes also puts the group's marker (`COUNTED#<mark of its first change>` / `STREAM`, the
 * marks of all its changes as one binary list, condition: not there yet), so a group delivered again
 * cancels the transaction and the cancellation reason carries the list (update-rollups.ts).
 */
export class DynamoRollups implements RollupStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Only the writer of the log needs it: entries are kept as long as the conversions (catalog `sendRetentionDays`). */
    private readonly options: { conversionRetentionDays?: number } = {},
    private readonly clock: Clock = runtimeClock,
  ) {}

  async apply(batch: { increments: RollupIncrement[]; conversions?: ConversionLogEntry[]; marker?: RollupMarker }): Promise<{ counted: true } | { counted: false; alreadyCounted: string[] }> {
    const { increments, marker } = batch;
    const conversions = batch.conversions ?? [];
    const writes = increments.length + WRITES_PER_LOGGED_CONVERSION * conversions.length + (marker ? 1 : 0);
    if (writes === 0) return { counted: true };
    const retentionDays = this.options.conversionRetentionDays;
    if (conversions.length > 0 && retentionDays === undefined) throw new Error('DynamoRollups needs conversionRetentionDays to log conversions');
    if (writes > MAX_ROLLUP_WRITES) throw new RangeError(`at most ${MAX_ROLLUP_WRITES} rollup writes in one transaction, got ${writes}`);
    if (marker && increments.length === 0 && conversions.length === 0) return this.putMarkerAlone(marker);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            // First, so the first cancellation reason is the marker's.
            ...(marker
              ? [{ Put: { TableName: this.tableName, Item: this.markerItem(marker), ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } }]
              : []),
            // A log entry is keyed by its conversion, so writing it again changes nothing.
            ...conversions.flatMap(({ day, id, ...entry }) => {
              // The retention of the conversion the entry logs (its item's TTL, send-tracking-repository.ts).
              const logTtl = expiresAt(entry.convertedAt, retentionDays!);
              return [
                { Put: { TableName: this.tableName, Item: { pk: conversionLogPk(day), sk: id, kind: 'conversion_log', day, id, ...entry, ttl: logTtl } } },
                {
                  Put: {
                    TableName: this.tableName,
                    Item: { pk: customerPk(entry.customerId), sk: conversionLogRefSk(day, id), kind: 'conversion_log_ref', logPk: conversionLogPk(day), logSk: id, ttl: logTtl + INDEX_TTL_MARGIN_DAYS * 86_400 },
                  },
                },
              ];
            }),
            ...increments.map(({ scope, day, counters }) => {
              const entries = Object.entries(counters).filter(([, value]) => typeof value === 'number' && value !== 0);
              return {
                Update: {
                  TableName: this.tableName,
                  Key: { pk: pk(scope), sk: sk(day) },
                  UpdateExpression: `SET #kind = :kind, #scope = :scope, #day = :day${entries.length > 0 ? ` ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}` : ''}`,
                  ExpressionAttributeNames: { '#kind': 'kind', '#scope': 'scope', '#day': 'day', ...Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])) },
                  ExpressionAttributeValues: { ':kind': 'rollup', ':scope': scope, ':day': day, ...Object.fromEntries(entries.map(([, value], i) => [`:c${i}`, value])) },
                },
              };
            }),
          ],
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return { counted: true };
    } catch (error) {
      const listed = marker ? countedBefore(error) : undefined;
      if (!listed) throw error;
      return { counted: false, alreadyCounted: listed };
    }
  }

  /**
   * A group that counts nothing (claims, sweep writes) writes only its marker: one conditional put
   * is as atomic as the transaction and costs half (1 WRU per KB instead of 2). The marker is still
   * needed: a delivery starting at the group's first change learns from it what an earlier delivery
   * counted from there.
   */
  private async putMarkerAlone(marker: RollupMarker): Promise<{ counted: true } | { counted: false; alreadyCounted: string[] }> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: this.markerItem(marker), ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL' }),
      );
      return { counted: true };
    } catch (error) {
      const marks = error instanceof ConditionalCheckFailedException ? error.Item?.marks?.B : undefined;
      if (!marks) throw error;
      return { counted: false, alreadyCounted: unpackMarks(marks) };
    }
  }

  async continueMarker(marker: RollupMarker): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: this.markerItem(marker), ConditionExpression: 'attribute_not_exists(pk)', ReturnConsumedCapacity: 'TOTAL' }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private markerItem(marker: RollupMarker): Record<string, unknown> {
    return { pk: countedPk(marker.first), sk: COUNTED_SK, kind: 'stream_counted', marks: packMarks(marker.marks), ttl: expiresAt(this.clock.now().toISOString(), MARK_RETENTION_DAYS) };
  }

  async days(scope: string, range: { from?: string; to?: string } = {}): Promise<RollupIncrement[]> {
    const rows: RollupIncrement[] = [];
    // `DAY#` sorts after any `DAY#<date>` bound's prefix, so open ends stay within the scope's days.
    const from = `DAY#${range.from ?? ''}`;
    const to = `DAY#${range.to ?? '\uffff'}`;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk(scope), ':from': from, ':to': to },
          ExclusiveStartKey: startKey,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      for (const item of page.Items ?? []) rows.push({ scope, day: String(item.day), counters: countersOf(item) });
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return rows;
  }

  async conversions(day: string): Promise<ConversionLogEntry[]> {
    const entries: ConversionLogEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': conversionLogPk(day) }, ExclusiveStartKey: startKey, ReturnConsumedCapacity: 'TOTAL' }),
      );
      for (const { pk: _pk, sk: _sk, kind: _kind, ttl: _ttl, ...entry } of page.Items ?? []) entries.push(entry as ConversionLogEntry);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return entries;
  }

  async snapshot(scope: string, day: string, counters: Record<string, number>): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...counters, pk: pk(scope), sk: sk(day), kind: 'rollup', scope, day }, ReturnConsumedCapacity: 'TOTAL' }),
    );
  }

  async live(scope: string): Promise<Record<string, number>> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: pk(scope), sk: LIVE }, ReturnConsumedCapacity: 'TOTAL' }));
    return result.Item ? countersOf(result.Item) : {};
  }
}

function countersOf(item: Record<string, unknown>): Record<string, number> {
  const counters: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) if (!KEY_ATTRIBUTES.has(name) && typeof value === 'number') counters[name] = value;
  return counters;
}

/**
 * The list of a marker there already: the transaction was cancelled by the marker's condition alone
 * (a conflict or throttling is thrown, and the stream retries). The reason carries the old item as
 * raw attribute values.
 */
function countedBefore(error: unknown): string[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  const failed = reasons.filter((reason) => reason.Code && reason.Code !== 'None');
  if (failed.length !== 1 || reasons[0]?.Code !== 'ConditionalCheckFailed') return undefined;
  const marks = reasons[0].Item?.marks?.B;
  return marks ? unpackMarks(marks) : undefined;
}

/** Marks as one binary list (9 bytes each), a third of their text. */
export function packMarks(marks: readonly string[]): Uint8Array {
  return Buffer.concat(marks.map((mark) => Buffer.from(mark, 'base64url')));
}

export function unpackMarks(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes);
  const marks: string[] = [];
  for (let at = 0; at + MARK_BYTES <= buffer.length; at += MARK_BYTES) marks.push(buffer.subarray(at, at + MARK_BYTES).toString('base64url'));
  return marks;
}
