import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod';
import { dynamoDocumentClient, stepFunctions } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoErasureTombstones } from '#shared/adapters/dynamo/erasure-tombstone-repository.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoSequenceRuns } from '#shared/adapters/dynamo/sequence-run-repository.ts';
import { StepFunctionsSequenceExecutions } from '#shared/adapters/stepfunctions/sequence-executions.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { readConfig } from '#shared/config.ts';
import { makeStartSequences, SequenceStartEvent, type StartSequencesResult } from '#shared/services/start-sequences.ts';

/** Sequence starter Lambda: SequenceStartRequested / LifecycleStageChanged / SegmentEntered from the bus -> runs started and stopped. */
const config = readConfig({ TABLE_NAME: z.string().min(1), STATE_MACHINE_ARN: z.string().min(1) });
const logger = nudgeLogger('nudge-sequence-starter');

const startSequences = makeStartSequences({
  catalog: defaultCatalog,
  profiles: new DynamoProfileStore(dynamoDocumentClient(), config.TABLE_NAME),
  runs: new DynamoSequenceRuns(dynamoDocumentClient(), config.TABLE_NAME),
  erasures: new DynamoErasureTombstones(dynamoDocumentClient(), config.TABLE_NAME),
  executions: new StepFunctionsSequenceExecutions(stepFunctions(), config.STATE_MACHINE_ARN),
  clock: runtimeClock,
  log: logger,
});

export const handler = middy<EventBridgeEvent<string, unknown>, StartSequencesResult>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    logger.appendKeys({ busEventId: event.id });
    // A malformed event throws: the async retries, then the sequences dead-letter queue keep it.
    return startSequences(SequenceStartEvent.parse({ detailType: event['detail-type'], detail: event.detail }));
  });
