import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RejectedEvent, RejectedEventStore } from '../../domain/ports.ts';

/**
 * Malformed events are kept, with the reason and the original payload, on a dead-letter queue
 * (14 days) instead of being dropped, so they can be inspected, fixed and replayed.
 */
export class SqsRejectedEventStore implements RejectedEventStore {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async record(rejected: RejectedEvent): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(rejected),
        MessageAttributes: { reason: { DataType: 'String', StringValue: rejected.reason.slice(0, 256) || 'invalid' } },
      }),
    );
  }
}
