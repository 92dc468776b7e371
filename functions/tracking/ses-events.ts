import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient, eventBridge } from '#shared/adapters/aws/clients.ts';
import { DynamoSendLedger } from '#shared/adapters/dynamo/send-ledger-repository.ts';
import { DynamoSuppressionList } from '#shared/adapters/dynamo/suppression-repository.ts';
import { EventBridgeBehaviorEventBus } from '#shared/adapters/eventbridge/behavior-event-bus.ts';
import { readConfig } from '#shared/config.ts';
import { makeHandleSesEvent } from '#shared/services/handle-ses-event.ts';

/** SES events Lambda: SES's delivery, open, click, bounce and complaint events (default bus) -> suppression, bus, ledger. */
const config = readConfig({
  TABLE_NAME: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  TRACKING_BASE_URL: z.string().url().optional(),
});
const logger = nudgeLogger('nudge-ses-events');
const documentClient = dynamoDocumentClient();

const handleSesEvent = makeHandleSesEvent({
  suppression: new DynamoSuppressionList(documentClient, config.TABLE_NAME),
  bus: new EventBridgeBehaviorEventBus(eventBridge(), config.EVENT_BUS_NAME),
  outcomes: new DynamoSendLedger(documentClient, config.TABLE_NAME),
  log: logger,
  ownLinkBase: config.TRACKING_BASE_URL,
});

export const handler = middy<EventBridgeEvent<string, unknown>, void>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    logger.appendKeys({ busEventId: event.id });
    // Outcomes are logged by the service; a thrown error is a fault to retry (Lambda async retries, then the DLQ).
    await handleSesEvent(event);
  });
