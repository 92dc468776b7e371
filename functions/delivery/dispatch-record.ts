import type { SQSRecord } from 'aws-lambda';
import type { Log } from '#shared/domain/ports.ts';
import { SendRequest } from '#shared/domain/send-request.ts';
import { retryDelaySeconds, RetryableSendError, type DispatchOutcome } from '#shared/services/dispatch-send.ts';

export type DispatchRecordDeps = {
  dispatchSend: (request: SendRequest) => Promise<DispatchOutcome>;
  /** Hides a failed message until its next attempt (SQS ChangeMessageVisibility). */
  delayRedelivery: (receiptHandle: string, seconds: number) => Promise<void>;
  /** Puts a deferred send back on the queue as a new message, delivered after `delaySeconds` (SQS DelaySeconds). */
  requeue: (request: SendRequest, delaySeconds: number) => Promise<void>;
  log: Log;
  /** Seconds before attempt n+1; the dispatcher's exponential backoff unless a test shortens it. */
  retryDelay?: (receiveCount: number) => number;
};

/**
 * What the dispatcher does with one SQS record, apart from the handler so the fault suite runs
 * this very code with fault-injecting clients: a malformed body or a retryable fault throws, so
 * SQS retries the record and after maxReceiveCount dead-letters it (the ledger keeps the reason).
 *
 * A deferred send (throttled, or held because SES refuses the account) goes back on the queue as a
 * NEW message with a delay, and this record succeeds: SQS counts every receive of a message towards
 * maxReceiveCount, so returning it with ChangeMessageVisibility would dead-letter a burst's tail.
 */
export function makeDispatchRecord(deps: DispatchRecordDeps) {
  const delay = deps.retryDelay ?? retryDelaySeconds;
  return async function dispatchRecord(record: SQSRecord): Promise<void> {
    const parsed = SendRequest.safeParse(JSON.parse(record.body));
    if (!parsed.success) throw new Error(`message ${record.messageId} is not a SendRequest: ${parsed.error.message}`);
    try {
      const outcome = await deps.dispatchSend(parsed.data);
      if (outcome.type === 'deferred') await deps.requeue(parsed.data, outcome.delaySeconds);
    } catch (error) {
      if (error instanceof RetryableSendError) {
        // Back off before the next attempt instead of the queue's flat visibility timeout.
        const seconds = delay(Number(record.attributes.ApproximateReceiveCount ?? 1));
        await deps.delayRedelivery(record.receiptHandle, seconds).catch((cause: unknown) => deps.log.warn('could not delay the redelivery', { cause: String(cause) }));
      }
      throw error;
    }
  };
}
