import { SESv2Client, SESv2ServiceException } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { DynamoErasureTombstones } from '#shared/adapters/dynamo/erasure-tombstone-repository.ts';
import { DynamoSuppressionList } from '#shared/adapters/dynamo/suppression-repository.ts';
import { SesEmailSender } from '#shared/adapters/ses/ses-email-sender.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import type { Log } from '#shared/domain/ports.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { makeDispatchSend } from '#shared/services/dispatch-send.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';
import { welcomeSend } from './support/welcome-send.ts';

const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Fault injection the local SES cannot produce: SES throttling, injected as SDK middleware in front
 * of the real SESv2 client talking to the local SES. The dispatcher service runs in this process
 * with its real ledger, profile and suppression adapters; the email must end up sent exactly once.
 */
describe('fault: SES throttling', () => {
  const nudge = nudgeClient();

  it('a throttled send is deferred (re-queued, not failed), and the retry sends it once', async () => {
    const customerId = uniqueId('throttle');
    const email = `${customerId}@example.com`;
    await nudge.putEvents([
      { detailType: 'identify', detail: { eventId: uniqueId('i'), customerId, occurredAt: (await nudge.now()).toISOString(), properties: { email, consent: { marketing: 'subscribed' } } } },
    ]);
    await nudge.waitForIdle();

    let throttles = 2;
    const ses = new SESv2Client({ region: LOCAL_REGION, credentials: localCredentials, endpoint: nudge.context.endpoints.ses, maxAttempts: 1 });
    ses.middlewareStack.add(
      (next) => async (args) => {
        if (throttles-- > 0) {
          throw new SESv2ServiceException({ name: 'TooManyRequestsException', $fault: 'client', $metadata: { httpStatusCode: 429 }, message: 'Maximum sending rate exceeded.' });
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'injectSesThrottling' },
    );
    const table = nudge.output('TableName');
    const dispatch = makeDispatchSend({
      ledger: nudge.ledger,
      sender: new SesEmailSender(ses, { fromAddress: nudge.output('SenderEmail') }),
      profiles: nudge.profiles,
      suppression: new DynamoSuppressionList(nudge.documentClient, table),
      erasures: new DynamoErasureTombstones(nudge.documentClient, table),
      links: { baseUrl: 'http://127.0.0.1/links', keyring: async () => ({ current: { id: 'k1', key: 'a-test-secret-of-at-least-32-characters!!' }, previous: [] }) },
      catalog: defaultCatalog,
      clock: { now: () => new Date() },
      log: quiet,
    });
    const request: SendRequest = welcomeSend({ customerId, email, firstName: 'Tia' });
    // As the dispatcher would: each deferred attempt is re-queued until one succeeds; a redelivery after that is skipped.
    expect(await dispatch(request)).toMatchObject({ type: 'deferred', sendId: request.sendId });
    expect(await nudge.ledger.find(customerId, request.sendId)).toMatchObject({ status: 'retrying', lastError: expect.stringContaining('TooManyRequestsException') });
    expect(await dispatch(request)).toMatchObject({ type: 'deferred', sendId: request.sendId });
    expect(await dispatch(request)).toMatchObject({ type: 'sent' });
    expect(await dispatch(request)).toMatchObject({ type: 'skipped', reason: 'already_sent' });
    expect(await nudge.emailsTo(email)).toHaveLength(1);
    expect(await nudge.ledger.find(customerId, request.sendId)).toMatchObject({ status: 'sent', attempts: 3 });
    ses.destroy();
  });
});
