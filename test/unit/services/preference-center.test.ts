import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '#shared/domain/html.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { hasConsent } from '#shared/domain/subscription-categories.ts';
import type { LinkClaims } from '#shared/domain/link-tokens.ts';
import { renderPreferenceCenter } from '#shared/presentation/preference-center-page.ts';
import { makeConfirmSubscription } from '#shared/services/confirm-subscription.ts';
import { makePreferenceCenter } from '#shared/services/preference-center.ts';
import { buildEvent } from '../support/build-event.ts';
import { RecordingBehaviorBus, silentLog } from '../support/fakes.ts';

const NOW = new Date('2026-11-20T12:00:00Z');
const claims: LinkClaims = { a: 'preferences', c: 'cust-1', s: 'send-1', e: 2_000_000_000 };

function subscribedProfile(firstName = 'Lea'): Profile {
  const change = applyEvent(undefined, buildEvent({ type: 'subscribe', customerId: 'cust-1', email: 'lea@example.com', properties: { firstName, categories: ['marketing', 'product_updates'] } }), NOW);
  if (change.type !== 'applied') throw new Error('expected applied');
  return { ...change.profile, segments: { purchase_intent: 1 } };
}

function setup(profile: Profile | undefined) {
  const bus = new RecordingBehaviorBus();
  const center = makePreferenceCenter({ profiles: { get: async () => profile }, bus, catalog: defaultCatalog, log: silentLog });
  const post = (body: string) => center({ method: 'POST', body, requestId: `req-${body}`, claims, now: NOW });
  return { bus, center, post };
}

describe('preference center page', () => {
  it('GET shows every category as a labelled checkbox (transactional checked and disabled), the segments and why', async () => {
    const { center, bus } = setup(subscribedProfile());
    const { statusCode, html } = await center({ method: 'GET', body: '', requestId: 'req-get', claims, now: NOW });
    expect(statusCode).toBe(200);
    expect(html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    expect(html).toMatch(/<fieldset><legend>Emails you get<\/legend>/);
    expect(html).toContain('<input type="checkbox" id="category-marketing" name="category" value="marketing" checked');
    expect(html).toContain('<input type="checkbox" id="category-transactional" checked disabled');
    for (const id of ['marketing', 'product_updates', 'transactional']) expect(html).toContain(`<label for="category-${id}">`);
    expect(html).toContain('You left items in your cart in the last 24 hours');
    expect(html).not.toContain('<script');
    expect(bus.entries).toEqual([]);
  });

  it('shows the address masked (a forwarded link must not reveal it), for any address', async () => {
    await fc.assert(
      fc.asyncProperty(fc.emailAddress(), async (email) => {
        const profile = { ...subscribedProfile(), email };
        const { html } = await setup(profile).center({ method: 'GET', body: '', requestId: 'req-get', claims, now: NOW });
        const at = email.lastIndexOf('@');
        const shown = `<strong>${escapeHtml(`${email[0]}***${email.slice(at)}`)}</strong>`;
        expect(html).toContain(shown);
        // Nowhere outside its masked form ("*@a.aa" is itself a part of "****@a.aa").
        expect(html.replaceAll(shown, '')).not.toContain(escapeHtml(email));
      }),
      { numRuns: 200 },
    );
  });

  it('escapes every user-supplied and catalog text', () => {
    const html = renderPreferenceCenter({
      brandName: 'Shop <b>',
      firstName: '<img src=x onerror=alert(1)>',
      email: 'a"b@example.com',
      subscriptions: [{ id: 'marketing', name: 'Deals & <i>news</i>', description: '"quoted"', on: true, required: false }],
      segments: [{ segmentId: 's', title: '<script>x</script>', reasons: ["it's <b>"] }],
    });
    expect(html).not.toMatch(/<img src=x|<script>|<b>|<i>/);
    expect(html).toContain('Hello &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Deals &amp; &lt;i&gt;news&lt;/i&gt;');
    expect(html).toContain('a&quot;b@example.com');
    expect(html).toContain('it&#39;s &lt;b&gt;');
  });

  it('POST puts one unsubscribe for what was unchecked (via preference_center) and confirms', async () => {
    const { post, bus } = setup(subscribedProfile());
    const { statusCode, html } = await post('category=product_updates&action=save');
    expect(statusCode).toBe(200);
    expect(html).toContain('Your choices are saved.');
    expect(html).toContain('id="category-marketing" name="category" value="marketing" aria-describedby'); // shown unchecked
    expect(bus.entries).toEqual([
      {
        source: 'mail.tracking',
        detailType: 'unsubscribe',
        detail: expect.objectContaining({ customerId: 'cust-1', properties: { sendId: 'send-1', categories: ['marketing'], via: 'preference_center', reason: 'preference center' } }),
      },
    ]);
  });

  it('POST "leave" unsubscribes every optional category in one event', async () => {
    const { post, bus } = setup(subscribedProfile());
    expect((await post('category=marketing&action=leave')).html).toContain('You are unsubscribed from every email you can turn off');
    expect(bus.entries).toHaveLength(1);
    expect(bus.entries[0]).toMatchObject({ detailType: 'unsubscribe', detail: { properties: { categories: ['marketing', 'product_updates'] } } });
  });

  it('opting in to an opt-in category changes no consent: it asks for a confirmation email and says so, with the address masked', async () => {
    const left = subscribedProfile();
    left.consent = { marketing: 'unsubscribed', product_updates: 'unsubscribed' };
    const { post, bus } = setup(left);
    const { statusCode, html } = await post('category=marketing&action=save');
    expect(statusCode).toBe(200);
    expect(html).toContain('We sent a confirmation to l***@example.com');
    expect(html).not.toContain('lea@example.com');
    expect(html).toContain('id="category-marketing" name="category" value="marketing" aria-describedby'); // still off until confirmed
    expect(bus.entries).toEqual([
      {
        source: 'mail.tracking',
        detailType: 'consent_confirmation_requested',
        detail: expect.objectContaining({ customerId: 'cust-1', properties: { sendId: 'send-1', categories: ['marketing'], via: 'preference_center' } }),
      },
    ]);
  });

  it('a customer without an address on file cannot opt in from the page (nowhere to confirm), and is told so', async () => {
    const { email: _, ...noAddress } = subscribedProfile();
    noAddress.consent = {};
    const { post, bus } = setup(noAddress);
    const { html } = await post('category=marketing&action=save');
    expect(html).toContain('we have no email address');
    expect(bus.entries).toEqual([]);
  });

  /** The default catalog plus an opt-out category, so every consent kind is drawn. */
  const withOptOut = { ...defaultCatalog, subscriptionCategories: [...defaultCatalog.subscriptionCategories, { id: 'tips', name: 'Tips', description: 'Tips.', consent: 'opt_out' as const }] };
  const optional = withOptOut.subscriptionCategories.filter((c) => c.consent !== 'required');

  it('for any consent on file and any form: opt-outs apply at once, re-subscribing an opt-out category applies at once, an opt-in category is only ever asked for', async () => {
    const status = fc.constantFrom<'subscribed' | 'unsubscribed' | undefined>('subscribed', 'unsubscribed', undefined);
    await fc.assert(
      fc.asyncProperty(fc.tuple(...optional.map(() => status)), fc.subarray(optional.map((c) => c.id)), fc.boolean(), async (statuses, checked, leave) => {
        const profile = subscribedProfile();
        profile.consent = Object.fromEntries(optional.flatMap((c, i) => (statuses[i] ? [[c.id, statuses[i]]] : [])));
        const bus = new RecordingBehaviorBus();
        const center = makePreferenceCenter({ profiles: { get: async () => profile }, bus, catalog: withOptOut, log: silentLog });
        const body = [...checked.map((id) => `category=${id}`), `action=${leave ? 'leave' : 'save'}`].join('&');
        const { html } = await center({ method: 'POST', body, requestId: 'req-1', claims, now: NOW });

        const isOn = (id: string) => hasConsent(profile, id, withOptOut.subscriptionCategories);
        const wanted = (id: string) => !leave && checked.includes(id);
        const turningOff = optional.filter((c) => isOn(c.id) && !wanted(c.id)).map((c) => c.id);
        const turningOn = (consent: string) => optional.filter((c) => c.consent === consent && !isOn(c.id) && wanted(c.id)).map((c) => c.id);
        const byType = (type: string) => bus.entries.filter((e) => e.detailType === type).map((e) => (e.detail.properties as { categories: string[] }).categories);
        expect(byType('unsubscribe')).toEqual(turningOff.length > 0 ? [turningOff.sort()] : []);
        expect(byType('subscribe')).toEqual(turningOn('opt_out').length > 0 ? [turningOn('opt_out').sort()] : []);
        expect(byType('consent_confirmation_requested')).toEqual(turningOn('opt_in').length > 0 ? [turningOn('opt_in').sort()] : []);
        expect(html.includes('We sent a confirmation to l***@example.com')).toBe(turningOn('opt_in').length > 0);
      }),
      { numRuns: 300 },
    );
  });

  it('POST without changes puts nothing; naming an unknown or required category is refused and changes nothing', async () => {
    const { post, bus } = setup(subscribedProfile());
    expect((await post('category=marketing&category=product_updates&action=save')).html).toContain('Nothing changed');
    expect((await post('category=marketing&category=newsletter')).statusCode).toBe(400);
    expect((await post('category=transactional')).statusCode).toBe(400);
    expect(bus.entries).toEqual([]);
  });

  it('a customer who no longer exists (erased) gets a 404 page', async () => {
    const { center } = setup(undefined);
    expect((await center({ method: 'GET', body: '', requestId: 'req-get', claims, now: NOW })).statusCode).toBe(404);
  });
});

describe('subscription confirmation page', () => {
  const confirmClaims: LinkClaims = { a: 'confirm_subscription', c: 'cust-1', s: 'send-9', g: ['marketing'], e: 2_000_000_000 };
  const setupConfirm = (profile: Profile | undefined) => {
    const bus = new RecordingBehaviorBus();
    const confirm = makeConfirmSubscription({ profiles: { get: async () => profile }, bus, catalog: defaultCatalog, log: silentLog });
    return { bus, confirm };
  };

  it('GET only asks (mail scanners prefetch links); POST subscribes the categories of the token with the address on file, via preference_center_confirmed', async () => {
    const { bus, confirm } = setupConfirm(subscribedProfile());
    const asked = await confirm({ method: 'GET', requestId: 'req-1', claims: confirmClaims, now: NOW });
    expect(asked.statusCode).toBe(200);
    expect(asked.html).toContain('Offers and reminders');
    expect(asked.html).toContain('<form method="post">');
    expect(bus.entries).toEqual([]);
    const done = await confirm({ method: 'POST', requestId: 'req-2', claims: confirmClaims, now: NOW });
    expect(done.html).toContain('You are subscribed');
    expect(bus.entries).toMatchObject([
      { source: 'mail.tracking', detailType: 'subscribe', detail: { customerId: 'cust-1', properties: { sendId: 'send-9', categories: ['marketing'], email: 'lea@example.com', via: 'preference_center_confirmed' } } },
    ]);
  });

  it('a token naming no opt-in category of the catalog is refused; a customer erased since gets a 404; neither puts anything', async () => {
    const { bus, confirm } = setupConfirm(subscribedProfile());
    expect((await confirm({ method: 'POST', requestId: 'r', claims: { ...confirmClaims, g: ['transactional', 'gone'] }, now: NOW })).statusCode).toBe(400);
    const erased = setupConfirm(undefined);
    expect((await erased.confirm({ method: 'POST', requestId: 'r', claims: confirmClaims, now: NOW })).statusCode).toBe(404);
    expect([...bus.entries, ...erased.bus.entries]).toEqual([]);
  });
});
