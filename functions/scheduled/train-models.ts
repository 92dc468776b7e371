import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { z } from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoChurnSnapshots } from '#shared/adapters/dynamo/churn-snapshot-repository.ts';
import { DynamoModelStore } from '#shared/adapters/dynamo/model-store.ts';
import { readConfig } from '#shared/config.ts';
import type { TrainingReport } from '#shared/domain/predictive/model-records.ts';
import { makeTrainChurnModel } from '#shared/services/train-churn-model.ts';

/** Weekly training Lambda: the churn model from the account's labelled snapshots, kept only if it beats the heuristic. */
const config = readConfig({ TABLE_NAME: z.string().min(1) });
const logger = new Logger({ serviceName: 'nudge-training' });
const documentClient = dynamoDocumentClient();

const trainChurn = makeTrainChurnModel({
  snapshots: new DynamoChurnSnapshots(documentClient, config.TABLE_NAME),
  models: new DynamoModelStore(documentClient, config.TABLE_NAME),
  clock: runtimeClock,
  log: logger,
});

export const handler = middy<ScheduledEvent, TrainingReport>()
  .use(injectLambdaContext(logger))
  .handler(async () => trainChurn());
