import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { DynamoDriftReports } from '#shared/adapters/dynamo/drift-report-repository.ts';
import { readConfig } from '#shared/config.ts';
import type { DriftReport } from '#shared/domain/reports/drift.ts';
import { makeDriftReport } from '#shared/services/reports/drift.ts';

/** Report Lambda: the latest daily drift check (invoke with {}). */
const config = readConfig({ TABLE_NAME: z.string().min(1) });
const logger = nudgeLogger('nudge-reports');

const report = makeDriftReport({ reports: new DynamoDriftReports(dynamoDocumentClient(), config.TABLE_NAME) });

export const handler = middy<unknown, DriftReport>()
  .use(injectLambdaContext(logger))
  .handler(async () => report());
