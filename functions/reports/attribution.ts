import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoRollups } from '#shared/adapters/dynamo/rollup-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import type { AttributionReport } from '#shared/domain/reports/attribution-report.ts';
import { makeAttributionReport } from '#shared/services/reports/attribution.ts';
import { AttributionRequest, parseReportRequest } from '#shared/services/reports/request.ts';

/** Report Lambda: the five attribution models per campaign and the ROI summary (invoke with {} or {"days": 90, "model": "linear"}). */
const config = readConfig({ TABLE_NAME: z.string().min(1) });
const logger = nudgeLogger('nudge-reports');

const report = makeAttributionReport({ rollups: new DynamoRollups(dynamoDocumentClient(), config.TABLE_NAME), catalog: defaultCatalog, clock: runtimeClock });

export const handler = middy<unknown, AttributionReport>()
  .use(injectLambdaContext(logger))
  .handler(async (payload) => report(parseReportRequest(AttributionRequest, payload)));
