import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EncryptedQueue, INSPECTION_RETENTION } from './encrypted-queue.ts';
import { NudgeFunction } from './nudge-function.ts';
import { TABLE_NAME_ENV, type NudgeStorage } from './storage.ts';

export const EXPERIMENT_CHECK_ENTRY = 'functions/scheduled/check-experiments.ts';
/**
 * Daily at 06:00 UTC: a verdict needs the sample, not the latest minute, and every look at growing
 * data is another chance of a false winner (simulated: 19 looks at 0.95 pick one in 25 % of
 * experiments without any true difference; at 0.99, 6 %), so the check looks rarely.
 */
export const EXPERIMENT_CHECK_SCHEDULE = events.Schedule.cron({ minute: '0', hour: '6' });

/**
 * The automatic experiment winner check (shared/services/check-experiments.ts): reads each
 * running experiment's per-variant rollups (Query), records a winner once (conditional PutItem);
 * the decision path reads the winner (GetItem, granted to the deciding functions with the table).
 */
export class NudgeExperimentCheck extends Construct {
  readonly check: NudgeFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: EncryptedQueue;

  constructor(scope: Construct, id: string, props: { storage: NudgeStorage; logRetention: logs.RetentionDays }) {
    super(scope, id);
    const { table } = props.storage;
    this.deadLetterQueue = new EncryptedQueue(this, 'DeadLetterQueue', { retentionPeriod: INSPECTION_RETENTION });
    Validations.of(this.deadLetterQueue.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is itself the dead-letter queue of the experiment check schedule target and the on-failure destination of the function; cdk-nag only recognises queues named in another queue\'s redrive policy.',
    });
    this.check = new NudgeFunction(this, 'Check', {
      entry: EXPERIMENT_CHECK_ENTRY,
      description: 'Daily experiment check: records an experiment\'s automatic winner (it then gets all traffic)',
      timeout: Duration.minutes(1),
      logRetention: props.logRetention,
    });
    this.check.addEnvironment(TABLE_NAME_ENV, table.tableName);
    this.check.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem'], resources: [table.tableArn] }));
    this.check.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetterQueue) });
    this.rule = new events.Rule(this, 'Schedule', { description: 'Runs the experiment winner check daily at 06:00 UTC', schedule: EXPERIMENT_CHECK_SCHEDULE });
    this.rule.addTarget(new targets.LambdaFunction(this.check.function, { retryAttempts: 2, deadLetterQueue: this.deadLetterQueue }));
  }
}
