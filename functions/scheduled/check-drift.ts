import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient, eventBridge } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoDriftReports } from '#shared/adapters/dynamo/drift-report-repository.ts';
import { DynamoRollups } from '#shared/adapters/dynamo/rollup-repository.ts';
import { EventBridgeInternalEventBus } from '#shared/adapters/eventbridge/internal-event-publisher.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import type { DriftReport } from '#shared/domain/reports/drift.ts';
import { makeDriftCheck } from '#shared/services/reports/drift.ts';

/** Daily drift check Lambda: segment composition and email results against their baselines; SegmentDriftDetected on the bus. */
const config = readConfig({ TABLE_NAME: z.string().min(1), EVENT_BUS_NAME: z.string().min(1) });
const logger = nudgeLogger('nudge-drift');
const documentClient = dynamoDocumentClient();

const checkDrift = makeDriftCheck({
  rollups: new DynamoRollups(documentClient, config.TABLE_NAME),
  reports: new DynamoDriftReports(documentClient, config.TABLE_NAME),
  bus: new EventBridgeInternalEventBus(eventBridge(), config.EVENT_BUS_NAME),
  catalog: defaultCatalog,
  clock: runtimeClock,
  log: logger,
});

export const handler = middy<ScheduledEvent, DriftReport>()
  .use(injectLambdaContext(logger))
  .handler(async () => checkDrift());
