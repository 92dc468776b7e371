import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient, sqs } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoModelStore } from '#shared/adapters/dynamo/model-store.ts';
import { DynamoProfileScanner } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoQuarantine } from '#shared/adapters/dynamo/quarantine-repository.ts';
import { DynamoScoringRuns, profileItemCount } from '#shared/adapters/dynamo/scoring-run-repository.ts';
import { SqsScoringTaskQueue } from '#shared/adapters/sqs/scoring-task-queue.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import { makePlanScoring } from '#shared/services/plan-scoring.ts';

/** Daily scoring, first step: samples the value cut points, records the run, queues one task per Scan segment for the workers. */
const config = readConfig({
  TABLE_NAME: z.string().min(1),
  SCORING_QUEUE_URL: z.string().url(),
  SCORING_MIN_SEGMENTS: z.coerce.number().int().min(1).max(1000).default(4),
  SCORING_MAX_SEGMENTS: z.coerce.number().int().min(1).max(1000).default(256),
});
const logger = nudgeLogger('nudge-scoring');
const documentClient = dynamoDocumentClient();
const tableClient = new DynamoDBClient({});

const planScoring = makePlanScoring({
  scanner: new DynamoProfileScanner(documentClient, config.TABLE_NAME, { log: logger, clock: runtimeClock, quarantine: new DynamoQuarantine(documentClient, config.TABLE_NAME) }),
  profileCount: () => profileItemCount(tableClient, config.TABLE_NAME),
  models: new DynamoModelStore(documentClient, config.TABLE_NAME),
  runs: new DynamoScoringRuns(documentClient, config.TABLE_NAME),
  tasks: new SqsScoringTaskQueue(sqs(), config.SCORING_QUEUE_URL),
  catalog: defaultCatalog,
  clock: runtimeClock,
  log: logger,
  segmentBounds: { min: config.SCORING_MIN_SEGMENTS, max: Math.max(config.SCORING_MIN_SEGMENTS, config.SCORING_MAX_SEGMENTS) },
});

export const handler = middy<ScheduledEvent, Awaited<ReturnType<typeof planScoring>>>()
  .use(injectLambdaContext(logger))
  .handler(async () => planScoring());
