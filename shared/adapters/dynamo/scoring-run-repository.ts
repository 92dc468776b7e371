import { PROFILES_INDEX } from './sparse-indexes.ts';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ScoringRunStore } from '../../domain/ports.ts';
import type { ScoringRun, SegmentResult } from '../../domain/predictive/scoring-runs.ts';
import { partitionItems } from './customer-items.ts';
import { expiresAt } from './ttl.ts';

/** Run records are for following a run and comparing runs; a quarter of them is plenty. */
const RETENTION_DAYS = 90;
const pk = (runId: string) => `SCORING#${runId}`;
const LATEST = { pk: 'SCORING', sk: 'LATEST' };

/** A scoring run's plan (`SCORING#<runId>` / `RUN`) and its finished segments (`SEGMENT#<n>`). */
export class DynamoScoringRuns implements ScoringRunStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The run, then a copy as the latest run (`SCORING` / `LATEST`), which is how people find the run in progress. */
  async saveRun(run: ScoringRun): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...run, pk: pk(run.runId), sk: 'RUN', kind: 'scoring_run', ttl: ttlFrom(run.startedAt) }, ReturnConsumedCapacity: 'TOTAL' }));
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...run, ...LATEST, kind: 'scoring_run' }, ReturnConsumedCapacity: 'TOTAL' }));
  }

  async latestRun(): Promise<ScoringRun | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: LATEST, ConsistentRead: true }));
    return Item ? (strip(Item) as ScoringRun) : undefined;
  }

  async getRun(runId: string): Promise<ScoringRun | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: pk(runId), sk: 'RUN' }, ReturnConsumedCapacity: 'TOTAL' }));
    return Item ? (strip(Item) as ScoringRun) : undefined;
  }

  /** Overwrites: a segment redone after a failure records its latest totals once. */
  async saveSegment(runId: string, result: SegmentResult): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...result, pk: pk(runId), sk: `SEGMENT#${String(result.segment).padStart(4, '0')}`, kind: 'scoring_segment', ttl: ttlFrom(result.finishedAt) },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
  }

  async segments(runId: string): Promise<SegmentResult[]> {
    const found: SegmentResult[] = [];
    for await (const item of partitionItems(this.client, this.tableName, pk(runId), 'SEGMENT#', { consistentRead: true })) {
      found.push(strip(item) as SegmentResult);
    }
    return found;
  }
}

/**
 * How many profiles there are, to size a profile pass's fan-out: the `profiles` index's item count
 * (DynamoDB refreshes counts about every six hours), which the pass scans; the table's count (every
 * send, decision and snapshot too, so far too many segments) only while the index does not exist yet.
 */
export async function profileItemCount(client: DynamoDBClient, tableName: string): Promise<number> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const index = Table?.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === PROFILES_INDEX);
  return index?.ItemCount ?? Table?.ItemCount ?? 0;
}

function ttlFrom(iso: string): number {
  return expiresAt(iso, RETENTION_DAYS);
}

function strip(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, kind: _kind, ttl: _ttl, ...rest } = item;
  return rest;
}
