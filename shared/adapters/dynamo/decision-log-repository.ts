import { createHash } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ConditionOperator } from '../../domain/conditions.ts';
import { DecisionOutcome, DecisionReason, type DecisionRecord } from '../../domain/decision-record.ts';
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
    const items = records.map((record) => ({
      PutRequest: {
        Item: {
          pk: customerPk(record.customerId),
          sk: decisionSk(normalise(record.occurredAt), record.ruleId, digest(`${record.eventId}|${record.via ?? 'event'}`)),
          kind: 'decision',
          ...withoutUndefined(record),
          ttl: expiresAt(record.decidedAt, retentionDays),
        },
      },
    }));
    await batchWriteAll(this.client, this.tableName, items, 'decision records');
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
