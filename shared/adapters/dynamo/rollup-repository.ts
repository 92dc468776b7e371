import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RollupStore } from '../../domain/ports.ts';
import { LIVE, type ConversionLogEntry, type RollupIncrement } from '../../domain/reports/rollups.ts';

/** TransactWriteItems takes at most 100 actions. */
export const MAX_ROLLUP_WRITES = 100;
const pk = (scope: string) => `ROLLUP#${scope}`;
const sk = (day: string) => (day === LIVE ? LIVE : `DAY#${day}`);
const conversionLogPk = (day: string) => `CONVLOG#${day}`;
/** Attributes of a rollup item that are not counters. */
const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'kind', 'scope', 'day', 'ruleId']);

/**
 * Rollups, one item per scope and day (`ROLLUP#<scope>` / `DAY#<yyyy-mm-dd>`) or per scope's live
 * aggregate (`ROLLUP#<scope>` / `LIVE`), counters added atomically. A batch of increments is one
 * transaction with an idempotency token: if its response is lost and the SDK or Lambda repeats it
 * within ten minutes, DynamoDB applies it once.
 */
export class DynamoRollups implements RollupStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async apply(increments: RollupIncrement[], idempotencyKey: string, conversions: ConversionLogEntry[] = []): Promise<void> {
    const writes = increments.length + conversions.length;
    if (writes === 0) return;
    if (writes > MAX_ROLLUP_WRITES) throw new RangeError(`at most ${MAX_ROLLUP_WRITES} rollup writes in one transaction, got ${writes}`);
    await this.client.send(
      new TransactWriteCommand({
        ClientRequestToken: createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 36),
        TransactItems: [
          // A log entry is keyed by its conversion, so writing it again changes nothing.
          ...conversions.map(({ day, id, ...entry }) => ({ Put: { TableName: this.tableName, Item: { pk: conversionLogPk(day), sk: id, kind: 'conversion_log', day, id, ...entry } } })),
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
      for (const { pk: _pk, sk: _sk, kind: _kind, ...entry } of page.Items ?? []) entries.push(entry as ConversionLogEntry);
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
