import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** BatchWriteItem takes at most 25 requests. */
const BATCH = 25;
const MAX_ATTEMPTS = 9;

/**
 * Writes `requests` (PutRequest / DeleteRequest) in batches of 25. Unprocessed items (throttling)
 * are retried with backoff up to 9 attempts; the SDK has already retried each request itself.
 * `what` names the writes in the error when they still do not go through.
 */
export async function batchWriteAll(client: DynamoDBDocumentClient, tableName: string, requests: ReadonlyArray<Record<string, unknown>>, what: string): Promise<void> {
  for (let i = 0; i < requests.length; i += BATCH) {
    let pending: Record<string, unknown[]> | undefined = { [tableName]: requests.slice(i, i + BATCH) };
    for (let attempt = 0; pending && Object.keys(pending).length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`${what}: ${pending[tableName]?.length ?? 0} writes stayed unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      const result = await client.send(new BatchWriteCommand({ RequestItems: pending as never, ReturnConsumedCapacity: 'TOTAL' }));
      pending = result.UnprocessedItems as typeof pending;
    }
  }
}
