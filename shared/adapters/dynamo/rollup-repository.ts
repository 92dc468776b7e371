import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RollupStore } from '../../domain/ports.ts';
import { LIVE, type RollupIncrement } from '../../domain/reports/rollups.ts';

/** TransactWriteItems takes at most 100 actions. */
export const MAX_ROLLUP_WRITES = 100;
const pk = (scope: string) => `ROLLUP#${scope}`;
const sk = (day: string) => (day === LIVE ? LIVE : `DAY#${day}`);
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

  async apply(increments: RollupIncrement[], idempotencyKey: string): Promise<void> {
    if (increments.length === 0) return;
    if (increments.length > MAX_ROLLUP_WRITES) throw new RangeError(`at most ${MAX_ROLLUP_WRITES} rollup writes in one transaction, got ${increments.length}`);
    await this.client.send(
      new TransactWriteCommand({
        ClientRequestToken: createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 36),
        TransactItems: increments.map(({ scope, day, counters }) => {
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
