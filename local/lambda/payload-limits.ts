/**
 * Lambda's Invoke request limits, as the Lambda API reference states them today (Invoke: "For
 * synchronous invocations, the maximum payload size is 6 MB. For asynchronous invocations, the
 * maximum payload size is 1 MB"; the asynchronous limit was 256 KB before 2025). Lambda refuses a
 * larger request with 413 RequestTooLargeException (Invoke's error for "the request payload exceeded
 * the Invoke request body JSON input quota") before any function runs.
 */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

export type InvocationKind = 'RequestResponse' | 'Event';

/** Lambda's refusal of an oversized payload: the SDK raises it as RequestTooLargeException. */
export const PAYLOAD_TOO_LARGE = 'RequestTooLargeException';

/** The message Lambda refuses a payload of `bytes` with, or undefined when it fits. */
export function payloadTooLarge(kind: InvocationKind, bytes: number): string | undefined {
  const max = kind === 'Event' ? MAX_ASYNC_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES;
  return bytes > max ? `Request must be smaller than ${max} bytes for the InvokeFunction operation` : undefined;
}

/** Bytes of an event as Lambda receives it: its JSON text in UTF-8. */
export function eventBytes(event: unknown): number {
  return Buffer.byteLength(JSON.stringify(event) ?? '', 'utf8');
}
