import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { z } from 'zod';
import { dynamoDocumentClient, eventBridge } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoChurnSnapshots } from '#shared/adapters/dynamo/churn-snapshot-repository.ts';
import { DynamoModelStore } from '#shared/adapters/dynamo/model-store.ts';
import { DynamoProfileScanner, DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { EventBridgeInternalEventBus } from '#shared/adapters/eventbridge/internal-event-publisher.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import { makeScoreProfiles, type ScoreReport } from '#shared/services/score-profiles.ts';

/** Daily scoring Lambda: every profile's churn probability and risk segment; ChurnRiskChanged on threshold crossings. */
const config = readConfig({
  TABLE_NAME: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  SWEEP_SCAN_SEGMENTS: z.coerce.number().int().min(1).max(64).default(4),
});
const logger = new Logger({ serviceName: 'nudge-scoring' });
const documentClient = dynamoDocumentClient();

const scoreProfiles = makeScoreProfiles({
  scanner: new DynamoProfileScanner(documentClient, config.TABLE_NAME),
  profiles: new DynamoProfileStore(documentClient, config.TABLE_NAME),
  models: new DynamoModelStore(documentClient, config.TABLE_NAME),
  snapshots: new DynamoChurnSnapshots(documentClient, config.TABLE_NAME),
  bus: new EventBridgeInternalEventBus(eventBridge(), config.EVENT_BUS_NAME),
  catalog: defaultCatalog,
  clock: runtimeClock,
  log: logger,
  totalSegments: config.SWEEP_SCAN_SEGMENTS,
});

export const handler = middy<ScheduledEvent, ScoreReport>()
  .use(injectLambdaContext(logger))
  .handler(async () => scoreProfiles());
