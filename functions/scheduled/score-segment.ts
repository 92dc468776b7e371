import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient, eventBridge, sqs } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoModelStore } from '#shared/adapters/dynamo/model-store.ts';
import { DynamoProfileScanner, DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoQuarantine } from '#shared/adapters/dynamo/quarantine-repository.ts';
import { DynamoScoringRuns } from '#shared/adapters/dynamo/scoring-run-repository.ts';
import { DynamoSegmentMembershipStore } from '#shared/adapters/dynamo/segment-membership-repository.ts';
import { DynamoTrainingSnapshots } from '#shared/adapters/dynamo/training-snapshot-repository.ts';
import { EventBridgeInternalEventBus } from '#shared/adapters/eventbridge/internal-event-publisher.ts';
import { SqsScoringTaskQueue } from '#shared/adapters/sqs/scoring-task-queue.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import type { ScoringTask, ScoringTotals } from '#shared/domain/predictive/scoring-runs.ts';
import { makeScoreSegment } from '#shared/services/score-segment.ts';

/** Scoring worker: one SQS message is one Scan segment of a run (or the rest of one); see makeScoreSegment. */
const config = readConfig({
  TABLE_NAME: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  SCORING_QUEUE_URL: z.string().url(),
  SCORING_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
});
const logger = nudgeLogger('nudge-scoring-worker');
const documentClient = dynamoDocumentClient();

const Count = z.number().int().nonnegative();
const Task = z
  .object({
    runId: z.string().min(1),
    segment: z.number().int().nonnegative(),
    totalSegments: z.number().int().positive(),
    startKey: z.record(z.string(), z.unknown()).optional(),
    // The totals of the segment's earlier invocations, written by this same function.
    carried: z.object({ scanned: Count }).passthrough().optional(),
    invocation: z.number().int().positive().optional(),
  })
  .refine((task) => task.segment < task.totalSegments, 'segment must be below totalSegments');

const scoreSegment = makeScoreSegment({
  scanner: new DynamoProfileScanner(documentClient, config.TABLE_NAME, { log: logger, clock: runtimeClock, quarantine: new DynamoQuarantine(documentClient, config.TABLE_NAME) }),
  profiles: new DynamoProfileStore(documentClient, config.TABLE_NAME),
  snapshots: new DynamoTrainingSnapshots(documentClient, config.TABLE_NAME),
  models: new DynamoModelStore(documentClient, config.TABLE_NAME),
  runs: new DynamoScoringRuns(documentClient, config.TABLE_NAME),
  tasks: new SqsScoringTaskQueue(sqs(), config.SCORING_QUEUE_URL),
  bus: new EventBridgeInternalEventBus(eventBridge(), config.EVENT_BUS_NAME),
  membership: new DynamoSegmentMembershipStore(documentClient, config.TABLE_NAME),
  catalog: defaultCatalog,
  clock: runtimeClock,
  log: logger,
  concurrency: config.SCORING_CONCURRENCY,
});

/** The mapping's batch size is 1: a task that throws is retried whole by SQS, then dead-lettered. */
export const handler = middy<SQSEvent, void>()
  .use(injectLambdaContext(logger))
  .handler(async (event: SQSEvent, context: Context) => {
    for (const record of event.Records) {
      const parsed = Task.safeParse(JSON.parse(record.body));
      if (!parsed.success) throw new Error(`message ${record.messageId} is not a scoring task: ${parsed.error.message}`);
      const task = { ...parsed.data, carried: parsed.data.carried as ScoringTotals | undefined } as ScoringTask;
      await scoreSegment(task, () => context.getRemainingTimeInMillis());
    }
  });
