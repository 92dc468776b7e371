import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { SendLedger, SendLedgerBegin } from '../../domain/ports.ts';
import { SEND_OUTCOME_RANK, type SendOutcome, type SendOutcomes } from '../../domain/ses-events.ts';
import type { SendRequest } from '../../domain/send-request.ts';
import { sendKey } from './keys.ts';
import { unmarshallRaw } from './raw-items.ts';
import { expiresAt } from './ttl.ts';

export const SendStatus = z.enum(['sending', 'retrying', 'sent', 'failed']);
export type SendStatus = z.infer<typeof SendStatus>;

/** A ledger record as stored: the audit trail of one send (no email address: the profile has it). */
export const SendRecord = z.object({
  sendId: z.string(),
  customerId: z.string(),
  ruleId: z.string(),
  templateId: z.string(),
  status: SendStatus,
  attempts: z.number(),
  decidedAt: z.string(),
  trigger: z.object({ eventId: z.string(), type: z.string(), occurredAt: z.string() }),
  conditions: z.array(z.record(z.string(), z.unknown())),
  sentAt: z.string().optional(),
  messageId: z.string().optional(),
  failedAt: z.string().optional(),
  failureReason: z.string().optional(),
  lastError: z.string().optional(),
  /** What SES reported after the send (delivered, bounced, rejected, complained); see recordOutcome. */
  outcome: z.enum(['delivered', 'bounced', 'rejected', 'complained']).optional(),
  outcomeAt: z.string().optional(),
  outcomeDetail: z.string().optional(),
  experimentId: z.string().optional(),
  variantId: z.string().optional(),
});
export type SendRecord = z.infer<typeof SendRecord>;

/**
 * The send ledger, one item per sendId. `begin` is a lease taken with a conditional write: a
 * redelivered message finds `sent` and stops, and a worker that crashed mid-send leaves a lease
 * that lapses before SQS shows the message again.
 */
export class DynamoSendLedger implements SendLedger, SendOutcomes {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async begin({ request, now, leaseMs, retentionDays }: { request: SendRequest; now: Date; leaseMs: number; retentionDays: number }): Promise<SendLedgerBegin> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendKey(request.customerId, request.sendId),
          UpdateExpression:
            'SET kind = :kind, sendId = :sendId, customerId = :customerId, ruleId = :ruleId, templateId = :templateId, ' +
            '#status = :sending, leaseUntil = :leaseUntil, decidedAt = :decidedAt, #trigger = :trigger, ' +
            'conditions = :conditions, #segments = :segments, #ttl = :ttl' +
            // An experiment's send keeps its variant: the rollups count its steps and revenue per variant.
            (request.variantId ? ', experimentId = :experimentId, variantId = :variantId' : '') +
            ' ADD attempts :one',
          ConditionExpression:
            'attribute_not_exists(pk) OR #status = :retrying OR (#status = :sending AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status', '#trigger': 'trigger', '#segments': 'segments', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':kind': 'send',
            ':sendId': request.sendId,
            ':customerId': request.customerId,
            ':ruleId': request.ruleId,
            ':templateId': request.templateId,
            ':sending': 'sending',
            ':retrying': 'retrying',
            ':leaseUntil': now.getTime() + leaseMs,
            ':now': now.getTime(),
            ':decidedAt': request.decidedAt,
            ':trigger': request.trigger,
            ':conditions': request.conditions,
            // The recipient's segments as the email left: the segment reports count its outcomes per segment.
            ':segments': request.personalization.segments ?? [],
            ':one': 1,
            // Retention (catalog sendRetentionDays): DynamoDB's TTL deletes the record, opens and clicks included.
            ':ttl': expiresAt(request.decidedAt, retentionDays),
            ...(request.variantId ? { ':experimentId': request.experimentId ?? '', ':variantId': request.variantId } : {}),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return { type: 'started' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const status = error.Item ? unmarshallRaw(error.Item).status : undefined;
      if (status === 'sent') return { type: 'already_sent' };
      if (status === 'failed') return { type: 'already_failed' };
      return { type: 'in_progress_elsewhere' };
    }
  }

  async markSent({ request, messageId, now }: { request: SendRequest; messageId: string; now: Date }): Promise<void> {
    await this.settle(request, 'SET #status = :sent, sentAt = :at, messageId = :messageId REMOVE leaseUntil', {
      ':sent': 'sent',
      ':at': now.toISOString(),
      ':messageId': messageId,
    });
  }

  async markFailed({ request, reason, now }: { request: SendRequest; reason: string; now: Date }): Promise<void> {
    await this.settle(request, 'SET #status = :failed, failedAt = :at, failureReason = :reason REMOVE leaseUntil', {
      ':failed': 'failed',
      ':at': now.toISOString(),
      ':reason': reason.slice(0, 1000),
    });
  }

  async release({ request, error }: { request: SendRequest; error: string; now: Date }): Promise<void> {
    await this.settle(request, 'SET #status = :retrying, lastError = :error REMOVE leaseUntil', {
      ':retrying': 'retrying',
      ':error': error.slice(0, 1000),
    });
  }

  /**
   * What SES reported after the send, on the same record (`outcome`, `outcomeAt`, `outcomeDetail`;
   * `status` stays the dispatcher's). SES events come at least once and in any order, so the write
   * is conditioned on the outcome's rank: a repeat, or a late delivery after a bounce, changes
   * nothing. A send with no record (a foreign or forged tag, or a customer erased since) is not
   * created: the condition also requires the item to exist.
   */
  async recordOutcome(input: { customerId: string; sendId: string; outcome: SendOutcome; at: Date; detail?: string }): Promise<'recorded' | 'unchanged'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendKey(input.customerId, input.sendId),
          // A higher outcome replaces the lower one's detail too (a delivery has none).
          UpdateExpression: `SET outcome = :outcome, outcomeRank = :rank, outcomeAt = :at${input.detail ? ', outcomeDetail = :detail' : ' REMOVE outcomeDetail'}`,
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(outcomeRank) OR outcomeRank < :rank)',
          ExpressionAttributeValues: {
            ':outcome': input.outcome,
            ':rank': SEND_OUTCOME_RANK[input.outcome],
            ':at': input.at.toISOString(),
            ...(input.detail ? { ':detail': input.detail.slice(0, 1000) } : {}),
          },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'unchanged';
      throw error;
    }
  }

  async find(customerId: string, sendId: string): Promise<SendRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: sendKey(customerId, sendId), ConsistentRead: true }),
    );
    return Item ? SendRecord.parse(Item) : undefined;
  }

  private async settle(request: SendRequest, updateExpression: string, values: Record<string, unknown>): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: sendKey(request.customerId, request.sendId),
        UpdateExpression: updateExpression,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
  }
}
