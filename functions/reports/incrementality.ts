import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoRollups } from '#shared/adapters/dynamo/rollup-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import type { IncrementalityReport } from '#shared/domain/reports/incrementality-report.ts';
import { makeIncrementalityReport } from '#shared/services/reports/incrementality.ts';
import { IncrementalityRequest, parseReportRequest } from '#shared/services/reports/request.ts';

/** Report Lambda: incremental conversions and revenue of each rule with a holdout, treated against control (invoke with {} or {"days": 90, "confidence": 0.9}). */
const config = readConfig({ TABLE_NAME: z.string().min(1) });
const logger = nudgeLogger('nudge-reports');

const report = makeIncrementalityReport({ rollups: new DynamoRollups(dynamoDocumentClient(), config.TABLE_NAME), catalog: defaultCatalog, clock: runtimeClock });

export const handler = middy<unknown, IncrementalityReport>()
  .use(injectLambdaContext(logger))
  .handler(async (payload) => report(parseReportRequest(IncrementalityRequest, payload)));
