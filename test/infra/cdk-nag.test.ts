import { Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, removeSynthOutputs } from './support/synth.ts';

afterAll(removeSynthOutputs);

/** Every acknowledgement in the tree, as `<construct path> <rule id>`. */
function acknowledgements(root: IConstruct): string[] {
  return root.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.keys(entry.data as Record<string, string>).map((id) => `${construct.node.path} ${id.replace(/^annotation::/i, '')}`)),
    )
    .sort();
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the stack', () => {
    const { app } = buildTestApp();
    app.synth();
    const result = new AwsSolutionsChecks().validateScope(app);
    const findings = result.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
    expect(result.success).toBe(true);
  });

  it('runs as a validation plugin of the app, so synth fails on a finding', () => {
    const { app, stack } = buildTestApp({ nag: true });
    new sqs.Queue(stack, 'Unencrypted', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => app.synth()).toThrow();
  });

  it('synthesizes the real app with the plugin without throwing', () => {
    const { app } = buildTestApp({ nag: true });
    expect(() => app.synth()).not.toThrow();
  });

  it('acknowledges only these findings, each on the one resource it concerns', () => {
    // CreateSchedule in the Nudge schedule group only: schedule names come from send and timer ids at run time.
    const SCHEDULES = 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<TriggersScheduleGroupA2769C73>/*]';
    const { app } = buildTestApp();
    expect(acknowledgements(app)).toEqual([
      'Nudge/Delivery/Dispatcher/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/ExperimentCheck/Check/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/ExperimentCheck/DeadLetterQueue/Resource AwsSolutions-SQS3',
      'Nudge/Ingest/DeadLetterQueue/Resource AwsSolutions-SQS3',
      'Nudge/Ingest/Handler/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      `Nudge/Ingest/Handler/Role/DefaultPolicy/Resource ${SCHEDULES}`,
      'Nudge/Ingest/RejectedEventsQueue/Resource AwsSolutions-SQS3',
      // Alarm notifications carry no personal data; CloudWatch cannot publish to the AWS managed SNS key.
      'Nudge/Monitoring/AlarmTopic/Resource AwsSolutions-SNS2',
      // Erase and export list the group (ListSchedules has no resource-level permissions) and read (erase: delete) its schedules.
      'Nudge/Privacy/Erase/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      `Nudge/Privacy/Erase/Role/DefaultPolicy/Resource ${SCHEDULES}`,
      'Nudge/Privacy/Erase/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<SequencesStateMachine64DB473D.Name>:*]',
      'Nudge/Privacy/Export/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      `Nudge/Privacy/Export/Role/DefaultPolicy/Resource ${SCHEDULES}`,
      'Nudge/Reports/Attribution/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Reports/BehaviorPatterns/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Reports/Drift/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Reports/DriftCheck/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Reports/DriftDeadLetterQueue/Resource AwsSolutions-SQS3',
      'Nudge/Reports/Experiments/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Reports/Incrementality/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Reports/Rollups/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Reports/RollupsDeadLetterQueue/Resource AwsSolutions-SQS3',
      'Nudge/Reports/SegmentExperiment/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Reports/SegmentOptimizer/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Reports/SegmentPerformance/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Reports/TriggerPerformance/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Scheduled/DeadLetterQueue/Resource AwsSolutions-SQS3',
      'Nudge/Scheduled/Scoring/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Scheduled/ScoringWorker/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Scheduled/Sweep/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      `Nudge/Scheduled/Sweep/Role/DefaultPolicy/Resource ${SCHEDULES}`,
      'Nudge/Scheduled/Training/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Sequences/DeadLetterQueue/Resource AwsSolutions-SQS3',
      'Nudge/Sequences/Starter/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      // StopExecution on this machine's executions only: execution names come from each run at start time.
      'Nudge/Sequences/Starter/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<SequencesStateMachine64DB473D.Name>:*]',
      'Nudge/Sequences/StateMachine/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Sequences/StateMachine/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::<SequencesStepFunction8C3741E6.Arn>:*]',
      'Nudge/Sequences/Step/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      `Nudge/Sequences/Step/Role/DefaultPolicy/Resource ${SCHEDULES}`,
      'Nudge/SesEvents/DeadLetterQueue/Resource AwsSolutions-SQS3',
      'Nudge/SesEvents/Handler/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Tracking/LinkSecret/Resource AwsSolutions-SMG4',
      'Nudge/Tracking/Links/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Triggers/DeadLetterQueue/Resource AwsSolutions-SQS3',
      'Nudge/Triggers/ModelEvents/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      `Nudge/Triggers/ModelEvents/Role/DefaultPolicy/Resource ${SCHEDULES}`,
      'Nudge/Triggers/NotifyAccountManager/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      'Nudge/Triggers/Timers/Role/DefaultPolicy/Resource AwsSolutions-IAM5[Resource::*]',
      `Nudge/Triggers/Timers/Role/DefaultPolicy/Resource ${SCHEDULES}`,
    ]);
  });
});
