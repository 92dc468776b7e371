import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { LEGACY_KEY_ID, verifyingKey, type LinkKeyring, type SigningKey } from './link-keyring.ts';

/**
 * Signed, expiring tokens for the links in every email: one-click unsubscribe, the open pixel,
 * click redirects. `<kid>.<payload>.<signature>`: the key id, then base64url; the signature is
 * HMAC-SHA256 over `<kid>.<payload>` with that key of the keyring (link-keyring.ts), so a key id
 * cannot be swapped. A token of two parts (`<payload>.<signature>`, over the payload alone) was
 * signed before key ids and names key `k0`. Hand-written on node:crypto rather than a JWT library:
 * the format needs one algorithm, no header and no key negotiation, and a JWT's `alg` field is the
 * classic way such checks go wrong; this is 40 lines with a constant-time comparison.
 *
 * The payload carries only ids (never the address), so a forwarded email leaks nothing but the
 * ability to unsubscribe that one customer from that one category, which is what the link is for.
 * Opting in is never granted by a long-lived link: the preference center only asks for it, and the
 * `confirm_subscription` link (48 hours, mailed to the address on file) is what subscribes.
 */
export const LinkAction = z.enum(['unsubscribe', 'open', 'click', 'preferences', 'confirm_subscription']);
export type LinkAction = z.infer<typeof LinkAction>;

export const LinkClaims = z
  .object({
    a: LinkAction,
    /** customerId */
    c: z.string().min(1),
    /** sendId */
    s: z.string().min(1),
    /** ruleId */
    r: z.string().min(1).optional(),
    /** subscription category (unsubscribe) */
    k: z.string().min(1).optional(),
    /** redirect target (click): only ever a URL this token was signed with, so no open redirect */
    u: z.string().url().optional(),
    /** content category of a clicked link (click): the interest the click shows (document 001's update_interest_profile) */
    t: z.string().min(1).max(64).optional(),
    /** the opt-in categories a confirmation subscribes to (confirm_subscription) */
    g: z.array(z.string().min(1)).min(1).max(20).optional(),
    /** expiry, epoch seconds */
    e: z.number().int(),
  })
  .strict();
export type LinkClaims = z.infer<typeof LinkClaims>;

/** `unknown_key`: the token names a key the keyring does not hold (a newer key than a cached keyring knows, or a dropped one). */
export type TokenCheck = { ok: true; claims: LinkClaims } | { ok: false; problem: 'malformed' | 'forged' | 'expired' | 'unknown_key' };

/** How long a subscription confirmation link works: long enough to find the email, short enough that an old one proves a recent wish. */
export const CONFIRMATION_LIFETIME_HOURS = 48;

/**
 * How long links keep working, in hours: unsubscribe must keep working long after the email arrived
 * (CAN-SPAM: 30 days minimum); a subscription confirmation only briefly.
 */
export const LINK_LIFETIME_HOURS: Record<LinkAction, number> = {
  unsubscribe: 365 * 24,
  preferences: 365 * 24,
  open: 90 * 24,
  click: 365 * 24,
  confirm_subscription: CONFIRMATION_LIFETIME_HOURS,
};

export function signLink(claims: Omit<LinkClaims, 'e'>, key: SigningKey, now: Date): string {
  const full: LinkClaims = { ...claims, e: Math.floor(now.getTime() / 1000) + LINK_LIFETIME_HOURS[claims.a] * 3_600 };
  const signed = `${key.id}.${Buffer.from(JSON.stringify(full)).toString('base64url')}`;
  return `${signed}.${signature(signed, key.key)}`;
}

export function verifyLink(token: string, keyring: LinkKeyring, now: Date): TokenCheck {
  const parts = token.split('.');
  if (token.length > 2_000 || parts.length < 2 || parts.length > 3 || parts.some((part) => part === '')) return { ok: false, problem: 'malformed' };
  const [id, payload, given] = parts.length === 3 ? (parts as [string, string, string]) : [LEGACY_KEY_ID, parts[0]!, parts[1]!];
  const key = verifyingKey(keyring, id);
  if (!key) return { ok: false, problem: 'unknown_key' };
  const expected = Buffer.from(signature(parts.length === 3 ? `${id}.${payload}` : payload, key.key));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, problem: 'forged' };
  let claims: LinkClaims;
  try {
    const parsed = LinkClaims.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!parsed.success) return { ok: false, problem: 'malformed' };
    claims = parsed.data;
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  if (claims.e * 1000 <= now.getTime()) return { ok: false, problem: 'expired' };
  // A retired key signed nothing after its retirement (and the signers' cache age): a later expiry means someone else holds it.
  if (key.signedUntil !== undefined && claims.e * 1000 > key.signedUntil + LINK_LIFETIME_HOURS[claims.a] * 3_600_000) return { ok: false, problem: 'forged' };
  return { ok: true, claims };
}

function signature(signed: string, key: string): string {
  return createHmac('sha256', key).update(signed).digest('base64url');
}
