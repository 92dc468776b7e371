import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '#shared/domain/html.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import type { LinkClaims } from '#shared/domain/link-tokens.ts';
import { renderPreferenceCenter } from '#shared/presentation/preference-center-page.ts';
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
        expect(html).not.toContain(escapeHtml(email));
        expect(html).toContain(`<strong>${escapeHtml(`${email[0]}***${email.slice(at)}`)}</strong>`);
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

  it('POST "leave" unsubscribes every optional category in one event; a re-subscribe carries the address', async () => {
    const { post, bus } = setup(subscribedProfile());
    expect((await post('category=marketing&action=leave')).html).toContain('You are unsubscribed from every email you can turn off');
    expect(bus.entries).toHaveLength(1);
    expect(bus.entries[0]).toMatchObject({ detailType: 'unsubscribe', detail: { properties: { categories: ['marketing', 'product_updates'] } } });

    const left = subscribedProfile();
    left.consent = { marketing: 'unsubscribed', product_updates: 'unsubscribed' };
    const again = setup(left);
    await again.post('category=marketing&action=save');
    expect(again.bus.entries).toMatchObject([{ detailType: 'subscribe', detail: { properties: { categories: ['marketing'], email: 'lea@example.com', via: 'preference_center' } } }]);
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
