import { describe, expect, it } from 'vitest';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

/** The dispatcher through its real trigger: messages on the local send queue, polled like Lambda's event source. */
describe('dispatcher', () => {
  const nudge = nudgeClient();

  const request = (templateId: string): SendRequest => {
    const customerId = uniqueId('disp');
    return {
      sendId: uniqueId('send'),
      customerId,
      ruleId: 'welcome_new_subscriber',
      templateId,
      category: 'marketing',
      email: `${customerId}@example.com`,
      decidedAt: new Date().toISOString(),
      trigger: { eventId: uniqueId('evt'), type: 'subscribe', occurredAt: new Date().toISOString() },
      conditions: [{ field: 'profile.email', op: 'exists', expected: true, actual: `${customerId}@example.com`, passed: true }],
      personalization: { firstName: 'Ivo', eventProperties: {} },
    };
  };

  it('a redelivered (duplicated) queue message sends once', async () => {
    const r = request('welcome');
    await nudge.sendToQueue('SendQueueUrl', r);
    await nudge.sendToQueue('SendQueueUrl', r);
    await nudge.waitForIdle();
    expect(await nudge.emailsTo(r.email)).toHaveLength(1);
    expect(await nudge.ledger.find(r.customerId, r.sendId)).toMatchObject({ status: 'sent', ruleId: 'welcome_new_subscriber' });
  });

  it('a send whose template cannot render is recorded as failed with the reason, and not sent', async () => {
    const r = request('no_such_template');
    await nudge.sendToQueue('SendQueueUrl', r);
    await nudge.waitForIdle();
    expect(await nudge.emailsTo(r.email)).toHaveLength(0);
    expect(await nudge.ledger.find(r.customerId, r.sendId)).toMatchObject({
      status: 'failed',
      failureReason: expect.stringContaining('no_such_template'),
    });
  });

  it('sends from the configured sender with both HTML and text parts', async () => {
    const r = request('welcome');
    await nudge.sendToQueue('SendQueueUrl', r);
    await nudge.waitForIdle();
    const [email] = await nudge.emailsTo(r.email);
    expect(email?.body.html).toContain('Ivo');
    expect(email?.body.text).toContain('Ivo');
    expect(email?.from).toBe(nudge.output('SenderEmail'));
  });
});
