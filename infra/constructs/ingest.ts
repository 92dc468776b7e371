import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { NudgeDelivery } from './delivery.ts';
import { EncryptedQueue, INSPECTION_RETENTION } from './encrypted-queue.ts';
import type { NudgeEventBus } from './event-bus.ts';
import { NudgeFunction } from './nudge-function.ts';
import type { NudgeStorage } from './storage.ts';
import type { NudgeTriggers } from './triggers.ts';

export const INGEST_ENTRY = 'functions/ingest/ingest-event.ts';
export const REJECTED_EVENTS_QUEUE_URL_ENV = 'REJECTED_EVENTS_QUEUE_URL';
/** Event sources starting with this are Nudge's own internal events; producers must not use it. */
export const INTERNAL_SOURCE_PREFIX = 'nudge';

export type NudgeIngestProps = {
  eventBus: NudgeEventBus;
  storage: NudgeStorage;
  delivery: NudgeDelivery;
  triggers: NudgeTriggers;
  logRetention: logs.RetentionDays;
};

/**
 * Behavior events in: the rule on the bus, the ingest function, and where events go when they cannot
 * be ingested.
 *
 * - The **rule** matches every source except the reserved `nudge` prefix, so the internal events
 *   ingest itself puts on the bus (segment entered/exited, lifecycle stage changed, VIP escalation)
 *   can never loop back into it.
 * - **No event is dropped silently**, whatever fails:
 *   - EventBridge cannot invoke the function (throttled, deleted, permissions): it retries for up to
 *     **24 h / 185 attempts** (EventBridge's maximums) and then writes the event to the **dead-letter
 *     queue**.
 *   - The function runs and throws (a fault such as DynamoDB throttling): Lambda retries the async
 *     invocation **twice**, then sends it to the same queue as an **on-failure destination**. The rule
 *     target's DLQ does not cover this case, since EventBridge's delivery succeeded.
 *   - The event is malformed: no retry would help, so the handler records it with the reasons in the
 *     **rejected-events** queue and carries on with the next event.
 * - Both queues keep messages 14 days (SQS's maximum) for inspection and redrive; encrypted, TLS-only.
 * - 30 s timeout: one event is one read and one write on the hot path, but a burst of events for
 *   one customer retries its versioned write with backoff (up to ~8 s); a stuck call still fails
 *   well before Lambda's maximum and is retried.
 */
export class NudgeIngest extends Construct {
  readonly function: NudgeFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: EncryptedQueue;
  readonly rejectedEventsQueue: EncryptedQueue;

  constructor(scope: Construct, id: string, props: NudgeIngestProps) {
    super(scope, id);

    this.deadLetterQueue = new EncryptedQueue(this, 'DeadLetterQueue', { retentionPeriod: INSPECTION_RETENTION });
    Validations.of(this.deadLetterQueue.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This is itself the dead-letter queue of the ingest rule target and the on-failure destination of the ingest function; cdk-nag only recognises queues named in another queue\'s redrive policy.',
    });
    this.rejectedEventsQueue = new EncryptedQueue(this, 'RejectedEventsQueue', { retentionPeriod: INSPECTION_RETENTION });
    Validations.of(this.rejectedEventsQueue.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'A terminal record of malformed events (with the reasons) for people to inspect; nothing consumes it automatically, so there is no processing failure a dead-letter queue could catch.',
    });

    this.function = new NudgeFunction(this, 'Handler', {
      entry: INGEST_ENTRY,
      description: 'Ingests one behavior event: updates the profile and its segments, evaluates trigger rules, claims cooldowns and caps, queues sends',
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
    });
    props.storage.grantItemAccess(this.function, { membershipWrites: true, decisionRecords: true });
    // A purchase is attributed to the customer's sends engaged within the window: one Query of their partition.
    props.storage.grantCustomerQuery(this.function);
    props.eventBus.grantPutEvents(this.function);
    props.triggers.grantDecisions(this.function);
    this.grantRecordRejections(this.function);
    this.function.function.configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    this.rule = new events.Rule(this, 'BehaviorEventsRule', {
      eventBus: props.eventBus.bus,
      description: `Behavior events from producers: every source except the reserved "${INTERNAL_SOURCE_PREFIX}" prefix`,
      eventPattern: { source: events.Match.anythingButPrefix(INTERNAL_SOURCE_PREFIX) },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.function.function, {
        maxEventAge: Duration.hours(24),
        retryAttempts: 185,
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
  }

  /** Lets `fn` record malformed events: sets `REJECTED_EVENTS_QUEUE_URL` and grants `sqs:SendMessage` on that queue only. */
  private grantRecordRejections(fn: NudgeFunction): void {
    fn.addEnvironment(REJECTED_EVENTS_QUEUE_URL_ENV, this.rejectedEventsQueue.queueUrl);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.rejectedEventsQueue.queueArn] }),
    );
  }
}
