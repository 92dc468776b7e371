import { createHash } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoSuppressionList } from '#shared/adapters/dynamo/suppression-repository.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';
import { publishSesEvent } from './support/ses-events.ts';

/**
 * SES's event publishing, end to end through the local system: an SES event put on the DEFAULT
 * bus (where SES publishes) with source `aws.ses` -> the stack's rule there -> the SES events
 * function -> suppression list / send ledger / email_open on the Nudge bus -> ingest -> profile.
 *
 * The local SES publishes Delivery, Bounce and Complaint as SES does (the mailbox simulator's
 * addresses bounce and complain); for the other shapes the tests put the events SES would publish,
 * shaped like the documentation's examples. (Real EventBridge refuses `aws.*` sources from
 * PutEvents; the local bus accepts them, which is what lets this path be tested at all.)
 */
describe('SES events into Nudge', () => {
  const nudge = nudgeClient();
  const defaultBus = new EventBridgeClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: nudge.context.endpoints.eventBridge });
  const table = () => nudge.output('TableName');

  type Customer = { customerId: string; email: string; sendId: string };

  /** A subscribed customer who got the welcome email, with that send's id from the ledger. */
  async function customerWithASend(): Promise<Customer> {
    const customerId = uniqueId('ses');
    const email = `${customerId}@Example.com`;
    await nudge.putEvents([
      { detailType: 'subscribe', detail: { eventId: uniqueId('sub'), customerId, email, occurredAt: (await nudge.now()).toISOString(), properties: { source: 'ses_test' } } },
    ]);
    await nudge.waitForIdle();
    const { Items = [] } = await nudge.documentClient.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :send)',
        ExpressionAttributeValues: { ':pk': `C#${customerId}`, ':send': 'SEND#' },
      }),
    );
    expect(Items, 'the welcome send is in the ledger').toHaveLength(1);
    return { customerId, email, sendId: String(Items[0]!.sendId) };
  }

  const publish = (customer: Customer, eventType: string, detailType: string, body: Record<string, unknown>, options: { configurationSet?: string } = {}) =>
    publishSesEvent(nudge, defaultBus, customer, eventType, detailType, body, options);

  const suppressionItem = async (email: string) =>
    (
      await nudge.documentClient.send(
        new GetCommand({
          TableName: table(),
          Key: { pk: `SUP#${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`, sk: 'SUPPRESSION' },
          ConsistentRead: true,
        }),
      )
    ).Item;

  const bounce = (customer: Customer, bounceType: string, bounceSubType: string, at: Date) => ({
    bounce: {
      bounceType,
      bounceSubType,
      bouncedRecipients: [{ emailAddress: customer.email, action: 'failed', status: '5.1.1', diagnosticCode: `smtp; 550 5.1.1 <${customer.email}>: Recipient address rejected` }],
      timestamp: at.toISOString(),
      feedbackId: uniqueId('feedback'),
      reportingMTA: 'dsn; mx.example.com',
    },
  });

  let now: Date;
  beforeAll(async () => {
    now = await nudge.daytime();
  });

  it('a permanent bounce suppresses the address at once, keyed by its hash, with no address anywhere in the item; the send is marked bounced (status untouched)', async () => {
    const customer = await customerWithASend();
    const { status } = (await nudge.ledger.find(customer.customerId, customer.sendId))!;
    await publish(customer, 'Bounce', 'Email Bounced', bounce(customer, 'Permanent', 'General', now));

    const item = await suppressionItem(customer.email);
    expect(item).toMatchObject({ kind: 'suppression', reason: 'hard_bounce', at: now.toISOString(), detail: expect.stringContaining('Permanent/General: smtp; 550 5.1.1') });
    expect(JSON.stringify(item).toLowerCase()).not.toContain(customer.customerId.toLowerCase());
    expect(JSON.stringify(item).toLowerCase()).not.toContain('@example.com');
    expect(await nudge.ledger.find(customer.customerId, customer.sendId)).toMatchObject({ status, outcome: 'bounced', outcomeAt: now.toISOString() });

    // SES delivering the same event again changes nothing.
    await publish(customer, 'Bounce', 'Email Bounced', bounce(customer, 'Permanent', 'General', new Date(now.getTime() + 60_000)));
    expect((await suppressionItem(customer.email))?.at).toBe(now.toISOString());
  });

  it('a complaint suppresses the address and marks the send complained', async () => {
    const customer = await customerWithASend();
    await publish(customer, 'Complaint', 'Email Complaint Received', {
      complaint: { complainedRecipients: [{ emailAddress: customer.email }], timestamp: now.toISOString(), feedbackId: uniqueId('fb'), complaintSubType: null, complaintFeedbackType: 'abuse' },
    });
    expect(await suppressionItem(customer.email)).toMatchObject({ reason: 'complaint', detail: 'complaint (abuse)' });
    expect(await nudge.ledger.find(customer.customerId, customer.sendId)).toMatchObject({ outcome: 'complained' });
  });

  it.each(['bounce', 'complaint'] as const)('after a %s, the next triggered marketing email to the address is not sent, and the reason is recorded', async (kind) => {
    const customer = await customerWithASend();
    if (kind === 'bounce') await publish(customer, 'Bounce', 'Email Bounced', bounce(customer, 'Permanent', 'General', now));
    else
      await publish(customer, 'Complaint', 'Email Complaint Received', {
        complaint: { complainedRecipients: [{ emailAddress: customer.email }], timestamp: now.toISOString(), feedbackId: uniqueId('fb'), complaintSubType: null, complaintFeedbackType: 'abuse' },
      });
    const before = (await nudge.emailsTo(customer.email.toLowerCase())).length + (await nudge.emailsTo(customer.email)).length;
    await nudge.daytime();
    await nudge.putEvents([
      { detailType: 'cart_abandon', detail: { eventId: uniqueId('ca'), customerId: customer.customerId, occurredAt: (await nudge.now()).toISOString(), properties: { cartValue: 99 } } },
    ]);
    await nudge.waitForIdle();
    await nudge.advanceClock('1h'); // cart recovery's first reminder is due an hour after the abandon
    await nudge.waitForIdle();
    const after = (await nudge.emailsTo(customer.email.toLowerCase())).length + (await nudge.emailsTo(customer.email)).length;
    expect(after).toBe(before);
    const { Items = [] } = await nudge.documentClient.send(
      new QueryCommand({ TableName: table(), KeyConditionExpression: 'pk = :pk AND begins_with(sk, :send)', ExpressionAttributeValues: { ':pk': `C#${customer.customerId}`, ':send': 'SEND#' } }),
    );
    const cart = Items.find((item) => item.ruleId === 'seq_cart_recovery__reminder');
    expect(cart).toMatchObject({ status: 'failed', failureReason: expect.stringMatching(/^not sent: the address is suppressed \((hard bounce|complaint) on /) });
  });

  it('a transient bounce suppresses nothing', async () => {
    const customer = await customerWithASend();
    await publish(customer, 'Bounce', 'Email Bounced', bounce(customer, 'Transient', 'MailboxFull', now));
    expect(await suppressionItem(customer.email)).toBeUndefined();
    expect(await nudge.ledger.find(customer.customerId, customer.sendId)).toMatchObject({ outcome: 'bounced', outcomeDetail: expect.stringContaining('Transient/MailboxFull') });
  });

  it("SES's own open events are not routed: Nudge's open pixel measures opens (no double counting)", async () => {
    const customer = await customerWithASend();
    const openedAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + 5_000);
    await publish(customer, 'Open', 'Email Opened', { open: { timestamp: openedAt.toISOString(), userAgent: 'Mozilla/5.0', ipAddress: '198.51.100.1' } });
    expect(await nudge.busEvents({ detailType: 'email_open', customerId: customer.customerId })).toHaveLength(0);
  });

  it("a delivery marks the send delivered: the local SES's own Delivery event, through its configuration set", async () => {
    const customer = await customerWithASend();
    expect(await nudge.ledger.find(customer.customerId, customer.sendId)).toMatchObject({ outcome: 'delivered' });
  });

  it("the mailbox simulator: SES's own Bounce suppresses bounce@, its Complaint suppresses complaint@ (labels keep the tests apart)", async () => {
    for (const [kind, reason, outcome] of [['bounce', 'hard_bounce', 'bounced'], ['complaint', 'complaint', 'complained']] as const) {
      const customerId = uniqueId(`sim-${kind}`);
      const email = `${kind}+${customerId.replace(/[^A-Za-z0-9-]/g, '-')}@simulator.amazonses.com`;
      await nudge.putEvents([{ detailType: 'subscribe', detail: { eventId: uniqueId('sub'), customerId, email, occurredAt: (await nudge.now()).toISOString(), properties: { source: 'ses_test' } } }]);
      await nudge.waitForIdle();
      const { Items = [] } = await nudge.documentClient.send(
        new QueryCommand({ TableName: table(), KeyConditionExpression: 'pk = :pk AND begins_with(sk, :send)', ExpressionAttributeValues: { ':pk': `C#${customerId}`, ':send': 'SEND#' } }),
      );
      expect(Items, 'the welcome send is in the ledger').toHaveLength(1);
      expect(await suppressionItem(email)).toMatchObject({ kind: 'suppression', reason });
      expect(await nudge.ledger.find(customerId, String(Items[0]!.sendId))).toMatchObject({ outcome });
    }
  });

  it("events of another configuration set in the account never reach Nudge's function", async () => {
    const customer = await customerWithASend();
    await publish(customer, 'Bounce', 'Email Bounced', bounce(customer, 'Permanent', 'General', now), { configurationSet: 'someone-elses-app' });
    expect(await suppressionItem(customer.email)).toBeUndefined();
    // Only the local SES's own Delivery (of Nudge's configuration set) reached the ledger.
    expect((await nudge.ledger.find(customer.customerId, customer.sendId))?.outcome).toBe('delivered');
  });
});

describe('the suppression and outcome adapters against DynamoDB Local', () => {
  const nudge = nudgeClient();
  const list = () => new DynamoSuppressionList(nudge.documentClient, nudge.output('TableName'));

  it('finds an address however it is cased or padded, keeps the first reason, and knows nothing of other addresses', async () => {
    const address = `${uniqueId('sup')}@example.com`;
    expect(await list().find(address)).toBeUndefined();
    await list().add({ email: `  ${address.toUpperCase()} `, reason: 'complaint', at: new Date('2026-11-20T10:00:00Z'), detail: 'complaint (abuse)' });
    await list().add({ email: address, reason: 'hard_bounce', at: new Date('2026-11-21T10:00:00Z') });
    expect(await list().find(address)).toEqual({ reason: 'complaint', at: '2026-11-20T10:00:00.000Z', detail: 'complaint (abuse)' });
    expect(await list().find(`other-${address}`)).toBeUndefined();
  });

  it('records an outcome only for a send the ledger knows', async () => {
    const result = await nudge.ledger.recordOutcome({ customerId: uniqueId('ghost'), sendId: 'no-such-send', outcome: 'complained', at: new Date() });
    expect(result).toBe('unchanged');
  });
});
