import type { BusEvent } from './event-bus.ts';

/** Filters of {@link EventLog.query}; each one given must match. */
export type EventLogQuery = {
  /** Exact `source`, e.g. `nudge`. */
  source?: string;
  /** `source` starts with this, e.g. `nudge` for `nudge` and `nudge.anything`. */
  sourcePrefix?: string;
  /** Exact `detail-type`, e.g. `SegmentEntered`. */
  detailType?: string;
  /** `detail.customerId`. */
  customerId?: string;
  /** At most this many events, the newest ones (default {@link DEFAULT_QUERY_LIMIT}). */
  limit?: number;
};

export const DEFAULT_LOG_CAPACITY = 10_000;
export const DEFAULT_QUERY_LIMIT = 100;

/**
 * The last events accepted on the local bus, whole envelopes as rules see them (id, source,
 * detail-type, time, detail, ...): the local stand-in for the bus's EventBridge archive, so a person
 * or a test can see what was put, including Nudge's own internal events (`source: nudge`), which no
 * local rule consumes.
 *
 * Bounded (a ring of {@link DEFAULT_LOG_CAPACITY} by default) so that a long-running local system
 * does not grow without limit; the oldest events fall out first.
 */
export class EventLog {
  private readonly ring: Array<BusEvent | undefined>;
  private next = 0;
  private size = 0;

  constructor(readonly capacity = DEFAULT_LOG_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`event log capacity must be a positive integer (got ${capacity})`);
    this.ring = new Array<BusEvent | undefined>(capacity);
  }

  record(event: BusEvent): void {
    this.ring[this.next] = event;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** The newest `limit` events that match every filter given, oldest first (newest last). */
  query(filters: EventLogQuery = {}): BusEvent[] {
    const limit = filters.limit ?? DEFAULT_QUERY_LIMIT;
    const matches: BusEvent[] = [];
    // Walk from the newest back, so a small limit stops early.
    for (let back = 1; back <= this.size && matches.length < limit; back++) {
      const event = this.ring[(this.next - back + this.capacity) % this.capacity]!;
      if (matchesQuery(event, filters)) matches.push(event);
    }
    return matches.reverse();
  }

  get length(): number {
    return this.size;
  }
}

/**
 * Reads the filters of `GET /_nudge/events` (`source`, `sourcePrefix`, `detailType`, `customerId`,
 * `limit`); an unknown parameter or a bad limit is an error, so a typo does not silently match everything.
 */
export function parseEventLogQuery(params: URLSearchParams): EventLogQuery {
  const known = new Set(['source', 'sourcePrefix', 'detailType', 'customerId', 'limit']);
  for (const name of params.keys()) {
    if (!known.has(name)) throw new Error(`unknown filter "${name}"; use ${[...known].join(', ')}`);
  }
  const query: EventLogQuery = {};
  for (const name of ['source', 'sourcePrefix', 'detailType', 'customerId'] as const) {
    const value = params.get(name);
    if (value !== null && value !== '') query[name] = value;
  }
  const limit = params.get('limit');
  if (limit !== null && limit !== '') {
    const parsed = Number(limit);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`limit must be a positive integer (got "${limit}")`);
    query.limit = parsed;
  }
  return query;
}

function matchesQuery(event: BusEvent, filters: EventLogQuery): boolean {
  if (filters.source !== undefined && event.source !== filters.source) return false;
  if (filters.sourcePrefix !== undefined && !event.source.startsWith(filters.sourcePrefix)) return false;
  if (filters.detailType !== undefined && event['detail-type'] !== filters.detailType) return false;
  if (filters.customerId !== undefined && customerIdOf(event.detail) !== filters.customerId) return false;
  return true;
}

function customerIdOf(detail: unknown): unknown {
  return typeof detail === 'object' && detail !== null ? (detail as { customerId?: unknown }).customerId : undefined;
}
