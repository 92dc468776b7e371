import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { customerPk } from './keys.ts';

/**
 * The customer's items whose sort key starts with `skPrefix` (`DEC#`, `SEQRUN#`, ...), page by page
 * from one partition: a Query, never a Scan. Stop iterating to stop reading.
 */
export async function* customerItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  customerId: string,
  skPrefix: string,
  options: { newestFirst?: boolean; consistentRead?: boolean } = {},
): AsyncGenerator<Record<string, unknown>> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': customerPk(customerId), ':prefix': skPrefix },
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
