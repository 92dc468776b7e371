import { Duration, Stack, Validations } from 'aws-cdk-lib';
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
  /** The account is in the SES sandbox: SES also authorizes SendEmail against each recipient identity. */
  sesSandbox?: boolean;
  /** The identity exists already (created outside this stack, or kept from an earlier one): reference it. */
  importSenderIdentity?: boolean;
  /** Custom MAIL FROM domain of a `senderDomain` identity (bounces and SPF align with the sender's domain). */
  mailFromDomain?: string;
};

/** The sandbox grant's acknowledgement id (cdk-nag IAM5 on the identity wildcard). */
const SANDBOX_IDENTITIES = 'arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*';

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
 * - **Sender identity** from context (required: synth fails without `senderEmail` or `senderDomain`),
 *   created here or, with `importSenderIdentity`, referenced (an identity that already exists in the
 *   account would fail the create). A domain identity gets Easy DKIM and a custom MAIL FROM domain.
 *   `ses:SendEmail` is granted on exactly that identity and that configuration set. In the SES
 *   sandbox SES also checks the permission against each (verified) recipient identity, so
 *   `sesSandbox` widens the grant to the account's identities (`identity/*`) until production access.
 */
export class NudgeDelivery extends Construct {
  readonly sendQueue: EncryptedQueue;
  readonly sendDeadLetterQueue: EncryptedQueue;
  readonly configurationSet: ses.ConfigurationSet;
  readonly senderIdentity: ses.IEmailIdentity;
  /** The identity this stack created (undefined when imported): its DKIM records are outputs. */
  readonly createdSenderIdentity: ses.EmailIdentity | undefined;
  readonly mailFromDomain: string | undefined;
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

    const { identity, identityName, senderEmail } = this.resolveSender(props);
    this.senderEmail = senderEmail;
    this.mailFromDomain = props.senderDomain ? props.mailFromDomain : undefined;
    if (props.importSenderIdentity) {
      this.createdSenderIdentity = undefined;
      this.senderIdentity = ses.EmailIdentity.fromEmailIdentityName(this, 'SenderIdentity', identityName);
    } else {
      this.createdSenderIdentity = new ses.EmailIdentity(this, 'SenderIdentity', {
        identity,
        configurationSet: this.configurationSet,
        ...(props.senderDomain
          ? { dkimSigning: true, dkimIdentity: ses.DkimIdentity.easyDkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT) }
          : {}),
        // Bounces come back to (and SPF aligns with) the sender's own domain instead of amazonses.com;
        // until its MX record exists, SES falls back to amazonses.com rather than refusing to send.
        ...(this.mailFromDomain ? { mailFromDomain: this.mailFromDomain, mailFromBehaviorOnMxFailure: ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE } : {}),
      });
      this.senderIdentity = this.createdSenderIdentity;
    }

    this.dispatcher = new NudgeFunction(this, 'Dispatcher', {
      entry: DISPATCHER_ENTRY,
      description: 'Drains the send queue: renders each queued send and sends it through SES, at most once per sendId',
      timeout: DISPATCHER_TIMEOUT,
      logRetention: props.logRetention,
      wildcardActions: { actions: ['ses:GetAccount'], why: "ses:GetAccount reads the account's sending quota, by which the dispatcher paces" },
    });
    props.storage.grantItemAccess(this.dispatcher);
    this.grantSendEmail(this.dispatcher, props.replyToEmail, props.sesSandbox ?? false);
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
    // which the event source mapping's grant already includes). Throttled and held sends go back on
    // the queue as new messages (so they never count toward maxReceiveCount): SendMessage.
    this.grantEnqueueSends(this.dispatcher);
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
  grantSendEmail(fn: NudgeFunction, replyToEmail: string | undefined, sandbox: boolean): void {
    fn.addEnvironment(SENDER_EMAIL_ENV, this.senderEmail);
    if (replyToEmail) fn.addEnvironment(REPLY_TO_EMAIL_ENV, replyToEmail);
    fn.addEnvironment(SES_CONFIGURATION_SET_ENV, this.configurationSet.configurationSetName);
    const identities = sandbox ? Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: '*' }) : this.senderIdentity.emailIdentityArn;
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [identities, this.configurationSetArn] }));
    if (sandbox) {
      Validations.of(fn.role.node.tryFindChild('DefaultPolicy')!.node.defaultChild!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${SANDBOX_IDENTITIES}]`,
        reason:
          'sesSandbox only: in the SES sandbox SES authorizes SendEmail against every recipient identity too (each a verified address), which cannot be listed at deploy; the action is SendEmail only. Deploy without sesSandbox once production access is granted.',
      });
    }
  }

  private resolveSender(props: NudgeDeliveryProps): { identity: ses.Identity; identityName: string; senderEmail: string } {
    if (props.senderDomain) {
      return { identity: ses.Identity.domain(props.senderDomain), identityName: props.senderDomain, senderEmail: props.senderEmail ?? `no-reply@${props.senderDomain}` };
    }
    if (props.senderEmail) return { identity: ses.Identity.email(props.senderEmail), identityName: props.senderEmail, senderEmail: props.senderEmail };
    // infra/context.ts refuses a context without a sender; this guards other callers of the construct.
    throw new Error('NudgeDelivery needs senderEmail or senderDomain (context -c senderDomain=... or -c senderEmail=...)');
  }
}
