import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '#infra/project-paths.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { ERASE_ENTRY, EXPORT_ENTRY } from '#infra/constructs/privacy.ts';
import { isHotPath } from '#infra/nudge-stack.ts';
import { segmentEventPattern } from '#infra/constructs/triggers.ts';
import type { TriggerRule } from '#shared/domain/trigger-rules.ts';
import { SEND_HELD_LOG_MESSAGE } from '#shared/services/dispatch-send.ts';
import { LOCAL_STACK_CONTEXT } from '#local/stack/local-context.ts';
import {
  actionsOf,
  functionIdByEntry,
  removeSynthOutputs,
  resourcesOf,
  resourcesOfType,
  statementsOfFunction,
  synthTemplate,
} from './support/synth.ts';

const INGEST_ENTRY = 'functions/ingest/ingest-event.ts';
const DISPATCHER_ENTRY = 'functions/delivery/dispatch-sends.ts';
const SWEEP_ENTRY = 'functions/scheduled/sweep-profiles.ts';
const TIMERS_ENTRY = 'functions/triggers/run-timer.ts';
const MODEL_EVENTS_ENTRY = 'functions/triggers/react-to-model-event.ts';
const NOTIFY_ACCOUNT_MANAGER_ENTRY = 'functions/triggers/notify-account-manager.ts';
const TRACK_LINK_ENTRY = 'functions/tracking/track-link.ts';
const SES_EVENTS_ENTRY = 'functions/tracking/ses-events.ts';
const SEQUENCE_STEP_ENTRY = 'functions/sequences/run-step.ts';
const SEQUENCE_STARTER_ENTRY = 'functions/sequences/start-sequences.ts';
const FOURTEEN_DAYS = 14 * 24 * 3600;

let template: Template;
let stack: ReturnType<typeof synthTemplate>['stack'];

beforeAll(() => {
  ({ template, stack } = synthTemplate());
});
afterAll(removeSynthOutputs);

/** The logical id of the only resource of `type` whose properties match `props`. */
function logicalIdOf(type: string, props: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  expect(ids, `one ${type} matching ${JSON.stringify(props)}`).toHaveLength(1);
  return ids[0]!;
}

const ingestId = () => functionIdByEntry(template, INGEST_ENTRY);
const dispatcherId = () => functionIdByEntry(template, DISPATCHER_ENTRY);
const sweepId = () => functionIdByEntry(template, SWEEP_ENTRY);
const tableId = () => logicalIdOf('AWS::DynamoDB::Table', {});
/** The logical id of the one schedule rule (rules with a ScheduleExpression). */
const sweepRuleId = () => logicalIdOf('AWS::Events::Rule', { ScheduleExpression: 'cron(0 3 * * ? *)' });
const SCORING_ENTRY = 'functions/scheduled/score-profiles.ts';
const TRAINING_ENTRY = 'functions/scheduled/train-models.ts';
const SCORING_WORKER_ENTRY = 'functions/scheduled/score-segment.ts';
const ROLLUPS_ENTRY = 'functions/reports/update-rollups.ts';
const TRIGGER_PERFORMANCE_ENTRY = 'functions/reports/trigger-performance.ts';
const DRIFT_CHECK_ENTRY = 'functions/scheduled/check-drift.ts';
const EXPERIMENT_CHECK_ENTRY = 'functions/scheduled/check-experiments.ts';
const SEGMENT_EXPERIMENT_ENTRY = 'functions/reports/segment-experiment.ts';
const OTHER_REPORT_ENTRIES = ['segment-performance', 'attribution', 'behavior-patterns', 'segment-optimizer', 'drift', 'incrementality', 'experiments'].map((name) => `functions/reports/${name}.ts`);
const scoringId = () => functionIdByEntry(template, SCORING_ENTRY);
const trainingId = () => functionIdByEntry(template, TRAINING_ENTRY);
const experimentId = () => functionIdByEntry(template, SEGMENT_EXPERIMENT_ENTRY);
const scoringWorkerId = () => functionIdByEntry(template, SCORING_WORKER_ENTRY);
const rollupsId = () => functionIdByEntry(template, ROLLUPS_ENTRY);
/** The privacy Lambdas list the schedule group (ListSchedules has no resource-level permissions). */
const privacyIds = () => [ERASE_ENTRY, EXPORT_ENTRY].map((entry) => functionIdByEntry(template, entry));
const triggerPerformanceId = () => functionIdByEntry(template, TRIGGER_PERFORMANCE_ENTRY);
const busId = () => logicalIdOf('AWS::Events::EventBus', { Name: 'nudge' });
const sendQueueId = () => queueIdByOutput('SendQueueUrl');
/** A queue is identified by the output that publishes its URL (the outputs are the stack's contract). */
function queueIdByOutput(outputName: string): string {
  const output = template.findOutputs(outputName)[outputName] as { Value: { Ref: string } };
  return output.Value.Ref;
}
/** The DynamoDB actions of a function's role, each with the resources it is granted on. */
function dynamoGrantsOf(functionId: string): Array<{ action: string; resources: unknown[] }> {
  return statementsOfFunction(template, functionId).flatMap((statement) =>
    actionsOf(statement)
      .filter((action) => action.startsWith('dynamodb:'))
      .map((action) => ({ action, resources: resourcesOf(statement) })),
  );
}
/** The resources a function may call `events:PutEvents` on. */
function putEventsResourcesOf(functionId: string): unknown[] {
  return statementsOfFunction(template, functionId)
    .filter((statement) => actionsOf(statement).some((action) => action.startsWith('events:')))
    .flatMap((statement) => {
      expect(actionsOf(statement)).toEqual(['events:PutEvents']);
      return resourcesOf(statement);
    });
}

describe('event bus', () => {
  it('is a custom bus named "nudge" by default', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'nudge' });
  });

  it('takes its name from the busName context', () => {
    const { template: renamed } = synthTemplate({ busName: 'shop-events' });
    renamed.hasResourceProperties('AWS::Events::EventBus', { Name: 'shop-events' });
  });

  it('is archived in full (no event pattern) for a year by default, so raw events can be replayed', () => {
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId(), 'Arn'] },
      EventPattern: Match.absent(),
      RetentionDays: 365,
    });
  });

  it("keeps the archive as long as the catalog's eventArchiveRetentionDays says, and refuses the old context key", () => {
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: defaultCatalog.settings.eventArchiveRetentionDays });
    expect(() => synthTemplate({ archiveRetentionDays: '30' })).toThrow(/eventArchiveRetentionDays in the catalog/);
  });
});

describe('storage', () => {
  it('is one table keyed by pk and sk (strings)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]),
    });
  });

  it('expires items by TTL on the ttl attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } });
  });

  it('has point-in-time recovery', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('is encrypted with KMS (AWS managed key)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true } });
  });

  it('bills on demand', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { BillingMode: 'PAY_PER_REQUEST' });
  });

  it('is retained when the stack is deleted or the table replaced (except a failed first create), and protected from deletion', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain', Properties: Match.objectLike({ DeletionProtectionEnabled: true }) });
  });
});

describe('ingest', () => {
  it('routes every event whose source does not start with the reserved "nudge" prefix', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId() },
      EventPattern: { source: [{ 'anything-but': { prefix: 'nudge' } }] },
    });
  });

  it('targets the ingest function with 24 h / 185 retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [ingestId(), 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueIdByOutput('IngestDeadLetterQueueUrl'), 'Arn'] } },
        }),
      ],
    });
  });

  it('retries failed invocations twice, then sends them to the same dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: ingestId() },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueIdByOutput('IngestDeadLetterQueueUrl'), 'Arn'] } } },
    });
  });

  it('lets EventBridge write to the dead-letter queue for this rule only', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueIdByOutput('IngestDeadLetterQueueUrl') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalIdOf('AWS::Events::Rule', { EventPattern: { source: [{ 'anything-but': { prefix: 'nudge' } }] } }), 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('keeps rejected events for 14 days', () => {
    const rejected = resourcesOfType(template, 'AWS::SQS::Queue')[queueIdByOutput('RejectedEventsQueueUrl')]!;
    expect(rejected.Properties?.MessageRetentionPeriod).toBe(FOURTEEN_DAYS);
  });

  it('receives the table, bus, send queue and rejected-events queue through its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: tableId() },
          EVENT_BUS_NAME: { Ref: busId() },
          SEND_QUEUE_URL: { Ref: sendQueueId() },
          REJECTED_EVENTS_QUEUE_URL: { Ref: queueIdByOutput('RejectedEventsQueueUrl') },
        }),
      },
      Timeout: 30,
    });
  });

  it('may send only to the send queue and the rejected-events queue (plus its on-failure destination)', () => {
    const sendTargets = statementsOfFunction(template, ingestId())
      .filter((statement) => actionsOf(statement).includes('sqs:SendMessage'))
      .flatMap(resourcesOf);
    expect(sendTargets).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': [sendQueueId(), 'Arn'] },
        { 'Fn::GetAtt': [queueIdByOutput('RejectedEventsQueueUrl'), 'Arn'] },
        { 'Fn::GetAtt': [queueIdByOutput('IngestDeadLetterQueueUrl'), 'Arn'] },
      ]),
    );
    expect(sendTargets).toHaveLength(3);
  });

  it('has item-level DynamoDB actions plus the membership deletes and batch writes, and Query only in customer partitions, on the table only: no Scan', () => {
    const grants = dynamoGrantsOf(ingestId());
    expect(new Set(grants.map((grant) => grant.action))).toEqual(
      new Set(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:Query']),
    );
    for (const grant of grants) expect(grant.resources).toEqual([{ 'Fn::GetAtt': [tableId(), 'Arn'] }]);
    // Attribution reads one customer's sends: the Query is held to customer partitions.
    const query = statementsOfFunction(template, ingestId()).filter((statement) => actionsOf(statement).includes('dynamodb:Query'));
    expect(query).toEqual([
      expect.objectContaining({ Action: 'dynamodb:Query', Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['C#*'] } } }),
    ]);
  });

  it('may put events only on the Nudge bus', () => {
    expect(putEventsResourcesOf(ingestId())).toEqual([{ 'Fn::GetAtt': [busId(), 'Arn'] }]);
  });
});

describe('scheduled sweep', () => {
  it('runs daily at 03:00 UTC', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 3 * * ? *)', State: 'ENABLED' });
  });

  it('is a rule on the default bus (schedule rules cannot live on a custom bus)', () => {
    const rule = resourcesOfType(template, 'AWS::Events::Rule')[sweepRuleId()]!;
    expect(rule.Properties?.EventBusName).toBeUndefined();
    expect(rule.Properties?.EventPattern).toBeUndefined();
  });

  it('targets the sweep function with 2 retries and a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: Match.anyValue(),
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [sweepId(), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueIdByOutput('SweepDeadLetterQueueUrl'), 'Arn'] } },
        }),
      ],
    });
  });

  it('lets only the schedule rule invoke the sweep', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [sweepId(), 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [sweepRuleId(), 'Arn'] },
    });
  });

  it('retries a failed sweep twice, then sends it to the same dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: sweepId() },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueIdByOutput('SweepDeadLetterQueueUrl'), 'Arn'] } } },
    });
  });

  it('lets EventBridge write to its dead-letter queue for the schedule rule only', () => {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueIdByOutput('SweepDeadLetterQueueUrl') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [sweepRuleId(), 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  it('keeps failed sweeps for 14 days', () => {
    const dlq = resourcesOfType(template, 'AWS::SQS::Queue')[queueIdByOutput('SweepDeadLetterQueueUrl')]!;
    expect(dlq.Properties?.MessageRetentionPeriod).toBe(FOURTEEN_DAYS);
  });

  it('has Lambda\'s maximum timeout (15 min) and 1024 MB', () => {
    const sweep = resourcesOfType(template, 'AWS::Lambda::Function')[sweepId()]!;
    expect(sweep.Properties?.Timeout).toBe(900);
    expect(sweep.Properties?.MemorySize).toBe(1024);
  });

  it('receives the table, the bus and 4 scan segments through its environment', () => {
    const sweep = resourcesOfType(template, 'AWS::Lambda::Function')[sweepId()]!;
    expect(sweep.Properties?.Environment?.Variables).toMatchObject({
      TABLE_NAME: { Ref: tableId() },
      EVENT_BUS_NAME: { Ref: busId() },
      SWEEP_SCAN_SEGMENTS: '4',
    });
  });

  it('takes its scan segments from the sweepScanSegments context and refuses values out of range', () => {
    synthTemplate({ sweepScanSegments: '16' }).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SWEEP_SCAN_SEGMENTS: '16' }) },
    });
    expect(() => synthTemplate({ sweepScanSegments: '0' })).toThrow(/sweepScanSegments/);
    expect(() => synthTemplate({ sweepScanSegments: '65' })).toThrow(/sweepScanSegments/);
    expect(() => synthTemplate({ sweepScanSegments: 'four' })).toThrow(/sweepScanSegments/);
  });

  it('may Scan the profiles index, and read, batch-read, write, delete and batch-write items on the table', () => {
    const grants = dynamoGrantsOf(sweepId());
    expect(new Set(grants.map((grant) => grant.action))).toEqual(
      new Set([
        'dynamodb:Scan',
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
      ]),
    );
    for (const grant of grants) {
      expect(grant.resources).toEqual([grant.action === 'dynamodb:Scan' ? { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId(), 'Arn'] }, '/index/profiles']] } : { 'Fn::GetAtt': [tableId(), 'Arn'] }]);
    }
  });

  it('is, with the scoring (planner and workers), the training and the segment experiment report, the only function that may Scan (an index; never the hot path)', () => {
    const scanners = Object.keys(resourcesOfType(template, 'AWS::Lambda::Function')).filter((id) =>
      dynamoGrantsOf(id).some((grant) => grant.action === 'dynamodb:Scan'),
    );
    expect(scanners.sort()).toEqual([sweepId(), scoringId(), scoringWorkerId(), trainingId(), experimentId()].sort());
  });

  it('may put events only on the Nudge bus', () => {
    expect(putEventsResourcesOf(sweepId())).toEqual([{ 'Fn::GetAtt': [busId(), 'Arn'] }]);
  });
});

describe('scheduled scoring', () => {
  it('runs daily at 04:00 UTC, after the sweep, with 2 retries and the scheduled jobs\' dead-letter queue', () => {
    const rule = resourcesOfType(template, 'AWS::Events::Rule')[logicalIdOf('AWS::Events::Rule', { ScheduleExpression: 'cron(0 4 * * ? *)' })];
    expect(rule?.Properties?.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [scoringId(), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueIdByOutput('SweepDeadLetterQueueUrl'), 'Arn'] } },
      }),
    ]);
  });

  it('plans: may Scan the profiles index (the sample), read and write items, batch-read (profiles, the models) and read the table size, and queue scoring tasks; no bus', () => {
    expect(dynamoGrantsOf(scoringId()).map((g) => g.action).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem']);
    expect(putEventsResourcesOf(scoringId())).toEqual([]);
    const sendTargets = statementsOfFunction(template, scoringId())
      .filter((st) => actionsOf(st).includes('sqs:SendMessage'))
      .flatMap((st) => [st.Resource].flat())
      .map((resource) => JSON.stringify(resource));
    expect(sendTargets.sort()).toEqual(
      [{ 'Fn::GetAtt': [queueIdByOutput('ScoringQueueUrl'), 'Arn'] }, { 'Fn::GetAtt': [queueIdByOutput('SweepDeadLetterQueueUrl'), 'Arn'] }].map((r) => JSON.stringify(r)).sort(),
    );
  });

  it('workers take one task at a time from the scoring queue, at most 32 at once', () => {
    const mapping = Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')).find((m) => JSON.stringify(m.Properties?.FunctionName) === JSON.stringify({ Ref: scoringWorkerId() }));
    expect(mapping?.Properties).toMatchObject({ BatchSize: 1, ScalingConfig: { MaximumConcurrency: 32 }, EventSourceArn: { 'Fn::GetAtt': [queueIdByOutput('ScoringQueueUrl'), 'Arn'] } });
  });

  it('dead-letters a scoring task after 3 receives, and hides a task in flight for 6x the worker timeout', () => {
    const queue = resourcesOfType(template, 'AWS::SQS::Queue')[queueIdByOutput('ScoringQueueUrl')]!;
    expect(queue.Properties).toMatchObject({ VisibilityTimeout: 5400, RedrivePolicy: { maxReceiveCount: 3, deadLetterTargetArn: { 'Fn::GetAtt': [queueIdByOutput('ScoringDeadLetterQueueUrl'), 'Arn'] } } });
  });

  it('workers may Scan, Query (snapshots, run segments), read and write items, write segment membership (predictive segments), put events on the Nudge bus only, and queue the rest of a segment; they decide no sends', () => {
    expect(dynamoGrantsOf(scoringWorkerId()).map((g) => g.action).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ]);
    expect(putEventsResourcesOf(scoringWorkerId())).toEqual([{ 'Fn::GetAtt': [busId(), 'Arn'] }]);
    const actions = statementsOfFunction(template, scoringWorkerId()).flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('scheduler:') || a.startsWith('ses:'))).toEqual([]);
  });
});

describe('scheduled churn training', () => {
  it('runs weekly on Sunday 02:00 UTC, before that day\'s sweep and scoring, with retries and the scheduled jobs\' dead-letter queue', () => {
    const rule = resourcesOfType(template, 'AWS::Events::Rule')[logicalIdOf('AWS::Events::Rule', { ScheduleExpression: 'cron(0 2 ? * SUN *)' })];
    expect(rule?.Properties?.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [trainingId(), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueIdByOutput('SweepDeadLetterQueueUrl'), 'Arn'] } },
      }),
    ]);
  });

  it('may Scan its two indexes, and read, batch-read and write items: no bus, no sends', () => {
    expect(dynamoGrantsOf(trainingId()).map((g) => g.action).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem']);
    const actions = statementsOfFunction(template, trainingId()).flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('events:') || a.startsWith('scheduler:') || a.startsWith('ses:'))).toEqual([]);
  });
});

describe('delivery', () => {
  it('gives the send queue a visibility timeout of 6x the dispatcher timeout', () => {
    const dispatcher = resourcesOfType(template, 'AWS::Lambda::Function')[dispatcherId()]!;
    const sendQueue = resourcesOfType(template, 'AWS::SQS::Queue')[sendQueueId()]!;
    expect(dispatcher.Properties?.Timeout).toBe(30);
    expect(sendQueue.Properties?.VisibilityTimeout).toBe(6 * 30);
  });

  it('dead-letters a send after 5 receives, into a queue that keeps it 14 days', () => {
    const dlqId = queueIdByOutput('SendDeadLetterQueueUrl');
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(resourcesOfType(template, 'AWS::SQS::Queue')[dlqId]!.Properties?.MessageRetentionPeriod).toBe(FOURTEEN_DAYS);
  });

  it('feeds the dispatcher batches of 10 within 1 s and accepts partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: dispatcherId() },
      EventSourceArn: { 'Fn::GetAtt': [sendQueueId(), 'Arn'] },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('bounds the dispatcher to 4 concurrent invocations (the sends are paced by a schedule they share) and lets it read the account\'s send rate', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: dispatcherId() },
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    const getAccount = statementsOfFunction(template, dispatcherId()).filter((s) => actionsOf(s).includes('ses:GetAccount'));
    // On "*" (GetAccount has no resource-level permission; CDK merges it with X-Ray's "*" statement).
    expect(getAccount.flatMap(resourcesOf)).toEqual(['*']);
  });

  it('counts held sends as the metric Nudge/SendsHeld, from the dispatcher\'s log line, for an alarm', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: `{ $.message = "${SEND_HELD_LOG_MESSAGE}" }`,
      MetricTransformations: [Match.objectLike({ MetricNamespace: 'Nudge', MetricName: 'SendsHeld', MetricValue: '1' })],
    });
  });

  it('paces to -c sesMaxSendRate when given (SES_MAX_SEND_RATE), and refuses a rate that is not a positive number', () => {
    const paced = synthTemplate({ sesMaxSendRate: '7' });
    paced.template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SES_MAX_SEND_RATE: '7' }) } });
    expect(() => synthTemplate({ sesMaxSendRate: '0' })).toThrow('sesMaxSendRate');
  });

  it('sends through a configuration set with reputation metrics and TLS required', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
  });

  it('lets the dispatcher call ses:SendEmail only on the sender identity and the configuration set', () => {
    const sesStatements = statementsOfFunction(template, dispatcherId()).filter((s) => actionsOf(s).some((a) => a.startsWith('ses:') && a !== 'ses:GetAccount'));
    expect(sesStatements).toHaveLength(1);
    const [statement] = sesStatements;
    expect(actionsOf(statement!)).toEqual(['ses:SendEmail']);
    const resources = JSON.stringify(resourcesOf(statement!));
    expect(resourcesOf(statement!)).toHaveLength(2);
    expect(resources).toContain(`":identity/",{"Ref":"${logicalIdOf('AWS::SES::EmailIdentity', {})}"}`);
    expect(resources).toContain(`":configuration-set/",{"Ref":"${logicalIdOf('AWS::SES::ConfigurationSet', {})}"}`);
    expect(resourcesOf(statement!)).not.toContain('*');
  });

  it('gives the dispatcher its table, sender and configuration set through its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: { Ref: logicalIdOf('AWS::DynamoDB::Table', {}) },
          SENDER_EMAIL: 'nudge@example.com',
          SES_CONFIGURATION_SET: { Ref: logicalIdOf('AWS::SES::ConfigurationSet', {}) },
          REPLY_TO_EMAIL: Match.absent(),
        }),
      },
      Timeout: 30,
    });
  });

  it('refuses to synthesize without a sender, naming the context keys that give one', () => {
    expect(() => synthTemplate({ senderEmail: undefined })).toThrow(/No sender: pass -c senderDomain=.* or -c senderEmail=/);
  });

  it('grants SendEmail on the account identities only in sandbox mode (SES also authorizes each verified recipient there)', () => {
    const sandbox = synthTemplate({ sesSandbox: 'true' }).template;
    const sendEmail = statementsOfFunction(sandbox, functionIdByEntry(sandbox, DISPATCHER_ENTRY)).find((statement) => actionsOf(statement).includes('ses:SendEmail'))!;
    expect(JSON.stringify(resourcesOf(sendEmail))).toContain(':identity/*');
    const production = statementsOfFunction(template, dispatcherId()).find((statement) => actionsOf(statement).includes('ses:SendEmail'))!;
    expect(JSON.stringify(resourcesOf(production))).not.toContain(':identity/*');
  });

  it('references an existing SES identity instead of creating it with importSenderIdentity', () => {
    const imported = synthTemplate({ senderDomain: 'shop.example.com', importSenderIdentity: 'true' }).template;
    imported.resourceCountIs('AWS::SES::EmailIdentity', 0);
    const sendEmail = statementsOfFunction(imported, functionIdByEntry(imported, DISPATCHER_ENTRY)).find((statement) => actionsOf(statement).includes('ses:SendEmail'))!;
    expect(JSON.stringify(resourcesOf(sendEmail))).toContain(':identity/shop.example.com');
  });

  it('verifies the senderEmail context as an email identity and sends from it, without the warning', () => {
    const configured = synthTemplate({ senderEmail: 'hello@shop.example.com' });
    configured.template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'hello@shop.example.com' });
    configured.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SENDER_EMAIL: 'hello@shop.example.com' }) },
    });
    configured.template.hasOutput('SenderEmail', { Value: 'hello@shop.example.com' });
    Annotations.fromStack(configured.stack).hasNoWarning('*', Match.stringLikeRegexp('senderEmail'));
  });

  it('verifies a senderDomain with Easy DKIM and sends from no-reply@ that domain', () => {
    const { template: domain } = synthTemplate({ senderDomain: 'shop.example.com' });
    domain.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'shop.example.com',
      DkimAttributes: { SigningEnabled: true },
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
    });
    domain.hasOutput('SenderEmail', { Value: 'no-reply@shop.example.com' });
    domain.hasOutput('SenderDkimRecord1', {});
  });

  it('refuses a senderEmail outside the senderDomain', () => {
    expect(() => synthTemplate({ senderDomain: 'shop.example.com', senderEmail: 'me@elsewhere.example.org' })).toThrow(/senderEmail/);
  });

  it('sets REPLY_TO_EMAIL only when replyToEmail is given', () => {
    const { template: withReplyTo } = synthTemplate({ replyToEmail: 'support@shop.example.com' });
    withReplyTo.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REPLY_TO_EMAIL: 'support@shop.example.com' }) },
    });
  });
});

describe('every queue', () => {
  it('is encrypted at rest (SSE-SQS)', () => {
    const queues = Object.values(resourcesOfType(template, 'AWS::SQS::Queue'));
    expect(queues.length).toBeGreaterThan(0);
    for (const queue of queues) expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
  });

  it('denies any access without TLS', () => {
    for (const queueId of Object.keys(resourcesOfType(template, 'AWS::SQS::Queue'))) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });
});

describe('reports', () => {
  const table = () => resourcesOfType(template, 'AWS::DynamoDB::Table')[tableId()]!;

  it('the table streams new and old images, which the rollup Lambda follows from the start, filtered to decisions, sends and conversions', () => {
    expect(table().Properties?.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const mapping = Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')).find((m) => JSON.stringify(m.Properties?.FunctionName) === JSON.stringify({ Ref: rollupsId() }));
    expect(mapping?.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [tableId(), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      // Gathered for up to a minute (reports lag at most about that): at the reference rate the
      // batches hold ~120 changes, so each counter item is written once per ~120 (ROLLUPS_STREAM_BATCHING).
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 60,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueIdByOutput('RollupsDeadLetterQueueUrl'), 'Arn'] } } },
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ dynamodb: { NewImage: { kind: { S: ['decision', 'send', 'conversion', 'profile'] } } } }) },
          { Pattern: JSON.stringify({ eventName: ['REMOVE'], dynamodb: { OldImage: { kind: { S: ['profile'] } } } }) },
        ],
      },
    });
    // The rollups' markers chain from the checkpoint: one delivery at a time per shard (update-rollups.ts).
    expect(mapping?.Properties?.ParallelizationFactor ?? 1).toBe(1);
  });

  it('takes the rollups\' batching window from the rollupsBatchingWindowSeconds context (0 to 300) and refuses others', () => {
    const windowOf = (context: Record<string, string>) => {
      const mappings = synthTemplate(context).template.findResources('AWS::Lambda::EventSourceMapping');
      const rollups = Object.values(mappings).find((m) => JSON.stringify(m.Properties?.EventSourceArn).includes('StreamArn'));
      return rollups?.Properties?.MaximumBatchingWindowInSeconds;
    };
    expect(windowOf({ rollupsBatchingWindowSeconds: '300' })).toBe(300);
    // The local stack invokes at once (docs/local-runtime.md): tests and replays read reports right after their events.
    expect(windowOf({ ...LOCAL_STACK_CONTEXT })).toBe(0);
    expect(() => synthTemplate({ rollupsBatchingWindowSeconds: '301' })).toThrow(/rollupsBatchingWindowSeconds/);
    expect(() => synthTemplate({ rollupsBatchingWindowSeconds: '-1' })).toThrow(/rollupsBatchingWindowSeconds/);
  });

  it('the rollup Lambda may only update and put items and read the table\'s stream; the report Lambda may only Query', () => {
    const streamActions = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];
    expect(dynamoGrantsOf(rollupsId()).filter((g) => !streamActions.includes(g.action)).map((g) => g.action).sort()).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    const streamReads = statementsOfFunction(template, rollupsId()).filter((st) => actionsOf(st).includes('dynamodb:GetRecords'));
    expect(streamReads.flatMap((st) => [st.Resource].flat())).toEqual([{ 'Fn::GetAtt': [tableId(), 'StreamArn'] }]);
    expect(dynamoGrantsOf(triggerPerformanceId()).map((g) => g.action)).toEqual(['dynamodb:Query']);
    expect(putEventsResourcesOf(triggerPerformanceId())).toEqual([]);
  });

  it('each other report Lambda reads only what it needs (only the segment experiment may Scan) and puts no events', () => {
    const grants = (entry: string) => dynamoGrantsOf(functionIdByEntry(template, entry)).map((g) => g.action).sort();
    expect(grants('functions/reports/segment-performance.ts')).toEqual(['dynamodb:Query']);
    expect(grants('functions/reports/attribution.ts')).toEqual(['dynamodb:Query']);
    expect(grants('functions/reports/behavior-patterns.ts')).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(grants('functions/reports/segment-optimizer.ts')).toEqual(['dynamodb:GetItem']);
    expect(grants('functions/reports/drift.ts')).toEqual(['dynamodb:GetItem']);
    expect(grants('functions/reports/incrementality.ts')).toEqual(['dynamodb:Query']);
    // The experiments report reads rollups and recorded winners; it never records one (the daily check does).
    expect(grants('functions/reports/experiments.ts')).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(grants(SEGMENT_EXPERIMENT_ENTRY)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:Scan']);
    for (const entry of [...OTHER_REPORT_ENTRIES, SEGMENT_EXPERIMENT_ENTRY]) expect(putEventsResourcesOf(functionIdByEntry(template, entry)), entry).toEqual([]);
  });

  it('runs the drift check daily at 05:00 UTC with 2 retries and its dead-letter queue; it may put events only on the Nudge bus', () => {
    const driftId = functionIdByEntry(template, DRIFT_CHECK_ENTRY);
    const rule = resourcesOfType(template, 'AWS::Events::Rule')[logicalIdOf('AWS::Events::Rule', { ScheduleExpression: 'cron(0 5 * * ? *)' })];
    expect(rule?.Properties?.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [driftId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: expect.anything() } }),
    ]);
    expect(putEventsResourcesOf(driftId)).toEqual([{ 'Fn::GetAtt': [busId(), 'Arn'] }]);
    expect(dynamoGrantsOf(driftId).map((g) => g.action).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
  });

  it('runs the experiment winner check daily at 06:00 UTC with 2 retries and its dead-letter queue; it reads rollups and writes only winners (no events)', () => {
    const checkId = functionIdByEntry(template, EXPERIMENT_CHECK_ENTRY);
    const rule = resourcesOfType(template, 'AWS::Events::Rule')[logicalIdOf('AWS::Events::Rule', { ScheduleExpression: 'cron(0 6 * * ? *)' })];
    expect(rule?.Properties?.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [checkId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: expect.anything() } }),
    ]);
    expect(putEventsResourcesOf(checkId)).toEqual([]);
    expect(dynamoGrantsOf(checkId).map((g) => g.action).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
  });
});

describe('every function', () => {
  const functions = () => Object.entries(resourcesOfType(template, 'AWS::Lambda::Function'));

  it('runs on arm64', () => {
    for (const [, fn] of functions()) expect(fn.Properties?.Architectures).toEqual(['arm64']);
  });

  it('runs Node.js 22 or newer', () => {
    for (const [, fn] of functions()) {
      const major = Number(/^nodejs(\d+)\.x$/.exec(String(fn.Properties?.Runtime))?.[1]);
      expect(major).toBeGreaterThanOrEqual(22);
    }
  });

  it('traces the daily jobs, reports and privacy requests actively, and the per-event and per-email functions as their caller samples (PassThrough)', () => {
    for (const [, fn] of functions()) {
      const entry = String(fn.Metadata?.['nudge:entry']);
      expect(fn.Properties?.TracingConfig, entry).toEqual({ Mode: isHotPath(entry) ? 'PassThrough' : 'Active' });
    }
    for (const entry of [INGEST_ENTRY, DISPATCHER_ENTRY, SES_EVENTS_ENTRY, TRACK_LINK_ENTRY, SEQUENCE_STEP_ENTRY, 'functions/reports/update-rollups.ts']) expect(isHotPath(entry), entry).toBe(true);
    for (const entry of [SWEEP_ENTRY, 'functions/scheduled/score-profiles.ts', 'functions/reports/attribution.ts', ERASE_ENTRY]) expect(isHotPath(entry), entry).toBe(false);
  });

  it('logs JSON into its own log group, kept 30 days by default', () => {
    for (const [, fn] of functions()) {
      const logGroupId = fn.Properties?.LoggingConfig?.LogGroup?.Ref as string;
      expect(fn.Properties?.LoggingConfig?.LogFormat).toBe('JSON');
      expect(resourcesOfType(template, 'AWS::Logs::LogGroup')[logGroupId]?.Properties?.RetentionInDays).toBe(30);
    }
  });

  it('keeps logs as long as logRetentionDays says, and refuses a value CloudWatch does not offer', () => {
    synthTemplate({ logRetentionDays: '90' }).template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    expect(() => synthTemplate({ logRetentionDays: '31' })).toThrow(/logRetentionDays/);
  });

  it('has the Powertools service name, and does not load source maps at a cold start unless asked (no NODE_OPTIONS)', () => {
    template.allResourcesProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'nudge' }) } });
    for (const [id, fn] of functions()) expect(fn.Properties?.Environment?.Variables?.NODE_OPTIONS, id).toBeUndefined();
  });

  it('has 256 MB unless it reads every profile (sweep, scoring, training, the segment experiment)', () => {
    for (const [id, fn] of functions()) {
      if (![sweepId(), scoringId(), scoringWorkerId(), trainingId(), experimentId()].includes(id)) expect(fn.Properties?.MemorySize, id).toBe(256);
    }
  });

  it('names its handler module in nudge:entry metadata, and the module exists', () => {
    const entries = functions().map(([, fn]) => fn.Metadata?.['nudge:entry']);
    expect(entries.sort()).toEqual(
      [DISPATCHER_ENTRY, INGEST_ENTRY, SWEEP_ENTRY, TIMERS_ENTRY, MODEL_EVENTS_ENTRY, NOTIFY_ACCOUNT_MANAGER_ENTRY, TRACK_LINK_ENTRY, SES_EVENTS_ENTRY, SEQUENCE_STEP_ENTRY, SEQUENCE_STARTER_ENTRY, SCORING_ENTRY, SCORING_WORKER_ENTRY, TRAINING_ENTRY, ROLLUPS_ENTRY, TRIGGER_PERFORMANCE_ENTRY, DRIFT_CHECK_ENTRY, EXPERIMENT_CHECK_ENTRY, SEGMENT_EXPERIMENT_ENTRY, ...OTHER_REPORT_ENTRIES, ERASE_ENTRY, EXPORT_ENTRY].sort(),
    );
    for (const entry of entries) expect(existsSync(join(PROJECT_ROOT, String(entry))), String(entry)).toBe(true);
  });

  it('has a role without AWS managed policies', () => {
    for (const [, fn] of functions()) {
      const roleId = fn.Properties?.Role['Fn::GetAtt'][0] as string;
      expect(resourcesOfType(template, 'AWS::IAM::Role')[roleId]?.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('uses a "*" resource only for the X-Ray actions (and the stream mapping\'s ListStreams, the dispatcher\'s GetAccount), which have no resource-level permissions', () => {
    for (const [id] of functions()) {
      const wildcard = statementsOfFunction(template, id).filter((s) => resourcesOf(s).includes('*'));
      const expected = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments', ...(id === rollupsId() ? ['dynamodb:ListStreams'] : []), ...(privacyIds().includes(id) ? ['scheduler:ListSchedules'] : []), ...(id === dispatcherId() ? ['ses:GetAccount'] : [])].sort();
      expect(wildcard.flatMap(actionsOf).sort(), id).toEqual(expected);
    }
  });
});

describe('stack', () => {
  it('publishes the outputs the local runtime, the CLI and the tests look up', () => {
    for (const name of [
      'StackName',
      'EventBusName',
      'EventBusArn',
      'TableName',
      'SendQueueUrl',
      'SendDeadLetterQueueUrl',
      'RejectedEventsQueueUrl',
      'IngestDeadLetterQueueUrl',
      'SweepFunctionName',
      'SweepScheduleRuleName',
      'SweepDeadLetterQueueUrl',
      'ScoringFunctionName',
      'ScoringScheduleRuleName',
      'ScoringQueueUrl',
      'ScoringDeadLetterQueueUrl',
      'TriggerPerformanceReportFunctionName',
      'RollupsDeadLetterQueueUrl',
      'TrainingFunctionName',
      'SesEventsFunctionName',
      'SequenceStateMachineArn',
      'SequencesDeadLetterQueueUrl',
      'SesEventsDeadLetterQueueUrl',
      'ConfigurationSetName',
      'SenderEmail',
    ]) {
      template.hasOutput(name, {});
    }
  });

  it('is named Nudge by default and after the stackName context otherwise', () => {
    expect(stack.stackName).toBe('Nudge');
    const renamed = synthTemplate({ stackName: 'NudgeStaging' });
    expect(renamed.stack.stackName).toBe('NudgeStaging');
    renamed.template.hasOutput('StackName', { Value: 'NudgeStaging' });
  });
});

describe('triggers: one-time schedules, timers and model events', () => {
  const roleStatements = (roleId: string) =>
    Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties?.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleId))
      .flatMap((policy) => policy.Properties?.PolicyDocument.Statement as Array<Record<string, any>>);
  const schedulerRoleId = () => logicalIdOf('AWS::IAM::Role', { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })] }) });

  it('the scheduler role may only send to the send queue and the triggers DLQ, and invoke the timers function', () => {
    const statements = roleStatements(schedulerRoleId());
    expect(statements.map((s) => [actionsOf(s).join(','), resourcesOf(s)])).toEqual([
      ['sqs:SendMessage', [{ 'Fn::GetAtt': [sendQueueId(), 'Arn'] }, { 'Fn::GetAtt': [queueIdByOutput('TriggersDeadLetterQueueUrl'), 'Arn'] }]],
      ['lambda:InvokeFunction', [{ 'Fn::GetAtt': [functionIdByEntry(template, TIMERS_ENTRY), 'Arn'] }]],
    ]);
  });

  it('is assumed by EventBridge Scheduler for this account only', () => {
    const role = resourcesOfType(template, 'AWS::IAM::Role')[schedulerRoleId()];
    expect(role?.Properties?.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
  });

  it.each([
    ['ingest', INGEST_ENTRY],
    ['sweep', SWEEP_ENTRY],
    ['timers', TIMERS_ENTRY],
    ['model events', MODEL_EVENTS_ENTRY],
  ])('%s may create schedules only in the Nudge group, and pass only the scheduler role, only to Scheduler', (_name, entry) => {
    const statements = statementsOfFunction(template, functionIdByEntry(template, entry));
    const create = statements.filter((s) => actionsOf(s).includes('scheduler:CreateSchedule'));
    expect(create).toHaveLength(1);
    expect(JSON.stringify(resourcesOf(create[0]!))).toContain(':schedule/');
    expect(actionsOf(create[0]!)).toEqual(['scheduler:CreateSchedule']);
    const pass = statements.filter((s) => actionsOf(s).includes('iam:PassRole'));
    expect(pass.map((s) => [resourcesOf(s), s.Condition])).toEqual([
      [[{ 'Fn::GetAtt': [schedulerRoleId(), 'Arn'] }], { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } }],
    ]);
  });

  it('the model-events function hears exactly the model event types of the predictive rules and the segment events of the segment rules, from source nudge', () => {
    const modelEvents = functionIdByEntry(template, MODEL_EVENTS_ENTRY);
    const rules = Object.values(resourcesOfType(template, 'AWS::Events::Rule')).filter((rule) =>
      (rule.Properties?.Targets as Array<{ Arn: unknown }>).some((target) => JSON.stringify(target.Arn) === JSON.stringify({ 'Fn::GetAtt': [modelEvents, 'Arn'] })),
    );
    expect(rules.map((rule) => rule.Properties?.EventPattern)).toEqual([
      { source: ['nudge'], 'detail-type': ['ChurnRiskChanged', 'PurchaseIntentChanged'] },
      // segment_entry_campaign listens to every segment it may enter (its conditions pick critical and high ones).
      { source: ['nudge'], 'detail-type': ['SegmentEntered'] },
    ]);
  });

  it('the segment-events pattern names segments only when every active segment rule does', () => {
    const rule = (id: string, trigger: TriggerRule['trigger'], active = true) => ({ id, active, trigger }) as TriggerRule;
    expect(segmentEventPattern([rule('a', { type: 'behavioral', eventType: 'purchase' })])).toBeUndefined();
    expect(segmentEventPattern([rule('a', { type: 'segment', on: 'entered', segmentIds: ['x'] }, false)])).toBeUndefined();
    expect(
      segmentEventPattern([rule('a', { type: 'segment', on: 'exited', segmentIds: ['y', 'x'] }), rule('b', { type: 'segment', on: 'entered', segmentIds: ['x'] })]),
    ).toEqual({ detailType: ['SegmentEntered', 'SegmentExited'], detail: { segmentId: ['x', 'y'] } });
    expect(segmentEventPattern([rule('a', { type: 'segment', on: 'entered', segmentIds: ['x'] }), rule('b', { type: 'segment', on: 'entered' })])).toEqual({
      detailType: ['SegmentEntered'],
    });
  });

  it('the dispatcher never gets schedule or pass-role rights', () => {
    const actions = statementsOfFunction(template, dispatcherId()).flatMap(actionsOf);
    expect(actions.filter((action) => action.startsWith('scheduler:') || action === 'iam:PassRole')).toEqual([]);
  });
});

describe('tracking: the link endpoints and their secret', () => {
  const linksId = () => functionIdByEntry(template, TRACK_LINK_ENTRY);
  const secretId = () => logicalIdOf('AWS::SecretsManager::Secret', {});

  it('the link secret is generated at deploy (never in the template) and readable only by the link function and the dispatcher', () => {
    const secret = resourcesOfType(template, 'AWS::SecretsManager::Secret')[secretId()];
    expect(secret?.Properties?.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    expect(secret?.Properties?.SecretString).toBeUndefined();
    const readers = Object.keys(resourcesOfType(template, 'AWS::Lambda::Function')).filter((id) =>
      statementsOfFunction(template, id).some((s) => actionsOf(s).includes('secretsmanager:GetSecretValue') && JSON.stringify(resourcesOf(s)).includes(secretId())),
    );
    expect(readers.sort()).toEqual([dispatcherId(), linksId()].sort());
  });

  it('serves a public Function URL (every request carries a signed token) and may only put events on the Nudge bus', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [linksId(), 'Arn'] } });
    expect(putEventsResourcesOf(linksId())).toEqual([{ 'Fn::GetAtt': [busId(), 'Arn'] }]);
  });

  it('may read the table only with GetItem, on the table itself, in customer partitions (the preference center reads the live profile) and erasure tombstones', () => {
    const tableStatements = statementsOfFunction(template, linksId()).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(tableStatements).toHaveLength(1);
    expect(actionsOf(tableStatements[0]!)).toEqual(['dynamodb:GetItem']);
    expect(resourcesOf(tableStatements[0]!)).toEqual([{ 'Fn::GetAtt': [logicalIdOf('AWS::DynamoDB::Table', {}), 'Arn'] }]);
    expect(tableStatements[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['C#*', 'ERASED#*'] } });
    const links = resourcesOfType(template, 'AWS::Lambda::Function')[linksId()];
    expect(links?.Properties?.Environment.Variables).toMatchObject({ TABLE_NAME: { Ref: logicalIdOf('AWS::DynamoDB::Table', {}) } });
  });

  it('gives the dispatcher the link base URL and the secret ARN', () => {
    const dispatcher = resourcesOfType(template, 'AWS::Lambda::Function')[dispatcherId()];
    expect(dispatcher?.Properties?.Environment.Variables).toMatchObject({
      TRACKING_BASE_URL: { 'Fn::GetAtt': [logicalIdOf('AWS::Lambda::Url', {}), 'FunctionUrl'] },
      LINK_SECRET_ARN: { Ref: secretId() },
    });
  });

  it('advertises a mailto unsubscribe only when the unsubscribeMailbox setting says a mailbox is read', () => {
    // Nothing reads a mailbox by default (no SES inbound rules): the one-click https link is the unsubscribe.
    expect(resourcesOfType(template, 'AWS::Lambda::Function')[dispatcherId()]?.Properties?.Environment.Variables).not.toHaveProperty('UNSUBSCRIBE_MAILBOX');
    const { template: withMailbox } = synthTemplate({ unsubscribeMailbox: 'unsubscribe@shop.example.com' });
    const dispatcher = resourcesOfType(withMailbox, 'AWS::Lambda::Function')[functionIdByEntry(withMailbox, DISPATCHER_ENTRY)];
    expect(dispatcher?.Properties?.Environment.Variables).toMatchObject({ UNSUBSCRIBE_MAILBOX: 'unsubscribe@shop.example.com' });
  });
});

describe('SES events: the configuration set publishes to EventBridge, a default-bus rule feeds the SES events function', () => {
  const sesEventsId = () => functionIdByEntry(template, SES_EVENTS_ENTRY);
  const configurationSetId = () => logicalIdOf('AWS::SES::ConfigurationSet', {});
  const sesRuleId = () => logicalIdOf('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['aws.ses'] }) });
  const DETAIL_TYPES = ['Email Delivered', 'Email Bounced', 'Email Complaint Received', 'Email Rejected', 'Email Rendering Failed'];

  it("publishes delivery, bounce, complaint, reject and rendering-failure events of Nudge's configuration set to the default bus (opens and clicks come from Nudge's links)", () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: configurationSetId() },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['delivery', 'bounce', 'complaint', 'reject', 'renderingFailure'],
        EventBridgeDestination: {
          EventBusArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']] },
        },
      },
    });
  });

  it("the rule sits on the default bus and matches exactly those SES detail-types, only for Nudge's configuration set", () => {
    const rule = resourcesOfType(template, 'AWS::Events::Rule')[sesRuleId()]!;
    expect(rule.Properties?.EventBusName).toBeUndefined();
    expect(rule.Properties?.EventPattern).toEqual({
      source: ['aws.ses'],
      'detail-type': DETAIL_TYPES,
      detail: { mail: { tags: { 'ses:configuration-set': [{ Ref: configurationSetId() }] } } },
    });
  });

  it('targets the SES events function with 24 h / 185 retries and the SES events DLQ; failed invocations go to the same DLQ after 2 retries', () => {
    const dlqArn = { 'Fn::GetAtt': [queueIdByOutput('SesEventsDeadLetterQueueUrl'), 'Arn'] };
    const rule = resourcesOfType(template, 'AWS::Events::Rule')[sesRuleId()]!;
    expect(rule.Properties?.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [sesEventsId(), 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: dlqArn },
      }),
    ]);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: sesEventsId() },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: dlqArn } },
    });
    const dlq = resourcesOfType(template, 'AWS::SQS::Queue')[queueIdByOutput('SesEventsDeadLetterQueueUrl')];
    expect(dlq?.Properties?.MessageRetentionPeriod).toBe(FOURTEEN_DAYS);
  });

  it('may only use table items (no scan, no delete), put events on the Nudge bus, and send to its own DLQ', () => {
    expect(dynamoGrantsOf(sesEventsId())).toEqual(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].map((action) => ({ action, resources: [{ 'Fn::GetAtt': [tableId(), 'Arn'] }] })),
    );
    expect(putEventsResourcesOf(sesEventsId())).toEqual([{ 'Fn::GetAtt': [busId(), 'Arn'] }]);
    const others = statementsOfFunction(template, sesEventsId())
      .flatMap(actionsOf)
      .filter((action) => !action.startsWith('dynamodb:') && !action.startsWith('events:') && !action.startsWith('xray:') && !action.startsWith('logs:'));
    expect([...new Set(others)].sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    const sqsResources = statementsOfFunction(template, sesEventsId())
      .filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')))
      .flatMap(resourcesOf);
    expect(sqsResources).toEqual([{ 'Fn::GetAtt': [queueIdByOutput('SesEventsDeadLetterQueueUrl'), 'Arn'] }]);
  });

  it('gets the table, the Nudge bus and the link base URL (to leave clicks on Nudge links to the link endpoints)', () => {
    const fn = resourcesOfType(template, 'AWS::Lambda::Function')[sesEventsId()];
    expect(fn?.Properties?.Environment.Variables).toMatchObject({
      TABLE_NAME: { Ref: tableId() },
      EVENT_BUS_NAME: { Ref: busId() },
      TRACKING_BASE_URL: { 'Fn::GetAtt': [logicalIdOf('AWS::Lambda::Url', {}), 'FunctionUrl'] },
    });
  });
});
