import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as schedulerSdk from '@aws-sdk/client-scheduler';
import * as sfnSdk from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { MARSHALL_OPTIONS, UNMARSHALL_OPTIONS } from '#shared/adapters/dynamo/translate-config.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';
import { refusalOf, type SendEmailRequest, type SesAccount } from '../emulators/ses-account.ts';
import type { SesSendingLimits } from '../emulators/ses-sending-limits.ts';
import type { PutEventsEntry, PutEventsResultEntry } from '../eventbridge/event-bus.ts';
import { sdkBaseClass } from '../iam/sdk-enforcement.ts';
import { SchedulerApiError, type LocalOneTimeSchedules } from '../scheduler/one-time-schedules.ts';
import type { LocalSecrets } from '../secrets/local-secrets.ts';
import { StepFunctionsApiError, type StepFunctionsApi } from '../stepfunctions/step-functions-api.ts';
import { MemoryQueues } from './memory-queues.ts';
import { MemoryTable, type KeySchema } from './memory-table.ts';

type Command = { constructor: { name: string }; input: Record<string, any> };
type SdkClient = { config: { serviceId?: string } };
type SendFn = (this: SdkClient, command: Command, ...rest: unknown[]) => Promise<unknown>;

/** What the in-memory services call back into: the runtime's bus, schedules, state machines and secrets. */
export type MemoryAwsTargets = {
  putEvents(entries: PutEventsEntry[]): PutEventsResultEntry[];
  schedules: Pick<LocalOneTimeSchedules, 'create' | 'get' | 'delete' | 'listSchedules'>;
  stepFunctions: StepFunctionsApi;
  secrets: Pick<LocalSecrets, 'getSecretValue' | 'putSecretValue'>;
  ses: { account: SesAccount; limits: SesSendingLimits; publish(request: SendEmailRequest, messageId: string): void };
};

/**
 * AWS in this process, for the fast replay: every AWS SDK client of the process (the handlers' own,
 * built by shared/adapters/aws/clients.ts, and the runtime's) has its `send` answered here instead
 * of over HTTP, so the very handlers and adapters of the emulator mode run unchanged, on
 * {@link MemoryTable} (DynamoDB), {@link MemoryQueues} (SQS), a count of emails (SES, with the
 * account's refusals and sending limits), and the local runtime's bus, one-time schedules, state
 * machines and secrets, all on the simulated clock.
 *
 * Installed for the whole process (the fast replay runs in a process of its own): `uninstall()`
 * gives the SDK its `send` back.
 */
export class MemoryAws {
  readonly tables = new Map<string, MemoryTable>();
  readonly queues: MemoryQueues;
  /** Emails SES accepted: what the replay's outcome counts (the local SES's store). Only counted: a long replay kept every message's body. */
  emailsAccepted = 0;
  private targets: MemoryAwsTargets | undefined;
  private uninstallers: Array<() => void> = [];
  private tableSetup = new Map<string, { key: KeySchema; indexes: Record<string, KeySchema>; ttl?: string }>();

  constructor(private readonly now: () => Date) {
    this.queues = new MemoryQueues(() => this.now().getTime());
  }

  /** The runtime parts the services call into, once they exist (they need the provisioned stack). */
  attach(targets: MemoryAwsTargets): void {
    this.targets = targets;
  }

  install(): () => void {
    const base = sdkBaseClass(DynamoDBClient);
    const prototype = (base as { prototype: { send: SendFn } }).prototype;
    const original = prototype.send;
    const memory = this;
    prototype.send = function send(this: SdkClient, command: Command) {
      return memory.answer(this, command);
    };
    this.uninstallers.push(() => {
      prototype.send = original;
    });
    return () => {
      for (const undo of this.uninstallers.splice(0)) undo();
    };
  }

  table(name: string): MemoryTable {
    const table = this.tables.get(name);
    if (!table) throw new dynamodbSdk.ResourceNotFoundException({ message: `Requested resource not found: Table: ${name} not found`, $metadata: {} });
    return table;
  }

  private async answer(client: SdkClient, command: Command): Promise<unknown> {
    if (client instanceof DynamoDBDocumentClient) return this.table(String(command.input.TableName ?? tableOfBatch(command.input))).send(command);
    const service = client.config.serviceId;
    switch (service) {
      case 'DynamoDB':
        return this.dynamodb(command);
      case 'SQS':
        return this.sqs(command);
      case 'SESv2':
        return this.ses(command);
      case 'EventBridge':
        return this.eventBridge(command);
      case 'Scheduler':
        return this.scheduler(command);
      case 'SFN':
        return this.stepFunctions(command);
      case 'Secrets Manager':
        return this.secrets(command);
      default:
        throw new Error(`the fast replay has no in-memory ${service} (${command.constructor.name})`);
    }
  }

  // ---------------------------------------------------------------- DynamoDB (raw API)

  private async dynamodb(command: Command): Promise<unknown> {
    const input = command.input;
    switch (command.constructor.name) {
      case 'CreateTableCommand': {
        const keyOf = (schema: Array<{ AttributeName: string; KeyType: string }>): KeySchema => {
          const sortKey = schema.find((k) => k.KeyType === 'RANGE')?.AttributeName;
          return { partitionKey: schema.find((k) => k.KeyType === 'HASH')!.AttributeName, ...(sortKey ? { sortKey } : {}) };
        };
        const name = String(input.TableName);
        const indexes = Object.fromEntries(((input.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string; KeySchema: Array<{ AttributeName: string; KeyType: string }> }>).map((gsi) => [gsi.IndexName, keyOf(gsi.KeySchema)]));
        this.tableSetup.set(name, { key: keyOf(input.KeySchema), indexes });
        this.tables.set(name, new MemoryTable({ tableName: name, key: keyOf(input.KeySchema), indexes }));
        const streamArn = input.StreamSpecification?.StreamEnabled ? `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${name}/stream/memory` : undefined;
        return { TableDescription: { TableName: name, TableStatus: 'ACTIVE', ...(streamArn ? { LatestStreamArn: streamArn } : {}) } };
      }
      case 'UpdateTimeToLiveCommand': {
        // The table is rebuilt with its TTL attribute (only ever right after it was created, empty).
        const name = String(input.TableName);
        const setup = this.tableSetup.get(name)!;
        const attribute = String(input.TimeToLiveSpecification.AttributeName);
        if (this.table(name).size > 0) throw new Error('the in-memory table takes its TTL attribute only while empty');
        this.tables.set(name, new MemoryTable({ tableName: name, key: setup.key, indexes: setup.indexes, ttlAttribute: attribute }));
        return { TimeToLiveSpecification: input.TimeToLiveSpecification };
      }
      case 'DescribeTableCommand':
        return this.table(String(input.TableName)).send(command);
      default: {
        // A raw item command: the same as the document one, with the wire form on both sides.
        const documentName = RAW_TO_DOCUMENT[command.constructor.name];
        if (!documentName) throw new Error(`the fast replay's DynamoDB does not answer ${command.constructor.name}`);
        const output = await this.table(String(input.TableName)).send({ constructor: { name: documentName }, input: unmarshallInput(input) });
        return marshallOutput(output);
      }
    }
  }

  // ---------------------------------------------------------------- SQS

  private sqs(command: Command): unknown {
    const input = command.input;
    const queues = this.queues;
    switch (command.constructor.name) {
      case 'CreateQueueCommand':
        return { QueueUrl: queues.create(String(input.QueueName), input.Attributes ?? {}) };
      case 'GetQueueUrlCommand':
        return { QueueUrl: queues.urlOf(String(input.QueueName)) };
      case 'SendMessageCommand': {
        const sent = queues.send(input.QueueUrl, String(input.MessageBody), { delaySeconds: input.DelaySeconds, messageAttributes: input.MessageAttributes });
        return { MessageId: sent.messageId, MD5OfMessageBody: sent.md5 };
      }
      case 'SendMessageBatchCommand':
        return {
          Successful: (input.Entries as Array<{ Id: string; MessageBody: string; DelaySeconds?: number; MessageAttributes?: Record<string, unknown> }>).map((entry) => {
            const sent = queues.send(input.QueueUrl, entry.MessageBody, { delaySeconds: entry.DelaySeconds, messageAttributes: entry.MessageAttributes as never });
            return { Id: entry.Id, MessageId: sent.messageId, MD5OfMessageBody: sent.md5 };
          }),
          Failed: [],
        };
      case 'ReceiveMessageCommand':
        return { Messages: queues.receive(input.QueueUrl, input.MaxNumberOfMessages ?? 1, input.VisibilityTimeout) };
      case 'DeleteMessageCommand':
        queues.delete(input.QueueUrl, input.ReceiptHandle);
        return {};
      case 'DeleteMessageBatchCommand':
        for (const entry of input.Entries as Array<{ ReceiptHandle: string }>) queues.delete(input.QueueUrl, entry.ReceiptHandle);
        return { Successful: (input.Entries as Array<{ Id: string }>).map((entry) => ({ Id: entry.Id })), Failed: [] };
      case 'ChangeMessageVisibilityCommand':
        queues.changeVisibility(input.QueueUrl, input.ReceiptHandle, input.VisibilityTimeout);
        return {};
      case 'ChangeMessageVisibilityBatchCommand':
        for (const entry of input.Entries as Array<{ ReceiptHandle: string; VisibilityTimeout: number }>) queues.changeVisibility(input.QueueUrl, entry.ReceiptHandle, entry.VisibilityTimeout);
        return { Successful: (input.Entries as Array<{ Id: string }>).map((entry) => ({ Id: entry.Id })), Failed: [] };
      case 'GetQueueAttributesCommand':
        return { Attributes: queues.attributes(input.QueueUrl) };
      case 'PurgeQueueCommand':
        queues.purge(input.QueueUrl);
        return {};
      default:
        throw new Error(`the fast replay's SQS does not answer ${command.constructor.name}`);
    }
  }

  // ---------------------------------------------------------------- SES

  private ses(command: Command): unknown {
    const { ses } = this.requireTargets();
    const now = this.now();
    switch (command.constructor.name) {
      case 'SendEmailCommand': {
        const request = command.input as SendEmailRequest;
        const recipients = ['ToAddresses', 'CcAddresses', 'BccAddresses'].flatMap((field) => {
          const list = (request.Destination as Record<string, unknown> | undefined)?.[field];
          return Array.isArray(list) ? list.map(String) : [];
        });
        // The same refusals and limits as the local SES, counted on the same clocks: the rate on real
        // time (the dispatcher paces to it in real time, and on a replay's clock, which stands still
        // between jumps, a paced burst would land in one instant), the 24-hour quota on the replay's days.
        const refusal = refusalOf(request, Buffer.byteLength(JSON.stringify(request)), ses.account) ?? ses.limits.admit(recipients, Date.now(), now.getTime());
        if (refusal) throw sdkError(refusal.errorType, refusal.message, refusal.status);
        this.emailsAccepted += 1;
        const messageId = `memory-${String(this.emailsAccepted).padStart(10, '0')}`;
        ses.publish(request, messageId);
        return { MessageId: messageId };
      }
      case 'GetAccountCommand':
        return {
          DedicatedIpAutoWarmupEnabled: false,
          EnforcementStatus: 'HEALTHY',
          ProductionAccessEnabled: !ses.limits.config.sandbox,
          SendingEnabled: true,
          SendQuota: ses.limits.sendQuota(now.getTime()),
        };
      default:
        throw new Error(`the fast replay's SES does not answer ${command.constructor.name}`);
    }
  }

  // ---------------------------------------------------------------- EventBridge, Scheduler, Step Functions, Secrets Manager

  private eventBridge(command: Command): unknown {
    if (command.constructor.name !== 'PutEventsCommand') throw new Error(`the fast replay's EventBridge does not answer ${command.constructor.name}`);
    const entries = (command.input.Entries as Array<Record<string, unknown>>).map((entry) => ({
      ...entry,
      // The SDK takes a Date; the bus reads epoch seconds, as on the wire.
      ...(entry.Time instanceof Date ? { Time: entry.Time.getTime() / 1000 } : {}),
    })) as PutEventsEntry[];
    const results = this.requireTargets().putEvents(entries);
    return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
  }

  private scheduler(command: Command): unknown {
    const { schedules } = this.requireTargets();
    const { Name, ClientToken: _token, ...body } = command.input;
    try {
      switch (command.constructor.name) {
        case 'CreateScheduleCommand':
          return schedules.create(String(Name), wireDates(body));
        case 'GetScheduleCommand':
          return schedules.get(String(Name), body.GroupName);
        case 'DeleteScheduleCommand':
          schedules.delete(String(Name), body.GroupName);
          return {};
        case 'ListSchedulesCommand':
          return schedules.listSchedules(command.input);
        default:
          throw new SchedulerApiError('ValidationException', `${command.constructor.name} is not supported by the local scheduler`);
      }
    } catch (error) {
      if (!(error instanceof SchedulerApiError)) throw error;
      const ErrorClass = (schedulerSdk as unknown as Record<string, new (options: { message: string; $metadata: object }) => Error>)[error.type]!;
      throw new ErrorClass({ message: error.message, $metadata: { httpStatusCode: error.statusCode } });
    }
  }

  private stepFunctions(command: Command): unknown {
    const api = this.requireTargets().stepFunctions;
    const input = command.input;
    try {
      switch (command.constructor.name) {
        case 'StartExecutionCommand':
          return api.startExecution({ stateMachineArn: input.stateMachineArn, ...(input.name ? { name: input.name } : {}), ...(input.input !== undefined ? { input: input.input } : {}) });
        case 'StopExecutionCommand':
          return api.stopExecution({ executionArn: input.executionArn, ...(input.error ? { error: input.error } : {}), ...(input.cause ? { cause: input.cause } : {}) });
        case 'DescribeExecutionCommand':
          return api.describeExecution(input.executionArn);
        case 'ListExecutionsCommand':
          return api.listExecutions(input as never);
        default:
          throw new Error(`the fast replay's Step Functions does not answer ${command.constructor.name}`);
      }
    } catch (error) {
      if (!(error instanceof StepFunctionsApiError)) throw error;
      const ErrorClass = (sfnSdk as unknown as Record<string, (new (options: { message: string; $metadata: object }) => Error) | undefined>)[error.type];
      throw ErrorClass ? new ErrorClass({ message: error.message, $metadata: { httpStatusCode: 400 } }) : sdkError(error.type, error.message, 400);
    }
  }

  private secrets(command: Command): unknown {
    const { secrets } = this.requireTargets();
    const id = String(command.input.SecretId ?? '');
    const value =
      command.constructor.name === 'GetSecretValueCommand'
        ? secrets.getSecretValue(id)
        : command.constructor.name === 'PutSecretValueCommand'
          ? secrets.putSecretValue(id, String(command.input.SecretString))
          : undefined;
    if (!value) throw sdkError('ResourceNotFoundException', `Secrets Manager can't find the specified secret: ${id}`, 400);
    return 'CreatedDate' in value ? { ...value, CreatedDate: new Date(value.CreatedDate * 1000) } : value;
  }

  private requireTargets(): MemoryAwsTargets {
    if (!this.targets) throw new Error('the in-memory AWS has no runtime attached yet');
    return this.targets;
  }
}

const RAW_TO_DOCUMENT: Record<string, string> = {
  GetItemCommand: 'GetCommand',
  PutItemCommand: 'PutCommand',
  UpdateItemCommand: 'UpdateCommand',
  DeleteItemCommand: 'DeleteCommand',
  QueryCommand: 'QueryCommand',
  ScanCommand: 'ScanCommand',
};

function unmarshallInput(input: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...input };
  for (const field of ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey']) {
    if (input[field]) out[field] = unmarshall(input[field], UNMARSHALL_OPTIONS);
  }
  return out;
}

function marshallOutput(output: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...output };
  for (const field of ['Item', 'Attributes', 'LastEvaluatedKey']) if (output[field]) out[field] = marshall(output[field], MARSHALL_OPTIONS);
  if (output.Items) out.Items = (output.Items as Array<Record<string, unknown>>).map((item) => marshall(item, MARSHALL_OPTIONS));
  return out;
}

function tableOfBatch(input: Record<string, any>): string {
  if (input.RequestItems) return Object.keys(input.RequestItems)[0]!;
  const first = (input.TransactItems as Array<Record<string, { TableName: string }>> | undefined)?.[0];
  return first ? Object.values(first)[0]!.TableName : '';
}

/** Scheduler's wire body carries timestamps as epoch seconds. */
function wireDates(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, value instanceof Date ? value.getTime() / 1000 : value]));
}

/** An SDK-shaped service error: the name, status and fault the callers classify by. */
function sdkError(name: string, message: string, status: number): Error {
  const error = new Error(message) as Error & { $metadata: object; $fault: string };
  error.name = name;
  error.$metadata = { httpStatusCode: status };
  error.$fault = status >= 500 ? 'server' : 'client';
  return error;
}
