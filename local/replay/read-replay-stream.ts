import { z } from 'zod';
import type { ScenarioLine } from '../demo/replay-scenario.ts';

/**
 * A recorded stream for `nudge replay`: JSON lines, each either a PutEvents entry (as the demo
 * scenario and `aws events put-events` files have them) or an event as EventBridge delivers it
 * (the shape an archive replay or a bus-to-S3 export holds).
 */
const PutEventsEntry = z.object({
  Source: z.string().min(1),
  DetailType: z.string().min(1),
  /** A JSON string, as the API takes it, or the object itself. */
  Detail: z.union([z.string(), z.record(z.string(), z.unknown())]),
  /** When it happened; without it, the detail's occurredAt. */
  Time: z.string().datetime({ offset: true }).optional(),
  EventBusName: z.string().optional(),
});

const DeliveredEvent = z.object({
  version: z.string(),
  id: z.string(),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  time: z.string().datetime({ offset: true }),
  detail: z.record(z.string(), z.unknown()),
});

export type SkippedLine = { line: number; reason: string };
export type ReplayStream = {
  /** The events to put, in time order (a stable sort: same-instant events keep the file's order). */
  events: ScenarioLine[];
  /** Lines that are not events, with why (a replay goes on without them). */
  skipped: SkippedLine[];
  /** Events outside --from/--to. */
  filteredOut: number;
};

export type ReplayWindow = { from?: Date; to?: Date };

/** Parses a stream's text; `from` is inclusive, `to` exclusive. */
export function readReplayStream(text: string, window: ReplayWindow = {}): ReplayStream {
  const parsed: Array<ScenarioLine & { at: number; order: number }> = [];
  const skipped: SkippedLine[] = [];
  let filteredOut = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const result = parseLine(line);
    if ('reason' in result) {
      skipped.push({ line: index + 1, reason: result.reason });
      return;
    }
    const at = Date.parse(result.Time);
    if ((window.from && at < window.from.getTime()) || (window.to && at >= window.to.getTime())) {
      filteredOut += 1;
      return;
    }
    parsed.push({ ...result, at, order: index });
  });
  parsed.sort((a, b) => a.at - b.at || a.order - b.order);
  return { events: parsed.map(({ at: _at, order: _order, ...event }) => event), skipped, filteredOut };
}

function parseLine(line: string): ScenarioLine | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { reason: `not JSON (${(error as Error).message})` };
  }
  if (typeof value === 'object' && value !== null && 'detail-type' in value) {
    const event = DeliveredEvent.safeParse(value);
    if (!event.success) return { reason: `not an EventBridge event: ${issuesOf(event.error)}` };
    return { Time: new Date(event.data.time).toISOString(), Source: event.data.source, DetailType: event.data['detail-type'], Detail: event.data.detail };
  }
  const entry = PutEventsEntry.safeParse(value);
  if (!entry.success) return { reason: `not a PutEvents entry: ${issuesOf(entry.error)}` };
  let detail: Record<string, unknown>;
  if (typeof entry.data.Detail === 'string') {
    try {
      detail = z.record(z.string(), z.unknown()).parse(JSON.parse(entry.data.Detail));
    } catch {
      return { reason: 'Detail: not a JSON object' };
    }
  } else detail = entry.data.Detail;
  const time = entry.data.Time ?? (typeof detail.occurredAt === 'string' ? detail.occurredAt : undefined);
  if (time === undefined || Number.isNaN(Date.parse(time))) return { reason: 'Time: missing (and no valid Detail.occurredAt to take it from)' };
  return {
    Time: new Date(time).toISOString(),
    Source: entry.data.Source,
    DetailType: entry.data.DetailType,
    Detail: detail,
    // EventBusName is not kept: a replay puts every event on its own system's bus.
  };
}

function issuesOf(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(line)'}: ${issue.message}`).join('; ');
}
