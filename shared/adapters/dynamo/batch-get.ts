import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ItemKey } from './keys.ts';

/** BatchGetItem takes at most 100 keys. */
const BATCH = 100;
const MAX_ATTEMPTS = 9;

/**
 * Reads the items of `keys` (eventually consistent, as a Scan reads) in batches of 100, retrying
 * unprocessed keys (throttling, or a response over 16 MB) with backoff up to 9 attempts. Returns
 * the items found by `pk`+`sk`; a key whose item no longer exists is simply absent.
 * `what` names the reads in the error when they still do not go through.
 */
export async function batchGetAll(client: DynamoDBDocumentClient, tableName: string, keys: readonly ItemKey[], what: string): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < keys.length; i += BATCH) {
    let pending: ItemKey[] = keys.slice(i, i + BATCH).map(({ pk, sk }) => ({ pk, sk }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`${what}: ${pending.length} reads stayed unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
      const result = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending } }, ReturnConsumedCapacity: 'TOTAL' }));
      for (const item of result.Responses?.[tableName] ?? []) found.set(itemId(item as ItemKey), item);
      pending = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as ItemKey[];
    }
  }
  return found;
}

export const itemId = ({ pk, sk }: ItemKey): string => `${pk}\u0000${sk}`;
