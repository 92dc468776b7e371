import { createHash } from 'node:crypto';

/**
 * Email engagement and list events Nudge itself observes (an open pixel, a click redirect, a
 * one-click unsubscribe, SES open/click notifications), as behavior events for the bus. One
 * mapping for every path, so the local tracking endpoints and SES's event publishing in AWS feed
 * ingest the same events.
 *
 * The eventId says what ingest treats as "the same thing again". Opens and clicks are
 * observations: a reloaded pixel or a retried SES notification within the same minute is one, so
 * their id is derived from what happened. An unsubscribe or a preference change is a person's
 * request: each one is new, even through a link used before (unsubscribe, re-subscribe elsewhere,
 * unsubscribe with the old link again), so its id is derived from the request (`requestId`, the
 * Function URL's request id), never from the link alone, or ingest's duplicate window would drop it.
 */
export const TRACKING_SOURCE = 'mail.tracking';

export type EngagementEvent =
  | { kind: 'open'; customerId: string; sendId: string; ruleId?: string; at: Date }
  | { kind: 'click'; customerId: string; sendId: string; ruleId?: string; url: string; category?: string; at: Date }
  | { kind: 'unsubscribe'; customerId: string; sendId: string; category: string; via: 'one_click' | 'link' | 'mailto'; requestId: string; at: Date }
  /**
   * A choice made in the preference center: one event per direction, naming every category it changes.
   * `confirmed`: a subscribe made by following the confirmation email (`via: preference_center_confirmed`).
   */
  | { kind: 'preference'; customerId: string; sendId: string; status: 'subscribed' | 'unsubscribed'; categories: string[]; email?: string; confirmed?: boolean; requestId: string; at: Date }
  /**
   * Opt-in categories chosen in the preference center, which take effect only once confirmed from the
   * person's mailbox (the page's link is a bearer token that may have been forwarded): ingest's
   * `confirm_subscription` rule sends the confirmation email through the normal send path.
   */
  | { kind: 'confirmation_request'; customerId: string; sendId: string; categories: string[]; requestId: string; at: Date };

/** The behavior event the preference center puts for opt-in categories awaiting confirmation (a custom event type). */
export const CONSENT_CONFIRMATION_REQUESTED = 'consent_confirmation_requested';

/** A PutEvents entry (Source, DetailType, Detail as an object) for the behavior contract. */
export type BehaviorEntry = { source: string; detailType: string; detail: Record<string, unknown> };

export function engagementEntry(event: EngagementEvent): BehaviorEntry {
  const occurredAt = new Date(Math.floor(event.at.getTime() / 1000) * 1000).toISOString();
  const minute = occurredAt.slice(0, 16);
  switch (event.kind) {
    case 'open':
      return entry('email_open', event.customerId, digest('open', event.sendId, minute), occurredAt, { sendId: event.sendId, ...(event.ruleId ? { ruleId: event.ruleId } : {}) });
    case 'click':
      return entry('email_click', event.customerId, digest('click', event.sendId, event.url, minute), occurredAt, {
        sendId: event.sendId,
        url: event.url,
        ...(event.ruleId ? { ruleId: event.ruleId } : {}),
        ...(event.category ? { category: event.category } : {}),
      });
    case 'unsubscribe':
      // One event per request: the same link used again after a re-subscribe unsubscribes again.
      return entry('unsubscribe', event.customerId, digest('unsubscribe', event.sendId, event.category, event.requestId), occurredAt, {
        sendId: event.sendId,
        categories: [event.category],
        reason: event.via === 'one_click' ? 'one-click unsubscribe (RFC 8058)' : `unsubscribe (${event.via})`,
      });
    case 'preference': {
      // One event per request and direction: off, on and off again within a second means each one.
      const categories = [...event.categories].sort();
      return entry(event.status === 'subscribed' ? 'subscribe' : 'unsubscribe', event.customerId, digest('preference', event.requestId, event.status, ...categories), occurredAt, {
        sendId: event.sendId,
        categories,
        via: event.confirmed ? 'preference_center_confirmed' : 'preference_center',
        // subscribe needs an address (the contract); the page has it from the live profile.
        ...(event.status === 'subscribed' ? { source: 'preference_center', ...(event.email ? { email: event.email } : {}) } : { reason: 'preference center' }),
      });
    }
    case 'confirmation_request': {
      // One per request, like the choice it stands for: asking again sends another confirmation (within the rule's cap).
      const categories = [...event.categories].sort();
      return entry(CONSENT_CONFIRMATION_REQUESTED, event.customerId, digest('confirmation', event.requestId, ...categories), occurredAt, {
        sendId: event.sendId,
        categories,
        via: 'preference_center',
      });
    }
  }
}

function entry(detailType: string, customerId: string, eventId: string, occurredAt: string, properties: Record<string, unknown>): BehaviorEntry {
  return { source: TRACKING_SOURCE, detailType, detail: { eventId, customerId, occurredAt, properties } };
}

function digest(...parts: string[]): string {
  return `trk-${createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 24)}`;
}
