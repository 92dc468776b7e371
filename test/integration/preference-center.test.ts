import { describe, expect, it } from 'vitest';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { nudgeClient, uniqueId, type SesEmail } from './support/nudge-client.ts';
import { subscriberEvents } from './support/subscriber-events.ts';

type Rejected = { reason: string; errors: Array<{ field: string; message: string }>; original: { detail: { customerId?: string } } };

/**
 * The preference center through the running local system: the signed link in a real email, the
 * form POST that puts consent events on the bus, ingest applying them, and the dispatcher's
 * send-time re-check stopping a send decided before the change.
 */
describe('preference center and consent per category', () => {
  const nudge = nudgeClient();

  const { put, welcomed } = subscriberEvents(nudge);
  const preferencesUrl = (email: SesEmail) => /href="(https?:\/\/[^"]+\/p\/[^"]+)"/.exec(email.body.html ?? '')?.[1];
  const post = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  /** A marketing send as ingest decides it, for a customer, decided at `decidedAt` (before anything that follows). */
  const queuedSend = (customerId: string, decidedAt: string, profileVersion: number): SendRequest => ({
    sendId: uniqueId('send'),
    customerId,
    ruleId: 'cart_abandonment_1hour',
    templateId: 'welcome',
    category: 'marketing',
    email: `${customerId}@example.com`,
    decidedAt,
    profileVersion,
    trigger: { eventId: uniqueId('evt'), type: 'cart_abandon', occurredAt: decidedAt },
    conditions: [],
    personalization: { firstName: 'Lea', eventProperties: {} },
  });

  it('GET renders the live profile; POST puts a preference_center unsubscribe on the bus and ingest applies it; a tampered token changes nothing', async () => {
    const customerId = uniqueId('pref');
    const url = preferencesUrl(await welcomed(customerId))!;
    expect(url).toBeDefined();
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('id="category-marketing" name="category" value="marketing" checked');
    expect(html).toContain('Hello Lea');

    const tampered = url.replace(/\/p\/(.)/, (_m, c: string) => `/p/${c === 'e' ? 'f' : 'e'}`);
    const refused = await post(tampered, 'action=leave');
    expect(refused.status).toBe(400);

    const saved = await post(url, 'category=product_updates&action=save');
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain('Your choices are saved.');
    await nudge.waitForIdle();
    // The opt-out applies at once; the opt-in (product_updates) waits for its confirmation.
    expect((await nudge.profiles.get(customerId))?.consent).toEqual({ marketing: 'unsubscribed' });
    const events = await nudge.busEvents({ customerId, detailType: 'unsubscribe' });
    expect(events.map((e) => e.detail)).toMatchObject([{ properties: { categories: ['marketing'], via: 'preference_center' } }]);
  });

  it('an opt-in changes nothing until confirmed from the mailbox: the confirmation email arrives, its link subscribes, and the next marketing send goes out', async () => {
    const customerId = uniqueId('optin');
    const address = `${customerId}@example.com`;
    const url = preferencesUrl(await welcomed(customerId))!;
    expect((await post(url, 'action=leave')).status).toBe(200);
    await nudge.waitForIdle();

    const asked = await post(url, 'category=marketing&action=save');
    expect(await asked.text()).toContain(`We sent a confirmation to ${customerId[0]}***@example.com`);
    await nudge.waitForIdle();
    expect((await nudge.profiles.get(customerId))?.consent).toEqual({ marketing: 'unsubscribed' });
    const blocked = queuedSend(customerId, (await nudge.now()).toISOString(), (await nudge.profiles.get(customerId))!.version);
    await nudge.sendToQueue('SendQueueUrl', blocked);
    await nudge.waitForIdle();
    expect(await nudge.ledger.find(customerId, blocked.sendId)).toMatchObject({ status: 'failed' });

    // The confirmation: service mail through the normal decision and send path (its rule is confirm_subscription).
    const confirmation = (await nudge.emailsTo(address)).find((email) => /\/s\//.test(email.body.html ?? ''));
    expect(confirmation?.subject).toContain('Please confirm your subscription');
    expect(confirmation?.headers?.some((h) => h.name === 'List-Unsubscribe') ?? false).toBe(false); // service mail: no unsubscribe header
    const confirmUrl = /href="(https?:\/\/[^"]+\/s\/[^"]+)"/.exec(confirmation!.body.html ?? '')![1]!;
    const tampered = confirmUrl.replace(/\/s\/(.)/, (_m, c: string) => `/s/${c === 'e' ? 'f' : 'e'}`);
    expect((await post(tampered, '')).status).toBe(400);
    const page = await fetch(confirmUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Offers and reminders');
    await nudge.waitForIdle();
    expect((await nudge.profiles.get(customerId))?.consent.marketing).toBe('unsubscribed'); // a GET (a mail scanner) changes nothing

    const confirmed = await post(confirmUrl, '');
    expect(await confirmed.text()).toContain('You are subscribed');
    await nudge.waitForIdle();
    expect((await nudge.profiles.get(customerId))?.consent).toEqual({ marketing: 'subscribed' });
    const events = await nudge.busEvents({ customerId, detailType: 'subscribe' });
    expect(events.map((e) => e.detail).at(-1)).toMatchObject({ properties: { categories: ['marketing'], via: 'preference_center_confirmed' } });

    const next = queuedSend(customerId, (await nudge.now()).toISOString(), (await nudge.profiles.get(customerId))!.version);
    await nudge.sendToQueue('SendQueueUrl', next);
    await nudge.waitForIdle();
    expect(await nudge.ledger.find(customerId, next.sendId)).toMatchObject({ status: 'sent' });
  });

  it('a send decided before the change does not leave after it (the dispatcher re-checks consent); the same send to an unchanged customer does', async () => {
    const changed = uniqueId('recheck');
    const unchanged = uniqueId('control');
    const url = preferencesUrl(await welcomed(changed))!;
    await welcomed(unchanged);
    const decidedAt = (await nudge.now()).toISOString();
    const before = { changed: (await nudge.profiles.get(changed))!.version, unchanged: (await nudge.profiles.get(unchanged))!.version };

    expect((await post(url, 'action=leave')).status).toBe(200);
    await nudge.waitForIdle();
    const late = queuedSend(changed, decidedAt, before.changed);
    const control = queuedSend(unchanged, decidedAt, before.unchanged);
    await nudge.sendToQueue('SendQueueUrl', late);
    await nudge.sendToQueue('SendQueueUrl', control);
    await nudge.waitForIdle();

    expect(await nudge.ledger.find(changed, late.sendId)).toMatchObject({ status: 'failed', failureReason: 'not sent: no consent when the email was due to leave' });
    expect(await nudge.ledger.find(unchanged, control.sendId)).toMatchObject({ status: 'sent' });
    expect(await nudge.emailsTo(`${changed}@example.com`)).toHaveLength(1); // the welcome only
  });

  it('ingest rejects an unsubscribe naming an unknown category, or the required transactional one, with the reason, and changes nothing', async () => {
    const customerId = uniqueId('unknown');
    await welcomed(customerId);
    await nudge.drainQueue('RejectedEventsQueueUrl');
    await put(customerId, 'unsubscribe', { categories: ['marketting'] });
    await put(customerId, 'unsubscribe', { categories: ['transactional'] });
    const rejected = ((await nudge.drainQueue('RejectedEventsQueueUrl')) as Rejected[]).filter((r) => r.original.detail.customerId === customerId);
    expect(rejected.map((r) => r.errors)).toEqual([
      [{ field: 'properties.categories.0', message: '"marketting" is not a subscription category of this catalog (known: marketing, product_updates, transactional)' }],
      [{ field: 'properties.categories.0', message: '"transactional" carries service mail (receipts, security notices) and cannot be unsubscribed' }],
    ]);
    expect((await nudge.profiles.get(customerId))?.consent).toEqual({ marketing: 'subscribed' });
  });
});
