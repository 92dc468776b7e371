import type { EmailSendResult, SendHoldReason } from '../../domain/ports.ts';

/** What a failed SendEmail means for the send: everything but `sent`. */
export type SesErrorClass = Exclude<EmailSendResult, { type: 'sent' }>;

type Classify = (message: string) => { type: 'throttled' } | { type: 'held'; hold: SendHoldReason } | { type: 'retryable' } | { type: 'rejected' };

const throttled: Classify = () => ({ type: 'throttled' });
const retryable: Classify = () => ({ type: 'retryable' });
const rejected: Classify = () => ({ type: 'rejected' });
const held =
  (hold: SendHoldReason): Classify =>
  () => ({ type: 'held', hold });

/** SES's sandbox and unverified senders: "Email address is not verified. The following identities failed the check ...". */
const NOT_VERIFIED = /not verified/i;
/** SES's daily sending quota, reported as throttling ("Daily message quota exceeded."). */
const DAILY_QUOTA = /daily message quota/i;

/**
 * Every exception @aws-sdk/client-sesv2 defines, each classified on purpose (a unit test fails when
 * an SDK update adds one), plus the service-wide errors SES returns without modelling them.
 *
 * - throttled: SES's sending rate; the send is paced and tried again soon, not counted as a failure.
 * - held: the account, the sender identity or the setup is refused (sandbox, paused, suspended,
 *   unverified MAIL FROM, a missing configuration set, IAM): nothing is wrong with the recipient, so
 *   the send is kept and retried until an operator fixes it (an alarm keys on the held count).
 * - retryable: SES-side and transient faults; retried with backoff, dead-lettered after the queue's
 *   maxReceiveCount, so still recoverable by a redrive.
 * - rejected: only what is about this one message or recipient (bad address syntax, a virus).
 */
export const SESV2_ERROR_CLASSES: Readonly<Record<string, Classify>> = {
  // SendEmail's own errors
  TooManyRequestsException: (message) => (DAILY_QUOTA.test(message) ? { type: 'held', hold: 'daily_quota' } : { type: 'throttled' }),
  AccountSuspendedException: held('account_suspended'),
  SendingPausedException: held('sending_paused'),
  MailFromDomainNotVerifiedException: held('mail_from_not_verified'),
  MessageRejected: (message) => (NOT_VERIFIED.test(message) ? { type: 'held', hold: 'identity_not_verified' } : { type: 'rejected' }),
  // The configuration set (or identity) named in the request does not exist: a deploy problem.
  NotFoundException: held('configuration_missing'),
  // "Too many instances of the specified resource type": an account limit, not the recipient.
  LimitExceededException: held('account_limit'),
  // Invalid input: on SendEmail, the address (e.g. no '@domain'); nothing retrying would change.
  BadRequestException: rejected,
  InternalServiceErrorException: retryable,
  ConcurrentModificationException: retryable,
  // Not returned by SendEmail; transient if they ever are, so retried (and dead-lettered, never burned).
  AlreadyExistsException: retryable,
  ConflictException: retryable,
  InvalidNextTokenException: retryable,
  // Service-wide errors (not modelled by the SDK): SES v1 names, IAM, credentials.
  Throttling: (message) => (DAILY_QUOTA.test(message) ? { type: 'held', hold: 'daily_quota' } : { type: 'throttled' }),
  ThrottlingException: throttled,
  AccountSendingPausedException: held('sending_paused'),
  ConfigurationSetSendingPausedException: held('sending_paused'),
  ConfigurationSetDoesNotExistException: held('configuration_missing'),
  // In the sandbox SES also authorizes ses:SendEmail against each recipient identity.
  AccessDeniedException: held('not_authorized'),
  AccessDenied: held('not_authorized'),
  UnrecognizedClientException: held('not_authorized'),
  InvalidClientTokenId: held('not_authorized'),
  ExpiredTokenException: held('not_authorized'),
  SignatureDoesNotMatch: held('not_authorized'),
};

/**
 * What a SendEmail error means for the send. Pure: the name, message, HTTP status and `$retryable`
 * of the SDK error decide. An unknown name is never a permanent rejection (the old default, which
 * burned sends the account, not the recipient, was refused): 429 is throttling, anything else is retried.
 */
export function classifySesError(error: unknown): SesErrorClass {
  const err = error as { name?: string; message?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  const name = err?.name ?? 'Error';
  const message = err?.message ?? String(error);
  const reason = `${name}: ${message}`;
  const known = Object.hasOwn(SESV2_ERROR_CLASSES, name) ? SESV2_ERROR_CLASSES[name] : undefined;
  const status = err?.$metadata?.httpStatusCode;
  const verdict = known ? known(message) : status === 429 ? { type: 'throttled' as const } : { type: 'retryable' as const };
  // The SDK's own judgement (a socket reset, a 5xx) wins over a permanent verdict only.
  if (verdict.type === 'rejected' && (err?.$retryable || status === undefined || status >= 500)) return { type: 'retryable', reason };
  return verdict.type === 'held' ? { type: 'held', hold: verdict.hold, reason } : { type: verdict.type, reason };
}
