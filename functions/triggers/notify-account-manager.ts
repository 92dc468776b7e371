import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient, sesv2 } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoNotificationMarkers } from '#shared/adapters/dynamo/notification-marker-repository.ts';
import { SesEmailSender } from '#shared/adapters/ses/ses-email-sender.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import { makeNotifyAccountManager } from '#shared/services/notify-account-manager.ts';

/** Account-manager notifier: VipEscalation from the bus -> one staff email (document 001's notify_account_manager). */
const config = readConfig({
  TABLE_NAME: z.string().min(1),
  SENDER_EMAIL: z.string().min(3),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
});
const logger = nudgeLogger('nudge-notify-account-manager');
const accountManagerEmail = defaultCatalog.settings.accountManagerEmail;
// CDK deploys this function only when the catalog names an account manager.
if (!accountManagerEmail) throw new Error('the catalog has no settings.accountManagerEmail: this function should not be deployed');

const notifyAccountManager = makeNotifyAccountManager({
  accountManagerEmail,
  brandName: defaultCatalog.settings.brandName,
  markers: new DynamoNotificationMarkers(dynamoDocumentClient(), config.TABLE_NAME),
  // The dispatcher's sender and configuration set (bounces and complaints are handled as for every send); no Reply-To: that one is for customers.
  sender: new SesEmailSender(sesv2(), { fromAddress: config.SENDER_EMAIL, configurationSet: config.SES_CONFIGURATION_SET }),
  clock: runtimeClock,
  log: logger,
});

export const handler = middy<EventBridgeEvent<string, unknown>, void>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    logger.appendKeys({ busEventId: event.id });
    await notifyAccountManager(event);
  });
