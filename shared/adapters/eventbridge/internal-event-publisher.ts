import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { INTERNAL_SOURCE, type InternalEvent } from '../../domain/internal-events.ts';
import type { InternalEventBus } from '../../domain/ports.ts';

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES = 10;

export class InternalEventPublishError extends Error {
  override name = 'InternalEventPublishError';
}

/** Puts Nudge's internal events on the bus; a partly failed batch throws so the caller's invocation is retried. */
export class EventBridgeInternalEventBus implements InternalEventBus {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: InternalEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += MAX_ENTRIES) {
      const batch = events.slice(i, i + MAX_ENTRIES);
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: this.busName,
            Source: INTERNAL_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      if ((result.FailedEntryCount ?? 0) > 0) {
        const failures = (result.Entries ?? []).filter((entry) => entry.ErrorCode).map((entry) => `${entry.ErrorCode}: ${entry.ErrorMessage}`);
        throw new InternalEventPublishError(`${result.FailedEntryCount} of ${batch.length} internal events were not accepted: ${failures.join('; ')}`);
      }
    }
  }
}
