import * as z from 'zod';
import { engagementEntry, type BehaviorEntry } from './engagement-events.ts';

/**
 * SES email sending events, as SES event publishing delivers them to EventBridge (always the
 * default bus, source `aws.ses`), turned into what Nudge does about them. Pure: no I/O, no clock.
 *
 * The envelope's `detail` is SES's event record, the same one SES publishes to SNS and Firehose:
 * `eventType`, `mail` (messageId, destination, the message tags as `{ name: [value] }`) and one
 * object named after the event (`bounce`, `complaint`, `delivery`, `open`, `click`, ...). Fields
 * Nudge does not use are accepted and ignored, so new SES fields never break parsing.
 *
 * Nudge tags every message it sends with `rule`, `sendId`, `category` and the customer id
 * (customerTags). Those tags are how an SES event finds its customer and send; the address alone
 * is never used to look a customer up.
 */
export const SES_SOURCE = 'aws.ses';

/**
 * The EventBridge detail-type of each SES event type (`detail.eventType`). Source: the EventBridge
 * events reference for Amazon SES ("Amazon SES sends the following events directly to
 * EventBridge") and the SES developer guide, "Monitoring SES events using Amazon EventBridge".
 */
export const SES_DETAIL_TYPES = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Open: 'Email Opened',
  Click: 'Email Clicked',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Reject: 'Email Rejected',
  'Rendering Failure': 'Email Rendering Failed',
  DeliveryDelay: 'Email Delivery Delayed',
  Subscription: 'Email Subscribed',
} as const;
export type SesEventType = keyof typeof SES_DETAIL_TYPES;

/** The message tags Nudge's dispatcher sets on every email (see dispatch-send.ts). */
export const SES_TAGS = { rule: 'rule', sendId: 'sendId', category: 'category', customer: 'customer' } as const;

/**
 * The customer id as message tags: base64url of its UTF-8 (tag values allow no other characters),
 * cut into values of at most 256 characters under `customer`, `customer_2`, `customer_3` ... An id
 * of up to 192 bytes is the one `customer` tag it always was; the contract's longest (256 UTF-16
 * units, at most 768 UTF-8 bytes) needs 4. Bounded, and the SES event carries the whole id back,
 * so no lookup table (holding customer ids outside their partition, for erase to chase) is needed.
 */
export function customerTags(customerId: string): Record<string, string> {
  const encoded = Buffer.from(customerId, 'utf8').toString('base64url');
  const tags: Record<string, string> = {};
  for (let part = 0; part * MAX_TAG_VALUE < encoded.length; part++) {
    tags[customerTagName(part)] = encoded.slice(part * MAX_TAG_VALUE, (part + 1) * MAX_TAG_VALUE);
  }
  return tags;
}

/** SES tag values: only [A-Za-z0-9_-], at most 256 characters (SES API reference, MessageTag). */
const MAX_TAG_VALUE = 256;
const customerTagName = (part: number): string => (part === 0 ? SES_TAGS.customer : `${SES_TAGS.customer}_${part + 1}`);

/** What became of a send after SES accepted it, as kept on the send's ledger record. */
export type SendOutcome = 'delivered' | 'bounced' | 'rejected' | 'complained';

/**
 * SES events arrive at least once and in any order. An outcome only replaces a lower-ranked one:
 * a late `Delivery` never hides a bounce or complaint, and a repeated event changes nothing.
 */
export const SEND_OUTCOME_RANK: Record<SendOutcome, number> = { delivered: 1, bounced: 2, rejected: 2, complained: 3 };

/** Port: records outcomes on the send ledger (DynamoSendLedger.recordOutcome). */
export interface SendOutcomes {
  /**
   * Sets the outcome of a send Nudge has a record of, if it outranks the one recorded
   * ({@link SEND_OUTCOME_RANK}); otherwise, and for unknown sends, changes nothing.
   */
  recordOutcome(input: { customerId: string; sendId: string; outcome: SendOutcome; at: Date; detail?: string }): Promise<'recorded' | 'unchanged'>;
}

export type SesEventAction =
  /** A behavior event (email_open / email_click) for the bus: ingest treats it like the tracking endpoints' own. */
  | { type: 'engagement'; entry: BehaviorEntry }
  /** Put the address on the suppression list at once; `detail` never contains an address. */
  | { type: 'suppress'; email: string; reason: 'hard_bounce' | 'complaint'; at: Date; detail: string }
  | { type: 'send_outcome'; customerId: string; sendId: string; outcome: SendOutcome; at: Date; detail?: string }
  /** Something Nudge deliberately does not act on, with why (for the log). */
  | { type: 'ignore'; reason: string };

export type ParsedSesEvent =
  | { type: 'parsed'; eventType: string; messageId: string; customerId?: string; sendId?: string; actions: SesEventAction[] }
  | { type: 'malformed'; reason: string };

export type ParseSesEventOptions = {
  /**
   * The base URL of Nudge's own link endpoints (unsubscribe, click redirect). SES wraps every link
   * for its click tracking, Nudge's too; a click on one of those is recorded by that endpoint
   * itself, so the SES click is skipped rather than counted twice with the wrong URL.
   */
  ownLinkBase?: string | undefined;
};

const OptionalText = z.string().nullish();
/** Timestamps are kept as strings and checked when used, so one odd timestamp falls back instead of failing the event. */
const Timestamp = z.string().nullish();

const SesMail = z.object({
  messageId: z.string().min(1),
  timestamp: Timestamp,
  destination: z.array(z.string()).nullish(),
  tags: z.record(z.string(), z.array(z.string())).nullish(),
});

const SesEnvelope = z.object({
  source: z.literal(SES_SOURCE),
  'detail-type': z.string(),
  time: Timestamp,
  detail: z.looseObject({ eventType: z.string().min(1), mail: SesMail }),
});

const Recipient = z.object({ emailAddress: z.string().min(3) });

const BounceDetail = z.object({
  bounce: z.object({
    bounceType: z.string(),
    bounceSubType: OptionalText,
    bouncedRecipients: z.array(Recipient.extend({ diagnosticCode: OptionalText, status: OptionalText })).min(1),
    timestamp: Timestamp,
  }),
});
const ComplaintDetail = z.object({
  complaint: z.object({
    complainedRecipients: z.array(Recipient).min(1),
    complaintFeedbackType: OptionalText,
    complaintSubType: OptionalText,
    timestamp: Timestamp,
  }),
});
const DeliveryDetail = z.object({ delivery: z.object({ timestamp: Timestamp }) });
const OpenDetail = z.object({ open: z.object({ timestamp: Timestamp }) });
const ClickDetail = z.object({ click: z.object({ timestamp: Timestamp, link: z.string().min(1) }) });
const RejectDetail = z.object({ reject: z.object({ reason: OptionalText }).nullish() });
const DeliveryDelayDetail = z.object({ deliveryDelay: z.object({ delayType: OptionalText }).nullish() });

/** Longest diagnostic kept with a suppression or an outcome. */
const MAX_DIAGNOSTIC_LENGTH = 500;

/** Turns one SES event, as EventBridge delivers it, into Nudge's actions. */
export function parseSesEvent(event: unknown, options: ParseSesEventOptions = {}): ParsedSesEvent {
  const envelope = SesEnvelope.safeParse(event);
  if (!envelope.success) return malformed(envelope.error);
  const { detail } = envelope.data;
  const { mail, eventType } = detail;
  const tags = readTags(mail.tags ?? {});
  const fallbackTimes = [envelope.data.time, mail.timestamp];
  const base = { type: 'parsed' as const, eventType, messageId: mail.messageId, ...tags.ids };

  switch (eventType) {
    case 'Open': {
      const result = OpenDetail.safeParse(detail);
      if (!result.success) return malformed(result.error, eventType);
      const parsed = result.data;
      const at = firstDate([parsed.open.timestamp, ...fallbackTimes]);
      if (!at) return malformedTime(eventType);
      if (!tags.customerId || !tags.sendId) return { ...base, actions: [missingTags('open')] };
      const entry = engagementEntry({ kind: 'open', customerId: tags.customerId, sendId: tags.sendId, ...ruleOf(tags), at });
      return { ...base, actions: [{ type: 'engagement', entry }] };
    }
    case 'Click': {
      const result = ClickDetail.safeParse(detail);
      if (!result.success) return malformed(result.error, eventType);
      const parsed = result.data;
      const at = firstDate([parsed.click.timestamp, ...fallbackTimes]);
      if (!at) return malformedTime(eventType);
      if (!tags.customerId || !tags.sendId) return { ...base, actions: [missingTags('click')] };
      if (isOwnLink(parsed.click.link, options.ownLinkBase)) {
        return { ...base, actions: [{ type: 'ignore', reason: "a click on Nudge's own link endpoint, which records it itself" }] };
      }
      const entry = engagementEntry({ kind: 'click', customerId: tags.customerId, sendId: tags.sendId, url: parsed.click.link, ...ruleOf(tags), at });
      return { ...base, actions: [{ type: 'engagement', entry }] };
    }
    case 'Bounce': {
      const result = BounceDetail.safeParse(detail);
      if (!result.success) return malformed(result.error, eventType);
      const parsed = result.data;
      const { bounce } = parsed;
      const at = firstDate([bounce.timestamp, ...fallbackTimes]);
      if (!at) return malformedTime(eventType);
      const kind = `${bounce.bounceType}/${bounce.bounceSubType ?? 'unknown'}`;
      const diagnostic = bounce.bouncedRecipients.map((r) => r.diagnosticCode ?? r.status).find((d): d is string => Boolean(d));
      const detailText = diagnostic ? `${kind}: ${redactAddresses(diagnostic).slice(0, MAX_DIAGNOSTIC_LENGTH)}` : kind;
      const actions: SesEventAction[] = [];
      if (bounce.bounceType === 'Permanent') {
        for (const recipient of bounce.bouncedRecipients) {
          actions.push({ type: 'suppress', email: bareAddress(recipient.emailAddress), reason: 'hard_bounce', at, detail: detailText });
        }
      } else {
        // Transient bounces (mailbox full, message too large, ...) reach us only after SES gave up retrying;
        // the address itself is fine. Undetermined ones give no reason to stop mailing it either.
        actions.push({ type: 'ignore', reason: `${bounce.bounceType.toLowerCase()} bounce (${kind}): the address is not suppressed` });
      }
      actions.push(...outcome(tags, 'bounced', at, detailText, 'bounce'));
      return { ...base, actions };
    }
    case 'Complaint': {
      const result = ComplaintDetail.safeParse(detail);
      if (!result.success) return malformed(result.error, eventType);
      const parsed = result.data;
      const { complaint } = parsed;
      const at = firstDate([complaint.timestamp, ...fallbackTimes]);
      if (!at) return malformedTime(eventType);
      const feedback = complaint.complaintFeedbackType ?? 'no feedback type';
      if (feedback === 'not-spam') {
        // A feedback report saying the message is NOT spam (RFC 5965 "not-spam"): the opposite of a complaint.
        return { ...base, actions: [{ type: 'ignore', reason: 'a "not-spam" feedback report, not a complaint' }] };
      }
      const detailText = `complaint (${feedback}${complaint.complaintSubType ? `, ${complaint.complaintSubType}` : ''})`;
      const actions: SesEventAction[] = complaint.complainedRecipients.map((recipient) => ({
        type: 'suppress' as const,
        email: bareAddress(recipient.emailAddress),
        reason: 'complaint' as const,
        at,
        detail: detailText,
      }));
      actions.push(...outcome(tags, 'complained', at, detailText, 'complaint'));
      return { ...base, actions };
    }
    case 'Delivery': {
      const result = DeliveryDetail.safeParse(detail);
      if (!result.success) return malformed(result.error, eventType);
      const parsed = result.data;
      const at = firstDate([parsed.delivery.timestamp, ...fallbackTimes]);
      if (!at) return malformedTime(eventType);
      return { ...base, actions: outcome(tags, 'delivered', at, undefined, 'delivery') };
    }
    case 'Reject': {
      const result = RejectDetail.safeParse(detail);
      if (!result.success) return malformed(result.error, eventType);
      const parsed = result.data;
      const at = firstDate(fallbackTimes);
      if (!at) return malformedTime(eventType);
      // SES found a virus in the message and did not send it: a fault of the content, not of the address.
      const reason = parsed.reject?.reason ?? 'rejected by SES';
      return { ...base, actions: outcome(tags, 'rejected', at, reason.slice(0, MAX_DIAGNOSTIC_LENGTH), 'reject') };
    }
    case 'DeliveryDelay': {
      const result = DeliveryDelayDetail.safeParse(detail);
      if (!result.success) return malformed(result.error, eventType);
      const parsed = result.data;
      const delayType = parsed.deliveryDelay?.delayType ?? 'unknown';
      return { ...base, actions: [{ type: 'ignore', reason: `delivery delayed (${delayType}); SES keeps trying, and reports the final delivery or bounce` }] };
    }
    case 'Send':
      return { ...base, actions: [{ type: 'ignore', reason: 'the send ledger records sends already' }] };
    case 'Rendering Failure':
      return { ...base, actions: [{ type: 'ignore', reason: 'SES templates are not used (Nudge renders every email itself)' }] };
    case 'Subscription':
      return { ...base, actions: [{ type: 'ignore', reason: "SES subscription management is not used (Nudge's own unsubscribe links are)" }] };
    default:
      return { ...base, actions: [{ type: 'ignore', reason: `SES event type "${eventType.slice(0, 64)}" is not one Nudge acts on` }] };
  }
}

/** For logs: the first character and the domain (`j***@example.com`); never the whole address. */
export function maskAddress(email: string): string {
  const address = bareAddress(email);
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  // The first code point, not code unit: half a surrogate pair is not text.
  return `${String.fromCodePoint(address.codePointAt(0)!)}***${address.slice(at)}`;
}

/** Replaces every email address inside free text (SMTP diagnostics quote the recipient) with `[address]`. */
export function redactAddresses(text: string): string {
  return text.replace(/[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/g, '[address]');
}

/** `Name <a@b.c>` -> `a@b.c`; a bare address unchanged. */
function bareAddress(value: string): string {
  const match = /<([^<>]+)>\s*$/.exec(value);
  return (match ? match[1]! : value).trim();
}

type Tags = { ids: { customerId?: string; sendId?: string }; customerId?: string; sendId?: string; ruleId?: string };

function readTags(tags: Record<string, string[]>): Tags {
  const first = (name: string) => tags[name]?.find((value) => value !== '');
  const parts: string[] = [];
  for (let part = 0; ; part++) {
    const value = first(customerTagName(part));
    if (value === undefined) break;
    parts.push(value);
  }
  const customerId = decodeCustomer(parts.length > 0 ? parts.join('') : undefined);
  const sendId = first(SES_TAGS.sendId);
  const ruleId = first(SES_TAGS.rule);
  const ids = { ...(customerId ? { customerId } : {}), ...(sendId ? { sendId } : {}) };
  return { ids, ...ids, ...(ruleId ? { ruleId } : {}) };
}

/** The `customer` tags hold base64url of the UTF-8 customer id (customerTags); anything that does not round-trip is not ours. */
function decodeCustomer(value: string | undefined): string | undefined {
  if (!value || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64url').toString('utf8');
  if (decoded === '' || Buffer.from(decoded, 'utf8').toString('base64url') !== value) return undefined;
  return decoded;
}

function ruleOf(tags: Tags): { ruleId?: string } {
  return tags.ruleId ? { ruleId: tags.ruleId } : {};
}

function outcome(tags: Tags, result: SendOutcome, at: Date, detail: string | undefined, what: string): SesEventAction[] {
  if (!tags.customerId || !tags.sendId) return [missingTags(what)];
  return [{ type: 'send_outcome', customerId: tags.customerId, sendId: tags.sendId, outcome: result, at, ...(detail ? { detail } : {}) }];
}

function missingTags(what: string): SesEventAction {
  return { type: 'ignore', reason: `the ${what} carries no Nudge customer/sendId tags (not a Nudge send?), so it is not attributed to a send` };
}

function isOwnLink(link: string, base: string | undefined): boolean {
  if (!base) return false;
  const prefix = base.replace(/\/+$/, '');
  return link === prefix || link.startsWith(`${prefix}/`);
}

function firstDate(candidates: Array<string | null | undefined>): Date | undefined {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const ms = Date.parse(candidate);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  return undefined;
}

function malformed(error: z.ZodError, eventType?: string): ParsedSesEvent {
  const issues = error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`);
  return { type: 'malformed', reason: `${eventType ? `${eventType} event: ` : ''}${issues.join('; ')}` };
}

function malformedTime(eventType: string): ParsedSesEvent {
  return { type: 'malformed', reason: `${eventType} event: no valid timestamp` };
}
