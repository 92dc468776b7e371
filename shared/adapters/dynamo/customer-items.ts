import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { customerPk } from './keys.ts';

/**
 * The customer's items whose sort key starts with `skPrefix` (`DEC#`, `SEQRUN#`, ...), page by page
 * from one partition: a Query, never a Scan. Stop iterating to stop reading.
 */
export function customerItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  customerId: string,
  skPrefix: string,
  options: { newestFirst?: boolean; consistentRead?: boolean } = {},
): AsyncGenerator<Record<string, unknown>> {
  return partitionItems(client, tableName, customerPk(customerId), skPrefix, options);
}

/** The items of any partition whose sort key starts with `skPrefix` (`''`: all of them), page by page (a Query). */
export async function* partitionItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  skPrefix: string,
  options: { newestFirst?: boolean; consistentRead?: boolean } = {},
): AsyncGenerator<Record<string, unknown>> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        // DynamoDB refuses begins_with with an empty prefix: the whole partition is `pk = :pk` alone.
        ...(skPrefix === ''
          ? { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }
          : { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix } }),
        ...(options.newestFirst ? { ScanIndexForward: false } : {}),
        ...(options.consistentRead ? { ConsistentRead: true } : {}),
        ExclusiveStartKey: startKey,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
