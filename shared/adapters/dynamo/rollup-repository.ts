import { createHash } from 'node:crypto';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RollupStore } from '../../domain/ports.ts';
import { ROLLUP_COUNTERS, type RollupIncrement } from '../../domain/reports/rollups.ts';
import { partitionItems } from './customer-items.ts';

/** TransactWriteItems takes at most 100 actions. */
export const MAX_ROLLUP_WRITES = 100;
const pk = (ruleId: string) => `ROLLUP#${ruleId}`;

/**
 * Daily rollups, one item per rule and day (`ROLLUP#<ruleId>` / `DAY#<yyyy-mm-dd>`), counters added
 * atomically. A batch of increments is one transaction with an idempotency token: if its response
 * is lost and the SDK or Lambda repeats it within ten minutes, DynamoDB applies it once.
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
        TransactItems: increments.map(({ ruleId, day, counters }) => {
          const entries = Object.entries(counters).filter(([, value]) => typeof value === 'number' && value !== 0);
          return {
            Update: {
              TableName: this.tableName,
              Key: { pk: pk(ruleId), sk: `DAY#${day}` },
              UpdateExpression: `SET #kind = :kind, #rule = :rule, #day = :day${entries.length > 0 ? ` ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}` : ''}`,
              ExpressionAttributeNames: { '#kind': 'kind', '#rule': 'ruleId', '#day': 'day', ...Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])) },
              ExpressionAttributeValues: { ':kind': 'rollup', ':rule': ruleId, ':day': day, ...Object.fromEntries(entries.map(([, value], i) => [`:c${i}`, value])) },
            },
          };
        }),
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
  }

  /** Every day recorded for the rule, oldest first. */
  async days(ruleId: string): Promise<RollupIncrement[]> {
    const rows: RollupIncrement[] = [];
    for await (const item of partitionItems(this.client, this.tableName, pk(ruleId), 'DAY#')) {
      const counters: RollupIncrement['counters'] = {};
      for (const counter of ROLLUP_COUNTERS) if (typeof item[counter] === 'number') counters[counter] = item[counter] as number;
      rows.push({ ruleId, day: String(item.day), counters });
    }
    return rows;
  }
}
