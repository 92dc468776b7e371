import { createHash } from 'node:crypto';

/**
 * Redelivery detection kept inside the profile item, so an event costs one write, not two
 * (a separate dedupe item per event would double the hot-path writes).
 *
 * The profile stores the digests of the customer's most recent events as one compact string,
 * newest first. A digest is 6 base64url characters (36 bits of SHA-256): with at most
 * RECENT_EVENT_WINDOW digests per customer the chance of a false "duplicate" is 64 / 2^36, about
 * one in a billion events.
 *
 * Bound: a redelivery is recognised while fewer than RECENT_EVENT_WINDOW newer events of the same
 * customer have been applied since the original. EventBridge and Lambda redeliver within minutes
 * to hours, far inside that window for any real customer; the window and its limit are recorded in
 * docs/decisions.md.
 */
export const RECENT_EVENT_WINDOW = 64;
const DIGEST_LENGTH = 6;

export function eventDigest(eventId: string): string {
  return createHash('sha256').update(eventId).digest('base64url').slice(0, DIGEST_LENGTH);
}

export function hasSeenEvent(recentDigests: string, eventId: string): boolean {
  return containsDigest(recentDigests, eventDigest(eventId));
}

/** Compares whole digests only: a match straddling two stored digests does not count. */
export function containsDigest(recentDigests: string, digest: string): boolean {
  for (let i = 0; i < recentDigests.length; i += DIGEST_LENGTH) {
    if (recentDigests.startsWith(digest, i)) return true;
  }
  return false;
}

export function rememberEvent(recentDigests: string, eventId: string): string {
  return (eventDigest(eventId) + recentDigests).slice(0, RECENT_EVENT_WINDOW * DIGEST_LENGTH);
}
