import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { z } from 'zod';
import { eventBridge } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { EventBridgeBehaviorEventBus } from '#shared/adapters/eventbridge/behavior-event-bus.ts';
import { linkSecretFrom } from '#shared/adapters/secrets/link-secret.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import { makeTrackLink } from '#shared/services/track-link.ts';

/** Link endpoints Lambda (Function URL): one-click unsubscribe, open pixel, click redirect. */
const config = readConfig({ EVENT_BUS_NAME: z.string().min(1), LINK_SECRET_ARN: z.string().min(1) });
const logger = nudgeLogger('nudge-links');

const trackLink = makeTrackLink({
  secret: linkSecretFrom(config.LINK_SECRET_ARN),
  bus: new EventBridgeBehaviorEventBus(eventBridge(), config.EVENT_BUS_NAME),
  brandName: defaultCatalog.settings.brandName,
  clock: runtimeClock,
  log: logger,
});

export const handler = middy<LambdaFunctionURLEvent, LambdaFunctionURLResult>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => trackLink({ method: event.requestContext.http.method, path: event.rawPath }));
