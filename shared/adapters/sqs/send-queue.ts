import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SendQueue } from '../../domain/ports.ts';
import type { SendRequest } from '../../domain/send-request.ts';

/** The send queue between the decision (ingest) and delivery (dispatcher). */
export class SqsSendQueue implements SendQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(request: SendRequest): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(request),
        MessageAttributes: {
          sendId: { DataType: 'String', StringValue: request.sendId },
          ruleId: { DataType: 'String', StringValue: request.ruleId },
        },
      }),
    );
  }
}
