import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoRollups } from '#shared/adapters/dynamo/rollup-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import type { SegmentOptimizerReport } from '#shared/domain/reports/segment-optimizer.ts';
import { makeSegmentOptimizerReport } from '#shared/services/reports/behavior.ts';

/** Report Lambda: each segment's size and engagement, with the source's advice (invoke with {}). */
const config = readConfig({ TABLE_NAME: z.string().min(1) });
const logger = nudgeLogger('nudge-reports');

const report = makeSegmentOptimizerReport({ rollups: new DynamoRollups(dynamoDocumentClient(), config.TABLE_NAME), catalog: defaultCatalog, clock: runtimeClock });

export const handler = middy<unknown, SegmentOptimizerReport>()
  .use(injectLambdaContext(logger))
  .handler(async () => report());
