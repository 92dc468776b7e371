import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { SEND_HELD_LOG_MESSAGE } from '#shared/services/dispatch-send.ts';
import { EncryptedQueue, INSPECTION_RETENTION } from './encrypted-queue.ts';
import { NudgeFunction } from './nudge-function.ts';
import type { NudgeStorage } from './storage.ts';

export const DISPATCHER_ENTRY = 'functions/delivery/dispatch-sends.ts';
export const SEND_QUEUE_URL_ENV = 'SEND_QUEUE_URL';
export const SENDER_EMAIL_ENV = 'SENDER_EMAIL';
export const REPLY_TO_EMAIL_ENV = 'REPLY_TO_EMAIL';
export const SES_CONFIGURATION_SET_ENV = 'SES_CONFIGURATION_SET';
export const SES_MAX_SEND_RATE_ENV = 'SES_MAX_SEND_RATE';
/**
 * Concurrent dispatcher invocations at most. The send rate itself is held by the schedule the
 * dispatchers share (send-pacing.ts); this bound keeps invocations from waiting for slots in
 * numbers: 4 x a batch of 10 is 40 slots, under 3 s at SES's default 14/s, while leaving enough
 * invocations that a send's own work (ledger, profile, render) never leaves the rate unused.
 */
export const DISPATCHER_MAX_CONCURRENCY = 4;
/** The CloudWatch metric (namespace Nudge) counting sends held because SES refuses the account or sender. */
export const SENDS_HELD_METRIC = { namespace: 'Nudge', metricName: 'SendsHeld' } as const;

/** The From address used when no sender is configured, so that synth works offline; not deliverable. */
export const PLACEHOLDER_SENDER_EMAIL = 'nudge@example.com';
export const MISSING_SENDER_WARNING_ID = 'nudge:senderEmailMissing';

const DISPATCHER_TIMEOUT = Duration.seconds(30);
/** AWS's guidance for SQS event sources: visibility timeout at least 6x the function timeout. */
const VISIBILITY_TIMEOUT_FACTOR = 6;
const MAX_SEND_ATTEMPTS = 5;

export type NudgeDeliveryProps = {
  storage: NudgeStorage;
  logRetention: logs.RetentionDays;
  /** An address to send from. Alone: an SES email identity for it. With `senderDomain`: an address in that domain. */
  senderEmail?: string;
  /** Verify this whole domain (Easy DKIM); the sender is `senderEmail` or `no-reply@<domain>`. */
  senderDomain?: string;
  replyToEmail?: string;
  /** Pace to this many emails/s instead of the account's MaxSendRate (read from SES GetAccount). */
  sesMaxSendRate?: number;
};

/**
 * Sends: the send queue, the dispatcher that drains it into SES, and the SES configuration set and
 * sender identity.
 *
 * - **Send queue** decouples deciding (ingest) from sending, so SES throttling or an outage delays
 *   email instead of failing events. Visibility timeout = 6 x the dispatcher timeout (AWS guidance,
 *   leaves room for retries within one batch); after **5 receives** a message moves to the **DLQ**
 *   (14 days, time to inspect and redrive). Both encrypted and TLS-only.
 * - **Dispatcher** reads batches of 10 with a 1 s batching window and **reports batch item failures**,
 *   so one bad message is retried alone instead of re-sending its nine neighbours. At most
 *   DISPATCHER_MAX_CONCURRENCY invocations; sends are **paced** to SES's MaxSendRate (GetAccount,
 *   or `sesMaxSendRate`) through one schedule item in the table that every invocation shares.
 * - **Held sends** (SES refuses the account or sender: sandbox, paused, unverified) are re-queued,
 *   never burned, and counted by the `Nudge/SendsHeld` metric (`sendsHeld`) for an alarm.
 * - **Configuration set** with reputation metrics (bounce/complaint rates in CloudWatch) and **TLS
 *   required**: SES refuses to deliver to a mail server that cannot do TLS rather than sending personal
 *   data in clear text.
 * - **Sender identity** from context. `ses:SendEmail` is granted on exactly that identity and that
 *   configuration set. (While the account is in the SES sandbox, SES also checks the permission against
 *   each verified recipient identity; request production access rather than widening the policy.)
 */
export class NudgeDelivery extends Construct {
  readonly sendQueue: EncryptedQueue;
  readonly sendDeadLetterQueue: EncryptedQueue;
  readonly configurationSet: ses.ConfigurationSet;
  readonly senderIdentity: ses.EmailIdentity;
  readonly senderEmail: string;
  readonly dispatcher: NudgeFunction;
  /** Sends held (sandbox, unverified identity, paused account, ...): any above 0 needs an operator. */
  readonly sendsHeld: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: NudgeDeliveryProps) {
    super(scope, id);

    this.sendDeadLetterQueue = new EncryptedQueue(this, 'SendDeadLetterQueue', { retentionPeriod: INSPECTION_RETENTION });
    this.sendQueue = new EncryptedQueue(this, 'SendQueue', {
      visibilityTimeout: Duration.seconds(DISPATCHER_TIMEOUT.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      deadLetterQueue: { queue: this.sendDeadLetterQueue, maxReceiveCount: MAX_SEND_ATTEMPTS },
    });

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });

    const { identity, senderEmail } = this.resolveSender(props);
    this.senderEmail = senderEmail;
    this.senderIdentity = new ses.EmailIdentity(this, 'SenderIdentity', {
      identity,
      configurationSet: this.configurationSet,
      ...(props.senderDomain
        ? { dkimSigning: true, dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT) }
        : {}),
    });

    this.dispatcher = new NudgeFunction(this, 'Dispatcher', {
      entry: DISPATCHER_ENTRY,
      description: 'Drains the send queue: renders each queued send and sends it through SES, at most once per sendId',
      timeout: DISPATCHER_TIMEOUT,
      logRetention: props.logRetention,
      wildcardActions: { actions: ['ses:GetAccount'], why: "ses:GetAccount reads the account's sending quota, by which the dispatcher paces" },
    });
    props.storage.grantItemAccess(this.dispatcher);
    this.grantSendEmail(this.dispatcher, props.replyToEmail);
    this.dispatcher.function.addEventSource(
      new SqsEventSource(this.sendQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: DISPATCHER_MAX_CONCURRENCY,
      }),
    );
    // The pace: the account's MaxSendRate from SES, unless the deploy fixes it.
    this.dispatcher.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));
    if (props.sesMaxSendRate !== undefined) this.dispatcher.addEnvironment(SES_MAX_SEND_RATE_ENV, String(props.sesMaxSendRate));
    // Held sends are logged with one message; this filter turns them into a metric an alarm can watch.
    new logs.MetricFilter(this, 'SendsHeldFilter', {
      logGroup: this.dispatcher.logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', SEND_HELD_LOG_MESSAGE),
      metricNamespace: SENDS_HELD_METRIC.namespace,
      metricName: SENDS_HELD_METRIC.metricName,
      metricValue: '1',
      defaultValue: 0,
    });
    this.sendsHeld = new cloudwatch.Metric({ ...SENDS_HELD_METRIC, statistic: 'Sum', period: Duration.minutes(5) });
    // Retry backoff: the dispatcher delays a failed message's redelivery (ChangeMessageVisibility,
    // which the event source mapping's grant already includes).
    this.dispatcher.addEnvironment(SEND_QUEUE_URL_ENV, this.sendQueue.queueUrl);
  }

  /** Lets `fn` queue sends: sets `SEND_QUEUE_URL` and grants `sqs:SendMessage` on the send queue only. */
  grantEnqueueSends(fn: NudgeFunction): void {
    fn.addEnvironment(SEND_QUEUE_URL_ENV, this.sendQueue.queueUrl);
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.sendQueue.queueArn] }));
  }

  /** The ARN SES authorizes `SendEmail` against for the configuration set (the L2 exposes only its name). */
  get configurationSetArn(): string {
    return Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
  }

  /** Lets `fn` send as the sender: sets the sender variables and grants `ses:SendEmail` on the identity and configuration set only. */
  private grantSendEmail(fn: NudgeFunction, replyToEmail: string | undefined): void {
    fn.addEnvironment(SENDER_EMAIL_ENV, this.senderEmail);
    if (replyToEmail) fn.addEnvironment(REPLY_TO_EMAIL_ENV, replyToEmail);
    fn.addEnvironment(SES_CONFIGURATION_SET_ENV, this.configurationSet.configurationSetName);
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [this.senderIdentity.emailIdentityArn, this.configurationSetArn],
      }),
    );
  }

  private resolveSender(props: NudgeDeliveryProps): { identity: ses.Identity; senderEmail: string } {
    if (props.senderDomain) {
      return { identity: ses.Identity.domain(props.senderDomain), senderEmail: props.senderEmail ?? `no-reply@${props.senderDomain}` };
    }
    if (props.senderEmail) return { identity: ses.Identity.email(props.senderEmail), senderEmail: props.senderEmail };
    Annotations.of(this).addWarningV2(
      MISSING_SENDER_WARNING_ID,
      `No sender configured: using the placeholder ${PLACEHOLDER_SENDER_EMAIL}, which SES will never verify. ` +
        'Pass -c senderEmail=you@example.com (an address you can verify) or -c senderDomain=example.com (Easy DKIM) to send real email.',
    );
    return { identity: ses.Identity.email(PLACEHOLDER_SENDER_EMAIL), senderEmail: PLACEHOLDER_SENDER_EMAIL };
  }
}
