import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EncryptedQueue, INSPECTION_RETENTION } from './encrypted-queue.ts';
import { NudgeFunction } from './nudge-function.ts';
import { TABLE_NAME_ENV, type NudgeStorage } from './storage.ts';

export const ROLLUPS_ENTRY = 'functions/reports/update-rollups.ts';
export const TRIGGER_PERFORMANCE_ENTRY = 'functions/reports/trigger-performance.ts';
/** The items whose changes count in the rollups and aggregates; every other change never invokes the function. */
export const ROLLUP_SOURCE_KINDS = ['decision', 'send', 'conversion', 'profile'] as const;

export type NudgeReportsProps = { storage: NudgeStorage; logRetention: logs.RetentionDays };

/**
 * What the automation earns, and how to read it:
 * - the **rollup Lambda** follows the table's stream (filtered to decisions, sends and conversions)
 *   and keeps daily rollups per rule and sequence step. Batches of up to 100 changes; a failed write
 *   answers with the first change of the failed group (partial batch response) so nothing is
 *   counted twice; a batch still failing after 3 retries (bisected first) goes to a dead-letter
 *   queue with its stream position, for inspection;
 * - **report Lambdas** read only the rollups (Query), never profiles or raw records, so a report's
 *   time does not grow with the number of customers. Invoke them with `aws lambda invoke` or
 *   `nudge report <name>`; both return the same JSON.
 */
export class NudgeReports extends Construct {
  readonly rollups: NudgeFunction;
  readonly rollupsDeadLetterQueue: EncryptedQueue;
  readonly triggerPerformance: NudgeFunction;

  constructor(scope: Construct, id: string, props: NudgeReportsProps) {
    super(scope, id);
    const { table } = props.storage;

    this.rollupsDeadLetterQueue = new EncryptedQueue(this, 'RollupsDeadLetterQueue', { retentionPeriod: INSPECTION_RETENTION });
    Validations.of(this.rollupsDeadLetterQueue.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is itself the on-failure destination of the rollup stream mapping; cdk-nag only recognises queues named in another queue\'s redrive policy.',
    });
    this.rollups = new NudgeFunction(this, 'Rollups', {
      entry: ROLLUPS_ENTRY,
      description: 'Keeps the daily report rollups per rule and sequence step from the table stream (decisions, sends, conversions)',
      timeout: Duration.minutes(1),
      logRetention: props.logRetention,
      wildcardActions: { actions: ['dynamodb:ListStreams'], why: 'the stream event source lists the table\'s streams, and its reads are scoped to this table\'s stream' },
    });
    this.rollups.addEnvironment(TABLE_NAME_ENV, table.tableName);
    // Only rollup items are written (TransactWriteItems of Updates needs UpdateItem on the table).
    this.rollups.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [table.tableArn] }));
    this.rollups.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(5),
        bisectBatchOnError: true,
        retryAttempts: 3,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.rollupsDeadLetterQueue),
        filters: [
          lambda.FilterCriteria.filter({ dynamodb: { NewImage: { kind: { S: lambda.FilterRule.or(...ROLLUP_SOURCE_KINDS) } } } }),
          // A deleted profile (erase, TTL) leaves the live segment statistics: only its old image says what it was.
          lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('REMOVE'), dynamodb: { OldImage: { kind: { S: lambda.FilterRule.isEqual('profile') } } } }),
        ],
      }),
    );

    this.triggerPerformance = new NudgeFunction(this, 'TriggerPerformance', {
      entry: TRIGGER_PERFORMANCE_ENTRY,
      description: 'Report: per rule and sequence step, matched, fired, suppressed by reason, sent, delivered, opened, clicked, converted, revenue and rates (30 days, all time)',
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
    });
    this.triggerPerformance.addEnvironment(TABLE_NAME_ENV, table.tableName);
    this.triggerPerformance.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [table.tableArn] }));
  }
}
