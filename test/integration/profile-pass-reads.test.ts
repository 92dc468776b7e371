import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '#shared/adapters/dynamo/batch-write.ts';
import { profileItemCount } from '#shared/adapters/dynamo/scoring-run-repository.ts';
import { backfillSparseIndexes } from '#shared/adapters/dynamo/sparse-index-backfill.ts';
import { DynamoProfileScanner, DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoTrainingSnapshots } from '#shared/adapters/dynamo/training-snapshot-repository.ts';
import { Profile } from '#shared/domain/profile.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const PROFILES = 120;
const SEGMENTS = 4;

/**
 * Issue 20 item 9: a pass over every profile (the sweep, the scoring, training) read the whole
 * table with a `kind` filter, so its cost grew with every send, decision and snapshot kept. On a
 * table made exactly like the stack's (its key schema and indexes, read from the deployed local
 * table), with many other items per customer: the pass yields every profile once and nothing else,
 * and doubling the other items leaves its read units where they were.
 */
describe('a profile pass reads only profiles', () => {
  const nudge = nudgeClient();
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: nudge.context.endpoints.dynamodb });
  const table = uniqueId('profile-pass').replace(/[^\w.-]/g, '-');
  const customers = Array.from({ length: PROFILES }, (_, i) => `pp-${i}`);
  const at = '2027-01-04T10:00:00.000Z';

  beforeAll(async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: nudge.output('TableName') }));
    await client.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: Table!.KeySchema,
        AttributeDefinitions: Table!.AttributeDefinitions,
        ...(Table!.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: Table!.GlobalSecondaryIndexes.map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })) } : {}),
      }),
    );
    const store = new DynamoProfileStore(nudge.documentClient, table);
    for (const customerId of customers) {
      await store.save(Profile.parse({ customerId, version: 0, consent: {}, firstSeenAt: at, lastActivityAt: at, eventCount: 1, eventCounts: { page_view: 1 }, recentEvents: '', updatedAt: at }), undefined);
    }
  }, 120_000);

  afterAll(async () => {
    await client.send(new DeleteTableCommand({ TableName: table }));
    client.destroy();
  });

  /** `perCustomer` more history items per customer, shaped like sends, decisions and snapshots (kinds and sizes). */
  const addHistory = async (round: number, perCustomer: number) => {
    const items = customers.flatMap((customerId) =>
      Array.from({ length: perCustomer }, (_, i) => {
        const kind = ['send', 'decision', 'training_snapshot'][i % 3]!;
        return { PutRequest: { Item: { pk: `C#${customerId}`, sk: `${kind.toUpperCase()}#${round}#${i}`, kind, customerId, at, body: 'x'.repeat(600) } } };
      }),
    );
    await batchWriteAll(nudge.documentClient, table, items, 'history');
  };

  const pass = async () => {
    const scanner = new DynamoProfileScanner(nudge.documentClient, table, { log: quiet, clock: { now: () => new Date() } });
    const seen: string[] = [];
    nudge.meter.reset();
    await Promise.all(
      Array.from({ length: SEGMENTS }, async (_, segment) => {
        for await (const page of scanner.scanSegment(segment, SEGMENTS, 25)) seen.push(...page.profiles.map((profile) => profile.customerId));
      }),
    );
    return { seen, readUnits: nudge.meter.snapshot().readUnits };
  };

  it('yields every profile once across the segments and nothing else; its read units do not grow with the other items', async () => {
    await addHistory(1, 15);
    const first = await pass();
    expect(first.seen.sort()).toEqual([...customers].sort());

    await addHistory(2, 15);
    const doubled = await pass();
    expect(doubled.seen.sort()).toEqual([...customers].sort());
    // Before the indexes the second pass read about twice the first (the filter drops items after they are read).
    expect(doubled.readUnits).toBeGreaterThan(0);
    expect(Math.abs(doubled.readUnits - first.readUnits)).toBeLessThanOrEqual(first.readUnits * 0.05);

    // The scoring planner sizes its fan-out by the profiles, not by every item of the table (30 per customer here).
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table!.ItemCount).toBeGreaterThan(PROFILES * 30);
    expect(await profileItemCount(client, table)).toBe(PROFILES);
  }, 120_000);

  it('labelled() reads only the labelled training snapshots', async () => {
    const snapshots = new DynamoTrainingSnapshots(nudge.documentClient, table);
    const features = [0.1, 0.2];
    for (const [i, customerId] of customers.slice(0, 30).entries()) {
      const snapshot = { customerId, at, features };
      await snapshots.put(snapshot);
      if (i % 3 === 0) await snapshots.setOutcomes(snapshot, { label: 1 });
      else if (i % 3 === 1) await snapshots.setOutcomes(snapshot, { purchased: 0 });
    }
    await snapshots.put({ customerId: 'pp-labelled-on-put', at, features, label: 0 });
    const read = async () => {
      const labelled: string[] = [];
      nudge.meter.reset();
      for await (const snapshot of snapshots.labelled()) {
        expect(snapshot.label).toBeDefined();
        labelled.push(snapshot.customerId);
      }
      return { labelled, readUnits: nudge.meter.snapshot().readUnits };
    };
    const first = await read();
    expect(first.labelled.sort()).toEqual([...customers.slice(0, 30).filter((_, i) => i % 3 === 0), 'pp-labelled-on-put'].sort());
    // More history (sends, decisions, unlabelled snapshots) leaves training's read where it was.
    await addHistory(3, 15);
    const more = await read();
    expect(more.labelled.sort()).toEqual(first.labelled);
    expect(Math.abs(more.readUnits - first.readUnits)).toBeLessThanOrEqual(first.readUnits * 0.05);
  }, 120_000);

  it('the upgrade backfill puts profiles and labelled snapshots written before the indexes into them, once', async () => {
    const old = ['pp-old-1', 'pp-old-2'];
    // As the previous version wrote them: no index keys.
    for (const customerId of old) {
      await nudge.documentClient.send(new PutCommand({ TableName: table, Item: { pk: `C#${customerId}`, sk: 'PROFILE', kind: 'profile', ...Profile.parse({ customerId, version: 1, consent: {}, firstSeenAt: at, lastActivityAt: at, eventCount: 1, eventCounts: { page_view: 1 }, recentEvents: '', updatedAt: at }) } }));
    }
    await nudge.documentClient.send(new PutCommand({ TableName: table, Item: { pk: 'C#pp-old-1', sk: `SNAPSHOT#${at}`, kind: 'training_snapshot', customerId: 'pp-old-1', at, features: [0.5], label: 0 } }));
    expect((await pass()).seen).not.toContain('pp-old-1');

    expect(await backfillSparseIndexes(nudge.documentClient, table, { segments: 3 })).toMatchObject({ profiles: 2, labelledSnapshots: 1 });
    expect((await pass()).seen.sort()).toEqual([...customers, ...old].sort());
    const labelled: string[] = [];
    for await (const snapshot of new DynamoTrainingSnapshots(nudge.documentClient, table).labelled()) labelled.push(snapshot.customerId);
    expect(labelled).toContain('pp-old-1');
    // Idempotent: nothing left to set.
    expect(await backfillSparseIndexes(nudge.documentClient, table, { segments: 3 })).toMatchObject({ profiles: 0, labelledSnapshots: 0 });
  }, 120_000);
});
