import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyEvaluator } from '#local/iam/policy-evaluator.ts';
import { installSdkEnforcement, runAsCaller } from '#local/iam/sdk-enforcement.ts';
import type { StackFacts } from '#local/iam/sdk-requests.ts';
import type { StackRole } from '#local/iam/stack-roles.ts';

const ACCOUNT = '123456789012';
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/nudge`;
const QUEUE_URL = `http://127.0.0.1:1/${ACCOUNT}/send-queue`;
const role: StackRole = {
  logicalId: 'IngestRole',
  name: 'IngestRole',
  arn: `arn:aws:iam::${ACCOUNT}:role/IngestRole`,
  managedPolicyArns: [],
  policies: [
    {
      name: 'DefaultPolicy',
      document: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: TABLE_ARN },
          { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE_ARN, Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['C#*'] } } },
        ],
      },
    },
  ],
};
const facts: StackFacts = { partitionKeys: new Map([['nudge', { table: 'pk', indexes: new Map() }]]), emailIdentities: new Set(['example.com']) };
// Nothing listens here: an allowed call fails to connect, a denied one never tries.
const config = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: 'http://127.0.0.1:1', maxAttempts: 1 };
const caller = { role, session: 'IngestHandler' };
const principal = `arn:aws:sts::${ACCOUNT}:assumed-role/IngestRole/IngestHandler`;

async function failure(call: () => Promise<unknown>): Promise<Record<string, any>> {
  try {
    await runAsCaller(caller, call);
  } catch (error) {
    return error as Record<string, any>;
  }
  throw new Error('the call succeeded');
}

describe('IAM enforcement on SDK calls made as a function', () => {
  let uninstall: () => void;
  beforeAll(() => {
    uninstall = installSdkEnforcement({ evaluator: new PolicyEvaluator(), facts }, [DynamoDBClient, SQSClient, SESv2Client, EventBridgeClient, SchedulerClient, SFNClient]);
  });
  afterAll(() => uninstall());

  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(config));

  it('a denied DynamoDB Query fails as DynamoDB fails it: AccessDeniedException naming role, action and table, not retryable', async () => {
    const error = await failure(() => documents.send(new QueryCommand({ TableName: 'nudge', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'C#1' } })));
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(`User: ${principal} is not authorized to perform: dynamodb:Query on resource: ${TABLE_ARN} because no identity-based policy allows the dynamodb:Query action`);
    expect(error.$fault).toBe('client');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.$retryable).toBeUndefined();
  });

  it('an allowed call goes through to the service (here: nothing listening)', async () => {
    const error = await failure(() => documents.send(new GetCommand({ TableName: 'nudge', Key: { pk: 'C#1', sk: 'PROFILE' } })));
    expect(error.name).not.toBe('AccessDeniedException');
  });

  it('dynamodb:LeadingKeys comes from the key: a GetItem outside C#* is denied', async () => {
    const error = await failure(() => documents.send(new GetCommand({ TableName: 'nudge', Key: { pk: 'S#1', sk: 'x' } })));
    expect(error.message).toContain('dynamodb:GetItem on resource');
  });

  it('a transaction is authorized as its items: a ConditionCheck needs dynamodb:ConditionCheckItem', async () => {
    const error = await failure(() =>
      documents.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: 'nudge', Item: { pk: 'C#1', sk: 'a' } } },
            { ConditionCheck: { TableName: 'nudge', Key: { pk: 'C#1', sk: 'b' }, ConditionExpression: 'attribute_exists(pk)' } },
          ],
        }),
      ),
    );
    expect(error.message).toContain('dynamodb:ConditionCheckItem');
  });

  it('SQS names the action in lower case; a batch is authorized as SendMessage', async () => {
    const sqs = new SQSClient(config);
    const error = await failure(() => sqs.send(new SendMessageBatchCommand({ QueueUrl: QUEUE_URL, Entries: [{ Id: '1', MessageBody: 'x' }] })));
    expect(error.message).toBe(
      `User: ${principal} is not authorized to perform: sqs:sendmessage on resource: arn:aws:sqs:us-east-1:${ACCOUNT}:send-queue because no identity-based policy allows the sqs:sendmessage action`,
    );
    expect(error.$metadata.httpStatusCode).toBe(400);
    // SQS's JSON protocol keeps its query error code (x-amzn-query-error), which the SDK uses as the name.
    expect(error.name).toBe('AccessDenied');
  });

  it('SES authorizes the sending identity (the domain, when only it is an identity) in its own message form', async () => {
    const ses = new SESv2Client(config);
    const error = await failure(() =>
      ses.send(new SendEmailCommand({ FromEmailAddress: 'Nudge <no-reply@example.com>', ConfigurationSetName: 'nudge', Destination: { ToAddresses: ['a@b.c'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } } })),
    );
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(`User \`${principal}' is not authorized to perform \`ses:SendEmail' on resource \`arn:aws:ses:us-east-1:${ACCOUNT}:identity/example.com'`);
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('EventBridge, Scheduler and Step Functions deny with their AccessDeniedException', async () => {
    const events = await failure(() => new EventBridgeClient(config).send(new PutEventsCommand({ Entries: [{ EventBusName: 'nudge', Source: 's', DetailType: 'd', Detail: '{}' }] })));
    expect(events.name).toBe('AccessDeniedException');
    expect(events.message).toContain(`events:PutEvents on resource: arn:aws:events:us-east-1:${ACCOUNT}:event-bus/nudge`);
    const schedule = await failure(() =>
      new SchedulerClient(config).send(
        new CreateScheduleCommand({ Name: 'n', GroupName: 'g', ScheduleExpression: 'at(2030-01-01T00:00:00)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: 'arn:aws:sqs:us-east-1:1:q', RoleArn: `arn:aws:iam::${ACCOUNT}:role/r` } }),
      ),
    );
    expect(schedule.name).toBe('AccessDeniedException');
    expect(schedule.message).toContain(`scheduler:CreateSchedule on resource: arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/g/n`);
    const execution = await failure(() => new SFNClient(config).send(new StartExecutionCommand({ stateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:m` })));
    expect(execution.name).toBe('AccessDeniedException');
    expect(execution.message).toContain('states:StartExecution');
  });

  it('calls outside any function invocation are not checked', async () => {
    const error = await documents.send(new QueryCommand({ TableName: 'nudge', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'C#1' } })).catch((e: unknown) => e as Error);
    expect((error as Error).name).not.toBe('AccessDeniedException');
  });
});
