import { GetAccountCommand, SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSesEvent } from '#shared/domain/ses-events.ts';
import { publishedEvents, type SesAccount, type SesBusEntry } from '#local/emulators/ses-account.ts';
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

/**
 * What SES refuses before any limit, and the events it publishes for what it accepts, with the
 * account the stack sets up (here a hand-made one; the local system reads the synthesized template's).
 */
describe('local SES account: identities, configuration sets, tags, and its event stream', () => {
  const account: SesAccount = {
    identities: ['nudge@example.com'],
    configurationSets: new Map([
      ['nudge-set', [{ enabled: true, eventBusArn: 'arn:aws:events:local:000000000000:event-bus/default', matchingEventTypes: ['delivery', 'bounce', 'complaint'] }]],
      ['quiet-set', []],
    ]),
  };
  let ses: RunningSes;
  let client: SESv2Client;
  const published: SesBusEntry[] = [];
  const now = new Date('2026-03-02T10:00:00Z');
  beforeAll(async () => {
    ses = await startSesLocal(await freePort(), { maxSendRate: 100, max24HourSend: 50_000, sandbox: false, verifiedIdentities: [] });
    ses.configure(account, (request, messageId) => published.push(...publishedEvents(request, messageId, account, now)));
    client = new SESv2Client({ region: LOCAL_REGION, credentials: localCredentials, endpoint: ses.endpoint, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await ses?.stop();
  });
  const email = (to: string, extra: Partial<ConstructorParameters<typeof SendEmailCommand>[0]> = {}) =>
    new SendEmailCommand({
      FromEmailAddress: '"Nudge" <nudge@example.com>',
      Destination: { ToAddresses: [to] },
      Content: { Simple: { Subject: { Data: 'hi' }, Body: { Text: { Data: 'hello' } } } },
      ConfigurationSetName: 'nudge-set',
      EmailTags: [{ Name: 'sendId', Value: 's-1' }],
      ...extra,
    });
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as Error & { $metadata?: { httpStatusCode?: number } });

  it('refuses an unknown configuration set, an unverified sender, and tags SES does not allow, with AWS errors', async () => {
    expect(await failure(client.send(email('a@example.com', { ConfigurationSetName: 'missing' })))).toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
    expect(await failure(client.send(email('a@example.com', { FromEmailAddress: 'someone@elsewhere.test' })))).toMatchObject({
      name: 'MessageRejected',
      message: expect.stringContaining('someone@elsewhere.test'),
    });
    for (const tag of [{ Name: 'send id', Value: 'x' }, { Name: 'rule', Value: 'a.b' }, { Name: 'rule', Value: 'x'.repeat(257) }, { Name: 'rule', Value: '' }]) {
      expect(await failure(client.send(email('a@example.com', { EmailTags: [tag] })))).toMatchObject({ name: 'BadRequestException', $metadata: { httpStatusCode: 400 } });
    }
    expect(published).toEqual([]);
  });

  it('publishes Delivery for each accepted email, and the mailbox simulator bounces and complains, in SES record shape', async () => {
    published.length = 0;
    const delivered = await client.send(email('ana@example.com'));
    await client.send(email('bounce+x1@simulator.amazonses.com'));
    await client.send(email('complaint@simulator.amazonses.com'));
    await client.send(email('ana@example.com', { ConfigurationSetName: 'quiet-set' }));
    const summary = published.map((entry) => [entry.DetailType, (JSON.parse(entry.Detail) as { mail: { destination: string[] } }).mail.destination[0]]);
    expect(summary).toEqual([
      ['Email Delivered', 'ana@example.com'],
      ['Email Bounced', 'bounce+x1@simulator.amazonses.com'],
      ['Email Delivered', 'complaint@simulator.amazonses.com'],
      ['Email Complaint Received', 'complaint@simulator.amazonses.com'],
    ]);
    const first = JSON.parse(published[0]!.Detail) as Record<string, any>;
    expect(published[0]).toMatchObject({ Source: 'aws.ses', EventBusName: 'arn:aws:events:local:000000000000:event-bus/default' });
    expect(first).toMatchObject({
      eventType: 'Delivery',
      mail: { messageId: delivered.MessageId, source: 'nudge@example.com', tags: { 'ses:configuration-set': ['nudge-set'], sendId: ['s-1'] } },
      delivery: { recipients: ['ana@example.com'] },
    });
    expect(JSON.parse(published[1]!.Detail)).toMatchObject({ bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'bounce+x1@simulator.amazonses.com' }] } });
    // Nudge's own parser reads every record as SES's.
    for (const entry of published) expect(parseSesEvent({ source: entry.Source, 'detail-type': entry.DetailType, time: entry.Time, detail: JSON.parse(entry.Detail) }).type).toBe('parsed');
  });
});
