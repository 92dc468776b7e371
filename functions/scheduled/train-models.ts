import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoModelStore } from '#shared/adapters/dynamo/model-store.ts';
import { DynamoProfileScanner } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoQuarantine } from '#shared/adapters/dynamo/quarantine-repository.ts';
import { DynamoTrainingSnapshots } from '#shared/adapters/dynamo/training-snapshot-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import { makeTrainModels, type TrainingRun } from '#shared/services/train-models.ts';

/** Weekly training Lambda: churn, purchase intent, value and content interests from the account's own history. */
const config = readConfig({
  TABLE_NAME: z.string().min(1),
  SWEEP_SCAN_SEGMENTS: z.coerce.number().int().min(1).max(64).default(4),
});
const logger = nudgeLogger('nudge-training');
const documentClient = dynamoDocumentClient();

const trainModels = makeTrainModels({
  snapshots: new DynamoTrainingSnapshots(documentClient, config.TABLE_NAME),
  scanner: new DynamoProfileScanner(documentClient, config.TABLE_NAME, { log: logger, clock: runtimeClock, quarantine: new DynamoQuarantine(documentClient, config.TABLE_NAME) }),
  totalSegments: config.SWEEP_SCAN_SEGMENTS,
  models: new DynamoModelStore(documentClient, config.TABLE_NAME),
  settings: defaultCatalog.settings.predictive,
  clock: runtimeClock,
  log: logger,
});

export const handler = middy<ScheduledEvent, TrainingRun>()
  .use(injectLambdaContext(logger))
  .handler(async () => trainModels());
