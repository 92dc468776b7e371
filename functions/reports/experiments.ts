import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoExperimentWinnerReader } from '#shared/adapters/dynamo/experiment-winner-reader.ts';
import { DynamoRollups } from '#shared/adapters/dynamo/rollup-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import type { ExperimentsReport } from '#shared/domain/reports/experiments.ts';
import { makeExperimentsReport } from '#shared/services/reports/experiments.ts';

/** Report Lambda: every content and send-time experiment, per variant against its control (invoke with any payload, e.g. {}). */
const config = readConfig({ TABLE_NAME: z.string().min(1) });
const logger = nudgeLogger('nudge-reports');

const documentClient = dynamoDocumentClient();
const report = makeExperimentsReport({
  rollups: new DynamoRollups(documentClient, config.TABLE_NAME),
  winners: new DynamoExperimentWinnerReader(documentClient, config.TABLE_NAME),
  catalog: defaultCatalog,
  clock: runtimeClock,
});

export const handler = middy<unknown, ExperimentsReport>()
  .use(injectLambdaContext(logger))
  .handler(async () => report());
