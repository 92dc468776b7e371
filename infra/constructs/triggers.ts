import { CfnDeletionPolicy, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { SEGMENT_EVENT_TYPES, type TriggerRule } from '#shared/domain/trigger-rules.ts';
import { NOTIFIED_PK_PREFIX } from '#shared/adapters/dynamo/notification-marker-repository.ts';
import type { NudgeDelivery } from './delivery.ts';
import { EncryptedQueue, INSPECTION_RETENTION } from './encrypted-queue.ts';
import type { NudgeEventBus } from './event-bus.ts';
import { NudgeFunction } from './nudge-function.ts';
import { TABLE_NAME_ENV, type NudgeStorage } from './storage.ts';

export const TIMERS_ENTRY = 'functions/triggers/run-timer.ts';
export const MODEL_EVENTS_ENTRY = 'functions/triggers/react-to-model-event.ts';
export const NOTIFY_ACCOUNT_MANAGER_ENTRY = 'functions/triggers/notify-account-manager.ts';
/** Source of Nudge's own events on the bus (internal-events.ts INTERNAL_SOURCE). */
const INTERNAL_SOURCE = 'nudge';

export type NudgeTriggersProps = {
  eventBus: NudgeEventBus;
  storage: NudgeStorage;
  delivery: NudgeDelivery;
  /** The catalog's rules: the model-event rule listens for exactly the event types predictive rules use. */
  rules: readonly TriggerRule[];
  logRetention: logs.RetentionDays;
  /** Use this existing schedule group instead of creating one. */
  scheduleGroupName?: string | undefined;
  /** The catalog's account manager (settings.accountManagerEmail): with it, VipEscalation events are mailed there. */
  accountManagerEmail?: string | undefined;
  /** The deploy's SES sandbox flag (the notifier's SendEmail grant follows the dispatcher's). */
  sesSandbox?: boolean | undefined;
};

/**
 * Rule decisions that do not come straight from a behavior event:
 *
 * - **One-time schedules** (EventBridge Scheduler, in their own schedule group): sends that leave
 *   later than a minute from now (quiet hours, preferred hour, delays) target the send queue
 *   directly; rule timers (absence checks such as cart_add without purchase in 1 h, rules deferred by
 *   a priority conflict) target the **timers function**. Schedules delete themselves after running.
 *   The **scheduler role** may only send to the send queue and invoke the timers function.
 * - The **model-event function** runs predictive rules when a model event (`ChurnRiskChanged`, ...)
 *   crosses a threshold; its bus rule matches exactly the types the catalog's predictive rules use.
 *   It also runs segment rules on `SegmentEntered` / `SegmentExited`, through a second bus rule
 *   that matches only the detail-types (and segments) the active segment rules use.
 * - Every function that decides sends gets the same grants ({@link grantDecisions}): the send queue,
 *   `scheduler:CreateSchedule` in this group only, and `iam:PassRole` on the scheduler role only.
 * - Failures are kept: async retries twice, then the dead-letter queue (as for ingest).
 * - With the catalog's `accountManagerEmail`, the **account-manager notifier** mails each
 *   `VipEscalation` there (document 001's notify_account_manager), from the dispatcher's sender.
 *   Its table rights: write its own markers (`NOTIFIED#...`), nothing else.
 */
export class NudgeTriggers extends Construct {
  readonly scheduleGroup: scheduler.IScheduleGroup;
  readonly schedulerRole: iam.Role;
  readonly timers: NudgeFunction;
  readonly modelEvents: NudgeFunction;
  readonly modelEventsRule: events.Rule | undefined;
  readonly segmentEventsRule: events.Rule | undefined;
  readonly notifyAccountManager: NudgeFunction | undefined;
  readonly vipEscalationRule: events.Rule | undefined;
  readonly deadLetterQueue: EncryptedQueue;

  constructor(scope: Construct, id: string, private readonly props: NudgeTriggersProps) {
    super(scope, id);

    this.deadLetterQueue = new EncryptedQueue(this, 'DeadLetterQueue', { retentionPeriod: INSPECTION_RETENTION });
    Validations.of(this.deadLetterQueue.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This is itself the dead-letter queue of the timer schedules, the model-event and VipEscalation rules and these functions' on-failure destination; cdk-nag only recognises queues named in another queue's redrive policy.",
    });

    this.scheduleGroup = props.scheduleGroupName ? scheduler.ScheduleGroup.fromScheduleGroupName(this, 'ScheduleGroup', props.scheduleGroupName) : this.createScheduleGroup();
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Assumed by EventBridge Scheduler to deliver Nudge one-time schedules (delayed sends, rule timers)',
    });
    this.schedulerRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.delivery.sendQueue.queueArn] }));
    this.schedulerRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }));

    this.timers = new NudgeFunction(this, 'Timers', {
      entry: TIMERS_ENTRY,
      description: 'Runs rule timers when they come due: absence checks (e.g. cart_add with no purchase in 1 h) and deferred rules',
      timeout: Duration.seconds(15),
      logRetention: props.logRetention,
    });
    this.schedulerRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.timers.function.functionArn] }));
    props.storage.grantItemAccess(this.timers, { decisionRecords: true });
    // The timers function never names itself (CloudFormation cannot reference a function's own ARN in its environment).
    this.grantDecisions(this.timers, { timers: false });

    this.modelEvents = new NudgeFunction(this, 'ModelEvents', {
      entry: MODEL_EVENTS_ENTRY,
      description: 'Runs predictive trigger rules when a model event (ChurnRiskChanged, ...) crosses a threshold',
      timeout: Duration.seconds(15),
      logRetention: props.logRetention,
    });
    props.storage.grantItemAccess(this.modelEvents, { decisionRecords: true });
    this.grantDecisions(this.modelEvents);

    for (const fn of [this.timers, this.modelEvents]) {
      fn.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetterQueue) });
    }

    if (props.accountManagerEmail) {
      this.notifyAccountManager = this.createNotifier(props.sesSandbox ?? false);
      this.notifyAccountManager.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetterQueue) });
      this.vipEscalationRule = new events.Rule(this, 'VipEscalationRule', {
        eventBus: props.eventBus.bus,
        description: 'VipEscalation (a purchase at or above the high-value threshold): notify the account manager',
        eventPattern: { source: [INTERNAL_SOURCE], detailType: ['VipEscalation'] },
      });
      this.vipEscalationRule.addTarget(
        new targets.LambdaFunction(this.notifyAccountManager.function, { maxEventAge: Duration.hours(24), retryAttempts: 185, deadLetterQueue: this.deadLetterQueue }),
      );
    } else {
      this.notifyAccountManager = undefined;
      this.vipEscalationRule = undefined;
    }

    const modelEventTypes = [...new Set(props.rules.flatMap((rule) => (rule.trigger.type === 'predictive' ? [rule.trigger.eventType] : [])))].sort();
    if (modelEventTypes.length > 0) {
      this.modelEventsRule = new events.Rule(this, 'ModelEventsRule', {
        eventBus: props.eventBus.bus,
        description: `Model events the catalog's predictive rules react to: ${modelEventTypes.join(', ')}`,
        eventPattern: { source: [INTERNAL_SOURCE], detailType: modelEventTypes },
      });
      this.modelEventsRule.addTarget(
        new targets.LambdaFunction(this.modelEvents.function, { maxEventAge: Duration.hours(24), retryAttempts: 185, deadLetterQueue: this.deadLetterQueue }),
      );
    }

    const segmentPattern = segmentEventPattern(props.rules);
    if (segmentPattern) {
      this.segmentEventsRule = new events.Rule(this, 'SegmentEventsRule', {
        eventBus: props.eventBus.bus,
        description: `Segment events the catalog's segment rules react to: ${segmentPattern.detailType.join(', ')}`,
        eventPattern: { source: [INTERNAL_SOURCE], ...segmentPattern },
      });
      this.segmentEventsRule.addTarget(
        new targets.LambdaFunction(this.modelEvents.function, { maxEventAge: Duration.hours(24), retryAttempts: 185, deadLetterQueue: this.deadLetterQueue }),
      );
    }
  }

  /**
   * The account-manager notifier: SendEmail as the dispatcher's sender (same identity and
   * configuration set grant) and Put/Update/Delete on its own markers only (`dynamodb:LeadingKeys`).
   * It reads no profile: the event carries the lifetime value and stage.
   */
  private createNotifier(sesSandbox: boolean): NudgeFunction {
    const fn = new NudgeFunction(this, 'NotifyAccountManager', {
      entry: NOTIFY_ACCOUNT_MANAGER_ENTRY,
      description: "Mails the catalog's account manager when a purchase escalates a customer to VIP (VipEscalation), once per event",
      timeout: Duration.seconds(15),
      logRetention: this.props.logRetention,
    });
    const table = this.props.storage.table;
    fn.addEnvironment(TABLE_NAME_ENV, table.tableName);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${NOTIFIED_PK_PREFIX}*`] } },
      }),
    );
    this.props.delivery.grantSendEmail(fn, undefined, sesSandbox);
    return fn;
  }

  /**
   * The schedule group, named by CloudFormation (a fixed name made the next deploy fail with
   * "already exists" after a destroy or a failed first deploy left the retained group behind).
   * Deleted with the stack (its schedules target the stack's queue and function, which go too), but
   * kept if CloudFormation ever replaces it, so pending sends and timers are not lost on an update.
   */
  private createScheduleGroup(): scheduler.IScheduleGroup {
    const group = new scheduler.CfnScheduleGroup(this, 'ScheduleGroup', {});
    group.cfnOptions.deletionPolicy = CfnDeletionPolicy.DELETE;
    group.cfnOptions.updateReplacePolicy = CfnDeletionPolicy.RETAIN;
    // Ref of a schedule group is its name.
    return scheduler.ScheduleGroup.fromScheduleGroupName(this, 'ScheduleGroupRef', group.ref);
  }

  /** How cdk-nag writes this group's schedules ARN (`schedule/<name>/*`), for acknowledgements. */
  scheduleGroupNagName(): string {
    return nagName(Stack.of(this), this.scheduleGroup.scheduleGroupName);
  }

  /**
   * Lets `fn` act on decisions: the send queue, PutEvents on Nudge's bus (sequence starts), and one-time schedules in this group delivered by
   * the scheduler role. (Table access, with decision records, is granted by the caller with the
   * rest of its table rights: one statement per function.)
   */
  grantDecisions(fn: NudgeFunction, options: { timers?: boolean } = {}): void {
    this.props.delivery.grantEnqueueSends(fn);
    // A rule that starts a sequence puts SequenceStartRequested on Nudge's bus.
    this.props.eventBus.grantPutEvents(fn);
    fn.addEnvironment('SEND_QUEUE_ARN', this.props.delivery.sendQueue.queueArn);
    fn.addEnvironment('SCHEDULE_GROUP_NAME', this.scheduleGroup.scheduleGroupName);
    fn.addEnvironment('SCHEDULER_ROLE_ARN', this.schedulerRole.roleArn);
    fn.addEnvironment('SCHEDULE_DEAD_LETTER_QUEUE_ARN', this.deadLetterQueue.queueArn);
    if (options.timers !== false) fn.addEnvironment('TIMER_FUNCTION_ARN', this.timers.function.functionArn);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['scheduler:CreateSchedule'],
        resources: [
          Stack.of(this).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.scheduleGroup.scheduleGroupName}/*` }),
        ],
      }),
    );
    Validations.of(fn.role.node.tryFindChild('DefaultPolicy')!.node.defaultChild!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${this.scheduleGroupNagName()}/*]`,
      reason:
        'Schedule names are derived from each send or timer id at run time, so they cannot be listed; the wildcard stays inside the Nudge schedule group, and the action is CreateSchedule only.',
    });
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
  }
}

/**
 * The segment events (SegmentEntered / SegmentExited) the active segment rules listen for: their
 * detail-types, and their segment ids when every such rule names its segments (a rule on any
 * segment needs them all). Undefined when no active rule triggers on a segment.
 */
export function segmentEventPattern(rules: readonly TriggerRule[]): { detailType: string[]; detail?: { segmentId: string[] } } | undefined {
  const triggers = rules.flatMap((rule) => (rule.active && rule.trigger.type === 'segment' ? [rule.trigger] : []));
  if (triggers.length === 0) return undefined;
  const detailType = [...new Set(triggers.map((trigger) => SEGMENT_EVENT_TYPES[trigger.on]))].sort();
  if (triggers.some((trigger) => trigger.segmentIds === undefined)) return { detailType };
  return { detailType, detail: { segmentId: [...new Set(triggers.flatMap((trigger) => trigger.segmentIds ?? []))].sort() } };
}

/** A name as cdk-nag prints it inside an ARN: the literal, or `<LogicalId>` for a Ref. */
export function nagName(stack: Stack, name: string): string {
  if (!Token.isUnresolved(name)) return name;
  const resolved = stack.resolve(name) as { Ref?: string };
  if (!resolved.Ref) throw new Error(`cannot name ${JSON.stringify(resolved)} for cdk-nag`);
  return `<${resolved.Ref}>`;
}
