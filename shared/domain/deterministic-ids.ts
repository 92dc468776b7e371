import { createHash } from 'node:crypto';

/**
 * Deterministic ids for the things Nudge names: sends, timers, sequence runs, claims and the
 * schedules and executions built from them. Each id is a digest of *everything* that makes the
 * thing unique, always including the customer: two customers whose producers number events the
 * same way must never share a send, a timer or a schedule (issue 19), while a redelivered event
 * must produce the same id again so it is deduplicated downstream.
 *
 * The parts are encoded as a JSON array before hashing, so no choice of separator can make two
 * different part lists collide (`["a\u0000b", "c"]` vs `["a", "b\u0000c"]`). 22 base64url
 * characters keep 132 bits of SHA-256: a collision among even 10^12 ids stays below 10^-15.
 * The result is only `[A-Za-z0-9_-]`, so it fits every name rule downstream (DynamoDB sort keys,
 * EventBridge Scheduler names, Step Functions execution names, SES tag values) whatever the
 * customer id holds (any Unicode, up to the contract's 256 characters).
 */
export const ID_DIGEST_LENGTH = 22;

/** The customer's share of a name: 72 bits, enough to tell customers apart in a listing by prefix. */
export const CUSTOMER_DIGEST_LENGTH = 12;

export function deterministicId(kind: string, customerId: string, ...parts: string[]): string {
  return digest([kind, customerId, ...parts], ID_DIGEST_LENGTH);
}

/**
 * A fixed-length digest of the customer id, for names that must group one customer's things under
 * one prefix (schedules: erase and export list them by prefix). Not a secret: it only keeps raw ids,
 * which may be long or hold any character, out of names.
 */
export function customerDigest(customerId: string): string {
  return digest(['customer', customerId], CUSTOMER_DIGEST_LENGTH);
}

function digest(parts: readonly string[], length: number): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, length);
}
