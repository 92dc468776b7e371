import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { UNMARSHALL_OPTIONS } from './translate-config.ts';

/** Items inside DynamoDB errors (ConditionalCheckFailedException, CancellationReasons) and stream images come as raw AttributeValues. */
export function unmarshallRaw(item: Record<string, AttributeValue>): Record<string, unknown> {
  return unmarshall(item, UNMARSHALL_OPTIONS);
}
