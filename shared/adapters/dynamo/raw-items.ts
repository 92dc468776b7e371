import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/** Items inside DynamoDB errors (ConditionalCheckFailedException, CancellationReasons) come as raw AttributeValues. */
export function unmarshallRaw(item: Record<string, AttributeValue>): Record<string, unknown> {
  return unmarshall(item);
}
