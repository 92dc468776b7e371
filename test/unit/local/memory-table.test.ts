import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TableChange } from '#shared/services/update-rollups.ts';
import { MemoryTable } from '#local/memory/memory-table.ts';

const TABLE = 'nudge';
const newTable = () => new MemoryTable({ tableName: TABLE, key: { partitionKey: 'pk', sortKey: 'sk' }, indexes: { byKind: { partitionKey: 'kindKey', sortKey: 'sk' } }, ttlAttribute: 'ttl' });

describe('MemoryTable: conditional writes and versions', () => {
  // A random run of the profile store's write pattern (create if absent, else update at the version read)
  // against a plain model: the table takes exactly the writes whose condition held, and its stream
  // carries each of them, in order, with the images before and after.
  it('keeps optimistic versions as DynamoDB does, and streams every applied write', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('create' as const), id: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('update' as const), id: fc.integer({ min: 0, max: 3 }), expected: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 0, max: 3 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const table = newTable();
        const changes: TableChange[] = [];
        table.onChange((change) => changes.push(change));
        const model = new Map<number, number>();
        let applied = 0;
        const client = table.asDocumentClient();
        for (const step of ops) {
          const Key = { pk: `C#${step.id}`, sk: 'PROFILE' };
          let accepted = true;
          try {
            if (step.kind === 'create') {
              await client.send(new PutCommand({ TableName: TABLE, Item: { ...Key, version: 1 }, ConditionExpression: 'attribute_not_exists(pk)' }));
            } else if (step.kind === 'update') {
              await client.send(
                new UpdateCommand({
                  TableName: TABLE,
                  Key,
                  UpdateExpression: 'SET #version = #version + :one',
                  ConditionExpression: '#version = :expected',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':one': 1, ':expected': step.expected },
                }),
              );
            } else await client.send(new DeleteCommand({ TableName: TABLE, Key, ConditionExpression: 'attribute_exists(pk)' }));
          } catch (error) {
            expect(error).toBeInstanceOf(ConditionalCheckFailedException);
            accepted = false;
          }
          const current = model.get(step.id);
          const shouldAccept = step.kind === 'create' ? current === undefined : step.kind === 'update' ? current === step.expected : current !== undefined;
          expect(accepted).toBe(shouldAccept);
          if (shouldAccept) {
            applied += 1;
            if (step.kind === 'delete') model.delete(step.id);
            else model.set(step.id, step.kind === 'create' ? 1 : current! + 1);
            const change = changes.at(-1)!;
            expect(change.oldImage?.version).toBe(current);
            expect(change.newImage?.version).toBe(model.get(step.id));
          }
          const { Item } = await client.send(new GetCommand({ TableName: TABLE, Key }));
          expect(Item?.version).toBe(model.get(step.id));
        }
        expect(changes).toHaveLength(applied);
        expect(new Set(changes.map((c) => c.sequenceNumber)).size).toBe(applied);
        expect([...changes.map((c) => c.sequenceNumber)].sort()).toEqual(changes.map((c) => c.sequenceNumber));
      }),
    );
  });

  it('hands the old item back, in the wire form the adapters unmarshall, on ReturnValuesOnConditionCheckFailure', async () => {
    const client = newTable().asDocumentClient();
    await client.send(new PutCommand({ TableName: TABLE, Item: { pk: 'C#1', sk: 'PROFILE', version: 3, tags: ['a'] } }));
    const error = await client
      .send(new PutCommand({ TableName: TABLE, Item: { pk: 'C#1', sk: 'PROFILE', version: 1 }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }))
      .then(
        () => undefined,
        (caught: unknown) => caught as ConditionalCheckFailedException,
      );
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(unmarshall(error!.Item!)).toEqual({ pk: 'C#1', sk: 'PROFILE', version: 3, tags: ['a'] });
  });

  it('applies SET, if_not_exists, arithmetic, ADD and REMOVE against the item as it was before the update', async () => {
    const table = newTable();
    const client = table.asDocumentClient();
    await client.send(new PutCommand({ TableName: TABLE, Item: { pk: 'R#1', sk: 'D', a: 1, gone: 'x', nested: { n: 1 } } }));
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: 'R#1', sk: 'D' },
        UpdateExpression: 'SET a = a + :two, b = if_not_exists(b, a), first = if_not_exists(a, :zero), nested.n = nested.n - :one REMOVE gone ADD counter :five, tags :tags',
        ExpressionAttributeValues: { ':two': 2, ':zero': 0, ':one': 1, ':five': 5, ':tags': new Set(['t']) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    // b takes a's value from before the update (1), not its new one (3).
    expect(Attributes).toEqual({ pk: 'R#1', sk: 'D', a: 3, b: 1, first: 1, nested: { n: 0 }, counter: 5, tags: new Set(['t']) });
    const updatedOld = await client.send(new UpdateCommand({ TableName: TABLE, Key: { pk: 'R#1', sk: 'D' }, UpdateExpression: 'ADD counter :five', ExpressionAttributeValues: { ':five': 5 }, ReturnValues: 'UPDATED_OLD' }));
    expect(updatedOld.Attributes).toEqual({ counter: 5 });
    // An update of an absent item creates it from its key.
    await client.send(new UpdateCommand({ TableName: TABLE, Key: { pk: 'R#2', sk: 'D' }, UpdateExpression: 'ADD n :five', ExpressionAttributeValues: { ':five': 5 } }));
    expect((await client.send(new GetCommand({ TableName: TABLE, Key: { pk: 'R#2', sk: 'D' } }))).Item).toEqual({ pk: 'R#2', sk: 'D', n: 5 });
  });

  it('refuses an expression that names an undefined placeholder, and an item over 400 KB', async () => {
    const client = newTable().asDocumentClient();
    await expect(client.send(new PutCommand({ TableName: TABLE, Item: { pk: 'a', sk: 'b' }, ConditionExpression: '#x = :y' }))).rejects.toThrow(/attribute name/);
    await expect(client.send(new PutCommand({ TableName: TABLE, Item: { pk: 'a', sk: 'b', big: 'x'.repeat(410 * 1024) } }))).rejects.toThrow(/maximum allowed size/);
  });
});

describe('MemoryTable: transactions', () => {
  it('writes all or nothing, with a cancellation reason per item', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), async (exists) => {
        const table = newTable();
        const client = table.asDocumentClient();
        for (const [i, present] of exists.entries()) if (present) await client.send(new PutCommand({ TableName: TABLE, Item: { pk: `K#${i}`, sk: 'x', n: 0 } }));
        const before = table.size;
        const run = client.send(
          new TransactWriteCommand({
            TransactItems: exists.map((_, i) => ({
              Update: { TableName: TABLE, Key: { pk: `K#${i}`, sk: 'x' }, UpdateExpression: 'ADD n :one', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':one': 1 } },
            })),
          }),
        );
        if (exists.every(Boolean)) {
          await run;
          for (const i of exists.keys()) expect((await client.send(new GetCommand({ TableName: TABLE, Key: { pk: `K#${i}`, sk: 'x' } }))).Item?.n).toBe(1);
        } else {
          const error = (await run.catch((caught: unknown) => caught)) as TransactionCanceledException;
          expect(error).toBeInstanceOf(TransactionCanceledException);
          expect(error.CancellationReasons!.map((reason) => reason.Code)).toEqual(exists.map((present) => (present ? 'None' : 'ConditionalCheckFailed')));
          expect(table.size).toBe(before);
          for (const item of table.items()) expect(item.n).toBe(0);
        }
      }),
    );
  });
});

describe('MemoryTable: queries, scans and indexes', () => {
  const sortKeys = fc.uniqueArray(fc.stringMatching(/^[a-z0-9#]{1,6}$/), { minLength: 0, maxLength: 30 });

  it('queries a partition in sort-key order, forward and backward, page by page, with begins_with and BETWEEN', async () => {
    await fc.assert(
      fc.asyncProperty(sortKeys, fc.integer({ min: 1, max: 7 }), fc.boolean(), fc.stringMatching(/^[a-z0-9#]{0,2}$/), async (keys, limit, forward, prefix) => {
        const table = newTable();
        const client = table.asDocumentClient();
        for (const sk of keys) await client.send(new PutCommand({ TableName: TABLE, Item: { pk: 'C#1', sk } }));
        await client.send(new PutCommand({ TableName: TABLE, Item: { pk: 'C#2', sk: prefix } }));
        const expected = keys.filter((sk) => sk.startsWith(prefix)).sort();
        if (!forward) expected.reverse();
        const seen: string[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: TABLE,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
              ExpressionAttributeValues: { ':pk': 'C#1', ':prefix': prefix },
              Limit: limit,
              ScanIndexForward: forward,
              ExclusiveStartKey: start,
            }),
          );
          seen.push(...(page.Items ?? []).map((item) => String(item.sk)));
          start = page.LastEvaluatedKey;
        } while (start);
        expect(seen).toEqual(expected);
        const [low, high] = [...keys].sort().slice(0, 2);
        if (low !== undefined && high !== undefined) {
          const between = await client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high', ExpressionAttributeValues: { ':pk': 'C#1', ':low': low, ':high': high } }));
          expect(between.Items?.map((item) => item.sk)).toEqual([low, high]);
        }
      }),
    );
  });

  it('splits a parallel scan into segments that hold every item exactly once, and keeps an index sparse', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { maxLength: 60 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 9 }), async (ids, segments, limit) => {
        const table = newTable();
        const client = table.asDocumentClient();
        for (const id of ids) await client.send(new PutCommand({ TableName: TABLE, Item: { pk: `C#${id}`, sk: 'PROFILE', ...(id % 2 === 0 ? { kindKey: 'profile' } : {}) } }));
        const scanned = async (indexName?: string) => {
          const found: string[] = [];
          for (let segment = 0; segment < segments; segment += 1) {
            let start: Record<string, unknown> | undefined;
            do {
              const page = await client.send(new ScanCommand({ TableName: TABLE, Segment: segment, TotalSegments: segments, Limit: limit, ExclusiveStartKey: start, ...(indexName ? { IndexName: indexName } : {}) }));
              found.push(...(page.Items ?? []).map((item) => String(item.pk)));
              start = page.LastEvaluatedKey;
            } while (start);
          }
          return found.sort();
        };
        expect(await scanned()).toEqual(ids.map((id) => `C#${id}`).sort());
        expect(await scanned('byKind')).toEqual(ids.filter((id) => id % 2 === 0).map((id) => `C#${id}`).sort());
      }),
    );
  });
});

describe('MemoryTable: index reads between writes', () => {
  // The index order is kept between writes: after any run of writes (an item entering, leaving or
  // moving in the index, or rewritten in place), an index query and scan answer as a table built
  // from the same items afresh.
  it('answers index reads as a table holding the same items that never answered one', async () => {
    const write = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), id: fc.integer({ min: 0, max: 6 }), kindKey: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }), n: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('update' as const), id: fc.integer({ min: 0, max: 6 }), kindKey: fc.constantFrom('a', 'b'), n: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 0, max: 6 }) }),
    );
    const reads = async (table: MemoryTable) => {
      const client = table.asDocumentClient();
      const query = async (kindKey: string) =>
        (await client.send(new QueryCommand({ TableName: TABLE, IndexName: 'byKind', KeyConditionExpression: 'kindKey = :k', ExpressionAttributeValues: { ':k': kindKey } }))).Items;
      return { a: await query('a'), b: await query('b'), scan: (await client.send(new ScanCommand({ TableName: TABLE, IndexName: 'byKind' }))).Items };
    };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(write, { maxLength: 6 }), { maxLength: 6 }), async (rounds) => {
        const table = newTable();
        const client = table.asDocumentClient();
        for (const round of rounds) {
          for (const step of round) {
            const Key = { pk: `C#${step.id}`, sk: `S#${step.id % 3}` };
            if (step.kind === 'put') await client.send(new PutCommand({ TableName: TABLE, Item: { ...Key, n: step.n, ...(step.kindKey ? { kindKey: step.kindKey } : {}) } }));
            else if (step.kind === 'update') await client.send(new UpdateCommand({ TableName: TABLE, Key, UpdateExpression: 'SET kindKey = :k, n = :n', ExpressionAttributeValues: { ':k': step.kindKey, ':n': step.n } }));
            else await client.send(new DeleteCommand({ TableName: TABLE, Key }));
          }
          const fresh = newTable();
          for (const item of table.items()) await fresh.asDocumentClient().send(new PutCommand({ TableName: TABLE, Item: item }));
          expect(await reads(table)).toEqual(await reads(fresh));
        }
      }),
    );
  });
});

describe('MemoryTable: TTL', () => {
  it('deletes what the clock has expired, and only that, with a REMOVE change on the stream', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 20 }), fc.integer({ min: 0, max: 100 }), async (ttls, nowSeconds) => {
        const table = newTable();
        const client = table.asDocumentClient();
        for (const [i, ttl] of ttls.entries()) await client.send(new PutCommand({ TableName: TABLE, Item: { pk: `T#${i}`, sk: 'x', ttl } }));
        const removed: TableChange[] = [];
        table.onChange((change) => removed.push(change));
        expect(table.expireDue(nowSeconds * 1000)).toBe(ttls.filter((ttl) => ttl <= nowSeconds).length);
        expect(removed.every((change) => change.newImage === undefined && Number(change.oldImage?.ttl) <= nowSeconds)).toBe(true);
        expect([...table.items()].every((item) => Number(item.ttl) > nowSeconds)).toBe(true);
      }),
    );
  });
});
