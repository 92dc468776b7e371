import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { makeReactToModelEvent } from '#shared/services/react-to-model-event.ts';
import { decisionDeps, readDecisionConfig } from '../shared/decision-deps.ts';

/** Model-events Lambda: ChurnRiskChanged (and other model events) from the bus -> predictive rules -> decision. */
const config = readDecisionConfig();
const logger = nudgeLogger('nudge-model-events');

const reactToModelEvent = makeReactToModelEvent({
  ...decisionDeps(config, logger),
  profiles: new DynamoProfileStore(dynamoDocumentClient(), config.TABLE_NAME),
  clock: runtimeClock,
});

export const handler = middy<EventBridgeEvent<string, unknown>, void>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    logger.appendKeys({ busEventId: event.id });
    await reactToModelEvent(event);
  });
