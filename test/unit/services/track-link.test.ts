import { describe, expect, it } from 'vitest';
import { signLink, verifyLink } from '#shared/domain/link-tokens.ts';
import { linksFor, trackClicks, withFooter } from '#shared/domain/email-links.ts';
import { makeTrackLink, type LinkRequest } from '#shared/services/track-link.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { InMemoryErasures, RecordingBehaviorBus, silentLog } from '../support/fakes.ts';

const SECRET = 'a-test-secret-of-at-least-32-characters!!';
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
  const trackLink = makeTrackLink({ secret: async () => SECRET, bus, erasures, brandName: 'Shop', clock: { now: () => now }, log: silentLog, preferences });
  let requests = 0;
  // Every HTTP request has its own id, as a Function URL gives it.
  const track = (request: Omit<LinkRequest, 'requestId'> & { requestId?: string }) => trackLink({ requestId: `req-${(requests += 1)}`, ...request });
  return { bus, track, shown, erasures };
}

describe('link tokens', () => {
  it('round-trip, and refuse a changed payload, another secret, a truncated token and an expired one', () => {
    const token = signLink({ a: 'unsubscribe', ...ids, k: 'marketing' }, SECRET, NOW);
    expect(verifyLink(token, SECRET, NOW)).toMatchObject({ ok: true, claims: { a: 'unsubscribe', c: 'cust-1', k: 'marketing' } });
    const [payload, sig] = token.split('.');
    const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), c: 'someone-else' })).toString('base64url');
    expect(verifyLink(`${tampered}.${sig}`, SECRET, NOW)).toEqual({ ok: false, problem: 'forged' });
    expect(verifyLink(token, 'another-secret-of-at-least-32-characters', NOW)).toEqual({ ok: false, problem: 'forged' });
    expect(verifyLink(token.slice(0, -3), SECRET, NOW)).toEqual({ ok: false, problem: 'forged' });
    expect(verifyLink('nonsense', SECRET, NOW)).toEqual({ ok: false, problem: 'malformed' });
    expect(verifyLink(token, SECRET, new Date(NOW.getTime() + 366 * 86_400_000))).toEqual({ ok: false, problem: 'expired' });
    expect(verifyLink(token, SECRET, new Date(NOW.getTime() + 364 * 86_400_000)).ok).toBe(true);
  });
});

describe('link endpoints', () => {
  const unsubscribePath = () => `/u/${signLink({ a: 'unsubscribe', ...ids, k: 'marketing' }, SECRET, NOW)}`;

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
    const open = signLink({ a: 'open', ...ids }, SECRET, NOW);
    expect((await track({ method: 'POST', path: `/u/${open}` })).statusCode).toBe(400);
    expect(bus.entries).toEqual([]);
    expect(late.bus.entries).toEqual([]);
  });

  it('the open pixel records an open and returns a GIF; a click records the click and redirects to the signed URL only', async () => {
    const { bus, track } = setup();
    const pixel = await track({ method: 'GET', path: `/o/${signLink({ a: 'open', ...ids }, SECRET, NOW)}` });
    expect(pixel).toMatchObject({ statusCode: 200, headers: { 'content-type': 'image/gif' }, isBase64Encoded: true });
    const click = await track({ method: 'GET', path: `/c/${signLink({ a: 'click', ...ids, u: 'https://shop.example.com/new?utm=x' }, SECRET, NOW)}` });
    expect(click).toMatchObject({ statusCode: 302, headers: { location: 'https://shop.example.com/new?utm=x' } });
    expect(bus.entries.map((e) => [e.detailType, e.detail.properties])).toEqual([
      ['email_open', { sendId: 'send-1', ruleId: 'welcome_new_subscriber' }],
      ['email_click', { sendId: 'send-1', url: 'https://shop.example.com/new?utm=x', ruleId: 'welcome_new_subscriber' }],
    ]);
    expect((await track({ method: 'GET', path: '/x/abc' })).statusCode).toBe(404);
  });

  it('links in the HTML part are rewritten to signed click links that lead back to them', async () => {
    const request = { customerId: 'cust-1', sendId: 'send-1', ruleId: 'r' } as SendRequest;
    const html = trackClicks('<a href="https://shop.example.com/a?x=1&amp;y=2">Shop</a> <a href="#top">top</a>', request, { baseUrl: 'https://l.example.com', secret: SECRET }, NOW);
    const token = /href="https:\/\/l\.example\.com\/c\/([^"]+)"/.exec(html)![1]!;
    expect(verifyLink(token, SECRET, NOW)).toMatchObject({ ok: true, claims: { a: 'click', u: 'https://shop.example.com/a?x=1&y=2' } });
    expect(html).toContain('href="#top"');
  });

  it('/p/ hands a valid preferences token, the method and the form body to the preference center; a tampered, expired or other-action token is refused before it', async () => {
    const { track, shown } = setup();
    const token = signLink({ a: 'preferences', ...ids }, SECRET, NOW);
    const ok = await track({ method: 'POST', path: `/p/${token}`, body: 'category=marketing' });
    expect(ok).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store, private' } });
    expect(shown).toEqual([{ method: 'POST', body: 'category=marketing', customerId: 'cust-1' }]);

    const [payload, sig] = token.split('.');
    const otherCustomer = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), c: 'cust-2' })).toString('base64url');
    expect((await track({ method: 'GET', path: `/p/${otherCustomer}.${sig}` })).statusCode).toBe(400);
    expect((await track({ method: 'GET', path: `/p/${signLink({ a: 'unsubscribe', ...ids }, SECRET, NOW)}` })).statusCode).toBe(400);
    expect((await setup(new Date(NOW.getTime() + 400 * 86_400_000)).track({ method: 'GET', path: `/p/${token}` })).statusCode).toBe(410);
    expect(shown).toHaveLength(1);
  });

  it('every email links to the preference center: marketing beside one-click unsubscribe, transactional too', () => {
    const request = { customerId: 'cust-1', sendId: 'send-1', ruleId: 'r', category: 'marketing' } as SendRequest;
    const links = linksFor(request, { baseUrl: 'https://l.example.com/', secret: SECRET }, NOW);
    const token = /\/p\/(.+)$/.exec(links.preferencesUrl)![1]!;
    expect(verifyLink(token, SECRET, NOW)).toMatchObject({ ok: true, claims: { a: 'preferences', c: 'cust-1', s: 'send-1' } });
    for (const transactional of [false, true]) {
      const email = withFooter({ html: '<p>Hi</p>', text: 'Hi' }, { links, brandName: 'Shop', category: 'marketing', transactional });
      expect(email.html).toContain(`<a href="${links.preferencesUrl}" ses:no-track>`);
      expect(email.text).toContain(`Email preferences: ${links.preferencesUrl}`);
      expect(email.html.includes(links.unsubscribeUrl)).toBe(!transactional);
    }
  });
});
