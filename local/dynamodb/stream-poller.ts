import { randomUUID } from 'node:crypto';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type AttributeValue as ApiAttributeValue,
  type DynamoDBStreamsClient,
  type GetShardIteratorCommandInput,
  type Shard,
  type _Record as ApiRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent, StreamRecord } from 'aws-lambda';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';
import { matchesEventPattern, validateEventPattern, type EventPattern } from '../eventbridge/pattern-matcher.ts';
import type { FunctionHost } from '../lambda/function-host.ts';
import { readyBatchLength, streamRecordBytes, windowEndsAt, type StreamBatching } from './stream-batches.ts';

/** What the poller needs of the function host (a plain object in unit tests). */
export type StreamInvoker = Pick<FunctionHost, 'invoke'>;

export type StreamPollerOptions = {
  functionId: string;
  streamArn: string;
  /** Where reading starts in the shards open when the poller starts; shards that appear later are read from their start. */
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  batchSize: number;
  /** MaximumBatchingWindowInSeconds: a partial batch waits this long after its first record was read (0, the default: invoke at once). */
  maximumBatchingWindowInSeconds?: number;
  reportBatchItemFailures: boolean;
  bisectBatchOnFunctionError: boolean;
  /** Retries of a failing batch before it is skipped; -1 retries until the record expires (Lambda's default). */
  maximumRetryAttempts: number;
  /** FilterCriteria patterns (JSON strings or objects): a record is delivered if any matches; no patterns, every record. */
  filterPatterns?: unknown[];
  /** Receives the on-failure record of each skipped batch; without it a skipped batch is only logged. */
  sendToDestination?: (record: StreamBatchFailureRecord) => Promise<void>;
  log: { warn(message: string): void; error(message: string): void };
  /** First delay before retrying a failed batch, doubling per retry up to MAX_RETRY_DELAY_MS. */
  retryBaseDelayMs?: number;
  /** Pause after a pass over the shards found nothing new. */
  idlePollMs?: number;
};

/** The record Lambda sends to a stream mapping's on-failure destination (metadata only, as for SQS and SNS destinations). */
export type StreamBatchFailureRecord = {
  requestContext: { requestId: string; functionArn: string; condition: 'RetryAttemptsExhausted'; approximateInvokeCount: number };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
};

type ShardState = {
  id: string;
  parentId: string | undefined;
  /** Where to read from while nothing has been read yet. */
  startAt: 'TRIM_HORIZON' | 'LATEST';
  iterator: string | undefined;
  lastSequenceNumber: string | undefined;
  /** Closed and read to its end, or gone from the stream: its children may be read once its buffer is delivered. */
  done: boolean;
  /** Records read and matched, not yet invoked with (waiting for a full batch or the batching window), oldest first. */
  buffer: Array<{ record: DynamoDBRecord; bytes: number; readAt: number }>;
};

/** A batch (or part of one) being delivered, with the retries it has used. */
type Segment = { records: DynamoDBRecord[]; retries: number };
type Outcome = { ok: true } | { ok: false; kind: 'error' } | { ok: false; kind: 'partial'; from: number };

/** GetRecords returns at most 1000 records per call. */
const RECORDS_PER_READ = 1000;
const DEFAULT_RETRY_BASE_DELAY_MS = 200;
const MAX_RETRY_DELAY_MS = 5000;
const DEFAULT_IDLE_POLL_MS = 100;
/** New shards appear when DynamoDB rolls a shard over (every 4 h in DynamoDB Local too); look for them this often. */
const SHARD_REFRESH_MS = 1000;
const ERROR_PAUSE_MS = 500;

/**
 * Lambda's DynamoDB Streams event source mapping, locally: reads the table's stream from DynamoDB
 * Local shard by shard (a child shard only once its parent is read to the end, so each key stays in
 * order), drops records that match none of the filter patterns, and invokes the function with the
 * `DynamoDBStreamEvent` shape in batches of up to BatchSize.
 *
 * A failing batch blocks its shard as in Lambda: `batchItemFailures` retries from the lowest failed
 * sequence number, a thrown error splits the batch in two when BisectBatchOnFunctionError is set
 * (splits use up no retries), and after MaximumRetryAttempts the batch is skipped and its metadata
 * sent to the on-failure destination. Retries wait a short local backoff, not Lambda's.
 *
 * Batches go as in Lambda (stream-batches.ts): at once when full (BatchSize, or the 6 MB payload),
 * else when MaximumBatchingWindowInSeconds has passed since the first record was read.
 * MaximumRecordAgeInSeconds, ParallelizationFactor and tumbling windows are not applied.
 */
export class DynamoDbStreamPoller {
  private readonly shards = new Map<string, ShardState>();
  private readonly filters: EventPattern[];
  private readonly batching: StreamBatching;
  private running = false;
  private loop: Promise<void> | undefined;
  private busy = false;
  private recordsRead = 0;
  private lastRefresh = 0;
  private refreshNeeded = false;
  /** Ends the current pause early, so stop() does not wait out a retry backoff. */
  private wake: (() => void) | undefined;

  constructor(
    private readonly streams: Pick<DynamoDBStreamsClient, 'send'>,
    private readonly functions: StreamInvoker,
    private readonly options: StreamPollerOptions,
  ) {
    // A malformed pattern fails here, as CreateEventSourceMapping would refuse it.
    this.filters = (options.filterPatterns ?? []).map((pattern) => validateEventPattern(typeof pattern === 'string' ? JSON.parse(pattern) : pattern));
    this.batching = { batchSize: options.batchSize, windowMs: (options.maximumBatchingWindowInSeconds ?? 0) * 1000 };
  }

  /** Resolves once the open shards have their starting iterators, so a LATEST mapping sees every write made after it. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.refreshShards(true);
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  get streamArn(): string {
    return this.options.streamArn;
  }

  /** True while records read from the stream are being delivered (including retries of a failing batch). */
  get isBusy(): boolean {
    return this.busy;
  }

  /**
   * True when nothing is in flight and no shard holds records the poller has not read. Peeks with
   * the poller's own next iterator: shard iterators can be read again until they expire, so the
   * peek consumes nothing.
   */
  async isDrained(): Promise<boolean> {
    if (!this.running) return true;
    if (this.busy || this.buffered()) return false;
    const readBefore = this.recordsRead;
    for (const shard of await this.describeShards()) {
      const state = this.shards.get(shard.ShardId!);
      // A shard the poller has not picked up yet (a rollover): it will be read within SHARD_REFRESH_MS.
      if (!state) return false;
      if (!state.done && (await this.hasUnread(state))) return false;
    }
    return !this.busy && this.recordsRead === readBefore;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (this.refreshNeeded || Date.now() - this.lastRefresh >= SHARD_REFRESH_MS) await this.refreshShards(false);
        let read = false;
        for (const shard of this.readyShards()) {
          if (!this.running) break;
          read = (await this.pollShard(shard)) || read;
        }
        if (!read) await this.pause(this.idlePauseMs());
      } catch (error) {
        if (this.running) this.options.log.warn(`stream poller for ${this.options.functionId}: ${describe(error)}`);
        await this.pause(ERROR_PAUSE_MS);
      }
    }
  }

  /** Reads the next page of one shard into its buffer and invokes with the batches that are ready; true when it read or invoked. */
  private async pollShard(shard: ShardState): Promise<boolean> {
    const read = shard.done || shard.buffer.length >= this.options.batchSize ? false : await this.readPage(shard);
    let invoked = false;
    while (this.running && shard.buffer.length > 0) {
      const length = readyBatchLength(
        shard.buffer.map((entry) => entry.bytes),
        shard.buffer[0]!.readAt,
        Date.now(),
        this.batching,
      );
      if (length === 0) break;
      this.busy = true;
      try {
        await this.deliver(shard.id, shard.buffer.splice(0, length).map((entry) => entry.record));
      } finally {
        this.busy = false;
      }
      invoked = true;
    }
    return read || invoked;
  }

  /** Reads the next page of one shard into its buffer; true when the page had records. */
  private async readPage(shard: ShardState): Promise<boolean> {
    shard.iterator ??= await this.iteratorFor(shard);
    if (!shard.iterator) return false;
    let page;
    try {
      page = await this.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: RECORDS_PER_READ }));
    } catch (error) {
      if (!isLostIterator(error)) throw error;
      // Expired, or DynamoDB Local's "Invalid ShardId in ShardIterator" after a rollover: start again after the last record read.
      shard.iterator = undefined;
      this.refreshNeeded = true;
      return false;
    }
    // Set together, with no await between, so isDrained sees either the old position or the records in the buffer.
    const records = page.Records ?? [];
    shard.iterator = page.NextShardIterator;
    if (!page.NextShardIterator) {
      // A closed shard read to its end; its children are next.
      shard.done = true;
      this.refreshNeeded = true;
    }
    if (records.length === 0) return false;
    shard.lastSequenceNumber = records.at(-1)!.dynamodb?.SequenceNumber;
    this.recordsRead += records.length;
    // Records no filter matches are dropped, and count as processed, as in Lambda.
    const readAt = Date.now();
    for (const record of records.map((item) => this.toEventRecord(item)).filter((item) => this.matches(item))) {
      shard.buffer.push({ record, bytes: streamRecordBytes(record), readAt });
    }
    return true;
  }

  private buffered(): boolean {
    for (const shard of this.shards.values()) if (shard.buffer.length > 0) return true;
    return false;
  }

  /** Until the next poll: the idle pause, or less when a buffered batch's window ends sooner. */
  private idlePauseMs(): number {
    let pause = this.options.idlePollMs ?? DEFAULT_IDLE_POLL_MS;
    for (const shard of this.shards.values()) {
      if (shard.buffer.length > 0) pause = Math.min(pause, Math.max(1, windowEndsAt(shard.buffer[0]!.readAt, this.batching) - Date.now()));
    }
    return pause;
  }

  /** Delivers one batch until it succeeds or is skipped, in stream order. */
  private async deliver(shardId: string, batch: DynamoDBRecord[]): Promise<void> {
    const pending: Segment[] = [{ records: batch, retries: 0 }];
    while (pending.length > 0 && this.running) {
      const segment = pending.shift()!;
      const outcome = await this.invoke(segment.records);
      if (outcome.ok) continue;
      if (outcome.kind === 'error' && this.options.bisectBatchOnFunctionError && segment.records.length > 1) {
        const middle = Math.ceil(segment.records.length / 2);
        pending.unshift({ records: segment.records.slice(0, middle), retries: segment.retries }, { records: segment.records.slice(middle), retries: segment.retries });
        continue;
      }
      // A partial failure is retried from its lowest failed record: those before it are done.
      const remaining = outcome.kind === 'partial' ? segment.records.slice(outcome.from) : segment.records;
      const retries = segment.retries + 1;
      const maximum = this.options.maximumRetryAttempts;
      if (maximum >= 0 && retries > maximum) {
        await this.skip(shardId, remaining, retries, outcome.kind);
        continue;
      }
      const base = this.options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS;
      await this.pause(Math.min(MAX_RETRY_DELAY_MS, base * 2 ** (retries - 1)));
      pending.unshift({ records: remaining, retries });
    }
  }

  private async invoke(records: DynamoDBRecord[]): Promise<Outcome> {
    const event: DynamoDBStreamEvent = { Records: records };
    let result: unknown;
    try {
      result = await this.functions.invoke(this.options.functionId, event);
    } catch (error) {
      this.options.log.warn(`${this.options.functionId} failed a stream batch of ${records.length}: ${describe(error)}`);
      return { ok: false, kind: 'error' };
    }
    if (!this.options.reportBatchItemFailures) return { ok: true };
    const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
    if (!Array.isArray(failures) || failures.length === 0) return { ok: true };
    // Lambda fails the whole batch when an identifier is missing, empty or not a record of the batch.
    const positions = failures.map((failure) => {
      const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      return typeof id === 'string' && id !== '' ? records.findIndex((record) => record.dynamodb?.SequenceNumber === id) : -1;
    });
    if (positions.includes(-1)) return { ok: false, kind: 'error' };
    return { ok: false, kind: 'partial', from: Math.min(...positions) };
  }

  private async skip(shardId: string, records: DynamoDBRecord[], invokeCount: number, kind: 'error' | 'partial'): Promise<void> {
    const record = this.failureRecord(shardId, records, invokeCount, kind);
    const range = `${record.DDBStreamBatchInfo.startSequenceNumber}..${record.DDBStreamBatchInfo.endSequenceNumber}`;
    if (!this.options.sendToDestination) {
      this.options.log.error(`${this.options.functionId} skipped stream records ${range} after ${invokeCount} attempts; no on-failure destination`);
      return;
    }
    this.options.log.warn(`${this.options.functionId} skipped stream records ${range} after ${invokeCount} attempts; sent to its on-failure destination`);
    try {
      await this.options.sendToDestination(record);
    } catch (error) {
      this.options.log.error(`${this.options.functionId}: the on-failure record of ${range} was not sent: ${describe(error)}`);
    }
  }

  private failureRecord(shardId: string, records: DynamoDBRecord[], invokeCount: number, kind: 'error' | 'partial'): StreamBatchFailureRecord {
    const first = records[0]!.dynamodb ?? {};
    const last = records.at(-1)!.dynamodb ?? {};
    return {
      requestContext: {
        requestId: randomUUID(),
        functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${this.options.functionId}`,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: invokeCount,
      },
      // A partial batch failure is a successful invocation: no function error.
      responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(kind === 'error' ? { functionError: 'Unhandled' } : {}) },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first.SequenceNumber ?? '',
        endSequenceNumber: last.SequenceNumber ?? '',
        approximateArrivalOfFirstRecord: isoSeconds(first.ApproximateCreationDateTime),
        approximateArrivalOfLastRecord: isoSeconds(last.ApproximateCreationDateTime),
        batchSize: records.length,
        streamArn: this.options.streamArn,
      },
    };
  }

  private pause(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private matches(record: DynamoDBRecord): boolean {
    return this.filters.length === 0 || this.filters.some((pattern) => matchesEventPattern(pattern, record));
  }

  /** Shards to read or invoke for now: not done or still buffering, and their parent (if the stream still lists it) read to its end and delivered. */
  private readyShards(): ShardState[] {
    const finished = (shard: ShardState) => shard.done && shard.buffer.length === 0;
    return [...this.shards.values()].filter((shard) => {
      if (finished(shard)) return false;
      const parent = shard.parentId ? this.shards.get(shard.parentId) : undefined;
      return !parent || finished(parent);
    });
  }

  private async refreshShards(initial: boolean): Promise<void> {
    const listed = await this.describeShards();
    for (const shard of listed) {
      const id = shard.ShardId!;
      if (this.shards.has(id)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      // LATEST applies to the shards there are when the mapping starts; later shards hold only newer records.
      const latest = initial && this.options.startingPosition === 'LATEST';
      const state: ShardState = {
        id,
        parentId: shard.ParentShardId,
        startAt: latest ? 'LATEST' : 'TRIM_HORIZON',
        iterator: undefined,
        lastSequenceNumber: undefined,
        done: latest && closed,
        buffer: [],
      };
      this.shards.set(id, state);
      if (latest && !closed) state.iterator = await this.iteratorFor(state);
    }
    // A shard the stream no longer lists has been trimmed (after 24 h): nothing more to read there.
    const ids = new Set(listed.map((shard) => shard.ShardId));
    for (const state of this.shards.values()) if (!ids.has(state.id)) state.done = true;
    this.lastRefresh = Date.now();
    this.refreshNeeded = false;
  }

  private async describeShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.options.streamArn, ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}) }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  /** An iterator after the last record read, else at the shard's starting position; undefined when the shard is gone. */
  private async iteratorFor(shard: ShardState): Promise<string | undefined> {
    try {
      return (await this.streams.send(new GetShardIteratorCommand(this.position(shard)))).ShardIterator;
    } catch (error) {
      const name = errorName(error);
      if (name === 'ResourceNotFoundException') {
        shard.done = true;
        return undefined;
      }
      if (name === 'TrimmedDataAccessException' && shard.lastSequenceNumber) {
        this.options.log.warn(`stream of ${this.options.functionId}: records after ${shard.lastSequenceNumber} were trimmed; reading on from the oldest kept`);
        const oldest = { StreamArn: this.options.streamArn, ShardId: shard.id, ShardIteratorType: 'TRIM_HORIZON' as const };
        return (await this.streams.send(new GetShardIteratorCommand(oldest))).ShardIterator;
      }
      throw error;
    }
  }

  private position(shard: ShardState): GetShardIteratorCommandInput {
    const base = { StreamArn: this.options.streamArn, ShardId: shard.id };
    return shard.lastSequenceNumber
      ? { ...base, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastSequenceNumber }
      : { ...base, ShardIteratorType: shard.startAt };
  }

  private async hasUnread(shard: ShardState): Promise<boolean> {
    try {
      const iterator = shard.iterator ?? (await this.streams.send(new GetShardIteratorCommand(this.position(shard)))).ShardIterator;
      if (!iterator) return false;
      const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1 }));
      return (page.Records?.length ?? 0) > 0;
    } catch {
      // The poller recovers a lost iterator on its next pass; until then the shard is not known to be drained.
      return true;
    }
  }

  /** The record as Lambda delivers it: JSON attribute values (binary as base64), epoch seconds, the local region. */
  private toEventRecord(record: ApiRecord): DynamoDBRecord {
    const source = record.dynamodb ?? {};
    const created = source.ApproximateCreationDateTime;
    const stream: StreamRecord = {
      ...(created ? { ApproximateCreationDateTime: created.getTime() / 1000 } : {}),
      ...(source.Keys ? { Keys: toEventImage(source.Keys) } : {}),
      ...(source.NewImage ? { NewImage: toEventImage(source.NewImage) } : {}),
      ...(source.OldImage ? { OldImage: toEventImage(source.OldImage) } : {}),
      ...(source.SequenceNumber !== undefined ? { SequenceNumber: source.SequenceNumber } : {}),
      ...(source.SizeBytes !== undefined ? { SizeBytes: source.SizeBytes } : {}),
      ...(source.StreamViewType ? { StreamViewType: source.StreamViewType } : {}),
    };
    return {
      ...(record.eventID !== undefined ? { eventID: record.eventID } : {}),
      ...(record.eventName ? { eventName: record.eventName } : {}),
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      // DynamoDB Local says "ddblocal"; handlers see the runtime's region, as everywhere else.
      awsRegion: LOCAL_REGION,
      dynamodb: stream,
      eventSourceARN: this.options.streamArn,
      // TTL deletions carry the DynamoDB service as their identity.
      ...(record.userIdentity ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } } : {}),
    };
  }
}

function toEventImage(image: Record<string, ApiAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toEventValue(value)]));
}

/** The SDK decodes binary values to bytes; Lambda's JSON event carries them as base64. */
function toEventValue(value: ApiAttributeValue): AttributeValue {
  // The streams client decodes an empty map ({"M":{}}) to a value with no member at all; Lambda's event keeps the M.
  if (Object.keys(value).length === 0) return { M: {} };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((item) => Buffer.from(item).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toEventValue) };
  if (value.M !== undefined) return { M: toEventImage(value.M) };
  // S, N, BOOL, NULL, SS and NS are the same in both.
  return value as AttributeValue;
}

function isoSeconds(epochSeconds: number | undefined): string {
  return new Date((epochSeconds ?? Date.now() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isLostIterator(error: unknown): boolean {
  return ['ExpiredIteratorException', 'TrimmedDataAccessException', 'ResourceNotFoundException'].includes(errorName(error));
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
