import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { dynamoItemSize } from '#shared/adapters/dynamo/item-size.ts';
import { MARSHALL_OPTIONS } from '#shared/adapters/dynamo/translate-config.ts';
import type { TableChange } from '#shared/services/update-rollups.ts';
import { applyUpdate, checkPlaceholders, compareScalars, equalityOn, evaluateCondition, parseCondition, parseProjection, parseUpdate, project as projectPaths, type ExpressionContext, type Item } from './expressions.ts';

export type KeySchema = { partitionKey: string; sortKey?: string };
export type MemoryTableOptions = {
  tableName: string;
  key: KeySchema;
  /** Global secondary indexes (projection ALL); an item without an index's key attributes is not in it (sparse). */
  indexes?: Record<string, KeySchema>;
  /** The TTL attribute (epoch seconds): {@link MemoryTable.expireDue} deletes the items whose time has come. */
  ttlAttribute?: string;
};

/** DynamoDB's limit on an item (400 KB, names and values). */
const MAX_ITEM_BYTES = 400 * 1024;

type Input = Record<string, unknown> & {
  TableName?: string;
  Key?: Item;
  Item?: Item;
  ConditionExpression?: string;
  UpdateExpression?: string;
  KeyConditionExpression?: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
  ReturnValues?: 'NONE' | 'ALL_OLD' | 'UPDATED_OLD' | 'ALL_NEW' | 'UPDATED_NEW';
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
  IndexName?: string;
  Limit?: number;
  ExclusiveStartKey?: Item;
  ScanIndexForward?: boolean;
  Segment?: number;
  TotalSegments?: number;
  Select?: string;
};

/**
 * One DynamoDB table in memory, answering the document client's commands (`send(new GetCommand(...))`
 * and the rest, as the adapters in shared/adapters/dynamo make them), so the fast replay runs those
 * very adapters, with their own conditions, versions, claims and rate-limit arithmetic, on this
 * process's memory instead of DynamoDB Local over HTTP.
 *
 * Semantics kept: conditional writes (ConditionalCheckFailedException, with the old item on
 * ReturnValuesOnConditionCheckFailure), all-or-nothing transactions (TransactionCanceledException
 * with a reason per item), ReturnValues, key-ordered queries with pagination, parallel scans by
 * segment, sparse indexes, the 400 KB item limit, a change stream with old and new images in write
 * order (what the rollups read), and TTL deletion by whatever clock the caller runs
 * ({@link expireDue}). Items are copied in and out: a caller never holds the stored object.
 * Not modelled: capacity, throttling, eventual consistency (every read is consistent).
 */
export class MemoryTable {
  readonly tableName: string;
  private readonly key: KeySchema;
  private readonly indexes: Record<string, KeySchema>;
  private readonly ttlAttribute: string | undefined;
  /** Partition key -> sort key -> item. */
  private readonly partitions = new Map<string, Map<string, Item>>();
  private sequence = 0;
  private itemCount = 0;
  /** Sorted sort keys per partition, rebuilt lazily after a key is added or removed. */
  private readonly sortedKeys = new Map<string, string[]>();
  private allKeys: Array<[string, string]> | undefined;
  /** Each index's items (their table keys) in the index's order, kept until an item enters, leaves or moves in that index. */
  private readonly indexOrders = new Map<string, Array<[string, string]>>();
  private readonly listeners: Array<(change: TableChange) => void> = [];
  /** Requests answered, by command name (a cheap stand-in for the capacity meter). */
  readonly requests: Record<string, number> = {};

  constructor(options: MemoryTableOptions) {
    this.tableName = options.tableName;
    this.key = options.key;
    this.indexes = options.indexes ?? {};
    this.ttlAttribute = options.ttlAttribute;
  }

  /** Every change, in write order, as the table's stream (NEW_AND_OLD_IMAGES) carries it. */
  onChange(listener: (change: TableChange) => void): void {
    this.listeners.push(listener);
  }

  get size(): number {
    return this.itemCount;
  }

  /** Every stored item (the stored objects themselves: read, do not change). */
  *items(): Generator<Item> {
    for (const partition of this.partitions.values()) yield* partition.values();
  }

  /** The table as a document client: pass it where an adapter takes a `DynamoDBDocumentClient`. */
  asDocumentClient(): DynamoDBDocumentClient {
    return { send: (command: { constructor: { name: string }; input: Input }) => this.send(command) } as unknown as DynamoDBDocumentClient;
  }

  async send(command: { constructor: { name: string }; input: Input }): Promise<Record<string, unknown>> {
    const name = command.constructor.name;
    this.requests[name] = (this.requests[name] ?? 0) + 1;
    const input = command.input;
    switch (name) {
      case 'GetCommand':
        return this.get(input);
      case 'PutCommand':
        return this.put(input);
      case 'UpdateCommand':
        return this.update(input);
      case 'DeleteCommand':
        return this.delete(input);
      case 'QueryCommand':
        return this.query(input);
      case 'ScanCommand':
        return this.scan(input);
      case 'BatchGetCommand':
        return this.batchGet(input as unknown as { RequestItems: Record<string, { Keys: Item[]; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> }> });
      case 'BatchWriteCommand':
        return this.batchWrite(input as unknown as { RequestItems: Record<string, Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>> });
      case 'TransactWriteCommand':
        return this.transactWrite(input as unknown as { TransactItems: Array<Record<string, Input>> });
      case 'DescribeTableCommand':
        return this.describe();
      default:
        throw new Error(`the in-memory table does not answer ${name}`);
    }
  }

  /** Deletes the items whose TTL (epoch seconds) is at or before `nowMs`, as DynamoDB's TTL would, with their stream records. */
  expireDue(nowMs: number): number {
    const attribute = this.ttlAttribute;
    if (!attribute) return 0;
    const cutoff = nowMs / 1000;
    const due: Item[] = [];
    for (const partition of this.partitions.values()) {
      for (const item of partition.values()) {
        const ttl = item[attribute];
        if (typeof ttl === 'number' && ttl <= cutoff) due.push(item);
      }
    }
    for (const item of due) this.write(this.keyOf(item), undefined);
    return due.length;
  }

  // ---------------------------------------------------------------- single-item commands

  private get(input: Input): Record<string, unknown> {
    const item = this.read(this.keyOf(input.Key!));
    if (!item) return {};
    return { Item: input.ProjectionExpression ? project(item, input) : structuredClone(item) };
  }

  private put(input: Input): Record<string, unknown> {
    const key = this.keyOf(input.Item!);
    const old = this.read(key);
    this.check(old, input);
    const item = clean(input.Item!);
    this.checkSize(item);
    this.write(key, item);
    return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: structuredClone(old) } : {};
  }

  private update(input: Input): Record<string, unknown> {
    const key = this.keyOf(input.Key!);
    const old = this.read(key);
    this.check(old, input);
    const item = this.updated(old, input);
    this.write(key, item);
    return returnValues(input.ReturnValues, old, item);
  }

  private delete(input: Input): Record<string, unknown> {
    const key = this.keyOf(input.Key!);
    const old = this.read(key);
    this.check(old, input);
    if (old) this.write(key, undefined);
    return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: structuredClone(old) } : {};
  }

  private updated(old: Item | undefined, input: Input): Item {
    const base = old ?? { ...input.Key! };
    let next: Item;
    if (input.UpdateExpression) {
      const plan = parseUpdate(input.UpdateExpression);
      checkPlaceholders(input.UpdateExpression, contextOf(input));
      next = applyUpdate(base, plan, contextOf(input));
    } else next = structuredClone(base);
    for (const attribute of [this.key.partitionKey, this.key.sortKey]) {
      if (attribute && !Object.is(next[attribute], input.Key![attribute])) throw validation(`Cannot update attribute ${attribute}. This attribute is part of the key`);
    }
    this.checkSize(next);
    return next;
  }

  private check(old: Item | undefined, input: Input): void {
    if (!input.ConditionExpression) return;
    if (this.passes(old, input)) return;
    const error = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    // The SDK hands the old item back in its wire form; the adapters unmarshall it themselves.
    if (input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && old) error.Item = marshall(old, MARSHALL_OPTIONS);
    throw error;
  }

  /** Whether `input`'s condition holds for `old` (placeholders checked first, as DynamoDB validates before it reads). */
  private passes(old: Item | undefined, input: Input): boolean {
    if (!input.ConditionExpression) return true;
    const condition = parseCondition(input.ConditionExpression);
    const context = contextOf(input);
    checkPlaceholders(input.ConditionExpression, context);
    return evaluateCondition(old, condition, context);
  }

  private checkSize(item: Item): void {
    if (dynamoItemSize(item) > MAX_ITEM_BYTES) throw validation('Item size has exceeded the maximum allowed size');
  }

  // ---------------------------------------------------------------- reads of many items

  private query(input: Input): Record<string, unknown> {
    const schema = this.schemaOf(input.IndexName);
    const context = contextOf(input);
    const condition = parseCondition(input.KeyConditionExpression!);
    const partitionValue = equalityOn(condition, schema.partitionKey, context);
    if (partitionValue === undefined) throw validation('Query condition missed key schema element');
    let candidates: Item[];
    if (input.IndexName === undefined) {
      const partition = this.partitions.get(keyString(partitionValue));
      candidates = partition ? this.sortedPartition(keyString(partitionValue), partition).map((sk) => partition.get(sk)!) : [];
    } else {
      candidates = this.indexOrdered(input.IndexName, schema).filter((item) => Object.is(item[schema.partitionKey], partitionValue));
    }
    candidates = candidates.filter((item) => evaluateCondition(item, condition, context));
    if (input.ScanIndexForward === false) candidates.reverse();
    return this.page(candidates, input, schema);
  }

  private scan(input: Input): Record<string, unknown> {
    const schema = this.schemaOf(input.IndexName);
    let candidates: Item[];
    if (input.IndexName === undefined) candidates = this.tableOrder().map(([pk, sk]) => this.partitions.get(pk)!.get(sk)!);
    else candidates = this.indexOrdered(input.IndexName, schema);
    if (input.TotalSegments !== undefined) {
      // Each item in exactly one segment, by a hash of its partition key (as DynamoDB splits a table).
      const segment = input.Segment ?? 0;
      candidates = candidates.filter((item) => segmentOf(keyString(item[schema.partitionKey]), input.TotalSegments!) === segment);
    }
    return this.page(candidates, input, schema);
  }

  /** A page from `ordered`: after ExclusiveStartKey, at most Limit items evaluated, then the filter and projection. */
  private page(ordered: Item[], input: Input, schema: KeySchema): Record<string, unknown> {
    let start = 0;
    if (input.ExclusiveStartKey) {
      const after = input.ExclusiveStartKey;
      // The first item ordered after the start key (which may itself be gone since).
      const descending = input.ScanIndexForward === false;
      const index = ordered.findIndex((item) => {
        const order = this.orderByKeys(schema, item, after);
        return descending ? order < 0 : order > 0;
      });
      start = index === -1 ? ordered.length : index;
    }
    const limit = input.Limit ?? Number.POSITIVE_INFINITY;
    const evaluated = ordered.slice(start, start + limit);
    const more = start + evaluated.length < ordered.length && evaluated.length === limit;
    const context = contextOf(input);
    const filter = input.FilterExpression ? parseCondition(input.FilterExpression) : undefined;
    const items = evaluated.filter((item) => !filter || evaluateCondition(item, filter, context));
    const output: Record<string, unknown> = {
      Count: items.length,
      ScannedCount: evaluated.length,
    };
    if (input.Select !== 'COUNT') output.Items = items.map((item) => (input.ProjectionExpression ? project(item, input) : structuredClone(item)));
    if (more) {
      const last = evaluated.at(-1)!;
      output.LastEvaluatedKey = Object.fromEntries(
        [this.key.partitionKey, this.key.sortKey, schema.partitionKey, schema.sortKey].filter((a): a is string => a !== undefined).map((a) => [a, last[a]]),
      );
    }
    return output;
  }

  private batchGet(input: { RequestItems: Record<string, { Keys: Item[]; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> }> }): Record<string, unknown> {
    const responses: Record<string, Item[]> = {};
    for (const [table, request] of Object.entries(input.RequestItems)) {
      this.assertTable(table);
      if (request.Keys.length > 100) throw validation('Too many items requested for the BatchGetItem call');
      responses[table] = request.Keys.flatMap((key) => {
        const item = this.read(this.keyOf(key));
        if (!item) return [];
        return [request.ProjectionExpression ? project(item, request) : structuredClone(item)];
      });
    }
    return { Responses: responses, UnprocessedKeys: {} };
  }

  private batchWrite(input: { RequestItems: Record<string, Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>> }): Record<string, unknown> {
    for (const [table, requests] of Object.entries(input.RequestItems)) {
      this.assertTable(table);
      if (requests.length > 25) throw validation('Too many items requested for the BatchWriteItem call');
      for (const request of requests) {
        if (request.PutRequest) {
          const item = clean(request.PutRequest.Item);
          this.checkSize(item);
          this.write(this.keyOf(item), item);
        } else if (request.DeleteRequest) this.write(this.keyOf(request.DeleteRequest.Key), undefined);
      }
    }
    return { UnprocessedItems: {} };
  }

  /** All or nothing: every condition is checked against the items before any write. */
  private transactWrite(input: { TransactItems: Array<Record<string, Input>> }): Record<string, unknown> {
    if (input.TransactItems.length > 100) throw validation('Member must have length less than or equal to 100');
    const planned: Array<{ key: [string, string]; item: Item | undefined; write: boolean }> = [];
    const reasons: CancellationReason[] = [];
    let failed = false;
    const seen = new Set<string>();
    for (const entry of input.TransactItems) {
      const [kind, operation] = Object.entries(entry)[0]!;
      this.assertTable(operation.TableName);
      const key = this.keyOf(kind === 'Put' ? operation.Item! : operation.Key!);
      const id = `${key[0]}\u0000${key[1]}`;
      if (seen.has(id)) throw validation('Transaction request cannot include multiple operations on one item');
      seen.add(id);
      const old = this.read(key);
      const passes = this.passes(old, operation);
      if (!passes) {
        failed = true;
        reasons.push({
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          ...(operation.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && old ? { Item: marshall(old, MARSHALL_OPTIONS) } : {}),
        });
        continue;
      }
      reasons.push({ Code: 'None' });
      if (kind === 'Put') {
        const item = clean(operation.Item!);
        this.checkSize(item);
        planned.push({ key, item, write: true });
      } else if (kind === 'Update') planned.push({ key, item: this.updated(old, operation), write: true });
      else if (kind === 'Delete') planned.push({ key, item: undefined, write: old !== undefined });
      else if (kind !== 'ConditionCheck') throw validation(`unknown transaction operation ${kind}`);
    }
    if (failed) {
      throw new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        $metadata: {},
        CancellationReasons: reasons,
      });
    }
    for (const { key, item, write } of planned) if (write) this.write(key, item);
    return {};
  }

  private describe(): Record<string, unknown> {
    const keySchema = (schema: KeySchema) => [
      { AttributeName: schema.partitionKey, KeyType: 'HASH' },
      ...(schema.sortKey ? [{ AttributeName: schema.sortKey, KeyType: 'RANGE' }] : []),
    ];
    return {
      Table: {
        TableName: this.tableName,
        TableStatus: 'ACTIVE',
        ItemCount: this.itemCount,
        KeySchema: keySchema(this.key),
        GlobalSecondaryIndexes: Object.entries(this.indexes).map(([IndexName, schema]) => ({
          IndexName,
          IndexStatus: 'ACTIVE',
          KeySchema: keySchema(schema),
          Projection: { ProjectionType: 'ALL' },
        })),
      },
    };
  }

  // ---------------------------------------------------------------- storage

  private keyOf(item: Item): [string, string] {
    const pk = item[this.key.partitionKey];
    if (pk === undefined) throw validation(`One of the required keys was not given a value: ${this.key.partitionKey}`);
    const sk = this.key.sortKey ? item[this.key.sortKey] : '';
    if (sk === undefined) throw validation(`One of the required keys was not given a value: ${this.key.sortKey}`);
    return [keyString(pk), keyString(sk)];
  }

  private read([pk, sk]: [string, string]): Item | undefined {
    return this.partitions.get(pk)?.get(sk);
  }

  /** Stores `item` (or deletes, for undefined) and tells the stream; `item` is owned by the table from here. */
  private write([pk, sk]: [string, string], item: Item | undefined): void {
    let partition = this.partitions.get(pk);
    const old = partition?.get(sk);
    if (item === undefined) {
      if (!old) return;
      partition!.delete(sk);
      if (partition!.size === 0) this.partitions.delete(pk);
      this.itemCount -= 1;
      this.keysChanged(pk);
    } else {
      if (!partition) {
        partition = new Map();
        this.partitions.set(pk, partition);
      }
      partition.set(sk, item);
      if (!old) {
        this.itemCount += 1;
        this.keysChanged(pk);
      }
    }
    for (const [indexName, schema] of Object.entries(this.indexes)) {
      if (!this.indexOrders.has(indexName)) continue;
      if (!Object.is(old?.[schema.partitionKey], item?.[schema.partitionKey]) || (schema.sortKey && !Object.is(old?.[schema.sortKey], item?.[schema.sortKey]))) this.indexOrders.delete(indexName);
    }
    if (this.listeners.length === 0) return;
    this.sequence += 1;
    // Stored items are never changed in place (every write stores a new object), so the images are
    // the stored objects themselves: a listener that keeps one never sees a later write (and must not change it).
    const change: TableChange = { sequenceNumber: String(this.sequence).padStart(21, '0'), oldImage: old, newImage: item };
    for (const listener of this.listeners) listener(change);
  }

  private keysChanged(pk: string): void {
    this.sortedKeys.delete(pk);
    this.allKeys = undefined;
  }

  private sortedPartition(pk: string, partition: Map<string, Item>): string[] {
    let keys = this.sortedKeys.get(pk);
    if (!keys) {
      const sortKey = this.key.sortKey;
      keys = [...partition.keys()].sort((a, b) => (sortKey ? compareScalars(partition.get(a)![sortKey], partition.get(b)![sortKey]) ?? 0 : 0));
      this.sortedKeys.set(pk, keys);
    }
    return keys;
  }

  /** Every key in one fixed order (partition key, then sort key), kept until a key is added or removed. */
  private tableOrder(): Array<[string, string]> {
    if (!this.allKeys) {
      const pks = [...this.partitions.keys()].sort((a, b) => compareScalars(parseKey(a), parseKey(b)) ?? 0);
      this.allKeys = pks.flatMap((pk) => this.sortedPartition(pk, this.partitions.get(pk)!).map((sk): [string, string] => [pk, sk]));
    }
    return this.allKeys;
  }

  private schemaOf(indexName: string | undefined): KeySchema {
    if (indexName === undefined) return this.key;
    const schema = this.indexes[indexName];
    if (!schema) throw validation(`The table does not have the specified index: ${indexName}`);
    return schema;
  }

  /** The index's items in its order (see {@link indexOrders}). */
  private indexOrdered(indexName: string, schema: KeySchema): Item[] {
    let order = this.indexOrders.get(indexName);
    if (!order) {
      order = this.indexItems(schema)
        .sort((a, b) => this.orderByKeys(schema, a, b))
        .map((item) => this.keyOf(item));
      this.indexOrders.set(indexName, order);
    }
    return order.map(([pk, sk]) => this.partitions.get(pk)!.get(sk)!);
  }

  private indexItems(schema: KeySchema): Item[] {
    const items: Item[] = [];
    for (const partition of this.partitions.values()) {
      for (const item of partition.values()) {
        if (item[schema.partitionKey] !== undefined && (!schema.sortKey || item[schema.sortKey] !== undefined)) items.push(item);
      }
    }
    return items;
  }

  /** Order of two items in `schema` (its keys, then the table's, as an index orders equal index keys). */
  private orderByKeys(schema: KeySchema, a: Item, b: Item): number {
    for (const attribute of [schema.partitionKey, schema.sortKey, this.key.partitionKey, this.key.sortKey]) {
      if (!attribute) continue;
      const order = compareScalars(a[attribute], b[attribute]) ?? 0;
      if (order !== 0) return order;
    }
    return 0;
  }

  private assertTable(name: string | undefined): void {
    if (name !== this.tableName) throw new Error(`the in-memory table is ${this.tableName}, not ${name}`);
  }
}

function project(item: Item, input: { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> }): Item {
  return projectPaths(item, parseProjection(input.ProjectionExpression!), { names: input.ExpressionAttributeNames });
}

function contextOf(input: Input): ExpressionContext {
  return { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues };
}

/** What the document client would send: a copy without undefined attributes (removeUndefinedValues). */
function clean(item: Item): Item {
  const copy = structuredClone(item);
  for (const [name, value] of Object.entries(copy)) if (value === undefined) delete copy[name];
  return copy;
}

function returnValues(kind: Input['ReturnValues'], old: Item | undefined, item: Item): Record<string, unknown> {
  if (kind === 'ALL_NEW') return { Attributes: structuredClone(item) };
  if (kind === 'ALL_OLD') return old ? { Attributes: structuredClone(old) } : {};
  if (kind === 'UPDATED_OLD' || kind === 'UPDATED_NEW') {
    const source = kind === 'UPDATED_OLD' ? old : item;
    if (!source) return {};
    const names = new Set([...Object.keys(old ?? {}), ...Object.keys(item)]);
    const changed = [...names].filter((name) => !Object.is(old?.[name], item[name]) && JSON.stringify(old?.[name]) !== JSON.stringify(item[name]));
    const attributes = Object.fromEntries(changed.filter((name) => source[name] !== undefined).map((name) => [name, structuredClone(source[name])]));
    return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
  }
  return {};
}

/** A key attribute as a map key: strings as themselves, numbers and binaries tagged so they never meet a string. */
function keyString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return `\u0000N${value}`;
  if (value instanceof Uint8Array) return `\u0000B${Buffer.from(value).toString('base64')}`;
  throw validation('The provided key element does not match the schema');
}

function parseKey(key: string): unknown {
  if (!key.startsWith('\u0000')) return key;
  return key[1] === 'N' ? Number(key.slice(2)) : Buffer.from(key.slice(2), 'base64');
}

function segmentOf(partitionKey: string, total: number): number {
  return createHash('md5').update(partitionKey).digest().readUInt32BE(0) % total;
}

function validation(message: string): Error {
  const error = new Error(message);
  error.name = 'ValidationException';
  return error;
}
