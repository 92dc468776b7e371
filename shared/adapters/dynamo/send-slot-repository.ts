import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { reserveSendSlot, type PacingSettings, type SendSlotStore, type SlotReservation } from '../../domain/send-pacing.ts';
import { SEND_PACING_KEY } from './keys.ts';
import { unmarshallRaw } from './raw-items.ts';

/** Attempts before giving up on a contended item (each loss means another dispatcher just reserved). */
const MAX_CONTENDED_TRIES = 8;

/**
 * The send-slot schedule in one DynamoDB item (`tat`), reserved with conditional writes so that any
 * number of concurrent dispatchers share it: usually one UpdateItem per send (1 WCU).
 *
 * The common case (the schedule is busy and the slot within reach) is one conditional ADD; the
 * condition failing returns the item, and reserveSendSlot decides: too far ahead (throttled, no
 * write) or idle (the schedule restarts at now - burst, under a condition that it is still idle).
 */
export class DynamoSendSlotStore implements SendSlotStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async reserve(now: number, settings: PacingSettings): Promise<SlotReservation> {
    const floor = now - settings.burstMs;
    for (let attempt = 0; attempt < MAX_CONTENDED_TRIES; attempt++) {
      let stored: number | undefined;
      try {
        const { Attributes } = await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: SEND_PACING_KEY,
            UpdateExpression: 'ADD tat :interval',
            ConditionExpression: 'tat BETWEEN :floor AND :latest',
            ExpressionAttributeValues: { ':interval': settings.intervalMs, ':floor': floor, ':latest': now + settings.maxWaitMs },
            ReturnValues: 'UPDATED_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        const slotAt = Number(Attributes?.tat);
        return { type: 'granted', slotAt, nextTat: slotAt + settings.intervalMs };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const tat = error.Item ? unmarshallRaw(error.Item).tat : undefined;
        stored = typeof tat === 'number' ? tat : undefined;
      }
      const decided = reserveSendSlot(stored, now, settings);
      if (decided.type === 'throttled') return decided;
      // Idle (or never used): restart the schedule, unless another dispatcher just did.
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: SEND_PACING_KEY,
            UpdateExpression: 'SET tat = :next',
            ConditionExpression: 'attribute_not_exists(tat) OR tat < :floor',
            ExpressionAttributeValues: { ':next': decided.nextTat, ':floor': floor },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        return decided;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    // Lost every race: the schedule is that busy, so behave as throttled rather than wait longer.
    return { type: 'throttled', retryAfterMs: settings.intervalMs * MAX_CONTENDED_TRIES };
  }
}
