import { setTimeout as sleep } from 'node:timers/promises';
import type { Catalog } from '../catalog/index.ts';
import type { Clock } from '../domain/clock.ts';
import { confirmationFor, linksFor, trackClicks, unsubscribeHeaders, withFooter } from '../domain/email-links.ts';
import { personalizationAtSend, renderEmail, templateVariables } from '../domain/email-template.ts';
import type { LinkKeyring } from '../domain/link-keyring.ts';
import { MAX_QUEUE_DELAY_SECONDS, type EmailSender, type ErasureTombstones, type Log, type ProfileStore, type SendHoldReason, type SendLedger, type SuppressionList } from '../domain/ports.ts';
import { sendBlocker, stoppedByCancellation } from '../domain/send-decision.ts';
import { customerTags } from '../domain/ses-events.ts';
import type { Profile } from '../domain/profile.ts';
import type { SendRequest } from '../domain/send-request.ts';
import { isBehind, readProfileWhen } from './profile-as-of.ts';

export type DispatchDeps = {
  ledger: SendLedger;
  sender: EmailSender;
  profiles: ProfileStore;
  suppression: SuppressionList;
  /** Read only when the profile is missing: tells an erased customer from one whose first profile write has not landed yet. */
  erasures: Pick<ErasureTombstones, 'isErased'>;
  /** The link endpoints' base URL, the link keyring (its current key signs; cached per container), the mailto mailbox. */
  links: { baseUrl: string; keyring: () => Promise<LinkKeyring>; unsubscribeMailbox?: string | undefined };
  catalog: Catalog;
  clock: Clock;
  log: Log;
};

export type DispatchOutcome =
  | { type: 'sent'; sendId: string; messageId: string }
  | { type: 'skipped'; sendId: string; reason: 'already_sent' | 'already_failed' }
  /** The customer was erased after the send was queued: nothing is written, nothing retried. */
  | { type: 'skipped'; sendId: string; reason: 'customer_erased' }
  | { type: 'failed'; sendId: string; reason: string }
  /**
   * Not sent yet, and not a failure: SES (or the dispatcher's pacing) is over its rate, or refuses the
   * account or identity (`hold`). The caller puts the send back on the queue after `delaySeconds`.
   */
  | { type: 'deferred'; sendId: string; reason: string; delaySeconds: number; hold?: SendHoldReason };

/**
 * A held send is tried again after SQS's longest delay: the fix (production access, a verified
 * identity, resumed sending) takes an operator minutes at least, and each try costs an SES call.
 */
export const HOLD_DELAY_SECONDS = MAX_QUEUE_DELAY_SECONDS;
/** A throttled send with no hint of its own tries again after this (SES's rate recovers within a second or two). */
export const THROTTLE_DELAY_SECONDS = 2;
/** The log message an alarm (a metric filter on the dispatcher's logs) counts held sends by. */
export const SEND_HELD_LOG_MESSAGE = 'send held: SES refuses the account or sender, not the recipient';

/** Thrown for faults worth retrying (SES throttling, a concurrent worker): the queue redelivers. */
export class RetryableSendError extends Error {
  override name = 'RetryableSendError';
}

/**
 * How long a send that hit a retryable fault (SES throttling, a transient error) waits before its
 * next attempt: exponential in the attempt (5 s, 20 s, 80 s, 320 s, then SQS's 15-minute maximum),
 * so a throttled account is not hammered; after the queue's 5 receives it is dead-lettered.
 */
export function retryDelaySeconds(receiveCount: number): number {
  return Math.min(900, 5 * 4 ** Math.max(0, receiveCount - 1));
}

/**
 * Longest time one attempt may hold a send. Shorter than the queue's visibility timeout, so a
 * crashed worker's lease has lapsed when SQS redelivers the message.
 */
export const SEND_LEASE_MS = 60_000;

/**
 * Deliver one queued send, at most once per sendId: lease it in the ledger, render, send, record.
 * Permanent failures (template error, SES rejection of the recipient) are recorded, not retried;
 * throttled and held sends are given back as `deferred` (the caller re-queues them); faults throw.
 */
export function makeDispatchSend(deps: DispatchDeps) {
  return async function dispatchSend(request: SendRequest): Promise<DispatchOutcome> {
    const { sendId } = request;
    // Re-checked as the email leaves: a send decided hours ago (quiet hours, a delay) must not reach
    // someone who unsubscribed, lost their address, or opened a support ticket since. One read,
    // more only while the decision's own profile write has not landed (ingest queues, then writes).
    // Read before the lease, because the lease writes a record into the customer's partition: a
    // send of an erased customer must end here, without recreating anything there.
    const { profile, ready } = await profileAsOfDecision(deps, request);
    if (!profile && (await deps.erasures.isErased(request.customerId))) {
      deps.log.info('send of an erased customer dropped', { sendId, reason: 'customer_erased' });
      return { type: 'skipped', sendId, reason: 'customer_erased' };
    }
    const begun = await deps.ledger.begin({ request, now: deps.clock.now(), leaseMs: SEND_LEASE_MS, retentionDays: deps.catalog.settings.sendRetentionDays });
    if (begun.type === 'already_sent' || begun.type === 'already_failed') {
      deps.log.info('send already settled, skipping redelivery', { sendId, state: begun.type });
      return { type: 'skipped', sendId, reason: begun.type };
    }
    if (begun.type === 'in_progress_elsewhere') {
      throw new RetryableSendError(`send ${sendId} is being delivered by another worker`);
    }

    if (!ready) {
      await deps.ledger.release({ request, error: 'the profile write of this decision has not landed yet', now: deps.clock.now() });
      throw new RetryableSendError(`send ${sendId}: the profile of ${request.customerId} is older than the decision (version ${request.profileVersion})`);
    }
    if (!profile) return fail(deps, request, 'not sent: the customer no longer exists');
    const rule = deps.catalog.rules.find((r) => r.id === request.ruleId);
    const blocked = sendBlocker(profile, { category: request.category, transactional: rule?.transactional ?? false }, deps.catalog.subscriptionCategories);
    if (blocked) return fail(deps, request, `not sent: ${blocked.replaceAll('_', ' ')} when the email was due to leave`);
    if (stoppedByCancellation(profile, request, rule?.transactional ?? false)) {
      return fail(deps, request, 'not sent: the customer cancelled their subscription after what triggered this email (active campaigns stop)');
    }
    const address = profile.email ?? request.email;
    // Hard bounces and complaints stop every later send to the address, whatever its consent says.
    const suppressed = await deps.suppression.find(address);
    if (suppressed) return fail(deps, request, `not sent: the address is suppressed (${suppressed.reason.replaceAll('_', ' ')} on ${suppressed.at})`);

    const template = deps.catalog.templates.find((t) => t.id === request.templateId);
    if (!template) return fail(deps, request, `template ${request.templateId} is not in the catalog`);
    const now = deps.clock.now();
    const linkSettings = { baseUrl: deps.links.baseUrl, key: (await deps.links.keyring()).current, unsubscribeMailbox: deps.links.unsubscribeMailbox };
    const links = linksFor(request, linkSettings, now);
    const transactional = rule?.transactional ?? false;
    // Service mail cannot be unsubscribed (its category is required): a template's unsubscribe link leads to the preferences instead.
    // An experiment's variant replaces the template's subject and preheader with its own (fixed at the decision).
    const rendered = await renderEmail({ ...template, ...request.overrides }, {
      ...templateVariables({ ...request, personalization: personalizationAtSend(request.personalization, profile) }, deps.catalog.settings.brandName, deps.catalog.settings.shopUrl),
      unsubscribe_url: transactional ? links.preferencesUrl : links.unsubscribeUrl,
      preferences_url: links.preferencesUrl,
      // A subscription confirmation's signed link (nil for every other send; its template requires it).
      confirm: confirmationFor(request, deps.catalog.subscriptionCategories, linkSettings, now) ?? null,
    });
    if (rendered.type === 'failed') return fail(deps, request, rendered.reason);
    const body = withFooter(
      { html: trackClicks(rendered.email.html, request, linkSettings, now), text: rendered.email.text },
      { links, brandName: deps.catalog.settings.brandName, category: request.category, transactional },
    );

    const result = await deps.sender.send({
      // The address on file now: a customer who changed it since the decision gets mail at the new one.
      to: address,
      subject: rendered.email.subject,
      ...body,
      // Every marketing email carries RFC 8058 one-click unsubscribe headers; service mail does not.
      headers: transactional ? [] : unsubscribeHeaders(links),
      // SES message tags come back on SES's delivery, open, click, bounce and complaint events.
      tags: { rule: request.ruleId, sendId, category: request.category, ...customerTags(request.customerId) },
    });
    if (result.type === 'retryable') {
      await deps.ledger.release({ request, error: result.reason, now: deps.clock.now() });
      throw new RetryableSendError(`send ${sendId}: ${result.reason}`);
    }
    if (result.type === 'throttled') {
      await deps.ledger.release({ request, error: result.reason, now: deps.clock.now() });
      const delaySeconds = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(1, Math.ceil(result.retryAfterSeconds ?? THROTTLE_DELAY_SECONDS)));
      deps.log.debug('send throttled, deferred', { sendId, delaySeconds, reason: result.reason });
      return { type: 'deferred', sendId, reason: result.reason, delaySeconds };
    }
    if (result.type === 'held') {
      await deps.ledger.release({ request, error: result.reason, now: deps.clock.now() });
      deps.log.error(SEND_HELD_LOG_MESSAGE, { sendId, ruleId: request.ruleId, hold: result.hold, reason: result.reason, retryInSeconds: HOLD_DELAY_SECONDS });
      return { type: 'deferred', sendId, reason: result.reason, delaySeconds: HOLD_DELAY_SECONDS, hold: result.hold };
    }
    if (result.type === 'rejected') return fail(deps, request, `rejected by SES: ${result.reason}`);
    await recordSent(deps, request, result.messageId);
    deps.log.info('email sent', { sendId, ruleId: request.ruleId, customerId: request.customerId, messageId: result.messageId });
    return { type: 'sent', sendId, messageId: result.messageId };
  };
}

/**
 * Pauses between the attempts to record a delivered send: about 15 s in all, on top of the SDK's
 * own retries, because SES has no idempotency key: if this write never lands, the lease lapses and
 * a redelivery mails the person again. A hand-written loop (six lines) rather than a retry library:
 * it is the only place outside the SDK that retries.
 */
export const RECORD_SENT_PAUSES_MS = [250, 500, 1_000, 2_000, 4_000, 8_000];

async function recordSent(deps: DispatchDeps, request: SendRequest, messageId: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.ledger.markSent({ request, messageId, now: deps.clock.now() });
    } catch (error) {
      const pause = RECORD_SENT_PAUSES_MS[attempt];
      if (pause === undefined) throw error;
      deps.log.warn('could not record a delivered send yet, retrying', { sendId: request.sendId, attempt: attempt + 1, cause: String(error) });
      await sleep(pause);
    }
  }
}

/** The profile once the decision's own write has landed (`ready`), or the last read after the short waits. */
async function profileAsOfDecision(deps: DispatchDeps, request: SendRequest): Promise<{ profile: Profile | undefined; ready: boolean }> {
  const write = { profileVersion: request.profileVersion, awaitsTriggerEvent: request.awaitsTriggerEvent, triggerEventId: request.trigger.eventId };
  return readProfileWhen(deps.profiles, request.customerId, (current) => !isBehind(current, write));
}

async function fail(deps: DispatchDeps, request: SendRequest, reason: string): Promise<DispatchOutcome> {
  await deps.ledger.markFailed({ request, reason, now: deps.clock.now() });
  deps.log.warn('send failed permanently', { sendId: request.sendId, ruleId: request.ruleId, reason });
  return { type: 'failed', sendId: request.sendId, reason };
}
