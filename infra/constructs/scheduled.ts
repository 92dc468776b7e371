import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EncryptedQueue, INSPECTION_RETENTION } from './encrypted-queue.ts';
import type { NudgeEventBus } from './event-bus.ts';
import { NudgeFunction } from './nudge-function.ts';
import type { NudgeStorage } from './storage.ts';
import type { NudgeTriggers } from './triggers.ts';

export const SWEEP_ENTRY = 'functions/scheduled/sweep-profiles.ts';
export const SCORING_ENTRY = 'functions/scheduled/score-profiles.ts';
export const SCORING_WORKER_ENTRY = 'functions/scheduled/score-segment.ts';
export const SCORING_QUEUE_URL_ENV = 'SCORING_QUEUE_URL';
/** Workers scoring at once: enough for 10 million profiles in well under an hour, few enough to leave the table's capacity to ingest. */
export const SCORING_MAX_WORKERS = 32;
/** A segment task is retried twice (a task redoes its pages idempotently), then dead-lettered. */
const SCORING_MAX_RECEIVES = 3;
export const TRAINING_ENTRY = 'functions/scheduled/train-models.ts';
/** Weekly, Sunday 02:00 UTC, before the day's sweep and scoring: the week's scores come from the new model. */
export const TRAINING_SCHEDULE = events.Schedule.cron({ minute: '0', hour: '2', weekDay: 'SUN' });
/** Daily at 04:00 UTC, after the sweep: scores read the day's time-based state. */
export const SCORING_SCHEDULE = events.Schedule.cron({ minute: '0', hour: '4' });
export const SWEEP_SCAN_SEGMENTS_ENV = 'SWEEP_SCAN_SEGMENTS';

/**
 * Daily at 03:00 UTC (`cron(0 3 * * ? *)`). Time-based conditions count whole days, so once a day is
 * enough; a fixed hour means "days since last activity" moves by exactly one between two sweeps.
 */
export const SWEEP_SCHEDULE = events.Schedule.cron({ minute: '0', hour: '3' });
/** Lambda's maximum: a sweep reads every profile, and one interrupted half-way is simply retried. */
export const SWEEP_TIMEOUT = Duration.minutes(15);
/** More memory is more CPU and network for the parallel Scan segments and the batch writes. */
export const SWEEP_MEMORY_MB = 1024;

export type NudgeScheduledProps = {
  eventBus: NudgeEventBus;
  storage: NudgeStorage;
  /** The sweep decides temporal rules (inactivity, anniversaries) through the shared decision path. */
  triggers: NudgeTriggers;
  logRetention: logs.RetentionDays;
  /** Parallel Scan segments of the sweep (`SWEEP_SCAN_SEGMENTS`). */
  scanSegments: number;
};

/**
 * Work that runs on a clock rather than on an event: the daily **profile sweep**.
 *
 * Segment conditions that depend only on time passing (days since last activity, `at_risk`,
 * `churned`) change without any event arriving, so ingest never sees them change. The sweep scans
 * every profile once a day, re-evaluates those conditions, updates segment-membership items and puts
 * the resulting internal events (`SegmentEntered`/`SegmentExited`, `LifecycleStageChanged`, ...) on
 * the Nudge bus.
 *
 * - The **schedule rule** lives on the **default bus**: EventBridge schedule rules can only be
 *   created there (a custom bus accepts only event-pattern rules).
 * - **No run is lost silently**: EventBridge retries the invocation twice and then writes the
 *   scheduled event to the **dead-letter queue**; a sweep that runs and throws is retried twice by
 *   Lambda (async) and then sent to the same queue as an **on-failure destination**. A failed day is
 *   also covered by the next day's sweep, which re-evaluates every profile from scratch.
 * - IAM: `dynamodb:Scan` on the sparse `profiles` index only (never the table, never the hot path)
 *   and BatchGetItem of the profiles, with the item and membership writes, and `events:PutEvents`
 *   on the Nudge bus only.
 */
export class NudgeScheduled extends Construct {
  readonly sweep: NudgeFunction;
  readonly sweepRule: events.Rule;
  readonly scoring: NudgeFunction;
  readonly scoringRule: events.Rule;
  readonly scoringWorker: NudgeFunction;
  readonly scoringQueue: EncryptedQueue;
  readonly scoringDeadLetterQueue: EncryptedQueue;
  readonly training: NudgeFunction;
  readonly trainingRule: events.Rule;
  readonly deadLetterQueue: EncryptedQueue;

  constructor(scope: Construct, id: string, props: NudgeScheduledProps) {
    super(scope, id);

    this.deadLetterQueue = new EncryptedQueue(this, 'DeadLetterQueue', { retentionPeriod: INSPECTION_RETENTION });
    Validations.of(this.deadLetterQueue.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This is itself the dead-letter queue of the sweep and scoring schedule targets and the on-failure destination of both functions; cdk-nag only recognises queues named in another queue\'s redrive policy.',
    });

    this.sweep = new NudgeFunction(this, 'Sweep', {
      entry: SWEEP_ENTRY,
      description: 'Daily sweep: re-evaluates time-based segment conditions and lifecycle stages of every profile, emits the changes',
      timeout: SWEEP_TIMEOUT,
      memorySize: SWEEP_MEMORY_MB,
      logRetention: props.logRetention,
      environment: { [SWEEP_SCAN_SEGMENTS_ENV]: String(props.scanSegments) },
    });
    props.storage.grantItemAccess(this.sweep, { membershipWrites: true, decisionRecords: true, profilePass: true });
    props.eventBus.grantPutEvents(this.sweep);
    props.triggers.grantDecisions(this.sweep);
    this.sweep.function.configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    this.sweepRule = new events.Rule(this, 'SweepSchedule', {
      description: 'Runs the profile sweep daily at 03:00 UTC',
      schedule: SWEEP_SCHEDULE,
    });
    this.sweepRule.addTarget(
      new targets.LambdaFunction(this.sweep.function, {
        retryAttempts: 2,
        deadLetterQueue: this.deadLetterQueue,
      }),
    );

    // Predictive scoring, fanned out: the scheduled planner samples the value cut points and queues
    // one task per Scan segment; workers (SQS, one task at a time each, at most SCORING_MAX_WORKERS)
    // score their segment and queue the rest of it when an invocation runs short of time.
    this.scoringDeadLetterQueue = new EncryptedQueue(this, 'ScoringDeadLetterQueue', { retentionPeriod: INSPECTION_RETENTION });
    this.scoringQueue = new EncryptedQueue(this, 'ScoringQueue', {
      // Lambda's advice for SQS sources: six times the function timeout, so a slow task is not redelivered while it runs.
      visibilityTimeout: Duration.seconds(SWEEP_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.scoringDeadLetterQueue, maxReceiveCount: SCORING_MAX_RECEIVES },
    });
    this.scoring = new NudgeFunction(this, 'Scoring', {
      entry: SCORING_ENTRY,
      description: 'Daily predictive scoring, planner: samples the value cut points, records the run, queues one task per Scan segment',
      timeout: Duration.minutes(5),
      memorySize: SWEEP_MEMORY_MB,
      logRetention: props.logRetention,
      environment: { [SCORING_QUEUE_URL_ENV]: this.scoringQueue.queueUrl },
    });
    props.storage.grantItemAccess(this.scoring, { profilePass: true });
    // DescribeTable: the table's item count sizes the fan-out.
    // (BatchGetItem, granted with the profile pass, also reads the models in use, one item per kind, in one request.)
    this.scoring.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:DescribeTable'], resources: [props.storage.table.tableArn] }));
    this.scoringQueue.grantSendMessages(this.scoring.function);
    this.scoring.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetterQueue) });
    this.scoringRule = new events.Rule(this, 'ScoringSchedule', {
      description: 'Runs the predictive scoring daily at 04:00 UTC',
      schedule: SCORING_SCHEDULE,
    });
    this.scoringRule.addTarget(new targets.LambdaFunction(this.scoring.function, { retryAttempts: 2, deadLetterQueue: this.deadLetterQueue }));

    this.scoringWorker = new NudgeFunction(this, 'ScoringWorker', {
      entry: SCORING_WORKER_ENTRY,
      description: 'Predictive scoring worker: every prediction of the profiles of one Scan segment; model events on threshold crossings',
      timeout: SWEEP_TIMEOUT,
      memorySize: SWEEP_MEMORY_MB,
      logRetention: props.logRetention,
      environment: { [SCORING_QUEUE_URL_ENV]: this.scoringQueue.queueUrl },
    });
    // Membership writes: the predictive segments' transitions are recorded as the run scores.
    props.storage.grantItemAccess(this.scoringWorker, { profilePass: true, membershipWrites: true });
    // Training snapshots are read back per customer, and the run's segments (Query on one partition).
    this.scoringWorker.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [props.storage.table.tableArn] }));
    props.eventBus.grantPutEvents(this.scoringWorker);
    // Continuations: the rest of a segment goes back on the queue.
    this.scoringQueue.grantSendMessages(this.scoringWorker.function);
    this.scoringWorker.function.addEventSource(new SqsEventSource(this.scoringQueue, { batchSize: 1, maxConcurrency: SCORING_MAX_WORKERS }));

    // Churn training: reads the labelled snapshots (a Scan of their sparse index) and the profiles, writes the model and the training report.
    this.training = new NudgeFunction(this, 'Training', {
      entry: TRAINING_ENTRY,
      description: 'Weekly training: churn, purchase intent and value models from the labelled snapshots (kept only if they beat their heuristics on a time-based holdout), content interests from the profiles',
      timeout: SWEEP_TIMEOUT,
      memorySize: SWEEP_MEMORY_MB,
      logRetention: props.logRetention,
      environment: { [SWEEP_SCAN_SEGMENTS_ENV]: String(props.scanSegments) },
    });
    props.storage.grantItemAccess(this.training, { profilePass: true, labelledSnapshots: true });
    this.training.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetterQueue) });
    this.trainingRule = new events.Rule(this, 'TrainingSchedule', {
      description: 'Trains the predictive models weekly, Sunday 02:00 UTC',
      schedule: TRAINING_SCHEDULE,
    });
    this.trainingRule.addTarget(new targets.LambdaFunction(this.training.function, { retryAttempts: 2, deadLetterQueue: this.deadLetterQueue }));
  }
}
