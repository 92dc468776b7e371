import { readFileSync } from 'node:fs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import { LOCAL_REGION, localCredentials } from '../emulators/local-aws.ts';
import type { SimulatedClock } from '../clock/simulated-clock.ts';

/** One scenario line: a PutEvents entry with the instant it happens (Detail as an object for readability). */
export const ScenarioLine = z.object({
  Time: z.string().datetime({ offset: true }),
  Source: z.string(),
  DetailType: z.string(),
  Detail: z.record(z.string(), z.unknown()),
  EventBusName: z.string().optional(),
});
export type ScenarioLine = z.infer<typeof ScenarioLine>;

export function readScenario(path: string): ScenarioLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '')
    .map(({ line, number }) => {
      const parsed = ScenarioLine.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${path}:${number}: not a scenario line: ${parsed.error.message}`);
      return parsed.data;
    });
}

const WEEK_MS = 7 * 24 * 3_600_000;

export type ReplayResult = { put: number; acceptedByBus: number; refusedByBus: number; startedAt: Date; firstEventAt: Date; endedAt: Date };

/**
 * Replays a scenario through the real PutEvents endpoint under the simulated clock. Times are
 * rebased by whole weeks to the first moment at or after the clock's "now" (simulated time never
 * runs behind real time), and every `occurredAt` moves with them. Whole weeks keep each event's
 * time of day and weekday, so quiet hours, preferred hours and business days decide the same way
 * whenever the demo runs.
 */
export async function replayScenario(input: {
  lines: ScenarioLine[];
  eventBridgeEndpoint: string;
  busName: string;
  clock: SimulatedClock;
  waitForBus: () => Promise<void>;
  /** Runs the delayed work (held sends, timers, sequence steps) due before `at`, each at its own instant, before the clock jumps there. */
  runDueWorkBefore?: (at: Date) => Promise<void>;
  onProgress?: (done: number, total: number) => void;
}): Promise<ReplayResult> {
  const { lines, clock } = input;
  const client = new EventBridgeClient({ endpoint: input.eventBridgeEndpoint, region: LOCAL_REGION, credentials: localCredentials });
  const startedAt = clock.now();
  const firstTime = lines.length > 0 ? Date.parse(lines[0]!.Time) : startedAt.getTime();
  const shiftMs = Math.max(0, Math.ceil((startedAt.getTime() - firstTime) / WEEK_MS)) * WEEK_MS;
  const result: ReplayResult = { put: 0, acceptedByBus: 0, refusedByBus: 0, startedAt, firstEventAt: new Date(firstTime + shiftMs), endedAt: startedAt };
  try {
    for (const [index, line] of lines.entries()) {
      const at = new Date(Date.parse(line.Time) + shiftMs);
      await input.runDueWorkBefore?.(at);
      clock.advanceTo(at);
      const detail = { ...line.Detail, ...(typeof line.Detail.occurredAt === 'string' ? { occurredAt: shift(line.Detail.occurredAt, shiftMs) } : {}) };
      const response = await client.send(
        new PutEventsCommand({
          Entries: [
            { Source: line.Source, DetailType: line.DetailType, Detail: JSON.stringify(detail), EventBusName: line.EventBusName ?? input.busName, Time: at },
          ],
        }),
      );
      result.put += 1;
      if ((response.FailedEntryCount ?? 0) > 0) result.refusedByBus += 1;
      else result.acceptedByBus += 1;
      // Each event is processed at its own simulated instant, as it would be live.
      await input.waitForBus();
      input.onProgress?.(index + 1, lines.length);
    }
  } finally {
    client.destroy();
  }
  result.endedAt = clock.now();
  return result;
}

/** Moves an ISO instant by `ms`, keeping it in UTC (`Z`). Invalid input is left for validation to reject. */
function shift(iso: string, ms: number): string {
  const parsed = Date.parse(iso);
  return Number.isNaN(parsed) ? iso : new Date(parsed + ms).toISOString();
}
