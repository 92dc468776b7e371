import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION } from '../emulators/local-aws.ts';
import type { FunctionHost } from '../lambda/function-host.ts';

export type PollerOptions = {
  functionId: string;
  queueUrl: string;
  queueArn: string;
  batchSize: number;
  reportBatchItemFailures: boolean;
  log: { warn(message: string): void };
};

/** Failed messages come back after this local backoff (doubling per receive), not the full visibility timeout. */
const LOCAL_RETRY_BASE_SECONDS = 1;
const LOCAL_RETRY_MAX_SECONDS = 30;
const IDLE_POLL_MS = 100;

/**
 * Lambda's SQS event source mapping, locally: receive a batch, invoke the function with the SQS
 * event shape, delete what succeeded (all, or all but `batchItemFailures`), and leave the rest to
 * reappear, so the queue's redrive policy moves poison messages to its DLQ.
 *
 * One local deviation, for speed: a failed message is made visible again after a short backoff
 * instead of after the queue's whole visibility timeout.
 */
export class EventSourcePoller {
  private running = false;
  private loop: Promise<void> | undefined;
  private busy = false;

  constructor(
    private readonly sqs: SQSClient,
    private readonly functions: FunctionHost,
    private readonly options: PollerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  get queueUrl(): string {
    return this.options.queueUrl;
  }

  /** True while a batch is being processed (used to wait for the pipeline to drain). */
  get isBusy(): boolean {
    return this.busy;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const received = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: this.options.batchSize,
            // local-aws-sqs waits out the whole long poll to fill a batch; short polls keep latency low.
            WaitTimeSeconds: 0,
            AttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) {
          await sleep(IDLE_POLL_MS);
          continue;
        }
        this.busy = true;
        await this.processBatch(messages);
      } catch (error) {
        if (this.running) this.options.log.warn(`poller for ${this.options.functionId}: ${describe(error)}`);
        await sleep(500);
      } finally {
        this.busy = false;
      }
    }
  }

  private async processBatch(messages: Message[]): Promise<void> {
    const event: SQSEvent = { Records: messages.map((message) => sqsRecordOf(message, this.options.queueArn, { senderId: 'local', timestampMs: Date.now() })) };
    let failedIds: Set<string>;
    try {
      const result = (await this.functions.invoke(this.options.functionId, event)) as { batchItemFailures?: Array<{ itemIdentifier: string }> } | undefined;
      failedIds = new Set(
        this.options.reportBatchItemFailures ? (result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier) : [],
      );
    } catch (error) {
      this.options.log.warn(`${this.options.functionId} failed a batch of ${messages.length}: ${describe(error)}`);
      failedIds = new Set(messages.map((message) => message.MessageId!));
    }
    const succeeded = messages.filter((message) => !failedIds.has(message.MessageId!));
    const failed = messages.filter((message) => failedIds.has(message.MessageId!));
    if (succeeded.length > 0) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: succeeded.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })),
        }),
      );
    }
    for (const message of failed) {
      const receives = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
      await this.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.options.queueUrl,
          ReceiptHandle: message.ReceiptHandle!,
          VisibilityTimeout: Math.min(LOCAL_RETRY_MAX_SECONDS, LOCAL_RETRY_BASE_SECONDS * 2 ** (receives - 1)),
        }),
      );
    }
  }
}

/**
 * An SQS message as Lambda's SQS event source hands it to a function. `defaults` fill the attributes
 * the queue did not return: the sender, and the instant for the timestamps (local: now; the fast
 * replay's in-memory queues: 0).
 */
export function sqsRecordOf(message: Message, queueArn: string, defaults: { senderId: string; timestampMs: number }): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(defaults.timestampMs),
      SenderId: attributes.SenderId ?? defaults.senderId,
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(defaults.timestampMs),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { dataType: value.DataType ?? 'String', ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}), stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
