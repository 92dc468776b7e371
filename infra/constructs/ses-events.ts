import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { SES_DETAIL_TYPES, SES_SOURCE, type SesEventType } from '#shared/domain/ses-events.ts';
import { EncryptedQueue, INSPECTION_RETENTION } from './encrypted-queue.ts';
import type { NudgeEventBus } from './event-bus.ts';
import { NudgeFunction } from './nudge-function.ts';
import type { NudgeStorage } from './storage.ts';

export const SES_EVENTS_ENTRY = 'functions/tracking/ses-events.ts';
/** SES's automatic message tag naming the configuration set a message was sent with. */
export const SES_CONFIGURATION_SET_TAG = 'ses:configuration-set';

/**
 * The SES event types the configuration set publishes, each with the EventBridge detail-type it
 * arrives as. Not published: SEND (the send ledger records it already; it would double the
 * invocations for nothing), DELIVERY_DELAY (SES keeps trying and reports the final delivery or
 * bounce), SUBSCRIPTION (SES subscription management is not used), and OPEN and CLICK: Nudge's own
 * signed open pixel and click redirects measure those, the same way locally and in AWS; SES's
 * tracking on top would count every open twice and wrap the unsubscribe link in an awstrack.me
 * redirect. The handler still maps SES opens and clicks (docs/decisions.md #17), so an account can
 * switch to SES's tracking by publishing them here and dropping Nudge's.
 */
export const PUBLISHED_SES_EVENTS: ReadonlyArray<readonly [ses.EmailSendingEvent, SesEventType]> = [
  [ses.EmailSendingEvent.DELIVERY, 'Delivery'],
  [ses.EmailSendingEvent.BOUNCE, 'Bounce'],
  [ses.EmailSendingEvent.COMPLAINT, 'Complaint'],
  [ses.EmailSendingEvent.REJECT, 'Reject'],
  [ses.EmailSendingEvent.RENDERING_FAILURE, 'Rendering Failure'],
];

export type NudgeSesEventsProps = {
  eventBus: NudgeEventBus;
  storage: NudgeStorage;
  /** The configuration set every Nudge email is sent with (NudgeDelivery.configurationSet). */
  configurationSet: ses.ConfigurationSet;
  logRetention: logs.RetentionDays;
  /** Base URL of Nudge's link endpoints (NudgeTracking.url): SES clicks on those links are left to the endpoints. */
  linksBaseUrl?: string;
};

/**
 * What SES reports after a send, back into Nudge:
 *
 * - A **configuration-set event destination** publishes delivery, bounce, complaint, reject and
 *   rendering-failure events to **EventBridge** (opens and clicks come from Nudge's own links). SES can only publish to the account's
 *   **default bus**, so the rule lives there, not on the Nudge bus.
 * - The **rule** matches `aws.ses` events of exactly those detail-types and only those sent with
 *   **Nudge's configuration set** (SES's `ses:configuration-set` tag), so other SES senders in the
 *   account never reach the function.
 * - The **function** puts hard-bounced and complaining addresses on the suppression list at once,
 *   turns opens and clicks into `email_open` / `email_click` behavior events on the Nudge bus
 *   (ingest does the rest), and records deliveries, bounces and complaints on the send's ledger
 *   record. IAM: item access on the table and `events:PutEvents` on the Nudge bus, nothing else.
 * - **No event is dropped silently**: EventBridge retries delivery for up to 24 h / 185 attempts,
 *   a failed invocation is retried twice by Lambda, and both then land in the **dead-letter queue**
 *   (14 days, encrypted, TLS-only), as for ingest.
 */
export class NudgeSesEvents extends Construct {
  readonly eventDestination: ses.ConfigurationSetEventDestination;
  readonly function: NudgeFunction;
  readonly rule: events.Rule;
  readonly deadLetterQueue: EncryptedQueue;

  constructor(scope: Construct, id: string, props: NudgeSesEventsProps) {
    super(scope, id);

    this.deadLetterQueue = new EncryptedQueue(this, 'DeadLetterQueue', { retentionPeriod: INSPECTION_RETENTION });
    Validations.of(this.deadLetterQueue.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This is itself the dead-letter queue of the SES events rule target and the on-failure destination of the SES events function; cdk-nag only recognises queues named in another queue's redrive policy.",
    });

    const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.eventDestination = new ses.ConfigurationSetEventDestination(this, 'EventDestination', {
      configurationSet: props.configurationSet,
      destination: ses.EventDestination.eventBus(defaultBus),
      events: PUBLISHED_SES_EVENTS.map(([event]) => event),
    });

    this.function = new NudgeFunction(this, 'Handler', {
      entry: SES_EVENTS_ENTRY,
      description: 'SES events: suppresses hard bounces and complaints, puts opens and clicks on the bus, records delivery outcomes',
      timeout: Duration.seconds(15),
      logRetention: props.logRetention,
    });
    props.storage.grantItemAccess(this.function);
    props.eventBus.grantPutEvents(this.function);
    if (props.linksBaseUrl) this.function.addEnvironment('TRACKING_BASE_URL', props.linksBaseUrl);
    this.function.function.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetterQueue) });

    const detailTypes = PUBLISHED_SES_EVENTS.map(([, type]) => SES_DETAIL_TYPES[type]);
    this.rule = new events.Rule(this, 'SesEventsRule', {
      description: `SES events of Nudge's configuration set: ${detailTypes.join(', ')}`,
      eventPattern: {
        source: [SES_SOURCE],
        detailType: detailTypes,
        detail: { mail: { tags: { [SES_CONFIGURATION_SET_TAG]: [props.configurationSet.configurationSetName] } } },
      },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(this.function.function, {
        maxEventAge: Duration.hours(24),
        retryAttempts: 185,
        deadLetterQueue: this.deadLetterQueue,
      }),
    );
  }
}
