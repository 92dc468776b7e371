import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoProfileScanner } from '#shared/adapters/dynamo/profile-repository.ts';
import { readConfig } from '#shared/config.ts';
import type { SegmentExperimentReport } from '#shared/domain/reports/segment-experiment.ts';
import { makeSegmentExperimentReport } from '#shared/services/reports/segment-experiment.ts';

/** Report Lambda: a segment A/B test, control criteria against variant criteria over the profiles (payload: the experiment). */
const config = readConfig({
  TABLE_NAME: z.string().min(1),
  SWEEP_SCAN_SEGMENTS: z.coerce.number().int().min(1).max(64).default(4),
});
const logger = nudgeLogger('nudge-reports');
const documentClient = dynamoDocumentClient();

const report = makeSegmentExperimentReport({ scanner: new DynamoProfileScanner(documentClient, config.TABLE_NAME, { log: logger, clock: runtimeClock }), totalSegments: config.SWEEP_SCAN_SEGMENTS, clock: runtimeClock, log: logger });

export const handler = middy<unknown, SegmentExperimentReport>()
  .use(injectLambdaContext(logger))
  .handler(async (payload) => report(payload));
