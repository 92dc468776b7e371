import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { NudgeFunction } from './nudge-function.ts';
import { nagName } from './triggers.ts';
import { TABLE_NAME_ENV, type NudgeStorage } from './storage.ts';

export const ERASE_ENTRY = 'functions/privacy/erase-customer.ts';
export const EXPORT_ENTRY = 'functions/privacy/export-customer.ts';

export type NudgePrivacyProps = {
  storage: NudgeStorage;
  scheduleGroup: scheduler.IScheduleGroup;
  stateMachine: sfn.StateMachine;
  logRetention: logs.RetentionDays;
};

const LIST_SCHEDULES_WHY = 'scheduler:ListSchedules has no resource-level permissions; it lists names only, and reads and deletes stay inside the Nudge schedule group';

/**
 * GDPR right to erasure and of access, invoked on demand (`nudge erase`, `nudge export`, or `aws
 * lambda invoke` with `{"customerId": "..."}`): two functions so that the export, which only
 * reads, holds no right to delete or stop anything.
 */
export class NudgePrivacy extends Construct {
  readonly erase: NudgeFunction;
  readonly export: NudgeFunction;

  constructor(scope: Construct, id: string, props: NudgePrivacyProps) {
    super(scope, id);
    const { table } = props.storage;
    const stack = Stack.of(this);
    const groupName = props.scheduleGroup.scheduleGroupName;
    const schedules = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${groupName}/*` });

    this.erase = new NudgeFunction(this, 'Erase', {
      entry: ERASE_ENTRY,
      description: 'Erases a customer: suppresses the address (hashed), stops their sequences and schedules, deletes every item of theirs',
      timeout: Duration.minutes(5),
      logRetention: props.logRetention,
      wildcardActions: { actions: ['scheduler:ListSchedules'], why: LIST_SCHEDULES_WHY },
    });
    this.export = new NudgeFunction(this, 'Export', {
      entry: EXPORT_ENTRY,
      description: 'Exports everything held about a customer as JSON (profile, segments, decisions, sends, conversions, sequence runs, schedules)',
      timeout: Duration.minutes(1),
      logRetention: props.logRetention,
      wildcardActions: { actions: ['scheduler:ListSchedules'], why: LIST_SCHEDULES_WHY },
    });

    for (const fn of [this.erase, this.export]) {
      fn.addEnvironment(TABLE_NAME_ENV, table.tableName);
      fn.addEnvironment('SCHEDULE_GROUP_NAME', groupName);
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['scheduler:ListSchedules'], resources: ['*'] }));
    }
    // The partition is a Query, memberships are GetItems; erase adds the suppression entry (PutItem) and deletes in batches.
    this.export.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query', 'dynamodb:GetItem'], resources: [table.tableArn] }));
    this.erase.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem'], resources: [table.tableArn] }),
    );
    this.export.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['scheduler:GetSchedule'], resources: [schedules] }));
    this.erase.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['scheduler:GetSchedule', 'scheduler:DeleteSchedule'], resources: [schedules] }));

    this.erase.addEnvironment('STATE_MACHINE_ARN', props.stateMachine.stateMachineArn);
    const executions = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${props.stateMachine.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.erase.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['states:StopExecution'], resources: [executions] }));

    const group = nagName(stack, groupName);
    const machine = stack.getLogicalId(props.stateMachine.node.defaultChild as never);
    for (const fn of [this.erase, this.export]) {
      Validations.of(fn.role.node.tryFindChild('DefaultPolicy')!.node.defaultChild!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${group}/*]`,
        reason: 'A customer\'s schedules share a name prefix (c-<customer digest>-), but the customer is known only per request, so the grant cannot name them in advance; the wildcard stays inside the Nudge schedule group (GetSchedule, and for erase DeleteSchedule).',
      });
    }
    Validations.of(this.erase.role.node.tryFindChild('DefaultPolicy')!.node.defaultChild!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${machine}.Name>:*]`,
      reason: "Execution names are derived from each run at start time; the wildcard stays inside this one state machine's executions, and the action is StopExecution only.",
    });
  }
}
