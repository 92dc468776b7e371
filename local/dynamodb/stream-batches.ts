/**
 * When a stream event source mapping invokes its function, as Lambda decides it for DynamoDB
 * streams: a batch goes as soon as it is full (BatchSize records, or the next record would take the
 * invocation payload past its limit), and a partial batch once MaximumBatchingWindowInSeconds has
 * passed since its first record was read. Used by the emulator mode's poller (stream-poller.ts) and
 * the fast replay's stream source (local/memory/memory-system.ts), on their own clocks.
 */

/** Lambda's payload limit of a synchronous invocation (6 MB), which a stream batch never passes. */
export const STREAM_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/** `{"Records":[` and `]}` around the records, and a comma between two. */
const ENVELOPE_BYTES = 14;

export type StreamBatching = { batchSize: number; windowMs: number; payloadLimitBytes?: number };

/** A record's bytes in the invocation payload (JSON, as Lambda sends it). */
export function streamRecordBytes(record: unknown): number {
  return Buffer.byteLength(JSON.stringify(record), 'utf8');
}

/**
 * How many of the buffered records (oldest first, with their payload bytes) to invoke with now, or 0
 * to keep waiting. `firstReadAtMs`: when the oldest buffered record was read. A record alone over the
 * payload limit still goes alone (Lambda would fail that invocation; the function's error path shows it).
 */
export function readyBatchLength(recordBytes: readonly number[], firstReadAtMs: number, nowMs: number, batching: StreamBatching): number {
  const limit = batching.payloadLimitBytes ?? STREAM_PAYLOAD_LIMIT_BYTES;
  let length = 0;
  let bytes = ENVELOPE_BYTES;
  while (length < recordBytes.length && length < batching.batchSize) {
    const next = recordBytes[length]! + (length > 0 ? 1 : 0);
    if (length > 0 && bytes + next > limit) break;
    bytes += next;
    length += 1;
  }
  // Full: BatchSize reached, or the payload limit stopped it before the records ran out.
  const full = length === batching.batchSize || length < recordBytes.length;
  return full || nowMs - firstReadAtMs >= batching.windowMs ? length : 0;
}

/** When the oldest buffered record's window ends (the next instant a partial batch may go). */
export function windowEndsAt(firstReadAtMs: number, batching: StreamBatching): number {
  return firstReadAtMs + batching.windowMs;
}
