import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BatchProcessor, EventType, FullBatchFailureError, processPartialResponse } from '@aws-lambda-powertools/batch';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SESv2ServiceException } from '@aws-sdk/client-sesv2';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '#shared/adapters/aws/clients.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoSendLedger } from '#shared/adapters/dynamo/send-ledger-repository.ts';
import { DynamoErasureTombstones } from '#shared/adapters/dynamo/erasure-tombstone-repository.ts';
import { DynamoSuppressionList } from '#shared/adapters/dynamo/suppression-repository.ts';
import { SesEmailSender } from '#shared/adapters/ses/ses-email-sender.ts';
import { SqsSendQueue } from '#shared/adapters/sqs/send-queue.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import type { Log } from '#shared/domain/ports.ts';
import { seededRandom } from '#shared/domain/seeded-random.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { makeDispatchSend } from '#shared/services/dispatch-send.ts';
import { makeDispatchRecord } from '#functions/delivery/dispatch-record.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { putInBatches } from './support/bounded-put.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';
import { welcomeSend } from './support/welcome-send.ts';
import { sendIdOf, storedEmails } from './support/ses-send-ids.ts';

const run = promisify(execFile);
const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
/** Fewer receives than the real send queue's 5, with 1 s between attempts, so a dead-letter takes seconds. */
const MAX_RECEIVES = 3;

/**
 * Injected faults the local emulators cannot produce: SES throttling and 5xx errors, DynamoDB
 * throttling, a dispatcher that dies in the middle of a batch. The dispatcher's own record code
 * (makeDispatchRecord + Powertools' partial batch response, as in the Lambda) runs in this process
 * with real adapters whose SDK clients carry fault-injecting middleware, reading a private local
 * SQS queue that dead-letters into the stack's send DLQ after MAX_RECEIVES. What it cannot deliver
 * the user recovers with `nudge dlq redrive --queue send`, which the local system's fault-free
 * dispatcher then delivers. The proof: every send id is in the SES store exactly once.
 */
describe('fault: injected delivery faults', () => {
  const nudge = nudgeClient();
  const table = nudge.output('TableName');
  let queueUrl: string;
  let clockOffsetMs: number;

  const cli = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, [join(process.cwd(), 'bin/nudge.js'), ...args], {
      env: { ...process.env, NUDGE_EVENTBRIDGE_PORT: new URL(nudge.context.endpoints.eventBridge).port },
    });
    return stdout;
  };

  beforeAll(async () => {
    // Other suites' leftovers would be redriven too; start from an empty send DLQ.
    await nudge.drainQueue('SendDeadLetterQueueUrl');
    const created = await nudge.sqs.send(
      new CreateQueueCommand({
        QueueName: uniqueId('fault-sends'),
        Attributes: {
          VisibilityTimeout: '5',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: nudge.queueArn('SendDeadLetterQueueUrl'), maxReceiveCount: MAX_RECEIVES }),
        },
      }),
    );
    queueUrl = created.QueueUrl!;
    clockOffsetMs = (await nudge.now()).getTime() - Date.now();
  });

  afterAll(async () => {
    if (queueUrl) await nudge.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  });

  /** The dispatcher as the Lambda builds it, on clients with `faults` installed; `null` from a fault hook means "let the call through". */
  function faultyDispatcher(faults: { ses?: (call: number) => Error | 'hang' | null; dynamo?: (command: string) => Error | null }) {
    const aws = { region: LOCAL_REGION, credentials: localCredentials };
    let sesCalls = 0;
    let sesDelivered = 0;
    const ses = new SESv2Client({ ...aws, endpoint: nudge.context.endpoints.ses, maxAttempts: 2 });
    ses.middlewareStack.add(
      (next) => async (args) => {
        const fault = faults.ses?.(++sesCalls) ?? null;
        // A call that never returns: the process died before the request left it.
        if (fault === 'hang') return new Promise<never>(() => undefined);
        if (fault) throw fault;
        const result = await next(args);
        sesDelivered += 1;
        return result;
      },
      { step: 'finalizeRequest', name: 'injectSesFaults' },
    );
    // Inside the SDK's retry middleware, as a real throttling response would be: the SDK retries
    // some away, others exhaust its (here 2) attempts and reach the dispatcher.
    const documentClient = createDocumentClient({ config: { ...aws, endpoint: nudge.context.endpoints.dynamodb, maxAttempts: 2 } });
    documentClient.middlewareStack.add(
      (next, context) => async (args) => {
        const fault = faults.dynamo?.(context.commandName ?? '') ?? null;
        if (fault) throw fault;
        return next(args);
      },
      { step: 'finalizeRequest', name: 'injectDynamoFaults' },
    );
    const dispatchSend = makeDispatchSend({
      ledger: new DynamoSendLedger(documentClient, table),
      sender: new SesEmailSender(ses, { fromAddress: nudge.output('SenderEmail') }),
      profiles: new DynamoProfileStore(documentClient, table),
      suppression: new DynamoSuppressionList(documentClient, table),
      erasures: new DynamoErasureTombstones(documentClient, table),
      links: { baseUrl: 'http://127.0.0.1/links', keyring: async () => ({ current: { id: 'k1', key: 'a-test-secret-of-at-least-32-characters!!' }, previous: [] }) },
      catalog: defaultCatalog,
      // The local system's simulated time, so leases compare with what its own dispatcher sees.
      clock: { now: () => new Date(Date.now() + clockOffsetMs) },
      log: quiet,
    });
    const queue = new SqsSendQueue(nudge.sqs, queueUrl);
    const dispatchRecord = makeDispatchRecord({
      dispatchSend,
      delayRedelivery: (handle, seconds) => queue.delayRedelivery(handle, seconds),
      requeue: (request, delaySeconds) => queue.enqueue(request, { delaySeconds }),
      log: quiet,
      retryDelay: () => 1,
    });
    const processor = new BatchProcessor(EventType.SQS);
    return {
      /** SES calls that went through and returned (the emails the SES store has accepted). */
      sesDelivered: () => sesDelivered,
      /** One Lambda invocation on `messages`: returns the ids SQS should delete (the partial batch response's successes). */
      async invoke(messages: Message[]): Promise<string[]> {
        const event: SQSEvent = { Records: messages.map(toRecord) };
        let response;
        try {
          response = await processPartialResponse(event, dispatchRecord, processor);
        } catch (error) {
          // Every record failed: the invocation errors and SQS returns the whole batch.
          if (error instanceof FullBatchFailureError) return [];
          throw error;
        }
        const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        return messages.filter((m) => !failed.has(m.MessageId!)).map((m) => m.ReceiptHandle!);
      },
      destroy: () => {
        ses.destroy();
        documentClient.destroy();
      },
    };
  }

  /** Subscribed customers with addresses, and one queued send for each. */
  async function queuedSends(count: number, label: string): Promise<SendRequest[]> {
    const now = await nudge.now();
    const customers = Array.from({ length: count }, () => uniqueId(label));
    await putInBatches(
      (entries) => nudge.putEvents(entries),
      customers.map((customerId) => ({
        detailType: 'identify',
        detail: { eventId: uniqueId('i'), customerId, occurredAt: now.toISOString(), properties: { email: `${customerId}@example.com`, consent: { marketing: 'subscribed' } } },
      })),
    );
    await nudge.waitForIdle();
    const requests = customers.map(
      (customerId) => welcomeSend({ customerId, firstName: 'Ana', at: now, sendIdPrefix: `${label}-send` }),
    );
    for (let i = 0; i < requests.length; i += 10) {
      const batch = requests.slice(i, i + 10);
      await nudge.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((r, j) => ({ Id: String(j), MessageBody: JSON.stringify(r) })) }));
    }
    return requests;
  }

  async function receive(visibilitySeconds = 5): Promise<Message[]> {
    const { Messages } = await nudge.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: visibilitySeconds, AttributeNames: ['All'] }));
    return Messages ?? [];
  }

  async function remove(receiptHandles: string[]): Promise<void> {
    if (receiptHandles.length === 0) return;
    await nudge.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: receiptHandles.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle })) }));
  }

  /** Polls as the Lambda service does until the private queue holds nothing, delayed messages included (delivered, or dead-lettered by SQS). */
  async function drainThrough(dispatcher: ReturnType<typeof faultyDispatcher>, deadlineMs = 90_000): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const messages = await receive();
      if (messages.length > 0) await remove(await dispatcher.invoke(messages));
      else if ((await queueDepth()) === 0) return;
      else await new Promise((resolve) => setTimeout(resolve, 250));
      if (Date.now() > deadline) throw new Error(`the private send queue still holds ${await queueDepth()} messages`);
    }
  }

  async function queueDepth(): Promise<number> {
    // Delayed too: a deferred send is re-queued with a delay, and is not lost while it waits.
    const { Attributes } = await nudge.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    return ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'].reduce((sum, name) => sum + Number(Attributes?.[name as keyof typeof Attributes] ?? 0), 0);
  }

  /** How many emails in the SES store carry each of `sendIds` (0 for none). */
  async function deliveries(sendIds: string[]): Promise<Map<string, number>> {
    const counts = new Map(sendIds.map((id) => [id, 0]));
    for (const email of await storedEmails(nudge.context.endpoints.ses)) {
      const id = sendIdOf(email);
      if (id !== undefined && counts.has(id)) counts.set(id, counts.get(id)! + 1);
    }
    return counts;
  }

  async function deadLettered(): Promise<Array<{ sendId: string; ledger: { status: string; attempts: number; lastError: string | null } | null }>> {
    const listing = JSON.parse(await cli('dlq', 'list', '--queue', 'send', '--json', '--max', '500')) as {
      queues: Array<{ messages: Array<{ sendId: string; ledger: { status: string; attempts: number; lastError: string | null } | null }> }>;
    };
    return listing.queues[0]!.messages;
  }

  it('SES 429/5xx and DynamoDB throttling: each send is delivered once or dead-lettered with its reason, and dlq redrive delivers the rest once', async () => {
    const requests = await queuedSends(30, 'flaky');
    const random = seededRandom(9);
    const sesErrors = [
      () => new SESv2ServiceException({ name: 'TooManyRequestsException', $fault: 'client', $metadata: { httpStatusCode: 429 }, message: 'Maximum sending rate exceeded.' }),
      () => new SESv2ServiceException({ name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'An internal error occurred.' }),
      () => new SESv2ServiceException({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Service unavailable.' }),
    ];
    const injected = { ses: 0, dynamo: 0 };
    const dispatcher = faultyDispatcher({
      // 70% of SES calls fail: the SDK retries once, then the dispatcher backs off and SQS redelivers.
      ses: () => (random() < 0.7 ? (injected.ses++, sesErrors[Math.floor(random() * sesErrors.length)]!()) : null),
      dynamo: () =>
        random() < 0.15
          ? (injected.dynamo++,
            new DynamoDBServiceException({ name: 'ProvisionedThroughputExceededException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'The level of configured provisioned throughput for the table was exceeded.' }))
          : null,
    });
    try {
      await drainThrough(dispatcher);
    } finally {
      dispatcher.destroy();
    }
    expect(injected.ses).toBeGreaterThan(10);
    expect(injected.dynamo).toBeGreaterThan(10);

    const ids = requests.map((r) => r.sendId);
    const afterFaults = await deliveries(ids);
    const dlq = (await deadLettered()).filter((m) => afterFaults.has(m.sendId));
    const dlqIds = new Set(dlq.map((m) => m.sendId));
    // Nothing lost, nothing twice: delivered exactly once, or waiting on the DLQ and not delivered.
    for (const id of ids) expect({ id, delivered: afterFaults.get(id), deadLettered: dlqIds.has(id) }).toEqual({ id, delivered: dlqIds.has(id) ? 0 : 1, deadLettered: dlqIds.has(id) });
    console.info(`fault-delivery: injected ${injected.ses} SES and ${injected.dynamo} DynamoDB faults; ${ids.length - dlq.length} of ${ids.length} sends delivered once, ${dlq.length} dead-lettered`);
    expect(dlq.length).toBeGreaterThan(0);
    expect(dlq.length).toBeLessThan(ids.length);
    // Each dead-lettered send's ledger says why: the last fault it met (a DynamoDB throttle can also strike the ledger write itself).
    for (const message of dlq) {
      expect(message.ledger ?? { status: 'unrecorded', attempts: 0, lastError: 'the ledger read was throttled' }).toMatchObject({ status: expect.stringMatching(/retrying|sending|unrecorded/) });
    }
    expect(dlq.filter((m) => /TooManyRequestsException|InternalFailure|ServiceUnavailable/.test(m.ledger?.lastError ?? '')).length).toBeGreaterThan(0);

    // A send leased by an attempt whose ledger write was throttled waits out its lease (60 s) first.
    await nudge.advanceClock('2m');
    const redriven = await cli('dlq', 'redrive', '--queue', 'send');
    expect(redriven).toContain(`send: moved ${dlq.length} of ${dlq.length}`);
    await nudge.waitForIdle();
    const afterRedrive = await deliveries(ids);
    expect([...afterRedrive].filter(([, count]) => count !== 1)).toEqual([]);
    for (const id of ids) expect(await nudge.ledger.find(requests.find((r) => r.sendId === id)!.customerId, id)).toMatchObject({ status: 'sent' });
  });

  it('a dispatcher that dies in the middle of a batch: what it sent stays sent once, the rest is dead-lettered and redriven once', async () => {
    await nudge.drainQueue('SendDeadLetterQueueUrl');
    const requests = await queuedSends(10, 'crash');
    // The first invocation gets all ten; three emails leave, then the process dies (every later SES call hangs).
    const crashing = faultyDispatcher({ ses: (call) => (call > 3 ? 'hang' : null) });
    let batch: Message[] = [];
    for (let tries = 0; batch.length < 10 && tries < 20; tries++) batch = batch.concat(await receive(2));
    expect(batch).toHaveLength(10);
    // Killed once the three have left (however slow a loaded machine is): no partial batch response,
    // so SQS deletes nothing and redelivers all ten.
    void crashing.invoke(batch).catch(() => undefined);
    const recordedSent = async () => (await Promise.all(requests.map((r) => nudge.ledger.find(r.customerId, r.sendId)))).filter((entry) => entry?.status === 'sent').length;
    for (const deadline = Date.now() + 60_000; (crashing.sesDelivered() < 3 || (await recordedSent()) < 3) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 100));
    crashing.destroy();

    const ids = requests.map((r) => r.sendId);
    expect([...(await deliveries(ids)).values()].filter((count) => count === 1)).toHaveLength(3);

    // A healthy dispatcher takes over: the sent three are skipped; the seven still leased by the dead one are
    // retried until their receives run out and SQS dead-letters them.
    const healthy = faultyDispatcher({});
    try {
      await drainThrough(healthy);
    } finally {
      healthy.destroy();
    }
    const dlq = (await deadLettered()).filter((m) => ids.includes(m.sendId));
    expect(dlq).toHaveLength(7);
    for (const message of dlq) expect(message.ledger).toMatchObject({ status: 'sending', attempts: 1 });

    // Once the dead worker's leases have lapsed (60 s), the redriven sends go out through the system's dispatcher.
    await nudge.advanceClock('2m');
    const redriven = await cli('dlq', 'redrive', '--queue', 'send');
    expect(redriven).toContain('send: moved 7 of 7');
    await nudge.waitForIdle();
    expect([...(await deliveries(ids))].filter(([, count]) => count !== 1)).toEqual([]);
  });
});

function toRecord(message: Message): SQSRecord {
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body!,
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:fault-sends',
    awsRegion: LOCAL_REGION,
  };
}
