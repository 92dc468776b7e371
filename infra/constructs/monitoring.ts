import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { BUSINESS_METRICS, METRICS_NAMESPACE, METRICS_SERVICE } from '#shared/adapters/metrics/business-metrics.ts';
import { NudgeFunction } from './nudge-function.ts';

/** SES reviews an account at a 5 % bounce rate and 0.1 % complaint rate; the alarms fire before that. */
export const BOUNCE_RATE_ALARM = 0.04;
export const COMPLAINT_RATE_ALARM = 0.0008;
/** Share of the daily sending quota at which the quota alarm fires. */
export const QUOTA_ALARM_SHARE = 0.8;
/** How far behind the rollups may fall on the table's stream before someone should look. */
export const ITERATOR_AGE_ALARM = Duration.minutes(15);
/** How long a message may wait on a work queue (send, scoring) before the backlog alarm fires. */
export const QUEUE_AGE_ALARM = Duration.minutes(30);
/** Consecutive 5-minute periods with Lambda errors (or throttles) before the alarm fires: a retried blip is not an incident; a lost event is (the DLQ alarms). */
export const LAMBDA_ALARM_PERIODS = 3;

export type NudgeMonitoringProps = {
  /** Subscribed to the alarm topic by email (must confirm). */
  alarmEmail?: string | undefined;
  /** The rollups' stream function (IteratorAge). */
  streamFunction: NudgeFunction;
  stateMachine: sfn.StateMachine;
  /** The ingest rule on the Nudge bus (FailedInvocations, InvocationsSentToDlq). */
  ingestRule: events.Rule;
  busName: string;
  /** The SES daily sending quota (`sesDailyQuota`): SES publishes no quota metric. */
  sesDailyQuota: number;
};

/**
 * Operations: one SNS topic every alarm notifies, the alarms, and one dashboard of the pipeline.
 *
 * Alarms are derived from the stack, not listed: every queue without a consumer (dead-letter
 * queues and the rejected-events queue) alarms on a visible message, every work queue on its
 * oldest message's age, every Nudge function on errors and throttles. So a queue or function added
 * later is covered without anyone remembering to. The README's runbook says what each one means.
 */
export class NudgeMonitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: NudgeMonitoringProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Nudge alarms', enforceSSL: true });
    Validations.of(this.topic.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names and metric values, no personal data. CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key, and a customer managed key (with its key policy and monthly cost) would protect nothing.',
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const fiveMinutes = Duration.minutes(5);
    const functions = stack.node.findAll().filter((node): node is NudgeFunction => node instanceof NudgeFunction);
    const queues = stack.node.findAll().filter((node): node is sqs.Queue => node instanceof sqs.Queue);

    for (const queue of queues) {
      const name = queue.node.path.split('/').slice(1).join('');
      if (isWorkQueue(queue)) {
        this.alarm(`${name}Backlog`, queue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum' }), {
          threshold: QUEUE_AGE_ALARM.toSeconds(),
          description: `${queue.node.path}: a message has waited over ${QUEUE_AGE_ALARM.toMinutes()} minutes (consumer failing or throttled). Runbook: README "Alarms".`,
        });
      } else {
        this.alarm(`${name}HasMessages`, queue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }), {
          threshold: 0,
          description: `${queue.node.path} holds messages: something failed for good and waits for a person (inspect, fix, redrive). Runbook: README "Alarms".`,
        });
      }
    }

    for (const fn of functions) {
      const name = fn.node.path.split('/').slice(1).join('');
      this.alarm(`${name}Errors`, fn.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }), {
        threshold: 0,
        evaluationPeriods: LAMBDA_ALARM_PERIODS,
        description: `${fn.node.path}: errors in ${LAMBDA_ALARM_PERIODS} consecutive 5-minute periods. Runbook: README "Alarms".`,
      });
      this.alarm(`${name}Throttles`, fn.function.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }), {
        threshold: 0,
        evaluationPeriods: LAMBDA_ALARM_PERIODS,
        description: `${fn.node.path}: throttled in ${LAMBDA_ALARM_PERIODS} consecutive 5-minute periods (reserved concurrency or the account limit reached). Runbook: README "Alarms".`,
      });
    }

    this.alarm('RollupsIteratorAge', props.streamFunction.function.metric('IteratorAge', { period: fiveMinutes, statistic: 'Maximum' }), {
      threshold: ITERATOR_AGE_ALARM.toMilliseconds(),
      description: `The rollups are over ${ITERATOR_AGE_ALARM.toMinutes()} minutes behind the table's stream (reports lag; records expire from the stream after 24 h). Runbook: README "Alarms".`,
    });
    this.alarm('SequencesExecutionsFailed', props.stateMachine.metricFailed({ period: fiveMinutes, statistic: 'Sum' }), {
      threshold: 0,
      description: 'A nurture sequence execution failed (its step kept failing after retries). Runbook: README "Alarms".',
    });
    const ruleMetric = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/Events', metricName, dimensionsMap: { EventBusName: props.busName, RuleName: props.ingestRule.ruleName }, period: fiveMinutes, statistic: 'Sum' });
    this.alarm('IngestRuleFailedInvocations', ruleMetric('FailedInvocations'), {
      threshold: 0,
      description: 'EventBridge could not invoke ingest (after its retries): events went to the ingest DLQ. Runbook: README "Alarms".',
    });
    this.alarm('IngestRuleInvocationsSentToDlq', ruleMetric('InvocationsSentToDlq'), {
      threshold: 0,
      description: 'EventBridge sent events for ingest to its dead-letter queue. Runbook: README "Alarms".',
    });

    // SES reputation, account-wide (what SES reviews); published while the configuration set has reputation metrics on.
    const ses = (metricName: string, statistic: string, period: Duration) => new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, period, statistic });
    this.alarm('SesBounceRate', ses('Reputation.BounceRate', 'Maximum', Duration.minutes(15)), {
      threshold: BOUNCE_RATE_ALARM,
      description: `SES bounce rate above ${BOUNCE_RATE_ALARM * 100} % (SES reviews the account at 5 %). Runbook: README "Alarms".`,
    });
    this.alarm('SesComplaintRate', ses('Reputation.ComplaintRate', 'Maximum', Duration.minutes(15)), {
      threshold: COMPLAINT_RATE_ALARM,
      description: `SES complaint rate above ${COMPLAINT_RATE_ALARM * 100} % (SES reviews the account at 0.1 %). Runbook: README "Alarms".`,
    });
    // SES publishes sends (AWS/SES Send) but not the quota: the quota comes from context. A UTC day
    // approximates SES's rolling 24 hours.
    this.alarm('SesDailyQuota', ses('Send', 'Sum', Duration.days(1)), {
      threshold: Math.floor(props.sesDailyQuota * QUOTA_ALARM_SHARE),
      description: `Sends today passed ${QUOTA_ALARM_SHARE * 100} % of the SES daily quota (${props.sesDailyQuota}, -c sesDailyQuota): request a higher quota before sends are refused. Runbook: README "Alarms".`,
    });

    this.dashboard = this.buildDashboard(props, functions, queues);
  }

  private alarm(id: string, metric: cloudwatch.IMetric, options: { threshold: number; evaluationPeriods?: number; description: string }): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No data is no failure (a DLQ with no traffic, a day without sends).
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }

  private buildDashboard(props: NudgeMonitoringProps, functions: NudgeFunction[], queues: sqs.Queue[]): cloudwatch.Dashboard {
    const hour = Duration.hours(1);
    const business = (metricName: string, service: string, label: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service }, statistic: 'Sum', period: hour, label });
    const byDimension = (metricName: string, service: string, dimension: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${dimension},service} MetricName="${metricName}" service="${service}"', 'Sum', 3600)`,
        label,
        period: hour,
      });
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Events in',
        width: 8,
        left: [
          business(BUSINESS_METRICS.eventsIngested, METRICS_SERVICE.ingest, 'ingested'),
          business(BUSINESS_METRICS.eventsRejected, METRICS_SERVICE.ingest, 'rejected'),
        ],
      }),
      new cloudwatch.GraphWidget({ title: 'Sends by rule', width: 8, left: [byDimension(BUSINESS_METRICS.sends, METRICS_SERVICE.dispatcher, 'ruleId', 'sent')] }),
      new cloudwatch.GraphWidget({ title: 'Suppressed by reason', width: 8, left: [byDimension(BUSINESS_METRICS.suppressed, METRICS_SERVICE.ingest, 'reason', 'suppressed')] }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'SES',
        width: 12,
        left: ['Send', 'Delivery', 'Bounce', 'Complaint', 'Reject'].map((metricName) => new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Sum', period: hour })),
        right: ['Reputation.BounceRate', 'Reputation.ComplaintRate'].map((metricName) => new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic: 'Maximum', period: hour })),
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 12, height: 8, alarms: this.alarms }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        width: 12,
        left: functions.map((fn) => fn.function.metricErrors({ period: hour, statistic: 'Sum', label: fn.node.path.split('/').slice(1).join('/') })),
      }),
      new cloudwatch.GraphWidget({
        title: 'Queue depth (visible messages)',
        width: 12,
        left: queues.map((queue) => queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum', label: queue.node.path.split('/').slice(1).join('/') })),
      }),
    );
    return dashboard;
  }
}

/** A queue something consumes (it has a redrive policy: it is not itself a dead-letter or record queue). */
function isWorkQueue(queue: sqs.Queue): boolean {
  return queue.deadLetterQueue !== undefined;
}
