import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { makeExportCustomer, type CustomerExport } from '#shared/services/export-customer.ts';
import { parseRequest, readDeps } from './privacy-deps.ts';

/** Export Lambda (`nudge export`): everything held about one customer as JSON (read only). */
const logger = nudgeLogger('nudge-privacy');
const exportCustomer = makeExportCustomer(readDeps);

export const handler = middy<unknown, CustomerExport>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => exportCustomer(parseRequest(event).customerId, runtimeClock.now()));
