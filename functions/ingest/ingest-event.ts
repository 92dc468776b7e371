import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { businessMetrics, countIngestOutcome, METRICS_SERVICE } from '#shared/adapters/metrics/business-metrics.ts';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient, eventBridge, sqs } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoErasureTombstones } from '#shared/adapters/dynamo/erasure-tombstone-repository.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoSendTracking } from '#shared/adapters/dynamo/send-tracking-repository.ts';
import { DynamoSegmentMembershipStore } from '#shared/adapters/dynamo/segment-membership-repository.ts';
import { EventBridgeInternalEventBus } from '#shared/adapters/eventbridge/internal-event-publisher.ts';
import { SqsRejectedEventStore } from '#shared/adapters/sqs/rejected-event-queue.ts';
import { readConfig } from '#shared/config.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { decisionDeps, readDecisionConfig } from '../shared/decision-deps.ts';

/** Ingest Lambda: a behavior event from the bus -> profile, segments, stage, rules, claims, queued sends. */
const decisionConfig = readDecisionConfig();
const config = readConfig({
  TABLE_NAME: z.string().min(1),
  REJECTED_EVENTS_QUEUE_URL: z.string().url(),
  EVENT_BUS_NAME: z.string().min(1),
});
const logger = nudgeLogger(METRICS_SERVICE.ingest);
const metrics = businessMetrics(METRICS_SERVICE.ingest);
const documentClient = dynamoDocumentClient();

const ingestEvent = makeIngestEvent({
  ...decisionDeps(decisionConfig, logger),
  profiles: new DynamoProfileStore(documentClient, config.TABLE_NAME),
  rejectedEvents: new SqsRejectedEventStore(sqs(), config.REJECTED_EVENTS_QUEUE_URL),
  bus: new EventBridgeInternalEventBus(eventBridge(), config.EVENT_BUS_NAME),
  membership: new DynamoSegmentMembershipStore(documentClient, config.TABLE_NAME),
  tracking: new DynamoSendTracking(documentClient, config.TABLE_NAME),
  erasures: new DynamoErasureTombstones(documentClient, config.TABLE_NAME),
  clock: runtimeClock,
  log: logger,
});

export const handler = middy<EventBridgeEvent<string, unknown>, void>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler(async (event, context) => {
    logger.appendKeys({ busEventId: event.id });
    // Outcomes are logged by the service; a thrown error is a fault to retry (EventBridge/Lambda async retries, then the DLQ).
    // The remaining time bounds the retries of a contended profile write.
    countIngestOutcome(metrics, await ingestEvent(event, { remainingTimeMs: () => context.getRemainingTimeInMillis() }));
  });
