import { GetAccountCommand, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, describe, expect, it } from 'vitest';
import { classifySesError } from '#shared/adapters/ses/ses-error-classes.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { freePort } from '#local/emulators/ports.ts';
import { startSesLocal, type RunningSes } from '#local/emulators/ses-local.ts';
import type { SesLimitsConfig } from '#local/emulators/ses-sending-limits.ts';

/**
 * The local SES refuses what SES refuses, seen through the real SESv2 client: the errors arrive with
 * AWS's names, so the dispatcher's classification (ses-error-classes.ts) sees them as in AWS.
 */
describe('local SES account limits', () => {
  const running: Array<{ ses: RunningSes; client: SESv2Client }> = [];
  afterAll(async () => {
    for (const { ses, client } of running) {
      client.destroy();
      await ses.stop();
    }
  });
  const start = async (config: Partial<SesLimitsConfig>) => {
    const ses = await startSesLocal(await freePort(), { maxSendRate: 14, max24HourSend: 50_000, sandbox: false, verifiedIdentities: [], ...config });
    // One attempt: the SDK would otherwise retry throttling on its own.
    const client = new SESv2Client({ region: LOCAL_REGION, credentials: localCredentials, endpoint: ses.endpoint, maxAttempts: 1 });
    running.push({ ses, client });
    return { ses, client };
  };
  const email = (to: string) =>
    new SendEmailCommand({ FromEmailAddress: 'nudge@example.com', Destination: { ToAddresses: [to] }, Content: { Simple: { Subject: { Data: 'hi' }, Body: { Text: { Data: 'hello' } } } } });
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as Error & { $metadata?: { httpStatusCode?: number } });

  it('over the maximum send rate: TooManyRequestsException (429, "Maximum sending rate exceeded."), which the dispatcher paces', async () => {
    const { ses, client } = await start({ maxSendRate: 3 });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => failure(client.send(email(`r${i}@example.com`)))));
    const errors = results.filter((error) => error !== undefined);
    expect(results.length - errors.length).toBe(3);
    expect(errors[0]).toMatchObject({ name: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.', $metadata: { httpStatusCode: 429 } });
    expect(classifySesError(errors[0]).type).toBe('throttled');
    expect(ses.limits.counters).toMatchObject({ accepted: 3, throttled: 3 });
    const store = (await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: unknown[] };
    expect(store.emails.length).toBeGreaterThanOrEqual(3);
  });

  it('the sandbox: an unverified recipient gets MessageRejected "Email address is not verified", which holds the send; a verified one is accepted', async () => {
    const { client } = await start({ sandbox: true, verifiedIdentities: ['friend@example.com'] });
    expect((await client.send(email('friend@example.com'))).MessageId).toBeTruthy();
    const error = await failure(client.send(email('stranger@example.com')));
    expect(error).toMatchObject({ name: 'MessageRejected', message: expect.stringContaining('Email address is not verified'), $metadata: { httpStatusCode: 400 } });
    expect(classifySesError(error)).toMatchObject({ type: 'held', hold: 'identity_not_verified' });
  });

  it('over the daily quota: TooManyRequestsException "Daily message quota exceeded.", which holds the send; GetAccount answers the SendQuota', async () => {
    const { client } = await start({ maxSendRate: 100, max24HourSend: 2 });
    await client.send(email('a@example.com'));
    await client.send(email('b@example.com'));
    const error = await failure(client.send(email('c@example.com')));
    expect(error).toMatchObject({ name: 'TooManyRequestsException', message: 'Daily message quota exceeded.' });
    expect(classifySesError(error)).toMatchObject({ type: 'held', hold: 'daily_quota' });
    const account = await client.send(new GetAccountCommand({}));
    expect(account.SendQuota).toEqual({ MaxSendRate: 100, Max24HourSend: 2, SentLast24Hours: 2 });
    expect(account.ProductionAccessEnabled).toBe(true);
  });
});
