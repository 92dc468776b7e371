import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient, eventBridge } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoProfileScanner, DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoQuarantine } from '#shared/adapters/dynamo/quarantine-repository.ts';
import { DynamoSegmentMembershipStore } from '#shared/adapters/dynamo/segment-membership-repository.ts';
import { EventBridgeInternalEventBus } from '#shared/adapters/eventbridge/internal-event-publisher.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import { makeSweepProfiles, type SweepReport } from '#shared/services/sweep-profiles.ts';
import { decisionDeps, readDecisionConfig } from '../shared/decision-deps.ts';

/** Daily sweep Lambda: time-based segments and stages (at_risk, churned, account age) for every profile. */
const config = readConfig({
  TABLE_NAME: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  SWEEP_SCAN_SEGMENTS: z.coerce.number().int().min(1).max(64).default(4),
});
const logger = nudgeLogger('nudge-sweep');
const documentClient = dynamoDocumentClient();

const sweepProfiles = makeSweepProfiles({
  ...decisionDeps(readDecisionConfig(), logger),
  scanner: new DynamoProfileScanner(documentClient, config.TABLE_NAME, { log: logger, clock: runtimeClock, quarantine: new DynamoQuarantine(documentClient, config.TABLE_NAME) }),
  profiles: new DynamoProfileStore(documentClient, config.TABLE_NAME),
  membership: new DynamoSegmentMembershipStore(documentClient, config.TABLE_NAME),
  bus: new EventBridgeInternalEventBus(eventBridge(), config.EVENT_BUS_NAME),
  catalog: defaultCatalog,
  clock: runtimeClock,
  log: logger,
  totalSegments: config.SWEEP_SCAN_SEGMENTS,
});

export const handler = middy<ScheduledEvent, SweepReport>()
  .use(injectLambdaContext(logger))
  .handler(async () => sweepProfiles());
