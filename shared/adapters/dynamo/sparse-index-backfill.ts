import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LABELLED_SNAPSHOTS_INDEX_KEY, PROFILES_INDEX_KEY } from './sparse-indexes.ts';

export type BackfillProgress = { scanned: number; profiles: number; labelledSnapshots: number };

/**
 * Sets the sparse index keys on items written before the indexes existed (scripts/backfill-sparse-indexes.ts):
 * `profileIndexPk` on every profile, `labelledIndexPk` on every snapshot with a label. A parallel
 * Scan of the table (once, at upgrade) finds the items that lack their key; each gets one
 * UpdateItem of that attribute alone, only if the item still exists. Idempotent: a second run finds
 * nothing left to set, and a profile the new code wrote meanwhile already has its key.
 */
export async function backfillSparseIndexes(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: { segments: number; dryRun?: boolean; onProgress?: (progress: BackfillProgress) => void },
): Promise<BackfillProgress> {
  const totals: BackfillProgress = { scanned: 0, profiles: 0, labelledSnapshots: 0 };
  const set = async (key: { pk: string; sk: string }, attribute: string) => {
    if (options.dryRun) return;
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: 'SET #attribute = :pk',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#attribute': attribute },
          ExpressionAttributeValues: { ':pk': key.pk },
        }),
      );
    } catch (error) {
      // Deleted since the Scan page (an erasure, TTL): nothing to index.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  };
  await Promise.all(
    Array.from({ length: options.segments }, async (_, segment) => {
      let key: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: tableName,
            Segment: segment,
            TotalSegments: options.segments,
            ProjectionExpression: 'pk, sk, kind',
            FilterExpression: '(kind = :profile AND attribute_not_exists(#profileKey)) OR (kind = :snapshot AND attribute_exists(#label) AND attribute_not_exists(#labelledKey))',
            ExpressionAttributeNames: { '#profileKey': PROFILES_INDEX_KEY, '#labelledKey': LABELLED_SNAPSHOTS_INDEX_KEY, '#label': 'label' },
            ExpressionAttributeValues: { ':profile': 'profile', ':snapshot': 'training_snapshot' },
            ExclusiveStartKey: key,
          }),
        );
        for (const item of page.Items ?? []) {
          const itemKey = { pk: String(item.pk), sk: String(item.sk) };
          if (item.kind === 'profile') {
            await set(itemKey, PROFILES_INDEX_KEY);
            totals.profiles += 1;
          } else {
            await set(itemKey, LABELLED_SNAPSHOTS_INDEX_KEY);
            totals.labelledSnapshots += 1;
          }
        }
        totals.scanned += page.ScannedCount ?? 0;
        options.onProgress?.({ ...totals });
        key = page.LastEvaluatedKey;
      } while (key);
    }),
  );
  return totals;
}
