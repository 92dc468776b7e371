import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { EncryptedQueue, INSPECTION_RETENTION } from './encrypted-queue.ts';
import type { NudgeEventBus } from './event-bus.ts';
import { NudgeFunction } from './nudge-function.ts';
import { TABLE_NAME_ENV, type NudgeStorage } from './storage.ts';

export const ROLLUPS_ENTRY = 'functions/reports/update-rollups.ts';
export const TRIGGER_PERFORMANCE_ENTRY = 'functions/reports/trigger-performance.ts';
export const DRIFT_CHECK_ENTRY = 'functions/scheduled/check-drift.ts';
/** Daily at 05:00 UTC, after the sweep (03:00) and the scoring (04:00) have moved segments and scores. */
export const DRIFT_CHECK_SCHEDULE = events.Schedule.cron({ minute: '0', hour: '5' });

/**
 * The report Lambdas besides trigger performance: entry, what it answers, and what it reads. Only
 * the segment experiment scans profiles (its criteria are ad hoc); the others Query or Get rollups.
 */
export const REPORT_FUNCTIONS = {
  SegmentPerformance: { report: 'segment-performance', entry: 'functions/reports/segment-performance.ts', description: 'Report: each segment against its control group (everyone else mailed): rates, lifts, significance, advice', actions: ['dynamodb:Query'] },
  Attribution: { report: 'attribution', entry: 'functions/reports/attribution.ts', description: 'Report: conversions credited per campaign under five attribution models, with ROI', actions: ['dynamodb:Query'] },
  BehaviorPatterns: { report: 'behavior-patterns', entry: 'functions/reports/behavior-patterns.ts', description: 'Report: engagement distribution, behaviors, transitions, categories, activity by hour and weekday, insights', actions: ['dynamodb:Query', 'dynamodb:GetItem'] },
  SegmentOptimizer: { report: 'segment-optimizer', entry: 'functions/reports/segment-optimizer.ts', description: 'Report: segment sizes and engagement with advice', actions: ['dynamodb:GetItem'] },
  SegmentExperiment: { report: 'segment-experiment', entry: 'functions/reports/segment-experiment.ts', description: 'Report: a segment A/B test of two definitions over the profiles (parallel Scan of the profiles index)', actions: [] },
  Drift: { report: 'drift', entry: 'functions/reports/drift.ts', description: 'Report: the latest daily segment drift check', actions: ['dynamodb:GetItem'] },
  Incrementality: { report: 'incrementality', entry: 'functions/reports/incrementality.ts', description: 'Report: incremental conversions and revenue of each rule with a holdout, treated against control, with intervals and verdicts', actions: ['dynamodb:Query'] },
  Experiments: { report: 'experiments', entry: 'functions/reports/experiments.ts', description: 'Report: content and send-time experiments, each variant against its control with significance, and recorded winners', actions: ['dynamodb:Query', 'dynamodb:GetItem'] },
} as const;
export type ReportFunctionId = keyof typeof REPORT_FUNCTIONS;
/** The items whose changes count in the rollups and aggregates; every other change never invokes the function. */
export const ROLLUP_SOURCE_KINDS = ['decision', 'send', 'conversion', 'profile'] as const;

/**
 * The rollups' stream mapping: how long a partial batch waits for more records, and the most records
 * an invocation takes. The rollups write each counter item once per group of changes, and every
 * write is a transactional one (2 WRU per KB), so their cost follows the batch size: at the
 * reference rate (~3.9 events/s, ~2.1 stream records an event, spread over 4 shards) a 5 s window
 * gave batches of ~10 records, 60 s gives ~120 (reference mix, bench/rollup-units.ts: 5,270 -> 1,060
 * WRU per 1,000 events). Reports then lag the events by at most about a minute. BatchSize only caps
 * bursts (at 1,000 a group's marker stays ~9 KB and an invocation well inside its timeout).
 */
export const ROLLUPS_STREAM_BATCHING = { batchSize: 1000, maxBatchingWindowSeconds: 60 } as const;

export type NudgeReportsProps = {
  storage: NudgeStorage;
  eventBus: NudgeEventBus;
  logRetention: logs.RetentionDays;
  /** Parallel Scan segments of the segment experiment (`SWEEP_SCAN_SEGMENTS`). */
  scanSegments: number;
  /** The rollups' stream mapping's MaximumBatchingWindowInSeconds (context `rollupsBatchingWindowSeconds`). */
  rollupsBatchingWindowSeconds?: number;
};

/**
 * What the automation earns, and how to read it:
 * - the **rollup Lambda** follows the table's stream (filtered to decisions, sends and conversions)
 *   and keeps daily rollups per rule and sequence step. Batches gathered for up to 60 s (up to 1,000
 *   changes, ROLLUPS_STREAM_BATCHING); a failed write
 *   answers with the first change of the failed group (partial batch response) so nothing is
 *   counted twice; a batch still failing after 3 retries (bisected first) goes to a dead-letter
 *   queue with its stream position, for inspection. One delivery at a time per shard
 *   (ParallelizationFactor 1, the default): the groups' markers are a chain from the checkpoint
 *   (shared/services/update-rollups.ts);
 * - **report Lambdas** read only the rollups (Query), never profiles or raw records, so a report's
 *   time does not grow with the number of customers. Invoke them with `aws lambda invoke` or
 *   `nudge report <name>`; both return the same JSON.
 */
export class NudgeReports extends Construct {
  readonly rollups: NudgeFunction;
  readonly rollupsDeadLetterQueue: EncryptedQueue;
  readonly triggerPerformance: NudgeFunction;
  readonly reportFunctions: Record<ReportFunctionId, NudgeFunction>;
  readonly driftCheck: NudgeFunction;
  readonly driftCheckRule: events.Rule;
  readonly driftDeadLetterQueue: EncryptedQueue;

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
    // Only rollup items and the conversion log are written (TransactWriteItems of Updates and Puts).
    this.rollups.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem', 'dynamodb:PutItem'], resources: [table.tableArn] }));
    this.rollups.function.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: ROLLUPS_STREAM_BATCHING.batchSize,
        maxBatchingWindow: Duration.seconds(props.rollupsBatchingWindowSeconds ?? ROLLUPS_STREAM_BATCHING.maxBatchingWindowSeconds),
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

    this.reportFunctions = Object.fromEntries(
      Object.entries(REPORT_FUNCTIONS).map(([id, { entry, description, actions }]) => {
        const fn = new NudgeFunction(this, id, {
          entry,
          description,
          // The experiment reads every profile; the others answer in seconds.
          timeout: id === 'SegmentExperiment' ? Duration.minutes(5) : Duration.seconds(30),
          ...(id === 'SegmentExperiment' ? { memorySize: 1024, environment: { SWEEP_SCAN_SEGMENTS: String(props.scanSegments) } } : {}),
          logRetention: props.logRetention,
        });
        fn.addEnvironment(TABLE_NAME_ENV, table.tableName);
        if (actions.length > 0) fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...actions], resources: [table.tableArn] }));
        // The experiment reads every profile: Scan of the profiles index, BatchGetItem of the profiles (reads only).
        if (id === 'SegmentExperiment') props.storage.grantProfilePass(fn);
        return [id, fn];
      }),
    ) as Record<ReportFunctionId, NudgeFunction>;

    // The daily drift check: snapshots and compares segment statistics, stores the report, emits SegmentDriftDetected.
    this.driftDeadLetterQueue = new EncryptedQueue(this, 'DriftDeadLetterQueue', { retentionPeriod: INSPECTION_RETENTION });
    Validations.of(this.driftDeadLetterQueue.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is itself the dead-letter queue of the drift check schedule target and the on-failure destination of the function; cdk-nag only recognises queues named in another queue\'s redrive policy.',
    });
    this.driftCheck = new NudgeFunction(this, 'DriftCheck', {
      entry: DRIFT_CHECK_ENTRY,
      description: 'Daily drift check: each segment\'s composition and email results against their baselines; SegmentDriftDetected on the bus',
      timeout: Duration.minutes(2),
      logRetention: props.logRetention,
    });
    this.driftCheck.addEnvironment(TABLE_NAME_ENV, table.tableName);
    this.driftCheck.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem'], resources: [table.tableArn] }));
    props.eventBus.grantPutEvents(this.driftCheck);
    this.driftCheck.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.driftDeadLetterQueue) });
    this.driftCheckRule = new events.Rule(this, 'DriftCheckSchedule', { description: 'Runs the segment drift check daily at 05:00 UTC', schedule: DRIFT_CHECK_SCHEDULE });
    this.driftCheckRule.addTarget(new targets.LambdaFunction(this.driftCheck.function, { retryAttempts: 2, deadLetterQueue: this.driftDeadLetterQueue }));
  }
}
