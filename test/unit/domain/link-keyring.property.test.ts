import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEY_RETENTION_MS, LEGACY_KEY_ID, MIN_FORCED_REFRESH_MS, forcedReadAllowed, SIGNER_REFRESH_MS, parseKeyring, rotateKeyring, serializeKeyring, type LinkKeyring } from '#shared/domain/link-keyring.ts';
import { LINK_LIFETIME_HOURS, LinkAction, signLink, verifyLink } from '#shared/domain/link-tokens.ts';

const START = Date.parse('2026-01-01T00:00:00Z');
const DAY = 86_400_000;
const ids = { c: 'cust-1', s: 'send-1' };
const claimsFor = (a: LinkAction) => ({ a, ...ids, ...(a === 'click' ? { u: 'https://shop.example/' } : {}), ...(a === 'confirm_subscription' ? { g: ['news'] } : {}) });
const lifetimeMs = (a: LinkAction) => LINK_LIFETIME_HOURS[a] * 3_600_000;
const actionArb = fc.constantFrom(...LinkAction.options);
const keyArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString('base64url'));

/** The token format before key ids: `<payload>.<HMAC over payload>` with the plain-string secret. */
function legacyToken(claims: object, secret: string, expiresAt: number): string {
  const payload = Buffer.from(JSON.stringify({ ...claims, e: Math.floor(expiresAt / 1000) })).toString('base64url');
  return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
}

/**
 * A history: the secret starts as a plain string (the format before key ids) and is rotated at
 * increasing times, at any spacing (hours to years). Each step is the keyring as stored after it.
 */
const historyArb = fc
  .record({
    legacy: keyArb,
    rotations: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 800 * DAY }), key: keyArb }), { minLength: 0, maxLength: 8 }),
  })
  .map(({ legacy, rotations }) => {
    const steps: Array<{ from: number; keyring: LinkKeyring }> = [{ from: START, keyring: parseKeyring(legacy) }];
    let at = START;
    for (const { gap, key } of rotations) {
      at += gap;
      // Through the stored form, as the CLI writes it and the functions read it.
      steps.push({ from: at, keyring: parseKeyring(serializeKeyring(rotateKeyring(steps.at(-1)!.keyring, key, new Date(at)))) });
    }
    return { legacy, steps };
  });

/** The keyring in force at `t`, as a signer sees it up to SIGNER_REFRESH_MS late (its cache). */
function keyringAt(steps: Array<{ from: number; keyring: LinkKeyring }>, t: number): LinkKeyring {
  return [...steps].reverse().find((step) => step.from <= t)!.keyring;
}

describe('link keyring: rotation never breaks a link within its lifetime', () => {
  it('any link signed at any time (by a signer up to its cache age behind) verifies under the latest keyring exactly while it has not expired', () => {
    fc.assert(
      fc.property(historyArb, actionArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: SIGNER_REFRESH_MS }), fc.integer({ min: 0, max: 400 * DAY }), ({ steps }, action, where, lag, after) => {
        const end = steps.at(-1)!.from;
        const signedAt = START + Math.floor(where * (end - START + DAY));
        const signerView = keyringAt(steps, Math.max(START, signedAt - lag));
        const token = signLink(claimsFor(action), signerView.current, new Date(signedAt));
        const now = Math.max(signedAt, end) + after;
        const check = verifyLink(token, steps.at(-1)!.keyring, new Date(now));
        const expiresAt = Math.floor(signedAt / 1000) * 1000 + lifetimeMs(action);
        if (now < expiresAt) expect(check).toMatchObject({ ok: true, claims: { a: action } });
        else expect(check.ok).toBe(false);
      }),
    );
  });

  it('old links of the plain-string secret (no key id) verify as key k0 until they expire, through any rotations', () => {
    fc.assert(
      fc.property(historyArb, actionArb, fc.integer({ min: 0, max: 400 * DAY }), ({ legacy, steps }, action, after) => {
        const token = legacyToken(claimsFor(action), legacy, START + lifetimeMs(action));
        const now = START + after;
        const check = verifyLink(token, keyringAt(steps, now), new Date(now));
        expect(check.ok).toBe(now < START + lifetimeMs(action));
      }),
    );
  });

  it('a rotation keeps a retired key exactly while links it signed can still be alive, and the key ids never repeat', () => {
    fc.assert(
      fc.property(historyArb, ({ steps }) => {
        const seen = new Set<string>();
        for (const { from, keyring } of steps) {
          expect(seen.has(keyring.current.id)).toBe(false);
          seen.add(keyring.current.id);
          for (const old of keyring.previous) expect(from - Date.parse(old.retiredAt)).toBeLessThanOrEqual(KEY_RETENTION_MS);
        }
        for (let i = 1; i < steps.length; i += 1) {
          const before = steps[i - 1]!.keyring;
          const kept = steps[i]!.keyring.previous.map((k) => k.id);
          const retiredRecently = [{ ...before.current, retiredAt: new Date(steps[i]!.from).toISOString() }, ...before.previous].filter(
            (k) => steps[i]!.from - Date.parse(k.retiredAt) <= KEY_RETENTION_MS,
          );
          expect(kept.sort()).toEqual(retiredRecently.map((k) => k.id).sort());
        }
      }),
    );
  });

  it('a token signed with a dropped key, a retired key after its retirement, another key, or tampered with, is refused', () => {
    fc.assert(
      fc.property(historyArb, keyArb, actionArb, fc.integer({ min: 0, max: 2_000 }), ({ steps }, stranger, action, flipAt) => {
        const latest = steps.at(-1)!;
        const now = new Date(latest.from + 1_000);
        // Every key that ever signed, whether still on the ring or dropped, minting a fresh link now.
        const live = latest.keyring;
        fc.pre(stranger !== live.current.key);
        for (const { keyring } of steps) {
          const key = keyring.current;
          const token = signLink(claimsFor(action), key, now);
          const isCurrent = key.id === live.current.id;
          const retired = live.previous.find((k) => k.id === key.id);
          const withinGrace = retired !== undefined && now.getTime() <= Date.parse(retired.retiredAt) + SIGNER_REFRESH_MS;
          expect(verifyLink(token, live, now).ok).toBe(isCurrent || withinGrace);
        }
        // A key the ring never held, with the current key's id.
        expect(verifyLink(signLink(claimsFor(action), { id: live.current.id, key: stranger }, now), live, now)).toEqual({ ok: false, problem: 'forged' });
        // Any single-character change of a valid token.
        const token = signLink(claimsFor(action), live.current, now);
        const at = flipAt % token.length;
        const flipped = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
        expect(verifyLink(flipped, live, now).ok).toBe(false);
      }),
    );
  });

  it('the stored form: a plain string is key k0; JSON round-trips; short keys or duplicate ids are refused', () => {
    const key = 'x'.repeat(40);
    expect(parseKeyring(key)).toEqual({ current: { id: LEGACY_KEY_ID, key }, previous: [] });
    const rotated = rotateKeyring(parseKeyring(key), 'y'.repeat(40), new Date(START));
    expect(rotated.current.id).toBe('k1');
    expect(parseKeyring(serializeKeyring(rotated))).toEqual(rotated);
    expect(() => parseKeyring('short')).toThrow(/32/);
    expect(() => rotateKeyring(rotated, 'short', new Date(START))).toThrow(/32/);
    expect(() => parseKeyring(JSON.stringify({ current: { id: 'k1', key }, previous: [{ id: 'k1', key, retiredAt: new Date(START).toISOString() }] }))).toThrow(/twice/);
  });
});

describe('when a token naming an unknown key may re-read the keyring', () => {
  const ring = (rotations: number): LinkKeyring => {
    let keyring = parseKeyring('a-first-key-of-at-least-32-characters!!');
    for (let i = 0; i < rotations; i++) keyring = rotateKeyring(keyring, `a-rotated-key-${i}-of-at-least-32-characters!!`, new Date(Date.UTC(2026, 0, 1 + i)));
    return keyring;
  };

  it('the key a rotation creates next: at once, however recent the last read, once per read; any other unknown id: once a minute', () => {
    fc.assert(
      fc.property(fc.nat(5), fc.nat(MIN_FORCED_REFRESH_MS * 3), fc.boolean(), fc.constantFrom('next', 'k999', 'x', undefined), (rotations, sinceRead, nextIdTried, which) => {
        const keyring = ring(rotations);
        const next = rotateKeyring(keyring, 'a-probe-key-of-at-least-32-characters!!!', new Date(Date.UTC(2027, 0, 1))).current.id;
        const keyId = which === 'next' ? next : which;
        const allowed = forcedReadAllowed({ keyring, readAt: 1_000_000, now: 1_000_000 + sinceRead, keyId, nextIdTried });
        const expected = sinceRead >= MIN_FORCED_REFRESH_MS || (keyId === next && !nextIdTried);
        expect(allowed).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
