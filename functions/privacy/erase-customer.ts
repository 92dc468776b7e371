import { nudgeLogger } from '#shared/adapters/logging/nudge-logger.ts';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { dynamoDocumentClient, stepFunctions } from '#shared/adapters/aws/clients.ts';
import { runtimeClock } from '#shared/adapters/clock/runtime-clock.ts';
import { DynamoErasureTombstones } from '#shared/adapters/dynamo/erasure-tombstone-repository.ts';
import { DynamoSuppressionList } from '#shared/adapters/dynamo/suppression-repository.ts';
import { StepFunctionsSequenceExecutions } from '#shared/adapters/stepfunctions/sequence-executions.ts';
import { readConfig } from '#shared/config.ts';
import { makeEraseCustomer, type EraseResult } from '#shared/services/erase-customer.ts';
import { config, parseRequest, readDeps } from './privacy-deps.ts';

/** Erase Lambda (`nudge erase`): removes everything about one customer, keeps their address hashed on the suppression list. */
const { STATE_MACHINE_ARN } = readConfig({ STATE_MACHINE_ARN: z.string().min(1) });
const logger = nudgeLogger('nudge-privacy');

const erase = makeEraseCustomer({
  ...readDeps,
  suppression: new DynamoSuppressionList(dynamoDocumentClient(), config.TABLE_NAME),
  erasures: new DynamoErasureTombstones(dynamoDocumentClient(), config.TABLE_NAME),
  executions: new StepFunctionsSequenceExecutions(stepFunctions(), STATE_MACHINE_ARN),
  log: logger,
});

export const handler = middy<unknown, EraseResult>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => erase(parseRequest(event).customerId, runtimeClock.now()));
