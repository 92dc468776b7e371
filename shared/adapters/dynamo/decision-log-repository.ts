import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ConditionOperator } from '../../domain/conditions.ts';
import { DecisionOutcome, DecisionReason, type DecisionRecord } from '../../domain/decision-record.ts';
import { ExposureGroup, type ExposurePurchase, type StoredExposure } from '../../domain/exposures.ts';
import type { DecisionLog } from '../../domain/ports.ts';
import { customerItems } from './customer-items.ts';
import { customerPk, decisionSk } from './keys.ts';
import { batchWriteAll } from './batch-write.ts';
import { expiresAt } from './ttl.ts';


const StoredDecision = z.object({
  customerId: z.string(),
  ruleId: z.string(),
  priority: z.number(),
  eventId: z.string(),
  eventType: z.string(),
  occurredAt: z.string(),
  decidedAt: z.string(),
  outcome: DecisionOutcome,
  reason: DecisionReason.optional(),
  until: z.string().optional(),
  wonBy: z.string().optional(),
  sequenceId: z.string().optional(),
  sendId: z.string().optional(),
  sendAt: z.string().optional(),
  repeat: z.boolean().optional(),
  via: z.enum(['event', 'absence_check', 'deferred_rule', 'model_event', 'sweep', 'sequence']).optional(),
  experimentId: z.string().optional(),
  variantId: z.string().optional(),
  variantBy: z.literal('winner').optional(),
  conditions: z.array(z.object({ field: z.string(), op: ConditionOperator, expected: z.unknown(), actual: z.unknown(), passed: z.boolean() })),
  exposure: ExposureGroup.optional(),
  windowHours: z.number().optional(),
});

const ExposureItem = z.object({
  sk: z.string(),
  ruleId: z.string(),
  occurredAt: z.string(),
  exposure: ExposureGroup.optional(),
  windowHours: z.number().optional(),
  repeat: z.boolean().optional(),
});

/**
 * Decision records under the customer's partition, sorted by the triggering event's time
 * (`DEC#<occurredAt>#<rule>#<event digest>`): "why did this customer get this email" is one Query,
 * newest first. The key is deterministic, so a retried event overwrites its own records. TTL
 * applies the catalog's retention.
 */
export class DynamoDecisionLog implements DecisionLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(records: DecisionRecord[], retentionDays: number): Promise<void> {
    const itemOf = (record: DecisionRecord) => ({
      pk: customerPk(record.customerId),
      sk: decisionSk(normalise(record.occurredAt), record.ruleId, digest(`${record.eventId}|${record.via ?? 'event'}`)),
      kind: 'decision',
      ...withoutUndefined(record),
      ttl: expiresAt(record.decidedAt, retentionDays),
    });
    // An exposure carries the conversions its purchases marked, and a repeat re-decides a decision
    // already taken: neither may overwrite the first record (one conditional Put each; both are rare).
    const writeOnce = records.filter((record) => record.exposure !== undefined || record.repeat === true);
    const items = records.filter((record) => !writeOnce.includes(record)).map((record) => ({ PutRequest: { Item: itemOf(record) } }));
    await batchWriteAll(this.client, this.tableName, items, 'decision records');
    for (const record of writeOnce) {
      try {
        await this.client.send(new PutCommand({ TableName: this.tableName, Item: itemOf(record), ConditionExpression: 'attribute_not_exists(pk)' }));
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }

  /**
   * The customer's decisions whose trigger time is in [from, to], as the purchase path reads them
   * (exposures.ts): one Query of the DEC# range, only the attributes it needs.
   */
  async decisionsBetween(customerId: string, from: string, to: string): Promise<StoredExposure[]> {
    const found: StoredExposure[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': customerPk(customerId), ':from': `DEC#${normalise(from)}`, ':to': `DEC#${normalise(to)}#\uffff` },
          ProjectionExpression: 'sk, ruleId, occurredAt, exposure, windowHours, #repeat',
          ExpressionAttributeNames: { '#repeat': 'repeat' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const parsed = ExposureItem.safeParse(item);
        if (parsed.success) found.push({ key: parsed.data.sk, ...parsed.data });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  /**
   * Adds a purchase to an exposure's decision record: first conversion time, one order, its revenue,
   * its id in the set that makes a redelivered purchase add nothing. False when it was counted
   * already (or the record has expired).
   */
  async markConversion(customerId: string, key: string, purchase: ExposurePurchase): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: customerPk(customerId), sk: key },
          // A list, not a string set: the item stays plain JSON (nudge export prints it as is).
          UpdateExpression: 'SET convertedAt = if_not_exists(convertedAt, :at), purchaseIds = list_append(if_not_exists(purchaseIds, :none), :ids) ADD orders :one, revenue :revenue',
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(purchaseIds, :id)',
          ExpressionAttributeValues: { ':at': purchase.purchasedAt, ':one': 1, ':revenue': purchase.revenue, ':none': [], ':ids': [purchase.purchaseId], ':id': purchase.purchaseId },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The customer's decisions, newest first, optionally for one rule. */
  async list(customerId: string, options: { ruleId?: string; limit?: number } = {}): Promise<DecisionRecord[]> {
    const limit = options.limit ?? 50;
    const found: DecisionRecord[] = [];
    for await (const item of customerItems(this.client, this.tableName, customerId, 'DEC#', { newestFirst: true })) {
      const record: DecisionRecord = StoredDecision.parse(item);
      if (!options.ruleId || record.ruleId === options.ruleId) found.push(record);
      if (found.length >= limit) return found;
    }
    return found;
  }
}

/** Instants as UTC ISO so the sort key orders them correctly whatever offset the producer used. */
function normalise(instant: string): string {
  const parsed = Date.parse(instant);
  return Number.isNaN(parsed) ? instant : new Date(parsed).toISOString();
}

function digest(eventId: string): string {
  return createHash('sha256').update(eventId).digest('base64url').slice(0, 8);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
