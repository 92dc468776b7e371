import { randomUUID } from 'node:crypto';
import { SES_DETAIL_TYPES, SES_SOURCE, type SesEventType } from '#shared/domain/ses-events.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-aws.ts';
import type { SesRefusal } from './ses-sending-limits.ts';

/**
 * What the local SES knows of the account from the synthesized template, and what SES does with
 * it on SendEmail (AWS SES v2 API reference, SendEmail and MessageTag; developer guide, "Event
 * publishing" and "Mailbox simulator"). Pure: the HTTP side is ses-local.ts.
 *
 * - **Refusals** SES makes whatever the sending limits: a configuration set that does not exist
 *   (`NotFoundException`), a sender that is not a verified identity (`MessageRejected`), message
 *   tags outside `[A-Za-z0-9_-]{1,256}` (`BadRequestException`), a message over 40 MB.
 * - **The event stream**: for each accepted email, the events SES publishes through the
 *   configuration set's EventBridge destinations (only their `MatchingEventTypes`), in SES's
 *   record shape, so the ses-events function runs locally as in AWS. Every recipient is delivered,
 *   except the mailbox simulator's: `bounce@` and `suppressionlist@` hard-bounce, `complaint@` is
 *   delivered and then complains (as SES does for all three); `success@` and `ooto@` are delivered.
 */
export type SesAccount = {
  /** Verified identities: addresses, or domains (every address at the domain). */
  identities: string[];
  /** Configuration sets by name, each with its EventBridge event destinations. */
  configurationSets: Map<string, SesEventDestination[]>;
};

export type SesEventDestination = { enabled: boolean; eventBusArn: string; matchingEventTypes: string[] };

/** A SendEmail request body, as much of it as the checks and the events read. */
export type SendEmailRequest = {
  FromEmailAddress?: unknown;
  Destination?: { ToAddresses?: unknown; CcAddresses?: unknown; BccAddresses?: unknown };
  Content?: { Simple?: { Subject?: { Data?: unknown } } };
  EmailTags?: unknown;
  ConfigurationSetName?: unknown;
};

/** SES v2's largest message, the encoded request included. */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;
const TAG_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
const SIMULATOR_DOMAIN = 'simulator.amazonses.com';

/** The refusal SES would answer `request` with (`bytes`: its encoded size), if any. */
export function refusalOf(request: SendEmailRequest, bytes: number, account: SesAccount): SesRefusal | undefined {
  if (bytes > MAX_MESSAGE_BYTES) {
    return { status: 400, errorType: 'MessageRejected', message: `Message length is more than ${MAX_MESSAGE_BYTES} bytes long: ${bytes}.` };
  }
  const configurationSet = typeof request.ConfigurationSetName === 'string' ? request.ConfigurationSetName : undefined;
  if (configurationSet !== undefined && !account.configurationSets.has(configurationSet)) {
    return { status: 404, errorType: 'NotFoundException', message: `Configuration set <${configurationSet}> does not exist.` };
  }
  const from = addressOf(request.FromEmailAddress);
  if (from !== undefined && !isVerified(from, account.identities)) {
    return { status: 400, errorType: 'MessageRejected', message: `Email address is not verified. The following identities failed the check in region ${LOCAL_REGION.toUpperCase()}: ${from}` };
  }
  for (const tag of tagsOf(request)) {
    if (!TAG_PATTERN.test(tag.name) || !TAG_PATTERN.test(tag.value)) {
      return {
        status: 400,
        errorType: 'BadRequestException',
        message: `Invalid message tag ${JSON.stringify(tag.name)}=${JSON.stringify(tag.value.slice(0, 40))}: names and values may contain only ASCII letters, numbers, underscores and dashes, 1 to 256 characters.`,
      };
    }
  }
  return undefined;
}

export function isVerified(address: string, identities: readonly string[]): boolean {
  const lower = address.trim().toLowerCase();
  const domain = lower.slice(lower.lastIndexOf('@') + 1);
  return domain === SIMULATOR_DOMAIN || identities.some((identity) => identity.trim().toLowerCase() === lower || identity.trim().toLowerCase() === domain);
}

/** A PutEvents entry for the default bus, as SES's EventBridge destination publishes it. */
export type SesBusEntry = { Source: string; DetailType: string; Detail: string; EventBusName: string; Time: string };

/** The events SES publishes for an accepted email, per recipient, filtered by the configuration set's destinations. */
export function publishedEvents(request: SendEmailRequest, messageId: string, account: SesAccount, now: Date): SesBusEntry[] {
  const configurationSet = typeof request.ConfigurationSetName === 'string' ? request.ConfigurationSetName : undefined;
  const destinations = (configurationSet === undefined ? [] : (account.configurationSets.get(configurationSet) ?? [])).filter((d) => d.enabled);
  if (destinations.length === 0) return [];
  const from = addressOf(request.FromEmailAddress) ?? '';
  const recipients = recipientsOf(request);
  const timestamp = now.toISOString();
  const mail = {
    timestamp,
    source: from,
    sourceArn: `arn:aws:ses:${LOCAL_REGION}:${LOCAL_ACCOUNT}:identity/${from}`,
    sendingAccountId: LOCAL_ACCOUNT,
    messageId,
    destination: recipients,
    headersTruncated: false,
    commonHeaders: { from: [String(request.FromEmailAddress ?? '')], to: recipients, messageId, subject: String(request.Content?.Simple?.Subject?.Data ?? '') },
    tags: {
      'ses:configuration-set': [configurationSet!],
      'ses:source-ip': ['127.0.0.1'],
      'ses:from-domain': [from.slice(from.lastIndexOf('@') + 1)],
      'ses:caller-identity': ['local'],
      ...Object.fromEntries(tagsOf(request).map((tag) => [tag.name, [tag.value]])),
    },
  };
  const records: Array<{ eventType: SesEventType; body: Record<string, unknown> }> = recipients.flatMap((recipient) => outcomesFor(recipient, timestamp, messageId));
  return destinations.flatMap((destination) =>
    records
      .filter((record) => destination.matchingEventTypes.includes(matchingName(record.eventType)))
      .map((record) => ({
        Source: SES_SOURCE,
        DetailType: SES_DETAIL_TYPES[record.eventType],
        Detail: JSON.stringify({ eventType: record.eventType, mail, ...record.body }),
        EventBusName: destination.eventBusArn,
        Time: timestamp,
      })),
  );
}

function outcomesFor(recipient: string, timestamp: string, messageId: string): Array<{ eventType: SesEventType; body: Record<string, unknown> }> {
  const lower = recipient.toLowerCase();
  const simulator = lower.endsWith(`@${SIMULATOR_DOMAIN}`) ? lower.slice(0, lower.indexOf('@')).split('+')[0] : undefined;
  const delivery = { eventType: 'Delivery' as const, body: { delivery: { timestamp, processingTimeMillis: 1, recipients: [recipient], smtpResponse: '250 2.6.0 Message received', reportingMTA: 'local.smtp-out.amazonses.com' } } };
  const bounce = (subType: string, status: string, diagnosticCode: string) => ({
    eventType: 'Bounce' as const,
    body: { bounce: { bounceType: 'Permanent', bounceSubType: subType, bouncedRecipients: [{ emailAddress: recipient, action: 'failed', status, diagnosticCode }], timestamp, feedbackId: `${messageId}-bounce`, reportingMTA: 'dsn; local.smtp-out.amazonses.com' } },
  });
  if (simulator === 'bounce') return [bounce('General', '5.1.1', 'smtp; 550 5.1.1 user unknown')];
  if (simulator === 'suppressionlist') return [bounce('Suppressed', '5.1.1', 'Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address.')];
  if (simulator === 'complaint') {
    return [delivery, { eventType: 'Complaint', body: { complaint: { complainedRecipients: [{ emailAddress: recipient }], timestamp, feedbackId: `${messageId}-complaint`, complaintFeedbackType: 'abuse', userAgent: 'Amazon SES Mailbox Simulator', arrivalDate: timestamp } } }];
  }
  return [delivery];
}

/** The `MatchingEventTypes` spelling of an event type (CloudFormation: camel case). */
function matchingName(eventType: SesEventType): string {
  return eventType === 'Rendering Failure' ? 'renderingFailure' : eventType === 'DeliveryDelay' ? 'deliveryDelay' : eventType.toLowerCase();
}

function recipientsOf(request: SendEmailRequest): string[] {
  const destination = request.Destination ?? {};
  return [destination.ToAddresses, destination.CcAddresses, destination.BccAddresses].flatMap((list) => (Array.isArray(list) ? list.map((entry) => addressOf(entry) ?? String(entry)) : []));
}

function tagsOf(request: SendEmailRequest): Array<{ name: string; value: string }> {
  return Array.isArray(request.EmailTags) ? request.EmailTags.map((tag: { Name?: unknown; Value?: unknown }) => ({ name: String(tag?.Name ?? ''), value: String(tag?.Value ?? '') })) : [];
}

/** The address of `"Name" <a@b>` or `a@b`. */
function addressOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const angle = /<([^>]+)>\s*$/.exec(value);
  return (angle ? angle[1]! : value).trim();
}

/** A fresh SES-style message id (the upstream emulator's own is used when it answers one). */
export function localMessageId(): string {
  return `${randomUUID()}-000000`;
}
