import { beforeAll, describe, expect, it } from 'vitest';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

/**
 * The Foundation's acceptance path, end to end through the local system: PutEvents on the local
 * bus -> rule routing -> ingest Lambda -> DynamoDB -> SQS -> dispatcher Lambda -> local SES.
 */
describe('events in, emails out', () => {
  const nudge = nudgeClient();
  const customerId = uniqueId('cust');
  const email = `${customerId}@example.com`;
  let clockNow: Date;

  const detail = (type: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    detailType: type,
    detail: { eventId: uniqueId(type), customerId, occurredAt: clockNow.toISOString(), properties, ...extra },
  });

  beforeAll(async () => {
    clockNow = await nudge.daytime();
  });

  it('a subscribe with a new email gives exactly one welcome email', async () => {
    await nudge.putEvents([detail('subscribe', { firstName: 'Rosa', source: 'newsletter_signup' }, { email })]);
    await nudge.waitForIdle();
    const emails = await nudge.emailsTo(email);
    expect(emails).toHaveLength(1);
    expect(emails[0]!.subject).toContain('Welcome');
    expect(emails[0]!.subject).toContain('Rosa');
  });

  it('subscribing again does not welcome twice', async () => {
    await nudge.putEvents([detail('subscribe', {}, { email })]);
    await nudge.waitForIdle();
    expect(await nudge.emailsTo(email)).toHaveLength(1);
  });

  it('a cart_abandon worth 75.99 gives one cart email an hour later, with the cart in it; the same entry again gives nothing', async () => {
    const abandon = detail('cart_abandon', {
      cartValue: 75.99,
      currency: 'USD',
      items: [{ productId: 'sku-1', name: 'Linen shirt', quantity: 1, price: 75.99 }],
    });
    await nudge.putEvents([abandon]);
    await nudge.waitForIdle();
    expect((await nudge.emailsTo(email)).filter((e) => e.subject.includes('cart'))).toHaveLength(0);
    clockNow = await nudge.advanceClock('1h');
    await nudge.waitForIdle();
    let cartEmails = (await nudge.emailsTo(email)).filter((e) => e.subject.includes('cart'));
    expect(cartEmails).toHaveLength(1);
    expect(cartEmails[0]!.body.html).toContain('Linen shirt');
    expect(cartEmails[0]!.body.text).toContain('$75.99');

    await nudge.putEvents([abandon]);
    await nudge.waitForIdle();
    cartEmails = (await nudge.emailsTo(email)).filter((e) => e.subject.includes('cart'));
    expect(cartEmails).toHaveLength(1);
    const profile = await nudge.profiles.get(customerId);
    expect(profile?.eventCounts.cart_abandon).toBe(1);
  });

  it('a new cart_abandon within 24 h gives nothing more; cartValue 20 gives nothing', async () => {
    await nudge.putEvents([detail('cart_abandon', { cartValue: 99 })]);
    await nudge.putEvents([detail('cart_abandon', { cartValue: 20 })]);
    await nudge.waitForIdle();
    expect((await nudge.emailsTo(email)).filter((e) => e.subject.includes('cart'))).toHaveLength(1);
    expect((await nudge.profiles.get(customerId))?.eventCounts.cart_abandon).toBe(3);
  });

  it("a day later cart recovery's second reminder goes; an abandon while it runs starts no second run", async () => {
    clockNow = await nudge.advanceClock('24h');
    await nudge.waitForIdle();
    await nudge.putEvents([detail('cart_abandon', { cartValue: 60 })]);
    await nudge.waitForIdle();
    const subjects = (await nudge.emailsTo(email)).filter((e) => e.subject.includes('cart')).map((e) => e.subject);
    expect(subjects).toEqual(['Rosa, you left 1 item in your cart', 'Rosa, your cart at Nudge Demo Shop is still saved']);
  });

  it('an entry without customerId is recorded with an error naming the field, and good events after it still work', async () => {
    await nudge.drainQueue('RejectedEventsQueueUrl');
    const otherCustomer = uniqueId('cust');
    await nudge.putEvents([
      { detailType: 'cart_abandon', detail: { eventId: uniqueId('bad'), occurredAt: clockNow.toISOString(), properties: { cartValue: 80 } } },
      { detailType: 'subscribe', detail: { eventId: uniqueId('ok'), customerId: otherCustomer, occurredAt: clockNow.toISOString(), email: `${otherCustomer}@example.com` } },
    ]);
    await nudge.waitForIdle();
    const rejected = (await nudge.drainQueue('RejectedEventsQueueUrl')) as Array<{ errors: Array<{ field: string }>; original: { detail: unknown } }>;
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.errors.map((e) => e.field)).toContain('detail.customerId');
    expect(rejected[0]!.original.detail).toMatchObject({ properties: { cartValue: 80 } });
    expect(await nudge.emailsTo(`${otherCustomer}@example.com`)).toHaveLength(1);
  });

  it('an entry whose Detail is not JSON is refused by the bus with MalformedDetail', async () => {
    const [result] = await nudge.putEvents([{ detailType: 'page_view', detail: '{not json' }]);
    expect(result).toMatchObject({ ErrorCode: 'MalformedDetail' });
  });
});
