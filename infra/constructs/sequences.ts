import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { SEQUENCE_SIGNALS, type Sequence } from '#shared/domain/sequences.ts';
import { EncryptedQueue, INSPECTION_RETENTION } from './encrypted-queue.ts';
import type { NudgeEventBus } from './event-bus.ts';
import { NudgeFunction } from './nudge-function.ts';
import type { NudgeStorage } from './storage.ts';
import type { NudgeTriggers } from './triggers.ts';

export const SEQUENCE_STEP_ENTRY = 'functions/sequences/run-step.ts';
export const SEQUENCE_STARTER_ENTRY = 'functions/sequences/start-sequences.ts';
/** Source of Nudge's own events on the bus (internal-events.ts INTERNAL_SOURCE). */
const INTERNAL_SOURCE = 'nudge';

/** Standard workflows run for at most one year; the machine's timeout is that maximum. */
export const SEQUENCE_MACHINE_TIMEOUT = Duration.days(365);
/** Log groups of Step Functions (vended logs) belong under this prefix. */
export const STATES_LOG_GROUP_PREFIX = '/aws/vendedlogs/states/';

/** State names of the sequence machine (the local runner and the infra tests address states by name). */
export const SEQUENCE_STATES = {
  wait: 'WaitForStep',
  step: 'RunStep',
  more: 'MoreSteps',
  finished: 'Finished',
  failed: 'StepFailed',
} as const;

/**
 * Retries of a step. A step is idempotent (its send id is derived from the run and the step), so
 * retrying is always safe:
 * - Lambda's own transient faults (throttling, service errors) quickly and often;
 * - the step function failing (DynamoDB throttled, a timeout) a few times, minutes apart.
 * What still fails is caught: the execution fails visibly (its history keeps the error), the run
 * record stays as it was, and the starter may start the sequence again once the run's time is over.
 */
export const SEQUENCE_STEP_RETRIES: sfn.RetryProps[] = [
  {
    errors: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    jitterStrategy: sfn.JitterType.FULL,
  },
  {
    errors: [sfn.Errors.TASKS_FAILED, sfn.Errors.TIMEOUT],
    interval: Duration.seconds(30),
    backoffRate: 3,
    maxAttempts: 3,
  },
];

export type NudgeSequencesProps = {
  eventBus: NudgeEventBus;
  storage: NudgeStorage;
  triggers: NudgeTriggers;
  /** The catalog's sequences: the starter's segment rule listens for exactly the segments that start one. */
  sequences: readonly Sequence[];
  logRetention: logs.RetentionDays;
};

/**
 * Nurture sequences on Step Functions: **one data-driven state machine** runs every sequence of the
 * catalog (decision #18). Its input is one customer's run (sequence, step index, due time); the
 * machine waits until the step is due, runs it, and loops until the step function says the run is over:
 *
 *     WaitForStep (Wait, TimestampPath $.dueAt) -> RunStep (Lambda) -> MoreSteps (Choice)
 *       -> $.done: Finished   | otherwise: WaitForStep
 *
 * Standard workflows: a run waits up to a year (Express stops at 5 minutes), and Wait states cost
 * nothing while they wait. Logging ALL with execution data and X-Ray tracing (cdk-nag SF1/SF2).
 *
 * Billed transitions: 3 per step (WaitForStep, RunStep, MoreSteps) and 1 per run (Finished), with
 * no state per step of a sequence (bench/sequence-transitions.ts measures it; an infra test pins it).
 * That is the least a loop with a data-driven wait and an early exit takes in the States Language:
 * only a Choice branches, only a Wait waits, only a Task runs the step. Fewer would take ending the
 * run by throwing (every finished run a failed step in the history and the Lambda error metrics) or
 * a callback task woken by an EventBridge Scheduler schedule per step (2 per step; docs/decisions.md).
 *
 * The **starter** function turns `SequenceStartRequested` (a rule's `startSequence`),
 * `LifecycleStageChanged` and `SegmentEntered` into `StartExecution` calls whose name is derived
 * from the run, so a redelivered start does not run twice; a stage change also stops the previous
 * stage's runs (`StopExecution`).
 */
export class NudgeSequences extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly step: NudgeFunction;
  readonly starter: NudgeFunction;
  readonly logGroup: logs.LogGroup;
  readonly deadLetterQueue: EncryptedQueue;
  readonly startRules: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: NudgeSequencesProps) {
    super(scope, id);

    this.deadLetterQueue = new EncryptedQueue(this, 'DeadLetterQueue', { retentionPeriod: INSPECTION_RETENTION });
    Validations.of(this.deadLetterQueue.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This is itself the dead-letter queue of the starter's bus rules and its on-failure destination; cdk-nag only recognises queues named in another queue's redrive policy.",
    });

    this.step = new NudgeFunction(this, 'Step', {
      entry: SEQUENCE_STEP_ENTRY,
      description: 'Runs one step of a nurture sequence: exit check, the step email through the decision path, the next due time',
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
    });
    props.storage.grantItemAccess(this.step, { decisionRecords: true });
    props.triggers.grantDecisions(this.step);

    const runStep = new tasks.LambdaInvoke(this, SEQUENCE_STATES.step, {
      lambdaFunction: this.step.function,
      // The function's answer is the run's next state (no Lambda response envelope to unwrap).
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(60)),
    });
    for (const retry of SEQUENCE_STEP_RETRIES) runStep.addRetry(retry);
    const failed = new sfn.Fail(this, SEQUENCE_STATES.failed, { errorPath: '$.error.Error', causePath: '$.error.Cause' });
    runStep.addCatch(failed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    const wait = new sfn.Wait(this, SEQUENCE_STATES.wait, { time: sfn.WaitTime.timestampPath('$.dueAt') });
    const more = new sfn.Choice(this, SEQUENCE_STATES.more)
      .when(sfn.Condition.booleanEquals('$.done', true), new sfn.Succeed(this, SEQUENCE_STATES.finished))
      .otherwise(wait);
    const definition = wait.next(runStep).next(more);

    // Step Functions writes logs through CloudWatch Logs vended delivery; under /aws/vendedlogs/ the
    // resource policy that delivery needs stays small (AWS's advice). A named log group must not
    // outlive the stack, or the next deploy after a destroy fails with "already exists".
    this.logGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `${STATES_LOG_GROUP_PREFIX}${Names.uniqueResourceName(this, { maxLength: 200 })}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      comment: 'One nurture sequence run for one customer: wait for the step, run it, repeat until done',
      // A sequence spans at most 365 days after its start (sequences.ts MAX_SEQUENCE_DAYS); Standard's
      // maximum execution duration is one year, which is also the most this may say.
      timeout: SEQUENCE_MACHINE_TIMEOUT,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    const machinePolicy = this.stateMachine.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (machinePolicy) {
      Validations.of(machinePolicy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Added by Step Functions for logging and tracing: logs:CreateLogDelivery/ListLogDeliveries/... and xray:PutTraceSegments support no resource-level permissions.',
      });
      Validations.of(machinePolicy).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.step.function.node.defaultChild as never)}.Arn>:*]`,
        reason: 'Added by CDK for lambda:InvokeFunction on the step function: the ":*" covers its versions and aliases, and nothing else.',
      });
    }

    this.starter = new NudgeFunction(this, 'Starter', {
      entry: SEQUENCE_STARTER_ENTRY,
      description: 'Starts nurture sequence runs (rule startSequence, lifecycle stage changes, segment entries) and stops the previous stage runs',
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
    });
    props.storage.grantItemAccess(this.starter);
    // Listing a customer's runs (to stop the previous stage's) is a Query on their partition.
    this.starter.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [props.storage.table.tableArn] }));
    this.starter.addEnvironment('STATE_MACHINE_ARN', this.stateMachine.stateMachineArn);
    this.starter.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }));
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.starter.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['states:StopExecution'], resources: [executions] }));
    Validations.of(this.starter.role.node.tryFindChild('DefaultPolicy')!.node.defaultChild!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as never)}.Name>:*]`,
      reason: "Execution names are derived from each run at start time, so they cannot be listed; the wildcard stays inside this one state machine's executions, and the action is StopExecution only.",
    });
    this.starter.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetterQueue) });

    const target = new targets.LambdaFunction(this.starter.function, { maxEventAge: Duration.hours(24), retryAttempts: 185, deadLetterQueue: this.deadLetterQueue });
    const startRequests = new events.Rule(this, 'StartRule', {
      eventBus: props.eventBus.bus,
      description: 'Sequence starts: a rule asked for one (startSequence), or a lifecycle stage changed',
      eventPattern: { source: [INTERNAL_SOURCE], detailType: ['SequenceStartRequested', 'LifecycleStageChanged'] },
    });
    startRequests.addTarget(target);
    this.startRules.push(startRequests);
    const startSegments = [...new Set(props.sequences.flatMap((sequence) => (sequence.startOn?.segmentEntered ? [sequence.startOn.segmentEntered] : [])))].sort();
    if (startSegments.length > 0) {
      const segmentRule = new events.Rule(this, 'SegmentStartRule', {
        eventBus: props.eventBus.bus,
        description: `Segment entries that start a sequence: ${startSegments.join(', ')}`,
        eventPattern: { source: [INTERNAL_SOURCE], detailType: ['SegmentEntered'], detail: { segmentId: startSegments } },
      });
      segmentRule.addTarget(target);
      this.startRules.push(segmentRule);
    }
    const signals = [...new Set(props.sequences.flatMap((sequence) => (sequence.startOn?.signal ? [SEQUENCE_SIGNALS[sequence.startOn.signal]] : [])))].sort();
    if (signals.length > 0) {
      const signalRule = new events.Rule(this, 'SignalStartRule', {
        eventBus: props.eventBus.bus,
        description: `Signals that start a sequence: ${signals.join(', ')}`,
        eventPattern: { source: [INTERNAL_SOURCE], detailType: signals },
      });
      signalRule.addTarget(target);
      this.startRules.push(signalRule);
    }
  }
}
