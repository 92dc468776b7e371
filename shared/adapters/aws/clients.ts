import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATE_CONFIG } from '../dynamo/translate-config.ts';
import { CapacityMeter } from './consumed-capacity.ts';

/**
 * One client per service per process (module-level singletons, reused across invocations).
 * Endpoints come from the standard SDK environment (AWS_ENDPOINT_URL_DYNAMODB, ..._SQS, ..._SESV2, ..._SCHEDULER),
 * which is how the local runtime points the very same handlers at the emulators.
 */
export const dynamoCapacity = new CapacityMeter();

let documentClient: DynamoDBDocumentClient | undefined;
let sqsClient: SQSClient | undefined;
let sesClient: SESv2Client | undefined;
let eventBridgeClient: EventBridgeClient | undefined;
let schedulerClient: SchedulerClient | undefined;
let stepFunctionsClient: SFNClient | undefined;


export function dynamoDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= createDocumentClient({ meter: dynamoCapacity });
  return documentClient;
}

/** A document client that feeds every reported ConsumedCapacity into `meter`. */
export function createDocumentClient(options: { config?: DynamoDBClientConfig; meter?: CapacityMeter } = {}): DynamoDBDocumentClient {
  const base = new DynamoDBClient(options.config ?? {});
  const { meter } = options;
  if (meter) {
    base.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          const result = await next(args);
          meter.record(context.commandName ?? 'unknown', (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
          return result;
        } catch (error) {
          // A failed conditional write still costs a request (and its write units, which DynamoDB does not report back).
          meter.record(context.commandName ?? 'unknown', undefined);
          throw error;
        }
      },
      { step: 'initialize', name: 'nudgeConsumedCapacity' },
    );
  }
  return DynamoDBDocumentClient.from(base, DOCUMENT_TRANSLATE_CONFIG);
}

export function sqs(): SQSClient {
  sqsClient ??= new SQSClient({});
  return sqsClient;
}

export function sesv2(): SESv2Client {
  sesClient ??= new SESv2Client({});
  return sesClient;
}

export function eventBridge(): EventBridgeClient {
  eventBridgeClient ??= new EventBridgeClient({});
  return eventBridgeClient;
}

export function scheduler(): SchedulerClient {
  schedulerClient ??= new SchedulerClient({});
  return schedulerClient;
}

export function stepFunctions(): SFNClient {
  stepFunctionsClient ??= new SFNClient({});
  return stepFunctionsClient;
}
