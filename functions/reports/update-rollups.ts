import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { DynamoRollups, MAX_ROLLUP_WRITES, WRITES_PER_LOGGED_CONVERSION } from '#shared/adapters/dynamo/rollup-repository.ts';
import { tableChangesOf } from '#shared/adapters/dynamo/table-stream-changes.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import { makeUpdateRollups } from '#shared/services/update-rollups.ts';

/** Rollup Lambda: the table's stream (decisions, sends, conversions) into daily rollups per rule. */
const config = readConfig({ TABLE_NAME: z.string().min(1) });
const logger = nudgeLogger('nudge-rollups');

const updateRollups = makeUpdateRollups({
  rollups: new DynamoRollups(dynamoDocumentClient(), config.TABLE_NAME, { conversionRetentionDays: defaultCatalog.settings.sendRetentionDays }),
  log: logger,
  maxWrites: MAX_ROLLUP_WRITES,
  writesPerConversion: WRITES_PER_LOGGED_CONVERSION,
});

/** Partial batch response: Lambda retries from the first change of the group that failed. */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const result = await updateRollups(tableChangesOf(event.Records));
    return { batchItemFailures: result.failedFrom ? [{ itemIdentifier: result.failedFrom }] : [] };
  });
