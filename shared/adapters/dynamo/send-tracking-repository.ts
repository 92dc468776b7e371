import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { HOUR_MS } from '../../domain/clock.ts';
import { conversionFromSends, type Conversion, type Purchase, type SendEngagement } from '../../domain/conversions.ts';
import type { SendTracking } from '../../domain/ports.ts';
import { conversionSk, customerPk, sendKey, sendSk } from './keys.ts';
import { expiresAt } from './ttl.ts';

/**
 * Engagement and conversions on the send's own record (and a conversion item beside it), written
 * so that a retried event changes nothing: first/last timestamps, not counters; conversions keyed
 * by order. Reports read these without touching profiles.
 */
export class DynamoSendTracking implements SendTracking {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async recordEngagement(input: { customerId: string; sendId: string; kind: 'open' | 'click'; at: string }): Promise<void> {
    const [first, last] = input.kind === 'open' ? ['firstOpenAt', 'lastOpenAt'] : ['firstClickAt', 'lastClickAt'];
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendKey(input.customerId, input.sendId),
          UpdateExpression: `SET #first = if_not_exists(#first, :at), #last = :at`,
          // Only sends Nudge made (a forged sendId in an event must not create records), and never moving back in time.
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#last) OR #last < :at)',
          ExpressionAttributeNames: { '#first': first, '#last': last },
          ExpressionAttributeValues: { ':at': input.at },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async recordUnsubscribe(input: { customerId: string; sendId: string; at: string }): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendKey(input.customerId, input.sendId),
          UpdateExpression: 'SET unsubscribedAt = if_not_exists(unsubscribedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': input.at },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Reads the customer's sends within the lookback first (one Query: a purchase is rare), and the
   * pure conversionFromSends picks the converted send (last touch) and the touches. That send is
   * then marked, returning its segments, which the conversion item carries (the segment reports add
   * its revenue per segment). A retry repeats all: the mark keeps its first time and the
   * conversion item is keyed by send and order, so nothing counts twice.
   */
  async recordConversion(purchase: Purchase, options: { windowHours: number; retentionDays: number }): Promise<Conversion | undefined> {
    const conversion = conversionFromSends(purchase, await this.touchedSends(purchase, options.windowHours), options.windowHours);
    if (!conversion) return undefined;
    let segments: string[] = [];
    // The send's experiment variant, which the conversion item carries too (the rollups add its revenue per variant).
    let variant: { experimentId: string; variantId: string } | undefined;
    try {
      const marked = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendKey(conversion.customerId, conversion.sendId),
          UpdateExpression: 'SET convertedAt = if_not_exists(convertedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': conversion.convertedAt },
          ReturnValues: 'ALL_NEW',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      const recorded = marked.Attributes?.segments;
      if (Array.isArray(recorded)) segments = recorded.filter((segment): segment is string => typeof segment === 'string');
      const { experimentId, variantId } = marked.Attributes ?? {};
      if (typeof experimentId === 'string' && typeof variantId === 'string') variant = { experimentId, variantId };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const orderKey = conversion.orderId ?? conversion.convertedAt;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: customerPk(conversion.customerId), sk: conversionSk(conversion.sendId, orderKey), kind: 'conversion', ...conversion, segments, ...variant, ttl: expiresAt(conversion.convertedAt, options.retentionDays) },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    return { ...conversion, segments };
  }

  /** The customer's sends sent, opened or clicked since the lookback began (one Query of the customer's sends). */
  private async touchedSends(purchase: Purchase, windowHours: number): Promise<SendEngagement[]> {
    const since = new Date(Date.parse(purchase.convertedAt) - windowHours * HOUR_MS).toISOString();
    const sends: SendEngagement[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :send)',
          FilterExpression: 'sentAt >= :since OR lastOpenAt >= :since OR lastClickAt >= :since',
          ProjectionExpression: 'sendId, ruleId, sentAt, outcome, firstOpenAt, lastOpenAt, firstClickAt, lastClickAt',
          ExpressionAttributeValues: { ':pk': customerPk(purchase.customerId), ':send': sendSk(''), ':since': since },
          ExclusiveStartKey: startKey,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      sends.push(...((page.Items ?? []) as SendEngagement[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return sends;
  }
}
