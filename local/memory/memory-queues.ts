import { createHash } from 'node:crypto';
import { QueueDoesNotExist, ReceiptHandleIsInvalid, type Message } from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';

type StoredMessage = {
  id: string;
  body: string;
  messageAttributes: Message['MessageAttributes'];
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt: number | undefined;
  /** The handle of the latest receive; an older handle no longer deletes the message. */
  receiptHandle: string | undefined;
};

type Queue = {
  name: string;
  url: string;
  arn: string;
  visibilityTimeoutSeconds: number;
  delaySeconds: number;
  redrive: { deadLetterTargetArn: string; maxReceiveCount: number } | undefined;
  messages: StoredMessage[];
};

const MAX_DELAY_SECONDS = 900;

/**
 * SQS in memory, on a clock the caller owns (the fast replay's simulated clock): delays, visibility
 * timeouts and receive counts run on it, and a message received more often than its queue's
 * redrive policy allows moves to the dead-letter queue on the next receive, as SQS moves it.
 * Messages come out in the order they became visible (standard queues promise no order; a fixed
 * one makes a replay repeatable). Ids are counters, not random, for the same reason.
 */
export class MemoryQueues {
  private readonly byUrl = new Map<string, Queue>();
  private readonly byArn = new Map<string, Queue>();
  private nextId = 0;

  constructor(
    private readonly now: () => number,
    private readonly endpoint = 'http://sqs.memory',
  ) {}

  create(name: string, attributes: Record<string, string> = {}): string {
    const url = `${this.endpoint}/${LOCAL_ACCOUNT}/${name}`;
    if (this.byUrl.has(url)) return url;
    const redrive = attributes.RedrivePolicy ? (JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number | string }) : undefined;
    const queue: Queue = {
      name,
      url,
      arn: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`,
      visibilityTimeoutSeconds: Number(attributes.VisibilityTimeout ?? 30),
      delaySeconds: Number(attributes.DelaySeconds ?? 0),
      redrive: redrive && { deadLetterTargetArn: redrive.deadLetterTargetArn, maxReceiveCount: Number(redrive.maxReceiveCount) },
      messages: [],
    };
    this.byUrl.set(url, queue);
    this.byArn.set(queue.arn, queue);
    return url;
  }

  urlOf(name: string): string {
    const queue = [...this.byUrl.values()].find((candidate) => candidate.name === name);
    if (!queue) throw new QueueDoesNotExist({ message: `The specified queue does not exist: ${name}`, $metadata: {} });
    return queue.url;
  }

  send(url: string, body: string, options: { delaySeconds?: number | undefined; messageAttributes?: Message['MessageAttributes'] } = {}): { messageId: string; md5: string } {
    const queue = this.queue(url);
    const delay = options.delaySeconds ?? queue.delaySeconds;
    if (delay < 0 || delay > MAX_DELAY_SECONDS) throw validation(`Value ${delay} for parameter DelaySeconds is invalid. Reason: must be between 0 and ${MAX_DELAY_SECONDS}`);
    const id = `m-${String(++this.nextId).padStart(12, '0')}`;
    const now = this.now();
    queue.messages.push({
      id,
      body,
      messageAttributes: options.messageAttributes,
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
      firstReceivedAt: undefined,
      receiptHandle: undefined,
    });
    return { messageId: id, md5: md5(body) };
  }

  receive(url: string, max = 1, visibilityTimeoutSeconds?: number): Message[] {
    const queue = this.queue(url);
    const now = this.now();
    const received: Message[] = [];
    const visible = queue.messages.filter((message) => message.visibleAt <= now).sort((a, b) => a.visibleAt - b.visibleAt || a.id.localeCompare(b.id));
    for (const message of visible) {
      if (received.length >= max) break;
      if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
        this.moveToDeadLetter(queue, message);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + (visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds) * 1000;
      message.receiptHandle = `${message.id}#${message.receiveCount}`;
      received.push({
        MessageId: message.id,
        ReceiptHandle: message.receiptHandle,
        Body: message.body,
        MD5OfBody: md5(message.body),
        Attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAt),
          ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
          SenderId: 'memory',
        },
        ...(message.messageAttributes ? { MessageAttributes: message.messageAttributes } : {}),
      });
    }
    return received;
  }

  delete(url: string, receiptHandle: string): void {
    const queue = this.queue(url);
    const index = queue.messages.findIndex((message) => message.receiptHandle === receiptHandle);
    // SQS ignores the delete of a message already gone; a malformed handle is an error.
    if (index >= 0) queue.messages.splice(index, 1);
    else if (!/#\d+$/.test(receiptHandle)) throw new ReceiptHandleIsInvalid({ message: `The receipt handle "${receiptHandle}" is not valid.`, $metadata: {} });
  }

  changeVisibility(url: string, receiptHandle: string, seconds: number): void {
    const message = this.queue(url).messages.find((candidate) => candidate.receiptHandle === receiptHandle);
    if (!message) throw new ReceiptHandleIsInvalid({ message: `The receipt handle "${receiptHandle}" is not valid.`, $metadata: {} });
    message.visibleAt = this.now() + seconds * 1000;
  }

  purge(url: string): void {
    this.queue(url).messages.length = 0;
  }

  attributes(url: string): Record<string, string> {
    const queue = this.queue(url);
    const now = this.now();
    const visible = queue.messages.filter((message) => message.visibleAt <= now).length;
    const delayed = queue.messages.filter((message) => message.visibleAt > now && message.receiveCount === 0).length;
    return {
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(queue.messages.length - visible - delayed),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      DelaySeconds: String(queue.delaySeconds),
      ...(queue.redrive ? { RedrivePolicy: JSON.stringify(queue.redrive) } : {}),
    };
  }

  /** Messages held (visible, in flight or delayed). */
  depth(url: string): number {
    return this.queue(url).messages.length;
  }

  /** The earliest instant a held message of any queue becomes visible after `after`, if one does. */
  nextVisibleAfter(after: number): number | undefined {
    let next: number | undefined;
    for (const queue of this.byUrl.values()) {
      for (const message of queue.messages) if (message.visibleAt > after && (next === undefined || message.visibleAt < next)) next = message.visibleAt;
    }
    return next;
  }

  private moveToDeadLetter(queue: Queue, message: StoredMessage): void {
    queue.messages.splice(queue.messages.indexOf(message), 1);
    const target = this.byArn.get(queue.redrive!.deadLetterTargetArn);
    if (!target) return;
    target.messages.push({ ...message, visibleAt: this.now(), receiveCount: 0, firstReceivedAt: undefined, receiptHandle: undefined });
  }

  private queue(url: string): Queue {
    const queue = this.byUrl.get(url);
    if (!queue) throw new QueueDoesNotExist({ message: `The specified queue does not exist: ${url}`, $metadata: {} });
    return queue;
  }
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

function validation(message: string): Error {
  const error = new Error(message);
  error.name = 'InvalidParameterValue';
  return error;
}
