import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoRollups } from '#shared/adapters/dynamo/rollup-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import type { SegmentPerformanceReport } from '#shared/domain/reports/segment-performance.ts';
import { parseReportRequest, PeriodRequest } from '#shared/services/reports/request.ts';
import { makeSegmentPerformanceReport } from '#shared/services/reports/segment-performance.ts';

/** Report Lambda: each segment against its control group (invoke with {} or {"days": 7}). */
const config = readConfig({ TABLE_NAME: z.string().min(1) });
const logger = nudgeLogger('nudge-reports');

const report = makeSegmentPerformanceReport({ rollups: new DynamoRollups(dynamoDocumentClient(), config.TABLE_NAME), catalog: defaultCatalog, clock: runtimeClock });

export const handler = middy<unknown, SegmentPerformanceReport>()
  .use(injectLambdaContext(logger))
  .handler(async (payload) => report(parseReportRequest(PeriodRequest, payload)));
