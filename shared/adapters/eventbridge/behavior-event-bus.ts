import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { BehaviorEventBus } from '../../domain/ports.ts';

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES = 10;

export class BehaviorEventPublishError extends Error {
  override name = 'BehaviorEventPublishError';
}

/**
 * Puts the behavior events Nudge observes itself (opens, clicks, unsubscribes; source
 * `mail.tracking`) on the Nudge bus, where ingest picks them up like any producer's events.
 * A partly failed batch throws with the error codes, so the caller's invocation is retried; the
 * entries carry deterministic eventIds, so the entries that did get through are dropped by ingest
 * as duplicates on the retry.
 */
export class EventBridgeBehaviorEventBus implements BehaviorEventBus {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async put(entries: Array<{ source: string; detailType: string; detail: Record<string, unknown> }>): Promise<void> {
    for (let i = 0; i < entries.length; i += MAX_ENTRIES) {
      const batch = entries.slice(i, i + MAX_ENTRIES);
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((entry) => ({
            EventBusName: this.busName,
            Source: entry.source,
            DetailType: entry.detailType,
            Detail: JSON.stringify(entry.detail),
          })),
        }),
      );
      if ((result.FailedEntryCount ?? 0) > 0) {
        const failures = (result.Entries ?? []).filter((entry) => entry.ErrorCode).map((entry) => `${entry.ErrorCode}: ${entry.ErrorMessage}`);
        throw new BehaviorEventPublishError(`${result.FailedEntryCount} of ${batch.length} behavior events were not accepted: ${failures.join('; ')}`);
      }
    }
  }
}
