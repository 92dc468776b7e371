import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoExperimentWinners } from '#shared/adapters/dynamo/experiment-winner-repository.ts';
import { DynamoRollups } from '#shared/adapters/dynamo/rollup-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import { makeExperimentWinnerCheck, type ExperimentCheckOutcome } from '#shared/services/check-experiments.ts';

/** Daily experiment check Lambda: records an experiment's automatic winner once it has one (it then gets all traffic). */
const config = readConfig({ TABLE_NAME: z.string().min(1) });
const logger = nudgeLogger('nudge-experiments');
const documentClient = dynamoDocumentClient();

const checkExperiments = makeExperimentWinnerCheck({
  rollups: new DynamoRollups(documentClient, config.TABLE_NAME),
  winners: new DynamoExperimentWinners(documentClient, config.TABLE_NAME),
  catalog: defaultCatalog,
  clock: runtimeClock,
  log: logger,
});

export const handler = middy<ScheduledEvent, ExperimentCheckOutcome[]>()
  .use(injectLambdaContext(logger))
  .handler(async () => checkExperiments());
