import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { LocalSystem } from '#local/system.ts';
import type { GeneratedEntry } from '../events/generators/behavior-stream.ts';

const WEEK_MS = 7 * 86_400_000;

/**
 * A generated stream as PutEvents entries rebased by whole weeks to the local clock's now (as the demo
 * replay does: times of day and weekdays stay), with the clock then moved past its end and the system
 * settled, so every event is in the past when ingested and the schedules the jump made due run now,
 * not during the measurement.
 */
export async function rebasedToClock(system: Pick<LocalSystem, 'clock' | 'waitForIdle'>, entries: readonly GeneratedEntry[], busName: string): Promise<PutEventsRequestEntry[]> {
  const shiftMs = Math.max(0, Math.ceil((system.clock.now().getTime() - Date.parse(entries[0]!.Time)) / WEEK_MS)) * WEEK_MS;
  const shift = (iso: string) => new Date(Date.parse(iso) + shiftMs).toISOString();
  system.clock.advanceTo(new Date(Date.parse(shift(entries.at(-1)!.Time)) + 60_000));
  await system.waitForIdle(120_000);
  return entries.map((entry) => ({
    Source: entry.Source,
    DetailType: entry.DetailType,
    Detail: JSON.stringify({ ...entry.Detail, occurredAt: shift(entry.Detail.occurredAt as string) }),
    EventBusName: busName,
    Time: new Date(shift(entry.Time)),
  }));
}

/** Events put before the system is let drain. */
const EVENTS_PER_WINDOW = 500;
/** PutEvents takes 10 entries a request. */
const ENTRIES_PER_PUT = 10;
const PUTS_IN_FLIGHT = 4;

/**
 * Puts `entries` in windows of EVENTS_PER_WINDOW, each drained before the next: the local bus fans
 * out without Lambda's concurrency limit, so thousands of events at once pile up as sockets waiting
 * on DynamoDB Local until calls time out (AWS would throttle and retry instead). Returns the entries
 * the bus refused; `afterWindow` runs after each drain with the count put so far.
 */
export async function putInWindows(
  eventBridge: EventBridgeClient,
  system: Pick<LocalSystem, 'waitForIdle'>,
  entries: readonly PutEventsRequestEntry[],
  afterWindow: (put: number) => void,
): Promise<{ refused: number }> {
  let next = 0;
  let refused = 0;
  while (next < entries.length) {
    const windowEnd = Math.min(entries.length, next + EVENTS_PER_WINDOW);
    await Promise.all(
      Array.from({ length: PUTS_IN_FLIGHT }, async () => {
        while (next < windowEnd) {
          const batch = entries.slice(next, (next = Math.min(windowEnd, next + ENTRIES_PER_PUT)));
          refused += (await eventBridge.send(new PutEventsCommand({ Entries: batch }))).FailedEntryCount ?? 0;
        }
      }),
    );
    await system.waitForIdle(10 * 60_000);
    afterWindow(next);
  }
  return { refused };
}
