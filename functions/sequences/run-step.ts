import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { dynamoDocumentClient } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoSequenceRuns } from '#shared/adapters/dynamo/sequence-run-repository.ts';
import { TriggerRef } from '#shared/domain/rule-timer.ts';
import type { SequenceMachineState } from '#shared/domain/sequence-runs.ts';
import { makeSequenceMachineStep } from '#shared/services/run-sequence-step.ts';
import { decisionDeps, readDecisionConfig } from '../shared/decision-deps.ts';

/** Sequence step Lambda, the state machine's task: the run's state -> one step -> the run's next state. */
const config = readDecisionConfig();
const logger = new Logger({ serviceName: 'nudge-sequence-step' });

const MachineState = z.object({
  runId: z.string().min(1),
  sequenceId: z.string().min(1),
  customerId: z.string().min(1),
  startedAt: z.string(),
  startStage: z.string().nullable(),
  stepIndex: z.number().int().min(0),
  trigger: TriggerRef,
  dueAt: z.string(),
  done: z.boolean(),
}) satisfies z.ZodType<SequenceMachineState>;

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
    const state = MachineState.parse(input);
    logger.appendKeys({ runId: state.runId, sequenceId: state.sequenceId, stepIndex: state.stepIndex });
    return step(state);
  });
