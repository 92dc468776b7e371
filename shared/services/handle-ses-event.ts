import type { BehaviorEntry } from '../domain/engagement-events.ts';
import type { BehaviorEventBus, Log, SuppressionList } from '../domain/ports.ts';
import { maskAddress, parseSesEvent, type SendOutcomes } from '../domain/ses-events.ts';

export type HandleSesEventDeps = {
  suppression: SuppressionList;
  bus: BehaviorEventBus;
  outcomes: SendOutcomes;
  log: Log;
  /** Base URL of Nudge's link endpoints; SES clicks on those are left to the endpoints (see ses-events.ts). */
  ownLinkBase?: string | undefined;
};

export type HandleSesEventResult =
  | { type: 'handled'; eventType: string; suppressed: number; engagements: number; outcome?: 'recorded' | 'unchanged'; ignored: string[] }
  | { type: 'malformed'; reason: string };

/**
 * One SES event (delivery, open, click, bounce, complaint, ...) from EventBridge: hard bounces and
 * complaints put the address on the suppression list at once, opens and clicks go on the bus as
 * the same behavior events the tracking endpoints produce, and deliveries, bounces and complaints
 * are recorded on the send's ledger record.
 *
 * Idempotent, because SES may deliver an event twice and Lambda retries a failed invocation: the
 * suppression list keeps its first entry, the ledger outcome only moves up in rank, and the
 * behavior events carry deterministic eventIds that ingest deduplicates. The order (suppression
 * first) means a fault later on cannot lose the one action that protects the sender's reputation.
 *
 * Infrastructure faults throw (retry, then the dead-letter queue). A malformed event is logged
 * and dropped: retrying it would never help. No log line carries a whole email address.
 */
export function makeHandleSesEvent(deps: HandleSesEventDeps) {
  return async function handleSesEvent(event: unknown): Promise<HandleSesEventResult> {
    const parsed = parseSesEvent(event, { ownLinkBase: deps.ownLinkBase });
    if (parsed.type === 'malformed') {
      deps.log.error('SES event is malformed; dropped', { reason: parsed.reason });
      return parsed;
    }
    const context = {
      sesEventType: parsed.eventType,
      sesMessageId: parsed.messageId,
      ...(parsed.customerId ? { customerId: parsed.customerId } : {}),
      ...(parsed.sendId ? { sendId: parsed.sendId } : {}),
    };

    let suppressed = 0;
    let outcome: 'recorded' | 'unchanged' | undefined;
    const entries: BehaviorEntry[] = [];
    const ignored: string[] = [];
    for (const action of parsed.actions) {
      switch (action.type) {
        case 'suppress':
          await deps.suppression.add({ email: action.email, reason: action.reason, at: action.at, detail: action.detail });
          suppressed += 1;
          deps.log.info('address suppressed', { ...context, address: maskAddress(action.email), reason: action.reason, detail: action.detail });
          break;
        case 'send_outcome':
          outcome = await deps.outcomes.recordOutcome({
            customerId: action.customerId,
            sendId: action.sendId,
            outcome: action.outcome,
            at: action.at,
            ...(action.detail ? { detail: action.detail } : {}),
          });
          deps.log.info(`send outcome ${outcome}`, { ...context, outcome: action.outcome });
          break;
        case 'engagement':
          entries.push(action.entry);
          break;
        case 'ignore':
          ignored.push(action.reason);
          deps.log.info('SES event not acted on', { ...context, reason: action.reason });
          break;
      }
    }
    if (entries.length > 0) {
      await deps.bus.put(entries);
      deps.log.info('engagement put on the bus', { ...context, detailTypes: entries.map((entry) => entry.detailType) });
    }
    return { type: 'handled', eventType: parsed.eventType, suppressed, engagements: entries.length, ...(outcome ? { outcome } : {}), ignored };
  };
}
