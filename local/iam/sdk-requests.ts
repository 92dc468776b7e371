import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';
import type { AuthorizationRequest } from './policy-evaluator.ts';

/**
 * What IAM authorizes for each SDK call a handler makes, built from the call's input exactly as the
 * service does: the action (the service's IAM prefix and the operation, except where the service
 * authorizes a batch or transaction as its parts), each resource ARN the call touches, and the
 * condition keys the stack's policies use (dynamodb:LeadingKeys, iam:PassedToService).
 */

export type WireProtocol = 'awsJson1_0' | 'awsJson1_1' | 'restJson1';

/** The SDK's service id (a client's `config.serviceId`) -> IAM prefix and wire protocol. */
export const SDK_SERVICES: Record<string, { prefix: string; protocol: WireProtocol; queryCompatible?: boolean }> = {
  DynamoDB: { prefix: 'dynamodb', protocol: 'awsJson1_0' },
  'DynamoDB Streams': { prefix: 'dynamodb', protocol: 'awsJson1_0' },
  SQS: { prefix: 'sqs', protocol: 'awsJson1_0', queryCompatible: true },
  SESv2: { prefix: 'ses', protocol: 'restJson1' },
  EventBridge: { prefix: 'events', protocol: 'awsJson1_1' },
  Scheduler: { prefix: 'scheduler', protocol: 'restJson1' },
  SFN: { prefix: 'states', protocol: 'awsJson1_0' },
  'Secrets Manager': { prefix: 'secretsmanager', protocol: 'awsJson1_1' },
  Lambda: { prefix: 'lambda', protocol: 'restJson1' },
};

/** What the request mapping needs to know about the stack: key schemas (for LeadingKeys) and SES identities. */
export type StackFacts = {
  /** Table name -> partition key attribute of the table and of each index. */
  partitionKeys: ReadonlyMap<string, { table: string; indexes: ReadonlyMap<string, string> }>;
  /** The stack's SES identities (email addresses and domains). */
  emailIdentities: ReadonlySet<string>;
};

export class UnmappedOperationError extends Error {
  override name = 'UnmappedOperationError';
}

type Input = Record<string, any>;

/** Batch and transaction operations IAM authorizes as their parts, and operations named differently in IAM. */
const SQS_BATCH_ACTIONS: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/** The IAM requests one SDK call makes; every one must be allowed. */
export function authorizationRequests(serviceId: string, operation: string, input: Input, facts: StackFacts): AuthorizationRequest[] {
  const service = SDK_SERVICES[serviceId];
  if (!service) throw new UnmappedOperationError(`the local IAM enforcement does not know the service "${serviceId}" (add it to SDK_SERVICES)`);
  switch (service.prefix) {
    case 'dynamodb':
      return dynamodbRequests(operation, input, facts);
    case 'sqs':
      return [{ action: `sqs:${SQS_BATCH_ACTIONS[operation] ?? operation}`, resource: queueArn(input) }];
    case 'ses':
      return sesRequests(operation, input, facts);
    case 'events':
      return eventsRequests(operation, input);
    case 'scheduler':
      return schedulerRequests(operation, input);
    case 'states':
      return [{ action: `states:${operation}`, resource: required(input.executionArn ?? input.stateMachineArn, operation, 'stateMachineArn/executionArn') }];
    case 'secretsmanager':
      return [{ action: `secretsmanager:${operation}`, resource: secretArn(required(input.SecretId, operation, 'SecretId')) }];
    case 'lambda':
      return lambdaRequests(operation, input);
    default:
      throw new UnmappedOperationError(`no request mapping for ${service.prefix}:${operation}`);
  }
}

// ---------------------------------------------------------------------------------- DynamoDB

/** DynamoDB authorizes BatchWriteItem and BatchGetItem per table, and a transaction as each item's own action. */
const TRANSACT_ITEM_ACTIONS: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };

function dynamodbRequests(operation: string, input: Input, facts: StackFacts): AuthorizationRequest[] {
  switch (operation) {
    case 'GetItem':
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [tableRequest(`dynamodb:${operation}`, input.TableName, undefined, [input.Key ?? input.Item], facts)];
    case 'Query':
      return [tableRequest('dynamodb:Query', input.TableName, input.IndexName, [], facts, queryLeadingKey(input, facts))];
    case 'BatchWriteItem':
    case 'BatchGetItem':
      return Object.entries((input.RequestItems ?? {}) as Record<string, unknown>).map(([table, requests]) => {
        const keys =
          operation === 'BatchGetItem'
            ? ((requests as { Keys?: unknown[] }).Keys ?? [])
            : ((requests ?? []) as Array<{ PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }>).map((r) => r.PutRequest?.Item ?? r.DeleteRequest?.Key);
        return tableRequest(`dynamodb:${operation}`, table, undefined, keys, facts);
      });
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return ((input.TransactItems ?? []) as Array<Record<string, Input>>).flatMap((item) =>
        Object.entries(item).map(([kind, part]) => {
          const action = TRANSACT_ITEM_ACTIONS[kind];
          if (!action) throw new UnmappedOperationError(`unknown ${operation} item kind ${kind}`);
          return tableRequest(`dynamodb:${action}`, part.TableName, undefined, [part.Key ?? part.Item], facts);
        }),
      );
    case 'DescribeStream':
    case 'GetRecords':
    case 'GetShardIterator':
      return [{ action: `dynamodb:${operation}`, resource: required(input.StreamArn ?? streamArnOfIterator(input.ShardIterator), operation, 'StreamArn') }];
    case 'ExecuteStatement':
      return [partiqlRequest(input.Statement)];
    case 'BatchExecuteStatement':
      return ((input.Statements ?? []) as Array<{ Statement?: unknown }>).map((statement) => partiqlRequest(statement.Statement));
    case 'ExecuteTransaction':
      return ((input.TransactStatements ?? []) as Array<{ Statement?: unknown }>).map((statement) => partiqlRequest(statement.Statement));
    case 'ListStreams':
    case 'ListTables':
      return [{ action: `dynamodb:${operation}`, resource: '*' }];
    default:
      // Scan, DescribeTable, DescribeTimeToLive, ...: the table (or index) is the resource.
      // (The bulk operations are newer than the IAM reference data: left unmapped, so a call fails loudly.)
      if (typeof input.TableName === 'string' && !/BulkOperation|BulkPutItems/.test(operation)) return [tableRequest(`dynamodb:${operation}`, input.TableName, input.IndexName, [], facts)];
      throw new UnmappedOperationError(`no request mapping for dynamodb:${operation}`);
  }
}

/** PartiQL is authorized per verb (dynamodb:PartiQLSelect, ...Insert, ...Update, ...Delete) on the table it names. */
function partiqlRequest(statement: unknown): AuthorizationRequest {
  const text = String(statement ?? '');
  const verb = /^\s*(select|insert|update|delete)\b/i.exec(text)?.[1];
  const table = /\b(?:from|into|update)\s+"?([A-Za-z0-9_.-]+)"?/i.exec(text)?.[1];
  if (!verb || !table) throw new UnmappedOperationError(`cannot name the action and table of the PartiQL statement "${text}"`);
  return { action: `dynamodb:PartiQL${verb[0]!.toUpperCase()}${verb.slice(1).toLowerCase()}`, resource: dynamodbTableArn(table) };
}

function tableRequest(action: string, tableName: unknown, indexName: unknown, items: unknown[], facts: StackFacts, leadingKey?: string): AuthorizationRequest {
  const table = typeof tableName === 'string' && tableName.startsWith('arn:') ? tableName : dynamodbTableArn(String(tableName));
  const name = table.split(':table/')[1]!.split('/')[0]!;
  const resource = typeof indexName === 'string' ? `${table}/index/${indexName}` : table;
  const partitionKey = facts.partitionKeys.get(name)?.table;
  const leadingKeys = leadingKey !== undefined ? [leadingKey] : partitionKey ? items.flatMap((item) => keyValue(item, partitionKey)) : [];
  return { action, resource, ...(leadingKeys.length > 0 ? { context: { 'dynamodb:LeadingKeys': [...new Set(leadingKeys)] } } : {}) };
}

export function dynamodbTableArn(name: string): string {
  return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}`;
}

/** The partition key value a Query names (`pk = :pk`, or `#alias = :pk`), as DynamoDB reads LeadingKeys from it. */
function queryLeadingKey(input: Input, facts: StackFacts): string | undefined {
  const entry = facts.partitionKeys.get(String(input.TableName));
  const attribute = typeof input.IndexName === 'string' ? entry?.indexes.get(input.IndexName) : entry?.table;
  const expression = typeof input.KeyConditionExpression === 'string' ? input.KeyConditionExpression : '';
  if (!attribute) return undefined;
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  for (const match of expression.matchAll(/([#\w.]+)\s*=\s*(:\w+)/g)) {
    const name = match[1]!.startsWith('#') ? names[match[1]!] : match[1];
    if (name === attribute) return keyValue({ [attribute]: input.ExpressionAttributeValues?.[match[2]!] }, attribute)[0];
  }
  return undefined;
}

/** A key attribute's value as a string, from the wire form ({S: "..."}) or a document client's plain value. */
function keyValue(item: unknown, attribute: string): string[] {
  if (typeof item !== 'object' || item === null) return [];
  const value = (item as Record<string, unknown>)[attribute];
  if (value === undefined || value === null) return [];
  if (typeof value === 'object') {
    const wire = value as { S?: unknown; N?: unknown; B?: unknown };
    const scalar = wire.S ?? wire.N ?? wire.B;
    return scalar === undefined ? [] : [scalar instanceof Uint8Array ? Buffer.from(scalar).toString('base64') : String(scalar)];
  }
  return [String(value)];
}

function streamArnOfIterator(iterator: unknown): string | undefined {
  // DynamoDB Local's shard iterators embed the stream ARN before a '|'.
  return typeof iterator === 'string' ? iterator.split('|').find((part) => part.startsWith('arn:')) : undefined;
}

// ---------------------------------------------------------------------------------- SQS, SES, EventBridge, Scheduler, Secrets, Lambda

/** arn:aws:sqs:<region>:<account>:<name> for a QueueUrl (…/<account>/<name>) or a QueueName. */
function queueArn(input: Input): string {
  if (typeof input.QueueUrl === 'string') {
    const [account, name] = new URL(input.QueueUrl).pathname.split('/').filter(Boolean).slice(-2);
    return `arn:aws:sqs:${LOCAL_REGION}:${account}:${name}`;
  }
  if (typeof input.QueueName === 'string') return `arn:aws:sqs:${LOCAL_REGION}:${input.QueueOwnerAWSAccountId ?? LOCAL_ACCOUNT}:${input.QueueName}`;
  if (typeof input.QueueNamePrefix === 'string' || Object.keys(input).length === 0) return '*';
  throw new UnmappedOperationError('an SQS call without QueueUrl or QueueName');
}

/**
 * SES authorizes SendEmail against the sending identity (the address if it is an identity itself,
 * else its domain) and against the configuration set, when one is named.
 */
function sesRequests(operation: string, input: Input, facts: StackFacts): AuthorizationRequest[] {
  const arn = (resource: string) => `arn:aws:ses:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
  if (operation !== 'SendEmail' && operation !== 'SendBulkEmail') return [{ action: `ses:${operation}`, resource: '*' }];
  const requests: AuthorizationRequest[] = [];
  if (typeof input.FromEmailAddressIdentityArn === 'string') requests.push({ action: 'ses:SendEmail', resource: input.FromEmailAddressIdentityArn });
  else if (typeof input.FromEmailAddress === 'string') requests.push({ action: 'ses:SendEmail', resource: arn(`identity/${sendingIdentity(input.FromEmailAddress, facts)}`) });
  if (typeof input.ConfigurationSetName === 'string') requests.push({ action: 'ses:SendEmail', resource: arn(`configuration-set/${input.ConfigurationSetName}`) });
  return requests;
}

function sendingIdentity(from: string, facts: StackFacts): string {
  const address = (/<([^>]+)>\s*$/.exec(from)?.[1] ?? from).trim();
  const domain = address.split('@').pop() ?? address;
  return facts.emailIdentities.has(address) || !facts.emailIdentities.has(domain) ? address : domain;
}

function eventsRequests(operation: string, input: Input): AuthorizationRequest[] {
  const busArn = (name: unknown) => {
    const text = typeof name === 'string' && name !== '' ? name : 'default';
    return text.startsWith('arn:') ? text : `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${text}`;
  };
  if (operation === 'PutEvents') {
    const buses = new Set(((input.Entries ?? []) as Array<{ EventBusName?: unknown }>).map((entry) => busArn(entry.EventBusName)));
    return [...buses].map((resource) => ({ action: 'events:PutEvents', resource }));
  }
  return [{ action: `events:${operation}`, resource: busArn(input.EventBusName) }];
}

/** Schedules are authorized by schedule ARN; creating or updating one also passes its target's role to the service. */
function schedulerRequests(operation: string, input: Input): AuthorizationRequest[] {
  if (operation === 'ListSchedules' || operation === 'ListScheduleGroups') return [{ action: `scheduler:${operation}`, resource: '*' }];
  const group = typeof input.GroupName === 'string' ? input.GroupName : 'default';
  const requests: AuthorizationRequest[] = [
    { action: `scheduler:${operation}`, resource: `arn:aws:scheduler:${LOCAL_REGION}:${LOCAL_ACCOUNT}:schedule/${group}/${required(input.Name, operation, 'Name')}` },
  ];
  const roleArn = input.Target?.RoleArn;
  if ((operation === 'CreateSchedule' || operation === 'UpdateSchedule') && typeof roleArn === 'string') {
    requests.push({ action: 'iam:PassRole', resource: roleArn, context: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
  }
  return requests;
}

/** A secret's ARN from a SecretId (its ARN, or its name as the local runtime names secrets). */
function secretArn(id: string): string {
  return id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${id}-local`;
}

function lambdaRequests(operation: string, input: Input): AuthorizationRequest[] {
  const renamed: Record<string, string> = { Invoke: 'InvokeFunction', InvokeAsync: 'InvokeFunction', InvokeWithResponseStream: 'InvokeFunction', GetLayerVersionByArn: 'GetLayerVersion' };
  const action = renamed[operation] ?? operation;
  const name = required(input.FunctionName, operation, 'FunctionName');
  const arn = name.startsWith('arn:') ? name : `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
  const qualified = typeof input.Qualifier === 'string' ? `${arn}:${input.Qualifier}` : arn;
  return [{ action: `lambda:${action}`, resource: qualified }];
}

function required(value: unknown, operation: string, field: string): string {
  if (typeof value !== 'string' || value === '') throw new UnmappedOperationError(`${operation} without ${field}: the local IAM enforcement cannot name its resource`);
  return value;
}

/** The stack facts from the template: each table's partition keys (by its local name) and the SES identities. */
export function stackFacts(
  tables: Array<{ logicalId: string; properties: Record<string, any> }>,
  tableNames: ReadonlyMap<string, string>,
  resources: Record<string, { Type: string; Properties?: Record<string, any> }>,
): StackFacts {
  const hashKey = (schema: unknown) => ((schema ?? []) as Array<{ AttributeName: string; KeyType: string }>).find((key) => key.KeyType === 'HASH')?.AttributeName;
  const partitionKeys = new Map<string, { table: string; indexes: Map<string, string> }>();
  for (const table of tables) {
    const indexes = new Map<string, string>();
    for (const index of [...(table.properties.GlobalSecondaryIndexes ?? []), ...(table.properties.LocalSecondaryIndexes ?? [])] as Array<Record<string, unknown>>) {
      const key = hashKey(index.KeySchema);
      if (key) indexes.set(String(index.IndexName), key);
    }
    const key = hashKey(table.properties.KeySchema);
    if (key) partitionKeys.set(tableNames.get(table.logicalId) ?? table.logicalId, { table: key, indexes });
  }
  const emailIdentities = new Set(
    Object.values(resources)
      .filter((resource) => resource.Type === 'AWS::SES::EmailIdentity')
      .map((resource) => String(resource.Properties?.EmailIdentity)),
  );
  return { partitionKeys, emailIdentities };
}
