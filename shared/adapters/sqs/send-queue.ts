import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MAX_QUEUE_DELAY_SECONDS, type SendQueue } from '../../domain/ports.ts';
import type { SendRequest } from '../../domain/send-request.ts';

/** The send queue between the decision (ingest) and delivery (dispatcher). */
export class SqsSendQueue implements SendQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Holds a received message back for `seconds` before SQS offers it again (retry backoff). */
  async delayRedelivery(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: Math.round(seconds) }));
  }

  async enqueue(request: SendRequest, options: { delaySeconds?: number } = {}): Promise<void> {
    const delaySeconds = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil(options.delaySeconds ?? 0)));
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        ...(delaySeconds > 0 ? { DelaySeconds: delaySeconds } : {}),
        MessageBody: JSON.stringify(request),
        MessageAttributes: {
          sendId: { DataType: 'String', StringValue: request.sendId },
          ruleId: { DataType: 'String', StringValue: request.ruleId },
        },
      }),
    );
  }
}
