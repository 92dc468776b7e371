import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { functionIdFromName, queueUrlFromArn } from '../lambda/invoke-async.ts';
import type { EventSourceMappingDef } from '../stack/cloud-template.ts';
import { resolveIntrinsics, type LocalResource } from '../stack/intrinsics.ts';
import { DynamoDbStreamPoller, type StreamInvoker, type StreamPollerOptions } from './stream-poller.ts';

/** A DynamoDB stream ARN (`arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`), as opposed to a queue's. */
export function isDynamoDbStreamArn(arn: string): boolean {
  return /^arn:aws[\w-]*:dynamodb:[^:]*:[^:]*:table\/[^/]+\/stream\/.+$/.test(arn);
}

/**
 * One poller per enabled event source mapping of the stack that reads a DynamoDB stream, with the
 * mapping's batch, filter, retry and on-failure settings. The on-failure destination must be a
 * queue of the stack (an SNS topic or S3 bucket has no local counterpart); otherwise skipped
 * batches are only logged.
 */
export function dynamoDbStreamPollers(input: {
  mappings: EventSourceMappingDef[];
  resources: ReadonlyMap<string, LocalResource>;
  functions: StreamInvoker & { has(logicalId: string): boolean };
  streams: Pick<DynamoDBStreamsClient, 'send'>;
  sqs: SQSClient;
  log: StreamPollerOptions['log'];
}): DynamoDbStreamPoller[] {
  const { resources, log } = input;
  return input.mappings.flatMap((mapping) => {
    if (!mapping.enabled) return [];
    const streamArn = String(resolveIntrinsics(mapping.eventSourceArn, resources));
    if (!isDynamoDbStreamArn(streamArn)) return [];
    const functionId = functionIdFromName(resolveIntrinsics(mapping.functionName, resources), input.functions);
    if (!functionId) {
      log.warn(`event source mapping ${mapping.logicalId} (${streamArn}) names no function that runs locally; skipped`);
      return [];
    }
    const destinationArn = mapping.onFailureDestination === undefined ? undefined : String(resolveIntrinsics(mapping.onFailureDestination, resources));
    const queueUrl = destinationArn ? queueUrlFromArn(destinationArn, resources) : undefined;
    if (destinationArn && !queueUrl) log.warn(`event source mapping ${mapping.logicalId}: on-failure destination ${destinationArn} is not a local queue; skipped batches are only logged`);
    const sendToDestination = queueUrl
      ? async (record: unknown) => {
          await input.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }));
        }
      : undefined;
    return [
      new DynamoDbStreamPoller(input.streams, input.functions, {
        functionId,
        streamArn,
        startingPosition: mapping.startingPosition ?? 'TRIM_HORIZON',
        batchSize: mapping.batchSize,
        maximumBatchingWindowInSeconds: mapping.maximumBatchingWindowInSeconds,
        reportBatchItemFailures: mapping.reportBatchItemFailures,
        bisectBatchOnFunctionError: mapping.bisectBatchOnFunctionError,
        maximumRetryAttempts: mapping.maximumRetryAttempts,
        filterPatterns: resolveIntrinsics(mapping.filterPatterns, resources) as unknown[],
        ...(sendToDestination ? { sendToDestination } : {}),
        log,
      }),
    ];
  });
}
