import type { Clock } from '../domain/clock.ts';
import type { EmailSender, EmailSendResult, Log } from '../domain/ports.ts';
import { VipEscalationDetail, vipEscalationEmail } from '../domain/vip-escalation-email.ts';

/** The notifier's idempotency markers (DynamoNotificationMarkers). */
export interface NotificationMarkers {
  /** Takes the marker unless it is done or another delivery holds an unexpired claim; true when taken. */
  claim(markerId: string, now: Date, leaseMs: number, ttlEpoch: number): Promise<boolean>;
  /** Makes the claim final: no later delivery mails again. */
  complete(markerId: string, outcome: string): Promise<void>;
  /** Gives a claim back after a failed send, so the retry can mail. */
  release(markerId: string): Promise<void>;
}

export type NotifyAccountManagerDeps = {
  accountManagerEmail: string;
  brandName: string;
  markers: NotificationMarkers;
  sender: EmailSender;
  clock: Clock;
  log: Log;
};

export type NotifyOutcome = { type: 'sent'; messageId: string } | { type: 'duplicate' } | { type: 'rejected'; reason: string };

/** Longer than one send takes (the function's timeout is 15 s), shorter than the first retry's backoff. */
export const NOTIFY_LEASE_MS = 60_000;
/** Markers outlive EventBridge's retries (24 h) with room to spare. */
export const NOTIFY_MARKER_DAYS = 7;

/**
 * Document 001's notify_account_manager: one VipEscalation from the bus -> one staff email to the
 * catalog's account manager. Bus delivery is at least once, so the event's transitionId keys a
 * marker: a redelivery finds it and does not mail again. A send SES may accept later (throttled,
 * held, transient) gives the marker back and fails, so EventBridge's retry (and then the
 * dead-letter queue) takes over; a send SES refuses for good is logged as an error and not retried.
 */
export function makeNotifyAccountManager(deps: NotifyAccountManagerDeps) {
  return async function notifyAccountManager(busEvent: { 'detail-type': string; detail: unknown }): Promise<NotifyOutcome> {
    const parsed = VipEscalationDetail.safeParse(busEvent.detail);
    if (!parsed.success) {
      // Our own producer sends these: a malformed one is a bug to surface (retries, then the DLQ).
      throw new Error(`malformed ${busEvent['detail-type']} event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const detail = parsed.data;
    const now = deps.clock.now();
    const markerId = `vip#${detail.transitionId}`;
    const ttl = Math.floor(now.getTime() / 1000) + NOTIFY_MARKER_DAYS * 86_400;
    if (!(await deps.markers.claim(markerId, now, NOTIFY_LEASE_MS, ttl))) {
      deps.log.info('VIP escalation already notified', { customerId: detail.customerId, transitionId: detail.transitionId });
      return { type: 'duplicate' };
    }
    let result: EmailSendResult;
    try {
      result = await deps.sender.send(vipEscalationEmail({ to: deps.accountManagerEmail, brandName: deps.brandName, detail }));
      if (result.type !== 'sent' && result.type !== 'rejected') throw new Error(`account-manager notification not sent (${result.type}): ${result.reason}`);
    } catch (error) {
      // Nothing left: the retry may mail.
      await deps.markers.release(markerId);
      throw error;
    }
    // Mailed (or refused for good): from here on a failure must not free the marker, or a retry would mail twice.
    await deps.markers.complete(markerId, result.type);
    if (result.type === 'rejected') {
      deps.log.error('SES refused the account-manager notification', { customerId: detail.customerId, transitionId: detail.transitionId, reason: result.reason });
      return { type: 'rejected', reason: result.reason };
    }
    deps.log.info('account manager notified of a VIP escalation', { customerId: detail.customerId, transitionId: detail.transitionId, messageId: result.messageId });
    return { type: 'sent', messageId: result.messageId };
  };
}
