import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { businessMetrics, countDispatchOutcome, METRICS_SERVICE } from '#shared/adapters/metrics/business-metrics.ts';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient, sesv2, sqs } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoErasureTombstones } from '#shared/adapters/dynamo/erasure-tombstone-repository.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { SqsSendQueue } from '#shared/adapters/sqs/send-queue.ts';
import { DynamoSuppressionList } from '#shared/adapters/dynamo/suppression-repository.ts';
import { linkKeyringFrom } from '#shared/adapters/secrets/link-secret.ts';
import { DynamoSendLedger } from '#shared/adapters/dynamo/send-ledger-repository.ts';
import { SesEmailSender } from '#shared/adapters/ses/ses-email-sender.ts';
import { PacedEmailSender } from '#shared/adapters/ses/paced-email-sender.ts';
import { SesSendRate } from '#shared/adapters/ses/ses-send-rate.ts';
import { DynamoSendSlotStore } from '#shared/adapters/dynamo/send-slot-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import { makeDispatchSend } from '#shared/services/dispatch-send.ts';
import { makeDispatchRecord } from './dispatch-record.ts';

/** Dispatcher Lambda: queued sends -> rendered email -> SES, each at most once per sendId. */
const config = readConfig({
  TABLE_NAME: z.string().min(1),
  SENDER_EMAIL: z.string().min(3),
  REPLY_TO_EMAIL: z.string().min(3).optional(),
  SEND_QUEUE_URL: z.string().url(),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  TRACKING_BASE_URL: z.string().url(),
  LINK_SECRET_ARN: z.string().min(1),
  UNSUBSCRIBE_MAILBOX: z.string().min(3).optional(),
  /** Pace to this many emails/s instead of the account's MaxSendRate (SES GetAccount). */
  SES_MAX_SEND_RATE: z.coerce.number().positive().optional(),
});
const logger = nudgeLogger(METRICS_SERVICE.dispatcher);
const metrics = businessMetrics(METRICS_SERVICE.dispatcher);
const processor = new BatchProcessor(EventType.SQS);
const sendQueue = new SqsSendQueue(sqs(), config.SEND_QUEUE_URL);
const sendRate = new SesSendRate(sesv2(), { override: config.SES_MAX_SEND_RATE, wallClock: Date.now, log: logger });

const dispatchSend = makeDispatchSend({
  ledger: new DynamoSendLedger(dynamoDocumentClient(), config.TABLE_NAME),
  profiles: new DynamoProfileStore(dynamoDocumentClient(), config.TABLE_NAME),
  suppression: new DynamoSuppressionList(dynamoDocumentClient(), config.TABLE_NAME),
  erasures: new DynamoErasureTombstones(dynamoDocumentClient(), config.TABLE_NAME),
  links: { baseUrl: config.TRACKING_BASE_URL, keyring: linkKeyringFrom(config.LINK_SECRET_ARN, runtimeClock), unsubscribeMailbox: config.UNSUBSCRIBE_MAILBOX },
  // Paced to the account's rate through one schedule shared by every concurrent dispatcher.
  sender: new PacedEmailSender(
    new SesEmailSender(sesv2(), { fromAddress: config.SENDER_EMAIL, replyTo: config.REPLY_TO_EMAIL, configurationSet: config.SES_CONFIGURATION_SET }),
    {
      slots: new DynamoSendSlotStore(dynamoDocumentClient(), config.TABLE_NAME),
      maxSendRate: () => sendRate.current(),
      wallClock: Date.now,
    },
  ),
  catalog: defaultCatalog,
  clock: runtimeClock,
  log: logger,
});

const dispatchRecord = makeDispatchRecord({
  dispatchSend: async (request) => {
    const outcome = await dispatchSend(request);
    countDispatchOutcome(metrics, request.ruleId, outcome);
    return outcome;
  },
  delayRedelivery: (handle, seconds) => sendQueue.delayRedelivery(handle, seconds),
  requeue: (request, delaySeconds) => sendQueue.enqueue(request, { delaySeconds }),
  log: logger,
});

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event, context) => processPartialResponse(event, dispatchRecord, processor, { context }));
