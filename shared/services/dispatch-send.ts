import type { Catalog } from '../catalog/index.ts';
import type { Clock } from '../domain/clock.ts';
import { renderEmail, templateVariables } from '../domain/email-template.ts';
import type { EmailSender, Log, ProfileStore, SendLedger } from '../domain/ports.ts';
import { sendBlocker } from '../domain/send-decision.ts';
import type { SendRequest } from '../domain/send-request.ts';

export type DispatchDeps = { ledger: SendLedger; sender: EmailSender; profiles: ProfileStore; catalog: Catalog; clock: Clock; log: Log };

export type DispatchOutcome =
  | { type: 'sent'; sendId: string; messageId: string }
  | { type: 'skipped'; sendId: string; reason: 'already_sent' | 'already_failed' }
  | { type: 'failed'; sendId: string; reason: string };

/** Thrown for faults worth retrying (SES throttling, a concurrent worker): the queue redelivers. */
export class RetryableSendError extends Error {
  override name = 'RetryableSendError';
}

/**
 * Longest time one attempt may hold a send. Shorter than the queue's visibility timeout, so a
 * crashed worker's lease has lapsed when SQS redelivers the message.
 */
export const SEND_LEASE_MS = 60_000;

/**
 * Deliver one queued send, at most once per sendId: lease it in the ledger, render, send, record.
 * Permanent failures (template error, SES rejection) are recorded, not retried; retryable ones throw.
 */
export function makeDispatchSend(deps: DispatchDeps) {
  return async function dispatchSend(request: SendRequest): Promise<DispatchOutcome> {
    const { sendId } = request;
    const begun = await deps.ledger.begin({ request, now: deps.clock.now(), leaseMs: SEND_LEASE_MS });
    if (begun.type === 'already_sent' || begun.type === 'already_failed') {
      deps.log.info('send already settled, skipping redelivery', { sendId, state: begun.type });
      return { type: 'skipped', sendId, reason: begun.type };
    }
    if (begun.type === 'in_progress_elsewhere') {
      throw new RetryableSendError(`send ${sendId} is being delivered by another worker`);
    }

    // Re-checked as the email leaves: a send decided hours ago (quiet hours, a delay) must not reach
    // someone who unsubscribed, lost their address, or opened a support ticket since. One read.
    const profile = await deps.profiles.get(request.customerId);
    if (!profile) return fail(deps, request, 'not sent: the customer no longer exists');
    const rule = deps.catalog.rules.find((r) => r.id === request.ruleId);
    const blocked = sendBlocker(profile, { category: request.category, transactional: rule?.transactional ?? false }, deps.catalog.settings.consentMode);
    if (blocked) return fail(deps, request, `not sent: ${blocked.replaceAll('_', ' ')} when the email was due to leave`);

    const template = deps.catalog.templates.find((t) => t.id === request.templateId);
    if (!template) return fail(deps, request, `template ${request.templateId} is not in the catalog`);
    const rendered = await renderEmail(template, templateVariables(request, deps.catalog.settings.brandName));
    if (rendered.type === 'failed') return fail(deps, request, rendered.reason);

    const result = await deps.sender.send({
      // The address on file now: a customer who changed it since the decision gets mail at the new one.
      to: profile.email ?? request.email,
      ...rendered.email,
      tags: { rule: request.ruleId, sendId, category: request.category },
    });
    if (result.type === 'retryable') {
      await deps.ledger.release({ request, error: result.reason, now: deps.clock.now() });
      throw new RetryableSendError(`send ${sendId}: ${result.reason}`);
    }
    if (result.type === 'rejected') return fail(deps, request, `rejected by SES: ${result.reason}`);
    await deps.ledger.markSent({ request, messageId: result.messageId, now: deps.clock.now() });
    deps.log.info('email sent', { sendId, ruleId: request.ruleId, customerId: request.customerId, messageId: result.messageId });
    return { type: 'sent', sendId, messageId: result.messageId };
  };
}

async function fail(deps: DispatchDeps, request: SendRequest, reason: string): Promise<DispatchOutcome> {
  await deps.ledger.markFailed({ request, reason, now: deps.clock.now() });
  deps.log.warn('send failed permanently', { sendId: request.sendId, ruleId: request.ruleId, reason });
  return { type: 'failed', sendId: request.sendId, reason };
}
