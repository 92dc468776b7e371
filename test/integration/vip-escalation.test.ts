import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

/**
 * Document 001's high_value_action -> notify_account_manager on the running local system: the
 * notifier function and its bus rule come from the synthesized template (no local definition).
 * Other suites mail the same account manager, so each test counts only its own customer's emails.
 */
describe('VIP escalation: the account manager is mailed once per high-value purchase', () => {
  const nudge = nudgeClient();
  const manager = defaultCatalog.settings.accountManagerEmail!;
  const mailsAbout = async (customerId: string) => (await nudge.emailsTo(manager)).filter((email) => email.subject.includes(`customer ${customerId},`));

  it('a purchase at the threshold mails exactly one staff email (sender, ids, amount; no tracking, no unsubscribe, no customer address); a redelivered VipEscalation mails no second', async () => {
    const customerId = uniqueId('vip');
    const occurredAt = (await nudge.now()).toISOString();
    await nudge.putEvents([
      { detailType: 'subscribe', detail: { eventId: uniqueId('s'), customerId, occurredAt, email: `${customerId}@example.com`, properties: { firstName: 'Vera' } } },
    ]);
    await nudge.waitForIdle();
    const amount = defaultCatalog.settings.highValuePurchase;
    await nudge.putEvents([{ detailType: 'purchase', detail: { eventId: uniqueId('p'), customerId, occurredAt, properties: { orderId: 'o-vip', amount, currency: 'EUR' } } }]);
    await nudge.waitForIdle();

    const mails = await mailsAbout(customerId);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail!.from).toBe(nudge.output('SenderEmail'));
    expect(mail!.body.text).toContain(`Customer id: ${customerId}\nOrder: o-vip\nPurchase amount: ${amount}\n`);
    expect(mail!.body.text).toContain(`Lifetime value: ${amount}\n`);
    expect(mail!.body.html).not.toMatch(/<img|href=/i);
    expect((mail!.headers ?? []).map((h) => h.name.toLowerCase())).not.toContain('list-unsubscribe');
    expect(`${mail!.body.text}${mail!.body.html}`).not.toContain(`${customerId}@example.com`);

    // The bus delivers at least once: the same event again (same transitionId) mails nothing more.
    const [escalation] = await nudge.busEvents({ source: 'nudge', detailType: 'VipEscalation', customerId });
    expect(escalation).toBeDefined();
    await nudge.putEvents([{ source: 'nudge', detailType: 'VipEscalation', detail: escalation!.detail }]);
    await nudge.waitForIdle();
    expect(await mailsAbout(customerId)).toHaveLength(1);
  });

  it('a purchase below the threshold mails nobody', async () => {
    const customerId = uniqueId('novip');
    const occurredAt = (await nudge.now()).toISOString();
    await nudge.putEvents([
      { detailType: 'subscribe', detail: { eventId: uniqueId('s'), customerId, occurredAt, email: `${customerId}@example.com`, properties: {} } },
      { detailType: 'purchase', detail: { eventId: uniqueId('p'), customerId, occurredAt, properties: { orderId: 'o-small', amount: defaultCatalog.settings.highValuePurchase - 1 } } },
    ]);
    await nudge.waitForIdle();
    expect(await mailsAbout(customerId)).toHaveLength(0);
  });
});
