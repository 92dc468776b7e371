import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { makeRunTimer } from '#shared/services/run-timer.ts';
import { decisionDeps, readDecisionConfig } from '../shared/decision-deps.ts';

/** Timers Lambda: a rule timer (Input of a one-time schedule) -> absence check / deferred rule -> decision. */
const config = readDecisionConfig();
const logger = nudgeLogger('nudge-timers');

const runTimer = makeRunTimer({
  ...decisionDeps(config, logger),
  profiles: new DynamoProfileStore(dynamoDocumentClient(), config.TABLE_NAME),
  clock: runtimeClock,
});

export const handler = middy<unknown, void>()
  .use(injectLambdaContext(logger))
  .handler(async (timer) => {
    // A malformed timer throws (zod): Lambda's async retries, then the triggers dead-letter queue keep it.
    await runTimer(timer);
  });
