/**
 * A burst of due sends against a rate-limited SES (issue 20 item 3): `sends` welcome emails are put
 * on the send queue at once (as held sends released at the end of quiet hours would be) on a local
 * system whose SES allows `maxSendRate` emails/s, and drained by the real dispatcher.
 *
 * Figures: delivered, dead-lettered, the sustained rate (accepted emails from the first to the last,
 * measured at the local SES) and its ratio to the limit, how often SES throttled, and the retries
 * (ledger attempts beyond one per send: throttled or deferred attempts, re-queued as new messages).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createDocumentClient } from '#shared/adapters/aws/clients.ts';
import { DynamoSendLedger } from '#shared/adapters/dynamo/send-ledger-repository.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { freePort } from '#local/emulators/ports.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { startLocalSystem } from '#local/system.ts';

export type SendBurstOptions = { sends: number; maxSendRate: number; progress: (message: string) => void; timeoutMs?: number };

export type SendBurstFigures = {
  sends: number;
  maxSendRate: number;
  delivered: number;
  deadLettered: number;
  sustainedPerSecond: number;
  rateToLimit: number;
  drainSeconds: number;
  sesThrottled: number;
  retries: number;
};

const CUSTOMERS_PER_PUT = 10;
const POLL_MS = 100;

export async function measureSendBurst(options: SendBurstOptions): Promise<SendBurstFigures> {
  const { sends, maxSendRate, progress } = options;
  const quiet = { info: () => undefined, warn: (message: string) => progress(`local system warn: ${message}`), error: (message: string) => progress(`local system error: ${message}`) };
  const system = await startLocalSystem({
    ports: { eventBridge: await freePort(), dynamodb: await freePort(), sqs: await freePort(), ses: await freePort() },
    log: quiet,
    handlerLogLevel: 'ERROR',
    sesLimits: { maxSendRate, max24HourSend: Math.max(50_000, sends * 2), sandbox: false, verifiedIdentities: [] },
  });
  const aws = { region: LOCAL_REGION, credentials: localCredentials };
  const eventBridge = new EventBridgeClient({ ...aws, endpoint: system.endpoints.eventBridge });
  const sqs = new SQSClient({ ...aws, endpoint: system.endpoints.sqs });
  const documentClient = createDocumentClient({ config: { ...aws, endpoint: system.endpoints.dynamodb } });
  try {
    const now = system.clock.now().toISOString();
    const customers = Array.from({ length: sends }, (_, i) => `burst-${i}`);
    progress(`send burst: ${sends} subscribers ...`);
    for (let i = 0; i < customers.length; i += CUSTOMERS_PER_PUT) {
      await eventBridge.send(
        new PutEventsCommand({
          Entries: customers.slice(i, i + CUSTOMERS_PER_PUT).map((customerId) => ({
            Source: 'bench.burst',
            DetailType: 'identify',
            EventBusName: requireOutput(system.outputs, 'EventBusName'),
            Detail: JSON.stringify({ eventId: `identify-${customerId}`, customerId, occurredAt: now, properties: { email: `${customerId}@example.com`, consent: { marketing: 'subscribed' } } }),
          })),
        }),
      );
    }
    await system.waitForIdle(30 * 60_000);

    const queueUrl = requireOutput(system.outputs, 'SendQueueUrl');
    const requests = customers.map((customerId) => burstSend(customerId, now));
    const acceptedBefore = system.sesLimits.counters.accepted;
    const throttledBefore = system.sesLimits.counters.throttled;
    progress(`send burst: ${sends} sends released at once, SES limited to ${maxSendRate}/s ...`);
    const released = performance.now();
    for (let i = 0; i < requests.length; i += 10) {
      const batch = requests.slice(i, i + 10);
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((request, j) => ({ Id: String(j), MessageBody: JSON.stringify(request) })) }));
    }
    // Accepted emails over time, at the SES: the first and the last acceptance bound the sustained rate.
    let firstAt: number | undefined;
    let lastAt = released;
    let lastReport = released;
    const deadline = released + (options.timeoutMs ?? Math.max(120_000, (sends / maxSendRate) * 3000));
    for (;;) {
      const accepted = system.sesLimits.counters.accepted - acceptedBefore;
      const at = performance.now();
      if (accepted > 0 && firstAt === undefined) firstAt = at;
      if (accepted > 0) lastAt = at;
      if (accepted >= sends) break;
      if ((await deadLettered(sqs, requireOutput(system.outputs, 'SendDeadLetterQueueUrl'))) + accepted >= sends || at > deadline) break;
      if (at - lastReport > 30_000) {
        progress(`send burst: ${accepted}/${sends} accepted after ${Math.round((at - released) / 1000)} s`);
        lastReport = at;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await system.waitForIdle(5 * 60_000).catch(() => undefined);
    const delivered = system.sesLimits.counters.accepted - acceptedBefore;
    const ledger = new DynamoSendLedger(documentClient, requireOutput(system.outputs, 'TableName'));
    let attempts = 0;
    for (const request of requests) attempts += (await ledger.find(request.customerId, request.sendId))?.attempts ?? 0;
    const seconds = firstAt === undefined ? 0 : (lastAt - firstAt) / 1000;
    const sustainedPerSecond = seconds > 0 ? (delivered - 1) / seconds : 0;
    return {
      sends,
      maxSendRate,
      delivered,
      deadLettered: await deadLettered(sqs, requireOutput(system.outputs, 'SendDeadLetterQueueUrl')),
      sustainedPerSecond: round(sustainedPerSecond),
      rateToLimit: round(sustainedPerSecond / maxSendRate),
      drainSeconds: round((lastAt - released) / 1000),
      sesThrottled: system.sesLimits.counters.throttled - throttledBefore,
      retries: attempts - delivered,
    };
  } finally {
    eventBridge.destroy();
    sqs.destroy();
    documentClient.destroy();
    await system.stop();
  }
}

/** A due welcome email for `customerId`, as the decision path queues it. */
function burstSend(customerId: string, at: string): SendRequest {
  return {
    sendId: `burst-send-${customerId}`,
    customerId,
    ruleId: 'welcome_new_subscriber',
    templateId: 'welcome',
    category: 'marketing',
    email: `${customerId}@example.com`,
    decidedAt: at,
    trigger: { eventId: `identify-${customerId}`, type: 'subscribe', occurredAt: at },
    conditions: [],
    personalization: { firstName: 'Bea', eventProperties: {} },
  };
}

async function deadLettered(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

const round = (value: number) => Math.round(value * 100) / 100;
