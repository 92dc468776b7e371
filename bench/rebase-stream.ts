import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
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
