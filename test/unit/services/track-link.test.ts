import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { CONSENT_CONFIRMATION_REQUESTED } from '#shared/domain/engagement-events.ts';
import { rotateKeyring } from '#shared/domain/link-keyring.ts';
import { LINK_LIFETIME_HOURS, LinkAction, signLink, verifyLink } from '#shared/domain/link-tokens.ts';
import { confirmationFor, linksFor, trackClicks, withFooter } from '#shared/domain/email-links.ts';
import { makeTrackLink, type LinkRequest } from '#shared/services/track-link.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { InMemoryErasures, RecordingBehaviorBus, silentLog } from '../support/fakes.ts';

const SECRET = 'a-test-secret-of-at-least-32-characters!!';
const KEY = { id: 'k1', key: SECRET };
const KEYRING = { current: KEY, previous: [] };
const NOW = new Date('2026-11-20T12:00:00Z');
const ids = { c: 'cust-1', s: 'send-1', r: 'welcome_new_subscriber' };

function setup(now = NOW) {
  const bus = new RecordingBehaviorBus();
  const shown: Array<{ method: string; body: string; customerId: string }> = [];
  const preferences = async (input: { method: string; body: string; claims: { c: string } }) => {
    shown.push({ method: input.method, body: input.body, customerId: input.claims.c });
    return { statusCode: 200, html: 'preferences' };
  };
  const erasures = new InMemoryErasures();
  const confirmed: Array<{ method: string; customerId: string; categories: string[] | undefined }> = [];
  const confirmSubscription = async (input: { method: string; claims: { c: string; g?: string[] | undefined } }) => {
    confirmed.push({ method: input.method, customerId: input.claims.c, categories: input.claims.g });
    return { statusCode: 200, html: 'confirmed' };
  };
  const trackLink = makeTrackLink({ keyring: async () => KEYRING, bus, erasures, brandName: 'Shop', clock: { now: () => now }, log: silentLog, preferences, confirmSubscription });
  let requests = 0;
  // Every HTTP request has its own id, as a Function URL gives it.
  const track = (request: Omit<LinkRequest, 'requestId'> & { requestId?: string }) => trackLink({ requestId: `req-${(requests += 1)}`, ...request });
  return { bus, track, shown, confirmed, erasures };
}

describe('link tokens', () => {
  it('round-trip, and refuse a changed payload, another secret, a truncated token and an expired one', () => {
    const token = signLink({ a: 'unsubscribe', ...ids, k: 'marketing' }, KEY, NOW);
    expect(verifyLink(token, KEYRING, NOW)).toMatchObject({ ok: true, claims: { a: 'unsubscribe', c: 'cust-1', k: 'marketing' } });
    const [kid, payload, sig] = token.split('.');
    const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), c: 'someone-else' })).toString('base64url');
    expect(verifyLink(`${kid}.${tampered}.${sig}`, KEYRING, NOW)).toEqual({ ok: false, problem: 'forged' });
    expect(verifyLink(token, { current: { id: 'k1', key: 'another-secret-of-at-least-32-characters' }, previous: [] }, NOW)).toEqual({ ok: false, problem: 'forged' });
    expect(verifyLink(token.slice(0, -3), KEYRING, NOW)).toEqual({ ok: false, problem: 'forged' });
    expect(verifyLink('nonsense', KEYRING, NOW)).toEqual({ ok: false, problem: 'malformed' });
    expect(verifyLink(token, KEYRING, new Date(NOW.getTime() + 366 * 86_400_000))).toEqual({ ok: false, problem: 'expired' });
    expect(verifyLink(token, KEYRING, new Date(NOW.getTime() + 364 * 86_400_000)).ok).toBe(true);
  });
});

describe('link endpoint after a rotation', () => {
  it('a token naming a key newer than the cached keyring re-reads the keyring once, then verifies; an unknown key after the re-read is refused', async () => {
    const rotated = rotateKeyring(KEYRING, 'a-new-key-of-at-least-32-characters!!!!!', NOW);
    const reads: Array<boolean> = [];
    // The container's cached keyring predates the rotation; a fresh read sees it.
    const keyring = async (options?: { fresh?: boolean }) => {
      reads.push(options?.fresh === true);
      return options?.fresh ? rotated : KEYRING;
    };
    const trackLink = makeTrackLink({ keyring, bus: new RecordingBehaviorBus(), erasures: new InMemoryErasures(), brandName: 'Shop', clock: { now: () => NOW }, log: silentLog, preferences: async () => ({ statusCode: 200, html: 'p' }), confirmSubscription: async () => ({ statusCode: 200, html: 'c' }) });
    const fresh = await trackLink({ method: 'GET', path: `/u/${signLink({ a: 'unsubscribe', ...ids, k: 'marketing' }, rotated.current, NOW)}`, requestId: 'r1' });
    expect(fresh.statusCode).toBe(200);
    expect(reads).toEqual([false, true]);
    const unknown = await trackLink({ method: 'GET', path: `/u/${signLink({ a: 'unsubscribe', ...ids, k: 'marketing' }, { id: 'k99', key: SECRET }, NOW)}`, requestId: 'r2' });
    expect(unknown.statusCode).toBe(400);
  });
});

describe('link tokens of every action (property)', () => {
  const HOUR = 3_600_000;
  const claimsOf = fc.record({
    a: fc.constantFrom(...LinkAction.options),
    c: fc.string({ minLength: 1, maxLength: 40 }),
    s: fc.string({ minLength: 1, maxLength: 30 }),
    g: fc.option(fc.array(fc.constantFrom('marketing', 'product_updates'), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  });

  it('round-trip until their lifetime ends and are expired after it; any change to payload or signature is refused', () => {
    fc.assert(
      fc.property(claimsOf, fc.nat({ max: 1_000 }), fc.integer({ min: 1, max: 60 }), (claims, offset, at) => {
        const { g, ...rest } = claims;
        const token = signLink({ ...rest, ...(g ? { g } : {}) }, KEY, NOW);
        const lifetime = LINK_LIFETIME_HOURS[claims.a] * HOUR;
        expect(verifyLink(token, KEYRING, new Date(NOW.getTime() + lifetime - 1_000))).toMatchObject({ ok: true, claims: { ...rest, ...(g ? { g } : {}) } });
        expect(verifyLink(token, KEYRING, new Date(NOW.getTime() + lifetime))).toEqual({ ok: false, problem: 'expired' });
        // Flip one character anywhere (payload or signature): never accepted.
        const i = offset % token.length;
        if (token[i] === '.') return;
        const flipped = `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
        expect(verifyLink(flipped, KEYRING, NOW).ok).toBe(false);
        expect(verifyLink(token, { current: { id: 'k1', key: `${SECRET}${at}` }, previous: [] }, NOW)).toEqual({ ok: false, problem: 'forged' });
      }),
      { numRuns: 500 },
    );
  });

  it('a subscription confirmation works for 48 hours only', () => {
    expect(LINK_LIFETIME_HOURS.confirm_subscription).toBe(48);
  });
});

describe('link endpoints', () => {
  const unsubscribePath = () => `/u/${signLink({ a: 'unsubscribe', ...ids, k: 'marketing' }, KEY, NOW)}`;

  it('GET on the unsubscribe link only asks (mail scanners prefetch links); POST unsubscribes at once', async () => {
    const { bus, track } = setup();
    const path = unsubscribePath();
    const confirm = await track({ method: 'GET', path });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('<form method="post">');
    expect(bus.entries).toEqual([]);
    const done = await track({ method: 'POST', path });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('You are unsubscribed');
    expect(bus.entries).toEqual([
      {
        source: 'mail.tracking',
        detailType: 'unsubscribe',
        detail: { eventId: expect.stringMatching(/^trk-/), customerId: 'cust-1', occurredAt: '2026-11-20T12:00:00.000Z', properties: { sendId: 'send-1', categories: ['marketing'], reason: 'one-click unsubscribe (RFC 8058)' } },
      },
    ]);
    // The same link used again is a new request (the person may have re-subscribed since): a new
    // event id, so ingest applies it; the same request delivered twice keeps its id.
    await track({ method: 'POST', path, requestId: 'req-again' });
    await track({ method: 'POST', path, requestId: 'req-again' });
    expect(bus.entries[1]?.detail.eventId).not.toBe(bus.entries[0]?.detail.eventId);
    expect(bus.entries[2]?.detail.eventId).toBe(bus.entries[1]?.detail.eventId);
  });

  it('a forged or expired token gets a clear 4xx page and changes nothing', async () => {
    const { bus, track } = setup();
    const forged = unsubscribePath().replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await track({ method: 'POST', path: forged })).toMatchObject({ statusCode: 400, body: expect.stringContaining('not valid') });
    const late = setup(new Date(NOW.getTime() + 400 * 86_400_000));
    expect(await late.track({ method: 'POST', path: unsubscribePath() })).toMatchObject({ statusCode: 410, body: expect.stringContaining('expired') });
    // A token for another action does not open this door.
    const open = signLink({ a: 'open', ...ids }, KEY, NOW);
    expect((await track({ method: 'POST', path: `/u/${open}` })).statusCode).toBe(400);
    expect(bus.entries).toEqual([]);
    expect(late.bus.entries).toEqual([]);
  });

  it('the open pixel records an open and returns a GIF; a click records the click and redirects to the signed URL only', async () => {
    const { bus, track } = setup();
    const pixel = await track({ method: 'GET', path: `/o/${signLink({ a: 'open', ...ids }, KEY, NOW)}` });
    expect(pixel).toMatchObject({ statusCode: 200, headers: { 'content-type': 'image/gif' }, isBase64Encoded: true });
    const click = await track({ method: 'GET', path: `/c/${signLink({ a: 'click', ...ids, u: 'https://shop.example.com/new?utm=x' }, KEY, NOW)}` });
    expect(click).toMatchObject({ statusCode: 302, headers: { location: 'https://shop.example.com/new?utm=x' } });
    expect(bus.entries.map((e) => [e.detailType, e.detail.properties])).toEqual([
      ['email_open', { sendId: 'send-1', ruleId: 'welcome_new_subscriber' }],
      ['email_click', { sendId: 'send-1', url: 'https://shop.example.com/new?utm=x', ruleId: 'welcome_new_subscriber' }],
    ]);
    expect((await track({ method: 'GET', path: '/x/abc' })).statusCode).toBe(404);
  });

  it('links in the HTML part are rewritten to signed click links that lead back to them', async () => {
    const request = { customerId: 'cust-1', sendId: 'send-1', ruleId: 'r' } as SendRequest;
    const html = trackClicks('<a href="https://shop.example.com/a?x=1&amp;y=2">Shop</a> <a href="#top">top</a>', request, { baseUrl: 'https://l.example.com', key: KEY }, NOW);
    const token = /href="https:\/\/l\.example\.com\/c\/([^"]+)"/.exec(html)![1]!;
    expect(verifyLink(token, KEYRING, NOW)).toMatchObject({ ok: true, claims: { a: 'click', u: 'https://shop.example.com/a?x=1&y=2' } });
    expect(html).toContain('href="#top"');
  });

  it('/p/ hands a valid preferences token, the method and the form body to the preference center; a tampered, expired or other-action token is refused before it', async () => {
    const { track, shown } = setup();
    const token = signLink({ a: 'preferences', ...ids }, KEY, NOW);
    const ok = await track({ method: 'POST', path: `/p/${token}`, body: 'category=marketing' });
    expect(ok).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store, private' } });
    expect(shown).toEqual([{ method: 'POST', body: 'category=marketing', customerId: 'cust-1' }]);

    const [kid, payload, sig] = token.split('.');
    const otherCustomer = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), c: 'cust-2' })).toString('base64url');
    expect((await track({ method: 'GET', path: `/p/${kid}.${otherCustomer}.${sig}` })).statusCode).toBe(400);
    expect((await track({ method: 'GET', path: `/p/${signLink({ a: 'unsubscribe', ...ids }, KEY, NOW)}` })).statusCode).toBe(400);
    expect((await setup(new Date(NOW.getTime() + 400 * 86_400_000)).track({ method: 'GET', path: `/p/${token}` })).statusCode).toBe(410);
    expect(shown).toHaveLength(1);
  });

  it('every email links to the preference center: marketing beside one-click unsubscribe, transactional too', () => {
    const request = { customerId: 'cust-1', sendId: 'send-1', ruleId: 'r', category: 'marketing' } as SendRequest;
    const links = linksFor(request, { baseUrl: 'https://l.example.com/', key: KEY }, NOW);
    const token = /\/p\/(.+)$/.exec(links.preferencesUrl)![1]!;
    expect(verifyLink(token, KEYRING, NOW)).toMatchObject({ ok: true, claims: { a: 'preferences', c: 'cust-1', s: 'send-1' } });
    for (const transactional of [false, true]) {
      const email = withFooter({ html: '<p>Hi</p>', text: 'Hi' }, { links, brandName: 'Shop', category: 'marketing', transactional });
      expect(email.html).toContain(`<a href="${links.preferencesUrl}" ses:no-track>`);
      expect(email.text).toContain(`Email preferences: ${links.preferencesUrl}`);
      expect(email.html.includes(links.unsubscribeUrl)).toBe(!transactional);
    }
  });

  it('/s/ hands a valid confirmation token to the confirmation page; a tampered, other-action or 48-hour-old one is refused before it', async () => {
    const { track, confirmed } = setup();
    const token = signLink({ a: 'confirm_subscription', ...ids, g: ['marketing'] }, KEY, NOW);
    expect(await track({ method: 'POST', path: `/s/${token}` })).toMatchObject({ statusCode: 200, headers: { 'cache-control': 'no-store, private' } });
    expect(confirmed).toEqual([{ method: 'POST', customerId: 'cust-1', categories: ['marketing'] }]);

    const [kid, payload, sig] = token.split('.');
    const more = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), g: ['marketing', 'product_updates'] })).toString('base64url');
    expect((await track({ method: 'POST', path: `/s/${kid}.${more}.${sig}` })).statusCode).toBe(400);
    // A preferences token (a year-long bearer token) cannot stand in for a confirmation.
    expect((await track({ method: 'POST', path: `/s/${signLink({ a: 'preferences', ...ids }, KEY, NOW)}` })).statusCode).toBe(400);
    const late = setup(new Date(NOW.getTime() + 48 * 3_600_000));
    expect((await late.track({ method: 'POST', path: `/s/${token}` })).statusCode).toBe(410);
    expect([...confirmed, ...late.confirmed]).toHaveLength(1);
  });

  it("a confirmation email's link names the customer and the opt-in categories asked for, and is not wrapped in a click redirect", () => {
    const settings = { baseUrl: 'https://l.example.com/', key: KEY };
    const request: SendRequest = {
      customerId: 'cust-1',
      sendId: 'send-9',
      ruleId: 'confirm_subscription',
      templateId: 'confirm_subscription',
      category: 'transactional',
      email: 'lea@example.com',
      decidedAt: NOW.toISOString(),
      conditions: [],
      trigger: { eventId: 'e', type: CONSENT_CONFIRMATION_REQUESTED, occurredAt: NOW.toISOString() },
      personalization: { eventProperties: { categories: ['marketing', 'transactional', 'nonsense'] } },
    };
    const confirmation = confirmationFor(request, defaultCatalog.subscriptionCategories, settings, NOW)!;
    expect(confirmation).toMatchObject({ hours: 48, categories: [{ name: 'Offers and reminders' }] });
    const token = /^https:\/\/l\.example\.com\/s\/(.+)$/.exec(confirmation.url)![1]!;
    expect(verifyLink(token, KEYRING, NOW)).toMatchObject({ ok: true, claims: { a: 'confirm_subscription', c: 'cust-1', s: 'send-9', g: ['marketing'] } });
    expect(trackClicks(`<a href="${confirmation.url}">Yes</a>`, request, settings, NOW)).toBe(`<a href="${confirmation.url}">Yes</a>`);
    // Any other send has no confirmation link, nor does a request naming no opt-in category.
    expect(confirmationFor({ ...request, trigger: { ...request.trigger, type: 'subscribe' } }, defaultCatalog.subscriptionCategories, settings, NOW)).toBeUndefined();
    expect(confirmationFor({ ...request, personalization: { eventProperties: { categories: ['transactional'] } } }, defaultCatalog.subscriptionCategories, settings, NOW)).toBeUndefined();
  });
});
