import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SequenceRunProgress, SequenceRunStore } from '../../domain/ports.ts';
import { SequenceRunRecord } from '../../domain/sequence-runs.ts';
import { customerItems } from './customer-items.ts';
import { customerPk, SEQUENCE_RUN_PREFIX, sequenceRunSk } from './keys.ts';
import { CorruptItemError } from './profile-repository.ts';

/**
 * One item per customer and sequence (`SEQRUN#<sequence>`), holding its latest run. Conditional
 * writes keyed on `runId` make the item the run's slot: a start claims it only when it is free (or
 * its own), and a run's step or stop writes only while the slot is still that run's and active.
 */
export class DynamoSequenceRuns implements SequenceRunStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(customerId: string, sequenceId: string): Promise<SequenceRunRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: customerPk(customerId), sk: sequenceRunSk(sequenceId) }, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }),
    );
    return Item ? parse(Item) : undefined;
  }

  async listForCustomer(customerId: string): Promise<SequenceRunRecord[]> {
    const records: SequenceRunRecord[] = [];
    for await (const item of customerItems(this.client, this.tableName, customerId, SEQUENCE_RUN_PREFIX, { consistentRead: true })) records.push(parse(item));
    return records;
  }

  async claim(record: SequenceRunRecord, replaces: string | undefined): Promise<boolean> {
    return this.put(record, replaces === undefined ? 'attribute_not_exists(pk) OR runId = :runId' : 'attribute_not_exists(pk) OR runId = :runId OR runId = :replaces', replaces);
  }

  async recordProgress(run: { customerId: string; sequenceId: string; runId: string }, changes: SequenceRunProgress): Promise<boolean> {
    const fields = Object.entries(changes).filter(([, value]) => value !== undefined);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: customerPk(run.customerId), sk: sequenceRunSk(run.sequenceId) },
          UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
          ConditionExpression: 'runId = :runId AND #status = :active',
          ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])) },
          ExpressionAttributeValues: { ':runId': run.runId, ':active': 'active', ...Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value])) },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async put(record: SequenceRunRecord, condition: string, replaces: string | undefined): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: customerPk(record.customerId), sk: sequenceRunSk(record.sequenceId), kind: 'sequence_run', ...record },
          ConditionExpression: condition,
          ExpressionAttributeValues: { ':runId': record.runId, ...(replaces !== undefined ? { ':replaces': replaces } : {}) },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function parse(item: Record<string, unknown>): SequenceRunRecord {
  const { pk: _pk, sk: _sk, kind: _kind, ...rest } = item;
  const parsed = SequenceRunRecord.safeParse(rest);
  if (!parsed.success) throw new CorruptItemError(`sequence run item ${String(item.pk)}/${String(item.sk)} does not match the schema: ${parsed.error.message}`);
  return parsed.data;
}
