import * as z from 'zod';

/**
 * The keys that sign and verify email links, as stored in the link secret: one current key (signs
 * new links) and the keys it replaced (verify links already in inboxes). Every token names its key
 * (`kid`), so a rotation never breaks a link younger than its lifetime; CAN-SPAM requires an
 * unsubscribe link to work for 30 days after sending, ours work for a year.
 *
 * Stored as JSON `{"current":{"id","key"},"previous":[{"id","key","retiredAt"}]}`. A plain string
 * (the secret as the stack generates it, and as it was before key ids) is key `k0`, so links
 * signed before the first rotation keep working.
 */

/** HMAC-SHA256 wants at least 256 bits of key. */
export const MIN_KEY_LENGTH = 32;
/** The id of a plain-string secret, and of the tokens without a key id (signed before key ids). */
export const LEGACY_KEY_ID = 'k0';
/**
 * How long a signer may go on using a key after it was retired: the functions cache the keyring
 * (link-secret.ts) this long, so a dispatcher may sign with the old key until its cache expires.
 */
export const SIGNER_REFRESH_MS = 60 * 60 * 1000;
/** The longest link lifetime (unsubscribe, preferences, click: 365 days; link-tokens.ts). */
export const LONGEST_LINK_LIFETIME_MS = 365 * 24 * 3_600_000;
/** A retired key is kept this long: until the last link it can have signed has expired. */
export const KEY_RETENTION_MS = LONGEST_LINK_LIFETIME_MS + SIGNER_REFRESH_MS;

const KeyId = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'a key id is 1 to 32 of A-Z a-z 0-9 _ -');
const KeyMaterial = z.string().min(MIN_KEY_LENGTH, `a link key must be at least ${MIN_KEY_LENGTH} characters`);

export const SigningKey = z.object({ id: KeyId, key: KeyMaterial }).strict();
export type SigningKey = z.infer<typeof SigningKey>;

export const RetiredKey = z.object({ id: KeyId, key: KeyMaterial, retiredAt: z.string().datetime() }).strict();
export type RetiredKey = z.infer<typeof RetiredKey>;

export const LinkKeyring = z
  .object({ current: SigningKey, previous: z.array(RetiredKey) })
  .strict()
  .refine((ring) => new Set([ring.current.id, ...ring.previous.map((k) => k.id)]).size === ring.previous.length + 1, 'a key id appears twice in the keyring');
export type LinkKeyring = z.infer<typeof LinkKeyring>;

/** The keyring of a stored secret value: JSON, or a plain string (key `k0`). Throws on anything else. */
export function parseKeyring(stored: string): LinkKeyring {
  const trimmed = stored.trim();
  if (!trimmed.startsWith('{')) return { current: SigningKey.parse({ id: LEGACY_KEY_ID, key: stored }), previous: [] };
  return LinkKeyring.parse(JSON.parse(trimmed));
}

export function serializeKeyring(keyring: LinkKeyring): string {
  return JSON.stringify(LinkKeyring.parse(keyring));
}

/**
 * The keyring after a rotation at `now`: `newKey` (random, made by the caller) becomes current
 * under a fresh id; the current key is retired at `now` and keeps verifying; retired keys whose
 * last link has expired (retired more than KEY_RETENTION_MS ago) are dropped.
 */
export function rotateKeyring(keyring: LinkKeyring, newKey: string, now: Date): LinkKeyring {
  const retired = [{ ...keyring.current, retiredAt: now.toISOString() }, ...keyring.previous];
  const kept = retired.filter((k) => now.getTime() - Date.parse(k.retiredAt) <= KEY_RETENTION_MS);
  return LinkKeyring.parse({ current: { id: nextKeyId(keyring), key: newKey }, previous: kept });
}

/** At most one throttled forced re-read per minute and container (see {@link forcedReadAllowed}). */
export const MIN_FORCED_REFRESH_MS = 60_000;

/**
 * Whether a token naming `keyId`, a key the cached keyring does not hold, may make the link function
 * re-read the keyring now. The id a rotation creates next (`k<n+1>`) may, once per read: right after
 * `nudge keys rotate` a dispatcher may sign with it within seconds, and its first link must work
 * however recently this container read the ring. Any other unknown id (a forgery, or that id again
 * after a re-read did not find it) at most once a minute, so a flood of such tokens cannot become a
 * flood of GetSecretValue calls. Pure.
 */
export function forcedReadAllowed(input: { keyring: LinkKeyring; readAt: number; now: number; keyId: string | undefined; nextIdTried: boolean }): boolean {
  if (input.now - input.readAt >= MIN_FORCED_REFRESH_MS) return true;
  return input.keyId !== undefined && input.keyId === nextKeyId(input.keyring) && !input.nextIdTried;
}

/** `k<n+1>` for the highest `k<n>` on the ring: the current key is never dropped, so ids never repeat. */
function nextKeyId(keyring: LinkKeyring): string {
  const numbers = [keyring.current, ...keyring.previous].map((k) => /^k(\d+)$/.exec(k.id)).map((m) => (m ? Number(m[1]) : 0));
  return `k${Math.max(...numbers) + 1}`;
}

/**
 * The key a token names, if it may verify: the current key, or a retired one (with the time after
 * which it signed nothing; tokens it signed later are refused).
 */
export function verifyingKey(keyring: LinkKeyring, id: string): { key: string; signedUntil?: number } | undefined {
  if (keyring.current.id === id) return { key: keyring.current.key };
  const retired = keyring.previous.find((k) => k.id === id);
  return retired && { key: retired.key, signedUntil: Date.parse(retired.retiredAt) + SIGNER_REFRESH_MS };
}
