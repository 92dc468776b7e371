import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient, eventBridge } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoErasureTombstones } from '#shared/adapters/dynamo/erasure-tombstone-repository.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { EventBridgeBehaviorEventBus } from '#shared/adapters/eventbridge/behavior-event-bus.ts';
import { linkKeyringFrom } from '#shared/adapters/secrets/link-secret.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import { makeConfirmSubscription } from '#shared/services/confirm-subscription.ts';
import { makePreferenceCenter } from '#shared/services/preference-center.ts';
import { makeTrackLink } from '#shared/services/track-link.ts';

/** Link endpoints Lambda (Function URL): one-click unsubscribe, open pixel, click redirect, preference center, subscription confirmation. */
const config = readConfig({ EVENT_BUS_NAME: z.string().min(1), LINK_SECRET_ARN: z.string().min(1), TABLE_NAME: z.string().min(1) });
const logger = nudgeLogger('nudge-links');
const bus = new EventBridgeBehaviorEventBus(eventBridge(), config.EVENT_BUS_NAME);
const profiles = new DynamoProfileStore(dynamoDocumentClient(), config.TABLE_NAME);

const trackLink = makeTrackLink({
  keyring: linkKeyringFrom(config.LINK_SECRET_ARN, runtimeClock),
  bus,
  erasures: new DynamoErasureTombstones(dynamoDocumentClient(), config.TABLE_NAME),
  brandName: defaultCatalog.settings.brandName,
  clock: runtimeClock,
  log: logger,
  preferences: makePreferenceCenter({ profiles, bus, catalog: defaultCatalog, log: logger }),
  confirmSubscription: makeConfirmSubscription({ profiles, bus, catalog: defaultCatalog, log: logger }),
});

export const handler = middy<LambdaFunctionURLEvent, LambdaFunctionURLResult>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    // Function URLs base64-encode form bodies; the local runtime passes them as text.
    const body = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    return trackLink({ method: event.requestContext.http.method, path: event.rawPath, body, requestId: event.requestContext.requestId });
  });
