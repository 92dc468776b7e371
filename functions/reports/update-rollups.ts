import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { DynamoRollups, MAX_ROLLUP_WRITES, WRITES_PER_LOGGED_CONVERSION } from '#shared/adapters/dynamo/rollup-repository.ts';
import { unmarshallRaw } from '#shared/adapters/dynamo/raw-items.ts';
import { readableProfileItem } from '#shared/adapters/dynamo/profile-codec.ts';
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

// A profile image is unpacked (profile-codec.ts): the aggregates read its segments, scores and last event.
const image = (value: Record<string, unknown> | undefined) => (value ? readableProfileItem(unmarshallRaw(value as Record<string, AttributeValue>)) : undefined);

/** Partial batch response: Lambda retries from the first change of the group that failed. */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const changes = event.Records.map((record) => ({
      sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      oldImage: image(record.dynamodb?.OldImage),
      newImage: image(record.dynamodb?.NewImage),
    }));
    const result = await updateRollups(changes);
    return { batchItemFailures: result.failedFrom ? [{ itemIdentifier: result.failedFrom }] : [] };
  });
