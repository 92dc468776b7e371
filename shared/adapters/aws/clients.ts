import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CapacityMeter } from './consumed-capacity.ts';

/**
 * One client per service per process (module-level singletons, reused across invocations).
 * Endpoints come from the standard SDK environment (AWS_ENDPOINT_URL_DYNAMODB, ..._SQS, ..._SESV2),
 * which is how the local runtime points the very same handlers at the emulators.
 */
export const dynamoCapacity = new CapacityMeter();

let documentClient: DynamoDBDocumentClient | undefined;
let sqsClient: SQSClient | undefined;
let sesClient: SESv2Client | undefined;

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  if (!documentClient) {
    const base = new DynamoDBClient({});
    base.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: unknown };
        if (output.ConsumedCapacity !== undefined) dynamoCapacity.record(context.commandName ?? 'unknown', output.ConsumedCapacity);
        return result;
      },
      { step: 'initialize', name: 'nudgeConsumedCapacity' },
    );
    documentClient = DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return documentClient;
}

export function sqs(): SQSClient {
  sqsClient ??= new SQSClient({});
  return sqsClient;
}

export function sesv2(): SESv2Client {
  sesClient ??= new SESv2Client({});
  return sesClient;
}
