import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Conversion } from '../../domain/conversions.ts';
import type { SendTracking } from '../../domain/ports.ts';
import { conversionSk, customerPk, sendKey } from './keys.ts';

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

  async recordConversion(conversion: Conversion): Promise<void> {
    const orderKey = conversion.orderId ?? conversion.convertedAt;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: customerPk(conversion.customerId), sk: conversionSk(conversion.sendId, orderKey), kind: 'conversion', ...conversion },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendKey(conversion.customerId, conversion.sendId),
          UpdateExpression: 'SET convertedAt = if_not_exists(convertedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': conversion.convertedAt },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
