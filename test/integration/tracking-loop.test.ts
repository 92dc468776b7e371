import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { describe, expect, it } from 'vitest';
import { customerPk, profileKey, sendKey } from '#shared/adapters/dynamo/keys.ts';
import { DynamoDecisionLog } from '#shared/adapters/dynamo/decision-log-repository.ts';
import { nudgeClient, uniqueId, type SesEmail } from './support/nudge-client.ts';
import { sendIdOf } from './support/ses-send-ids.ts';
import { subscriberEvents } from './support/subscriber-events.ts';

/** The local SES store keeps custom headers as {key, value} (SES's API names them Name/Value). */
function header(email: SesEmail | undefined, name: string): string | undefined {
  const headers = (email?.headers ?? []) as Array<{ name?: string; key?: string; value: string }>;
  return headers.find((h) => (h.name ?? h.key)?.toLowerCase() === name.toLowerCase())?.value;
}

/**
 * The tracking loop through the running local system: the headers on a real marketing email in the
 * SES store, one-click unsubscribe through the link endpoint (the stack's Function URL, served
 * locally), the open pixel, and what each changes.
 */
describe('delivery and the tracking loop', () => {
  const nudge = nudgeClient();
  const decisions = new DynamoDecisionLog(nudge.documentClient, nudge.output('TableName'));

  const { put, welcomed } = subscriberEvents(nudge);
  const unsubscribeUrl = (email: SesEmail) => /<(https?:\/\/[^>]+\/u\/[^>]+)>/.exec(header(email, 'List-Unsubscribe') ?? '')?.[1];

  it('a marketing email carries List-Unsubscribe (https one-click only: no mailbox is read) and List-Unsubscribe-Post', async () => {
    const email = await welcomed(uniqueId('hdr'));
    expect(header(email, 'List-Unsubscribe')).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/_url\/[A-Za-z0-9]+\/u\/k\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+>$/);
    expect(header(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(email.body.html).toContain(unsubscribeUrl(email));
    expect(email.body.text).toContain(`Unsubscribe: ${unsubscribeUrl(email)}`);
  });

  it('GET shows a confirmation page and changes nothing; the one-click POST unsubscribes, and the next marketing email is not sent', async () => {
    const customerId = uniqueId('unsub');
    const url = unsubscribeUrl(await welcomed(customerId))!;
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    await nudge.waitForIdle();
    expect((await nudge.profiles.get(customerId))?.consent.marketing).toBe('subscribed');

    const posted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain('You are unsubscribed');
    await nudge.waitForIdle();
    expect((await nudge.profiles.get(customerId))?.consent.marketing).toBe('unsubscribed');

    await put(customerId, 'cart_abandon', { cartValue: 120 });
    expect(await nudge.emailsTo(`${customerId}@example.com`)).toHaveLength(1); // the welcome only
    const [latest] = await decisions.list(customerId, { ruleId: 'cart_abandonment_1hour' });
    expect(latest).toMatchObject({ outcome: 'suppressed', reason: 'no_consent' });
  });

  it('the same unsubscribe link used again after a re-subscribe unsubscribes again, every time', async () => {
    const customerId = uniqueId('reuse');
    const url = unsubscribeUrl(await welcomed(customerId))!;
    const unsubscribeByLink = async () => {
      const posted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect(await posted.text()).toContain('You are unsubscribed');
      await nudge.waitForIdle();
    };
    for (let round = 0; round < 2; round += 1) {
      await unsubscribeByLink();
      expect((await nudge.profiles.get(customerId))?.consent.marketing).toBe('unsubscribed');
      await put(customerId, 'subscribe', {}, { email: `${customerId}@example.com` });
      expect((await nudge.profiles.get(customerId))?.consent.marketing).toBe('subscribed');
    }
    await unsubscribeByLink();
    expect((await nudge.profiles.get(customerId))?.consent.marketing).toBe('unsubscribed');
  });

  it('only the profile holds the address and name: decision, send and run records of a welcomed customer keep markers', async () => {
    const customerId = uniqueId('pii');
    await welcomed(customerId);
    const { Items } = await nudge.documentClient.send(
      new QueryCommand({ TableName: nudge.output('TableName'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': customerPk(customerId) } }),
    );
    const others = (Items ?? []).filter((item) => item.sk !== profileKey(customerId).sk);
    expect(others.map((item) => String(item.sk).split('#')[0])).toEqual(expect.arrayContaining(['DEC', 'SEND', 'SEQRUN']));
    for (const item of others) expect(JSON.stringify(item)).not.toMatch(new RegExp(`${customerId}@example\\.com|"Lea"`));
    const [welcome] = await decisions.list(customerId, { ruleId: 'welcome_new_subscriber' });
    expect(welcome?.conditions).toContainEqual(expect.objectContaining({ field: 'profile.email', actual: '[personal]', passed: true }));
  });

  it('a forged or expired-looking token gets a 4xx page and unsubscribes nobody', async () => {
    const customerId = uniqueId('forge');
    const url = unsubscribeUrl(await welcomed(customerId))!;
    const forged = url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const response = await fetch(forged, { method: 'POST' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('not valid');
    await nudge.waitForIdle();
    expect((await nudge.profiles.get(customerId))?.consent.marketing).toBe('subscribed');
  });

  it('the open pixel records the open on the profile and on the send', async () => {
    const customerId = uniqueId('open');
    const email = await welcomed(customerId);
    const pixel = /<img src="([^"]+\/o\/[^"]+)"/.exec(email.body.html ?? '')?.[1];
    expect(pixel).toBeDefined();
    const response = await fetch(pixel!);
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(30);
    await nudge.waitForIdle();
    const profile = await nudge.profiles.get(customerId);
    expect(profile?.emailActivity.lastOpenAt).toBeDefined();
    const sendId = profile?.emailActivity.lastEngagement?.sendId;
    expect(sendId).toBeDefined();
    const { Item } = await nudge.documentClient.send(new GetCommand({ TableName: nudge.output('TableName'), Key: sendKey(customerId, sendId!), ConsistentRead: true }));
    expect(Item).toMatchObject({ status: 'sent', firstOpenAt: profile?.emailActivity.lastOpenAt, lastOpenAt: profile?.emailActivity.lastOpenAt });
  });

  it('a purchase within the attribution window of a click is credited to the clicked send (ingest Queries the customer\'s engaged sends, which its role must allow)', async () => {
    const customerId = uniqueId('click');
    const sendId = sendIdOf(await welcomed(customerId));
    expect(sendId, 'the welcome email names its send').toBeDefined();
    await put(customerId, 'email_click', { sendId, ruleId: 'seq_welcome_series__hello', url: 'https://shop.example/product/1' });
    await nudge.advanceClock('1h');
    await put(customerId, 'purchase', { orderId: uniqueId('order'), amount: 42, currency: 'EUR' });
    const [conversion] = await nudge.busEvents({ source: 'nudge', detailType: 'ConversionAttributed', customerId });
    expect(conversion?.detail).toMatchObject({ customerId, sendId, ruleId: 'seq_welcome_series__hello', touch: 'click', revenue: 42, currency: 'EUR' });
  });

  it('a purchase after an email nobody opened converts that send (document 000: every send is a touchpoint), with the send as its touch', async () => {
    const customerId = uniqueId('unopened');
    const sendId = sendIdOf(await welcomed(customerId));
    expect(sendId, 'the welcome email names its send').toBeDefined();
    await nudge.advanceClock('3h');
    await put(customerId, 'purchase', { orderId: uniqueId('order'), amount: 30, currency: 'EUR' });
    const [conversion] = await nudge.busEvents({ source: 'nudge', detailType: 'ConversionAttributed', customerId });
    expect(conversion?.detail).toMatchObject({ customerId, sendId, ruleId: 'seq_welcome_series__hello', touch: 'send', revenue: 30 });
    expect(Number(conversion?.detail.timeToConvertMs)).toBeGreaterThanOrEqual(3 * 3_600_000);
    const { Items } = await nudge.documentClient.send(
      new QueryCommand({ TableName: nudge.output('TableName'), KeyConditionExpression: 'pk = :pk AND begins_with(sk, :conv)', ExpressionAttributeValues: { ':pk': `C#${customerId}`, ':conv': `CONV#${sendId}#` } }),
    );
    expect(Items?.[0]?.touches).toEqual([{ sendId, ruleId: 'seq_welcome_series__hello', kind: 'send', at: expect.any(String) }]);
  });

  it('a purchase after an open converts that send: ConversionAttributed on the bus with revenue and time to convert', async () => {
    const customerId = uniqueId('conv');
    const email = await welcomed(customerId);
    const pixel = /<img src="([^"]+\/o\/[^"]+)"/.exec(email.body.html ?? '')![1]!;
    await fetch(pixel);
    await nudge.waitForIdle();
    await nudge.advanceClock('2h');
    await put(customerId, 'purchase', { orderId: uniqueId('order'), amount: 89.5, currency: 'EUR' });
    const [conversion] = await nudge.busEvents({ source: 'nudge', detailType: 'ConversionAttributed', customerId });
    const sendId = (await nudge.profiles.get(customerId))?.emailActivity.lastEngagement?.sendId;
    // The welcome is the welcome series' first step.
    expect(conversion?.detail).toMatchObject({ customerId, sendId, ruleId: 'seq_welcome_series__hello', touch: 'open', revenue: 89.5, currency: 'EUR' });
    expect(Number(conversion?.detail.timeToConvertMs)).toBeGreaterThanOrEqual(2 * 3_600_000);
    // Retention: the conversion item and its send expire sendRetentionDays after the purchase and the decision.
    const { Items } = await nudge.documentClient.send(
      new QueryCommand({ TableName: nudge.output('TableName'), KeyConditionExpression: 'pk = :pk AND begins_with(sk, :conv)', ExpressionAttributeValues: { ':pk': `C#${customerId}`, ':conv': `CONV#${sendId}#` } }),
    );
    const days = defaultCatalog.settings.sendRetentionDays;
    expect(Items).toHaveLength(1);
    expect(Items![0]!.ttl).toBe(Math.floor(Date.parse(String(Items![0]!.convertedAt)) / 1000) + days * 86_400);
    const send = await nudge.documentClient.send(new GetCommand({ TableName: nudge.output('TableName'), Key: sendKey(customerId, sendId!) }));
    expect(send.Item?.ttl).toBe(Math.floor(Date.parse(String(send.Item?.decidedAt)) / 1000) + days * 86_400);
  });
});
