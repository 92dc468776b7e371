import {
  CreateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type StreamViewType,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';
import type { StackTemplate } from './cloud-template.ts';
import { resolveIntrinsics, type LocalResource } from './intrinsics.ts';

export type ProvisionedStack = {
  resources: Map<string, LocalResource>;
  tableNames: Map<string, string>;
  queueUrls: Map<string, string>;
};

/**
 * Creates the stack's tables and queues in the emulators, exactly as the template declares their
 * keys, indexes, TTL, streams, visibility timeouts and redrive policies, and returns what every
 * logical id resolves to locally.
 */
export async function provisionStack(input: {
  stack: StackTemplate;
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  sqsEndpoint: string;
}): Promise<ProvisionedStack> {
  const { stack } = input;
  const resources = genericResources(stack);
  const tableNames = new Map<string, string>();
  const queueUrls = new Map<string, string>();

  for (const bus of stack.eventBuses()) {
    resources.set(bus.logicalId, { ref: bus.name, attributes: { Arn: arn('events', `event-bus/${bus.name}`), Name: bus.name } });
  }
  for (const fn of stack.functions()) {
    resources.set(fn.logicalId, { ref: fn.logicalId, attributes: { Arn: arn('lambda', `function:${fn.logicalId}`) } });
  }
  for (const table of stack.tables()) {
    const name = String(table.properties.TableName ?? table.logicalId);
    tableNames.set(table.logicalId, name);
    resources.set(table.logicalId, { ref: name, attributes: { Arn: arn('dynamodb', `table/${name}`) } });
  }
  for (const queue of stack.queues()) {
    const name = String(queue.properties.QueueName ?? queue.logicalId);
    const url = `${input.sqsEndpoint}/${LOCAL_ACCOUNT}/${name}`;
    queueUrls.set(queue.logicalId, url);
    resources.set(queue.logicalId, {
      ref: url,
      attributes: { Arn: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${name}`, QueueName: name, QueueUrl: url },
    });
  }

  // Fn::GetAtt <table>.StreamArn is DynamoDB Local's own stream ARN, known once the table exists.
  const streamArns = await createTablesWithStreams(stack, input.dynamodb, tableNames);
  for (const [logicalId, streamArn] of streamArns) resources.get(logicalId)!.attributes.StreamArn = streamArn;
  // Dead-letter queues first: a redrive policy must name an existing queue.
  const queues = [...stack.queues()].sort((a, b) => Number(Boolean(a.properties.RedrivePolicy)) - Number(Boolean(b.properties.RedrivePolicy)));
  for (const queue of queues) {
    const name = resources.get(queue.logicalId)!.attributes.QueueName!;
    await input.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: queueAttributes(queue.properties, resources) }));
  }
  return { resources, tableNames, queueUrls };
}

/** Every other resource (roles, log groups, SES sets) still resolves, to its logical id and a local ARN. */
function genericResources(stack: StackTemplate): Map<string, LocalResource> {
  const resources = new Map<string, LocalResource>();
  for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
    const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'local';
    const name = String(resource.Properties?.Name ?? resource.Properties?.EmailIdentity ?? logicalId);
    // IAM ARNs have no region, and services that take a role (EventBridge Scheduler) check the shape.
    const resourceArn = resource.Type === 'AWS::IAM::Role' ? `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}` : arn(service, name);
    resources.set(logicalId, { ref: name, attributes: { Arn: resourceArn, Name: name } });
  }
  return resources;
}

function arn(service: string, resource: string): string {
  return `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
}

/** The stack's tables alone (benchmarks that need only DynamoDB), named as `provisionStack` names them. */
export async function createStackTables(stack: StackTemplate, dynamodb: DynamoDBClient, names = new Map<string, string>()): Promise<Map<string, string>> {
  await createTablesWithStreams(stack, dynamodb, names);
  return names;
}

/** Creates the stack's tables; returns the stream ARN of each table (by logical id) that has a stream. */
async function createTablesWithStreams(stack: StackTemplate, dynamodb: DynamoDBClient, names: Map<string, string>): Promise<Map<string, string>> {
  const streamArns = new Map<string, string>();
  for (const table of stack.tables()) {
    const name = names.get(table.logicalId) ?? String(table.properties.TableName ?? table.logicalId);
    names.set(table.logicalId, name);
    const streamArn = await createTable(dynamodb, name, table.properties, table.ttlAttribute);
    if (streamArn) streamArns.set(table.logicalId, streamArn);
  }
  return streamArns;
}

async function createTable(
  client: DynamoDBClient,
  name: string,
  properties: Record<string, any>,
  ttlAttribute: string | undefined,
): Promise<string | undefined> {
  const input: CreateTableCommandInput = {
    TableName: name,
    KeySchema: properties.KeySchema,
    AttributeDefinitions: properties.AttributeDefinitions,
    BillingMode: 'PAY_PER_REQUEST',
  };
  // CloudFormation's StreamSpecification has only the view type; the API also wants StreamEnabled.
  const streamViewType = properties.StreamSpecification?.StreamViewType as StreamViewType | undefined;
  if (streamViewType) input.StreamSpecification = { StreamEnabled: true, StreamViewType: streamViewType };
  if (properties.GlobalSecondaryIndexes) {
    input.GlobalSecondaryIndexes = (properties.GlobalSecondaryIndexes as Array<Record<string, any>>).map((gsi) => ({
      IndexName: gsi.IndexName,
      KeySchema: gsi.KeySchema,
      Projection: gsi.Projection,
    }));
  }
  const created = await client.send(new CreateTableCommand(input));
  if (ttlAttribute) {
    await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: ttlAttribute } }));
  }
  return created.TableDescription?.LatestStreamArn;
}

/** The queue attributes the emulator understands; encryption settings have no local meaning. */
function queueAttributes(properties: Record<string, any>, resources: ReadonlyMap<string, LocalResource>): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const key of ['VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'MaximumMessageSize']) {
    if (properties[key] !== undefined) attributes[key] = String(properties[key]);
  }
  if (properties.FifoQueue) attributes.FifoQueue = 'true';
  if (properties.ContentBasedDeduplication) attributes.ContentBasedDeduplication = 'true';
  if (properties.RedrivePolicy) {
    const policy = resolveIntrinsics(properties.RedrivePolicy, resources) as Record<string, unknown>;
    attributes.RedrivePolicy = JSON.stringify(policy);
  }
  return attributes;
}
