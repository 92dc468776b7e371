import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoSequenceRuns } from '#shared/adapters/dynamo/sequence-run-repository.ts';
import { SequenceMachineState } from '#shared/domain/sequence-runs.ts';
import { makeSequenceMachineStep } from '#shared/services/run-sequence-step.ts';
import { decisionDeps, readDecisionConfig } from '../shared/decision-deps.ts';

/** Sequence step Lambda, the state machine's task: the run's state -> one step -> the run's next state. */
const config = readDecisionConfig();
const logger = nudgeLogger('nudge-sequence-step');

const step = makeSequenceMachineStep({
  ...decisionDeps(config, logger),
  profiles: new DynamoProfileStore(dynamoDocumentClient(), config.TABLE_NAME),
  runs: new DynamoSequenceRuns(dynamoDocumentClient(), config.TABLE_NAME),
  clock: runtimeClock,
});

export const handler = middy<unknown, SequenceMachineState>()
  .use(injectLambdaContext(logger))
  .handler(async (input) => {
    // A malformed state throws (zod): the state machine's retries, then its catch, keep the error in the execution history.
    const state = SequenceMachineState.parse(input);
    logger.appendKeys({ runId: state.runId, sequenceId: state.sequenceId, stepIndex: state.stepIndex });
    return step(state);
  });
