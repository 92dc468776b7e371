import { CreateTableCommand, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type _Record as ApiRecord, type Shard } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal, type RunningEmulator } from '#local/emulators/dynamodb-local.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { freePort } from '#local/emulators/ports.ts';
import { DynamoDbStreamPoller, type StreamBatchFailureRecord, type StreamPollerOptions } from '#local/dynamodb/stream-poller.ts';

const FUNCTION_ID = 'RollupFunctionABC123';
const KIND_FILTER = '{"dynamodb":{"NewImage":{"kind":{"S":["decision","send","conversion"]}}}}';

type Handler = (event: DynamoDBStreamEvent) => Promise<unknown>;

let emulator: RunningEmulator;
let dynamodb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let tableCount = 0;
const running: DynamoDbStreamPoller[] = [];

beforeAll(async () => {
  emulator = await startDynamoDbLocal(await freePort());
  const config = { region: LOCAL_REGION, credentials: localCredentials, endpoint: emulator.endpoint };
  dynamodb = new DynamoDBClient(config);
  streams = new DynamoDBStreamsClient(config);
}, 30_000);

afterEach(async () => {
  for (const poller of running.splice(0)) await poller.stop();
});

afterAll(async () => {
  dynamodb?.destroy();
  streams?.destroy();
  await emulator?.stop();
});

/** A fresh table with a NEW_AND_OLD_IMAGES stream, as the stack declares it; returns its name and stream ARN. */
async function streamTable(): Promise<{ table: string; streamArn: string }> {
  const table = `stream-test-${++tableCount}`;
  const created = await dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  return { table, streamArn: created.TableDescription!.LatestStreamArn! };
}

async function put(table: string, pk: string, kind: string, n = 1): Promise<void> {
  await dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, kind: { S: kind }, n: { N: String(n) } } }));
}

/** A poller over `streamArn` whose function is `handler`; records each batch it is invoked with and each on-failure record. */
async function startPoller(streamArn: string, handler: Handler, options: Partial<StreamPollerOptions> = {}) {
  const batches: DynamoDBRecord[][] = [];
  const failures: StreamBatchFailureRecord[] = [];
  const logs: string[] = [];
  const poller = new DynamoDbStreamPoller(
    streams,
    {
      invoke: async (functionId, event) => {
        expect(functionId).toBe(FUNCTION_ID);
        batches.push((event as DynamoDBStreamEvent).Records);
        return handler(event as DynamoDBStreamEvent);
      },
    },
    {
      functionId: FUNCTION_ID,
      streamArn,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 100,
      reportBatchItemFailures: true,
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1,
      sendToDestination: async (record) => {
        failures.push(record);
      },
      log: { warn: (message) => logs.push(`warn: ${message}`), error: (message) => logs.push(`error: ${message}`) },
      retryBaseDelayMs: 5,
      idlePollMs: 20,
      ...options,
    },
  );
  await poller.start();
  running.push(poller);
  return { poller, batches, failures, logs };
}

async function drained(poller: DynamoDbStreamPoller, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await poller.isDrained()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the stream was not drained in time');
}

const kinds = (records: DynamoDBRecord[]) => records.map((record) => record.dynamodb?.NewImage?.kind?.S);
const keys = (records: DynamoDBRecord[]) => records.map((record) => record.dynamodb?.Keys?.pk?.S);
const ok: Handler = async () => ({ batchItemFailures: [] });

describe('DynamoDbStreamPoller against DynamoDB Local', () => {
  it('delivers the records in order, in batches of BatchSize, with old and new images in the Lambda event shape', async () => {
    const { table, streamArn } = await streamTable();
    await put(table, 'a', 'decision', 1);
    await put(table, 'b', 'decision', 1);
    await put(table, 'c', 'decision', 1);
    await dynamodb.send(
      new UpdateItemCommand({ TableName: table, Key: { pk: { S: 'a' } }, UpdateExpression: 'SET n = :n', ExpressionAttributeValues: { ':n': { N: '2' } } }),
    );
    await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: 'b' } } }));

    // TRIM_HORIZON: what was written before the mapping started is delivered too.
    const { poller, batches } = await startPoller(streamArn, ok, { batchSize: 2 });
    await drained(poller);

    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    const records = batches.flat();
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'INSERT', 'INSERT', 'MODIFY', 'REMOVE']);
    expect(keys(records)).toEqual(['a', 'b', 'c', 'a', 'b']);
    const sequence = records.map((record) => BigInt(record.dynamodb!.SequenceNumber!));
    expect(sequence).toEqual([...sequence].sort((x, y) => (x < y ? -1 : 1)));

    const modify = records[3]!;
    expect(modify).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      awsRegion: LOCAL_REGION,
      dynamodb: {
        Keys: { pk: { S: 'a' } },
        OldImage: { pk: { S: 'a' }, kind: { S: 'decision' }, n: { N: '1' } },
        NewImage: { pk: { S: 'a' }, kind: { S: 'decision' }, n: { N: '2' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(typeof modify.eventID).toBe('string');
    expect(typeof modify.dynamodb!.ApproximateCreationDateTime).toBe('number');
    expect(typeof modify.dynamodb!.SizeBytes).toBe('number');
    const remove = records[4]!;
    expect(remove.dynamodb!.OldImage).toEqual({ pk: { S: 'b' }, kind: { S: 'decision' }, n: { N: '1' } });
    expect(remove.dynamodb!.NewImage).toBeUndefined();
  });

  it('keeps empty maps as maps, nested or not (the streams client decodes them to a value with no type)', async () => {
    const { table, streamArn } = await streamTable();
    await dynamodb.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: 'e' }, kind: { S: 'decision' }, scores: { M: {} }, trigger: { M: { properties: { M: {} }, id: { S: 't' } } } } }),
    );
    const { poller, batches } = await startPoller(streamArn, ok);
    await drained(poller);
    expect(batches.flat()[0]?.dynamodb?.NewImage).toEqual({ pk: { S: 'e' }, kind: { S: 'decision' }, scores: { M: {} }, trigger: { M: { properties: { M: {} }, id: { S: 't' } } } });
  });

  it('LATEST starts after what was written before the mapping started', async () => {
    const { table, streamArn } = await streamTable();
    await put(table, 'before', 'decision');
    const { poller, batches } = await startPoller(streamArn, ok, { startingPosition: 'LATEST' });
    await put(table, 'after', 'decision');
    await drained(poller);
    expect(keys(batches.flat())).toEqual(['after']);
  });

  it('delivers only the records a filter pattern matches, and counts the rest as processed', async () => {
    const { table, streamArn } = await streamTable();
    const { poller, batches } = await startPoller(streamArn, ok, { filterPatterns: [KIND_FILTER] });
    for (const [pk, kind] of [['1', 'decision'], ['2', 'profile'], ['3', 'send'], ['4', 'counter'], ['5', 'conversion']] as const) {
      await put(table, pk, kind);
    }
    await drained(poller);
    expect(kinds(batches.flat())).toEqual(['decision', 'send', 'conversion']);
    // A removal has no NewImage, so the pattern does not match it either.
    await dynamodb.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: '1' } } }));
    await drained(poller);
    expect(batches.flat()).toHaveLength(3);
  });

  it('retries from the first failed record when the function reports batchItemFailures', async () => {
    const { table, streamArn } = await streamTable();
    for (const pk of ['r1', 'r2', 'r3', 'r4', 'r5']) await put(table, pk, 'send');
    let failed = false;
    const { poller, batches, failures } = await startPoller(streamArn, async (event) => {
      const r3 = event.Records.find((record) => record.dynamodb?.Keys?.pk?.S === 'r3');
      const r4 = event.Records.find((record) => record.dynamodb?.Keys?.pk?.S === 'r4');
      if (failed || !r3 || !r4) return { batchItemFailures: [] };
      failed = true;
      // Lambda checkpoints at the lowest failed sequence number, whatever the order they are reported in.
      return { batchItemFailures: [{ itemIdentifier: r4.dynamodb!.SequenceNumber! }, { itemIdentifier: r3.dynamodb!.SequenceNumber! }] };
    });
    await drained(poller);
    expect(batches.map(keys)).toEqual([
      ['r1', 'r2', 'r3', 'r4', 'r5'],
      ['r3', 'r4', 'r5'],
    ]);
    expect(failures).toEqual([]);
  });

  it('fails the whole batch when an itemIdentifier is not a record of the batch', async () => {
    const { table, streamArn } = await streamTable();
    for (const pk of ['r1', 'r2']) await put(table, pk, 'send');
    let calls = 0;
    const { poller, batches } = await startPoller(streamArn, async () => (++calls === 1 ? { batchItemFailures: [{ itemIdentifier: '' }] } : {}));
    await drained(poller);
    expect(batches.map(keys)).toEqual([
      ['r1', 'r2'],
      ['r1', 'r2'],
    ]);
  });

  it('bisects a throwing batch, then skips the failing record after its retries and sends its on-failure record', async () => {
    const { table, streamArn } = await streamTable();
    for (const [pk, kind] of [['r1', 'send'], ['r2', 'send'], ['r3', 'poison'], ['r4', 'send']] as const) await put(table, pk, kind);
    const { poller, batches, failures, logs } = await startPoller(
      streamArn,
      async (event) => {
        if (kinds(event.Records).includes('poison')) throw new Error('cannot roll up a poisoned record');
        return undefined;
      },
      { bisectBatchOnFunctionError: true, maximumRetryAttempts: 2 },
    );
    await drained(poller);

    expect(batches.map(keys)).toEqual([
      ['r1', 'r2', 'r3', 'r4'],
      // Halves, in order; splitting uses up no retries.
      ['r1', 'r2'],
      ['r3', 'r4'],
      ['r3'],
      // Two retries of the record alone, then it is skipped and the shard moves on.
      ['r3'],
      ['r3'],
      ['r4'],
    ]);
    const poisoned = batches[0]![2]!.dynamodb!;
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3, functionArn: expect.stringContaining(`:function:${FUNCTION_ID}`) },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      DDBStreamBatchInfo: {
        shardId: expect.stringMatching(/^shardId-/),
        startSequenceNumber: poisoned.SequenceNumber,
        endSequenceNumber: poisoned.SequenceNumber,
        batchSize: 1,
        streamArn,
      },
    });
    expect(Date.parse(failures[0]!.timestamp)).not.toBeNaN();
    expect(Date.parse(failures[0]!.DDBStreamBatchInfo.approximateArrivalOfFirstRecord)).not.toBeNaN();
    expect(logs.some((line) => line.includes('on-failure destination'))).toBe(true);
  });

  it('keeps retrying a failing batch when MaximumRetryAttempts is -1, and stops without waiting out the backoff', async () => {
    const { table, streamArn } = await streamTable();
    await put(table, 'stuck', 'send');
    const { poller, batches, failures } = await startPoller(
      streamArn,
      async () => {
        throw new Error('always');
      },
      { retryBaseDelayMs: 60_000 },
    );
    while (batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await poller.isDrained()).toBe(false);
    const stopping = Date.now();
    await poller.stop();
    expect(Date.now() - stopping).toBeLessThan(1000);
    expect(batches).toHaveLength(1);
    expect(failures).toEqual([]);
  });

  it('is not drained while a batch is in flight or records are unread, and is once they are processed', async () => {
    const { table, streamArn } = await streamTable();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { poller, batches } = await startPoller(streamArn, async () => held);
    expect(await poller.isDrained()).toBe(true);

    await put(table, 'slow', 'send');
    // Written but not yet read: the peek sees it even before the poller does.
    expect(await poller.isDrained()).toBe(false);
    while (batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(poller.isBusy).toBe(true);
    expect(await poller.isDrained()).toBe(false);

    release();
    await drained(poller);
    expect(poller.isBusy).toBe(false);
    await poller.stop();
    expect(await poller.isDrained()).toBe(true);
  });

  it('honours MaximumBatchingWindowInSeconds: a partial batch waits for more records, a full one goes at once', async () => {
    const { table, streamArn } = await streamTable();
    const { poller, batches } = await startPoller(streamArn, async () => ({ batchItemFailures: [] }), { batchSize: 3, maximumBatchingWindowInSeconds: 300 });
    await put(table, 'w1', 'send');
    // Read (the poller polls every 20 ms here), then held in the window: not invoked, and not drained.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(batches).toHaveLength(0);
    expect(await poller.isDrained()).toBe(false);
    // Two more records fill the batch of 3 (across reads): it goes without waiting out the window.
    await put(table, 'w2', 'send');
    await put(table, 'w3', 'send');
    await put(table, 'w4', 'send');
    while (batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(batches[0]!.map((record) => record.dynamodb?.Keys?.pk?.S)).toEqual(['w1', 'w2', 'w3']);
    // The fourth waits for its own window.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(batches).toHaveLength(1);
    expect(await poller.isDrained()).toBe(false);
  });

  it('invokes with a partial batch once the window has passed since its first record was read', async () => {
    const { table, streamArn } = await streamTable();
    const { poller, batches } = await startPoller(streamArn, async () => ({ batchItemFailures: [] }), { batchSize: 100, maximumBatchingWindowInSeconds: 0.5 });
    await put(table, 'p1', 'send');
    await put(table, 'p2', 'send');
    await drained(poller);
    expect(batches.flat().map((record) => record.dynamodb?.Keys?.pk?.S)).toEqual(['p1', 'p2']);
  });
});

describe('DynamoDbStreamPoller across a shard rollover', () => {
  /**
   * DynamoDB Local rolls a stream's shard over only every 4 hours, so the rollover is played by a
   * client whose requests are answered in memory: a closed parent shard and its open child.
   */
  function rolledOverStream() {
    const record = (sequence: number, pk: string): ApiRecord => ({
      eventID: `e${sequence}`,
      eventName: 'INSERT',
      dynamodb: { Keys: { pk: { S: pk } }, NewImage: { pk: { S: pk }, kind: { S: 'send' } }, SequenceNumber: String(sequence).padStart(21, '0'), StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    const shards: Shard[] = [
      // Listed child first: the poller must still read the parent to its end before it.
      { ShardId: 'shardId-2', ParentShardId: 'shardId-1', SequenceNumberRange: { StartingSequenceNumber: '3' } },
      { ShardId: 'shardId-1', SequenceNumberRange: { StartingSequenceNumber: '1', EndingSequenceNumber: '2' } },
    ];
    const records: Record<string, ApiRecord[]> = { 'shardId-1': [record(1, 'p1'), record(2, 'p2')], 'shardId-2': [record(3, 'c1'), record(4, 'c2')] };
    const client = new DynamoDBStreamsClient({ region: LOCAL_REGION, credentials: localCredentials });
    client.middlewareStack.add(
      (_next, context) => async (args) => {
        const input = args.input as Record<string, string>;
        const answer = (output: object) => ({ output: { $metadata: {}, ...output }, response: {} });
        switch (context.commandName) {
          case 'DescribeStreamCommand':
            return answer({ StreamDescription: { StreamArn: input.StreamArn, Shards: shards } });
          case 'GetShardIteratorCommand':
            return answer({ ShardIterator: `${input.ShardId}|0` });
          case 'GetRecordsCommand': {
            const [shardId, position] = input.ShardIterator!.split('|') as [string, string];
            const page = records[shardId]!.slice(Number(position), Number(position) + 1);
            const next = Number(position) + page.length;
            const closedAtEnd = shardId === 'shardId-1' && next >= records[shardId]!.length;
            return answer({ Records: page, ...(closedAtEnd ? {} : { NextShardIterator: `${shardId}|${next}` }) });
          }
          default:
            throw new Error(`unexpected ${context.commandName}`);
        }
      },
      { step: 'initialize', name: 'answerInMemory' },
    );
    return client;
  }

  it('reads a child shard only after its parent is read to its end', async () => {
    const client = rolledOverStream();
    const batches: DynamoDBRecord[][] = [];
    const poller = new DynamoDbStreamPoller(
      client,
      { invoke: async (_id, event) => void batches.push((event as DynamoDBStreamEvent).Records) },
      {
        functionId: FUNCTION_ID,
        streamArn: 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/label',
        startingPosition: 'TRIM_HORIZON',
        batchSize: 100,
        reportBatchItemFailures: false,
        bisectBatchOnFunctionError: false,
        maximumRetryAttempts: -1,
        log: { warn: () => undefined, error: () => undefined },
        idlePollMs: 10,
      },
    );
    await poller.start();
    try {
      await drained(poller, 5000);
      expect(keys(batches.flat())).toEqual(['p1', 'p2', 'c1', 'c2']);
    } finally {
      await poller.stop();
      client.destroy();
    }
  });
});
