import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoRollups } from '#shared/adapters/dynamo/rollup-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import type { BehaviorPatternsReport } from '#shared/domain/reports/behavior-patterns.ts';
import { makeBehaviorPatternsReport } from '#shared/services/reports/behavior.ts';
import { parseReportRequest, PeriodRequest } from '#shared/services/reports/request.ts';

/** Report Lambda: engagement distribution, behaviors, transitions, categories, activity by hour and weekday, insights. */
const config = readConfig({ TABLE_NAME: z.string().min(1) });
const logger = nudgeLogger('nudge-reports');

const report = makeBehaviorPatternsReport({ rollups: new DynamoRollups(dynamoDocumentClient(), config.TABLE_NAME), catalog: defaultCatalog, clock: runtimeClock });

export const handler = middy<unknown, BehaviorPatternsReport>()
  .use(injectLambdaContext(logger))
  .handler(async (payload) => report(parseReportRequest(PeriodRequest, payload)));
