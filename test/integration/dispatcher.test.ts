import { describe, expect, it } from 'vitest';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';
import { welcomeSend } from './support/welcome-send.ts';

/** The dispatcher through its real trigger: messages on the local send queue, polled like Lambda's event source. */
describe('dispatcher', () => {
  const nudge = nudgeClient();

  /** A send for a new customer who opted in (an identify with consent: it triggers no rule of its own). */
  const request = async (templateId: string): Promise<SendRequest> => {
    const customerId = uniqueId('disp');
    await nudge.putEvents([
      {
        detailType: 'identify',
        detail: {
          eventId: uniqueId('id'),
          customerId,
          occurredAt: (await nudge.now()).toISOString(),
          properties: { email: `${customerId}@example.com`, consent: { marketing: 'subscribed' } },
        },
      },
    ]);
    await nudge.waitForIdle();
    return welcomeSend({ customerId, firstName: 'Ivo', templateId, withEmailCondition: true });
  };

  it('a redelivered (duplicated) queue message sends once', async () => {
    const r = await request('welcome');
    await nudge.sendToQueue('SendQueueUrl', r);
    await nudge.sendToQueue('SendQueueUrl', r);
    await nudge.waitForIdle();
    expect(await nudge.emailsTo(r.email)).toHaveLength(1);
    expect(await nudge.ledger.find(r.customerId, r.sendId)).toMatchObject({ status: 'sent', ruleId: 'welcome_new_subscriber' });
  });

  it('a send whose template cannot render is recorded as failed with the reason, and not sent', async () => {
    const r = await request('no_such_template');
    await nudge.sendToQueue('SendQueueUrl', r);
    await nudge.waitForIdle();
    expect(await nudge.emailsTo(r.email)).toHaveLength(0);
    expect(await nudge.ledger.find(r.customerId, r.sendId)).toMatchObject({
      status: 'failed',
      failureReason: expect.stringContaining('no_such_template'),
    });
  });

  it('sends from the configured sender with both HTML and text parts', async () => {
    const r = await request('welcome');
    await nudge.sendToQueue('SendQueueUrl', r);
    await nudge.waitForIdle();
    const [email] = await nudge.emailsTo(r.email);
    expect(email?.body.html).toContain('Ivo');
    expect(email?.body.text).toContain('Ivo');
    expect(email?.from).toBe(nudge.output('SenderEmail'));
  });

  it('re-checks consent as the email leaves: an unsubscribe after the decision stops it, with the reason', async () => {
    const r = await request('welcome');
    await nudge.putEvents([{ detailType: 'unsubscribe', detail: { eventId: uniqueId('u'), customerId: r.customerId, occurredAt: (await nudge.now()).toISOString() } }]);
    await nudge.waitForIdle();
    await nudge.sendToQueue('SendQueueUrl', r);
    await nudge.waitForIdle();
    expect(await nudge.emailsTo(r.email)).toHaveLength(0);
    expect(await nudge.ledger.find(r.customerId, r.sendId)).toMatchObject({ status: 'failed', failureReason: 'not sent: no consent when the email was due to leave' });
  });
});
