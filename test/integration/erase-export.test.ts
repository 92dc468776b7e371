import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBridgeCustomerSchedules } from '#shared/adapters/scheduler/customer-schedules.ts';
import { EventBridgeOneTimeSchedules, scheduleNameFor } from '#shared/adapters/scheduler/one-time-schedules.ts';
import { DynamoSuppressionList, addressHash } from '#shared/adapters/dynamo/suppression-repository.ts';
import { parseKeyring } from '#shared/domain/link-keyring.ts';
import { signLink } from '#shared/domain/link-tokens.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import type { CustomerExport } from '#shared/services/export-customer.ts';
import type { EraseResult } from '#shared/services/erase-customer.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';
import { welcomeSend } from './support/welcome-send.ts';

const run = promisify(execFile);
const HOUR_MS = 3_600_000;

/**
 * `nudge export` and `nudge erase` as a user runs them, against the local system: a subscriber
 * with a running welcome series, a cart recovery and a send held for later is exported, erased,
 * and then looked for in every item of every table.
 */
describe('nudge erase and nudge export', () => {
  const nudge = nudgeClient();
  const table = nudge.output('TableName');
  const aws = { region: LOCAL_REGION, credentials: localCredentials };
  const dynamo = new DynamoDBClient({ ...aws, endpoint: nudge.context.endpoints.dynamodb });
  const sfn = new SFNClient({ ...aws, endpoint: nudge.context.endpoints.eventBridge });
  // Secrets Manager's API is served on the EventBridge port too.
  const secrets = new SecretsManagerClient({ ...aws, endpoint: nudge.context.endpoints.eventBridge });
  const group = nudge.output('ScheduleGroupName');
  const customerSchedules = new EventBridgeCustomerSchedules(nudge.scheduler, group);
  afterAll(() => {
    dynamo.destroy();
    sfn.destroy();
    secrets.destroy();
  });

  /** Runs bin/nudge.js; resolves with the exit code and both outputs (a failing command does not throw). stdin is not a terminal. */
  const cli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [join(process.cwd(), 'bin/nudge.js'), ...args], {
        env: { ...process.env, NUDGE_EVENTBRIDGE_PORT: new URL(nudge.context.endpoints.eventBridge).port },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  };
  const put = async (customerId: string, detailType: string, extra: Record<string, unknown> = {}) => {
    const occurredAt = (await nudge.now()).toISOString();
    await nudge.putEvents([{ detailType, detail: { eventId: uniqueId('e'), customerId, occurredAt, ...extra } }]);
    await nudge.waitForIdle();
  };
  /** Every item of every table of the local DynamoDB, each as its JSON text. */
  const everyItem = async (): Promise<string[]> => {
    const texts: string[] = [];
    const { TableNames = [] } = await dynamo.send(new ListTablesCommand({}));
    for (const TableName of TableNames) {
      let ExclusiveStartKey: Record<string, never> | undefined;
      do {
        const page = await dynamo.send(new ScanCommand({ TableName, ExclusiveStartKey }));
        texts.push(...(page.Items ?? []).map((item) => JSON.stringify(item)));
        ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
      } while (ExclusiveStartKey);
    }
    return texts;
  };

  it('exports profile, segments, decisions and sends; erase leaves nothing of the customer in any table, stops their run and schedules, and suppresses the address', async () => {
    await nudge.daytime();
    const customerId = uniqueId('gdpr');
    const email = `${customerId}@example.com`;
    await put(customerId, 'subscribe', { email, properties: { firstName: 'Erin' } });
    await put(customerId, 'cart_abandon', { properties: { cartValue: 80, currency: 'USD', items: [{ productId: 'sku-1', name: 'Linen shirt', quantity: 1, price: 80 }] } });
    // A send held for later, in the stack's own schedule group (as a quiet-hours hold would be).
    const now = await nudge.now();
    const held: SendRequest = welcomeSend({ customerId, email, firstName: 'Erin', at: now, sendIdPrefix: 'held', withEmailCondition: true });
    await new EventBridgeOneTimeSchedules(nudge.scheduler, {
      groupName: group,
      roleArn: nudge.output('SchedulerRoleArn'),
      sendQueueArn: nudge.queueArn('SendQueueUrl'),
      timerFunctionArn: nudge.output('TimerFunctionArn'),
    }).scheduleSend(held, new Date(now.getTime() + 6 * HOUR_MS));
    const emailsBefore = (await nudge.emailsTo(email)).length;
    expect(emailsBefore).toBeGreaterThanOrEqual(1); // the welcome email

    const exported = await cli('export', customerId);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const data = JSON.parse(exported.stdout) as CustomerExport;
    expect(data.profile).toMatchObject({ customerId, email, consent: { marketing: 'subscribed' } });
    expect(data.segments.length).toBeGreaterThan(0);
    expect(data.decisions.some((d) => d.ruleId === 'welcome_new_subscriber')).toBe(true);
    expect(data.sends.some((s) => s.status === 'sent')).toBe(true);
    const welcome = data.sequenceRuns.find((r) => r.sequenceId === 'welcome_series');
    expect(welcome).toMatchObject({ status: 'active' });
    expect(data.schedules.map((s) => s.name)).toContain(scheduleNameFor('send', customerId, held.sendId));

    // The scan below sees the customer before the erase (so finding nothing after it means something).
    expect((await everyItem()).filter((text) => text.includes(customerId)).length).toBeGreaterThan(data.decisions.length + data.sends.length);

    const erased = await cli('erase', customerId, '--yes', '--json');
    expect(erased.code, erased.stderr).toBe(0);
    const result = JSON.parse(erased.stdout) as EraseResult;
    expect(result).toMatchObject({ customerId, found: true, suppressed: true });
    expect(result.items).toMatchObject({ profile: 1, segment_member: data.segments.length });
    expect(result.executionsStopped).toBeGreaterThanOrEqual(1);
    expect(result.schedulesDeleted).toBeGreaterThanOrEqual(1);
    await nudge.waitForIdle();

    // Nothing names the customer or the address in any item of any table; the hash of the address stays.
    const items = await everyItem();
    expect(items.filter((text) => text.includes(customerId))).toEqual([]);
    expect(items.filter((text) => text.toLowerCase().includes(email.toLowerCase()))).toEqual([]);
    expect(items.filter((text) => text.includes(addressHash(email)))).toHaveLength(1);
    expect(await new DynamoSuppressionList(nudge.documentClient, table).find(email)).toMatchObject({ reason: 'erased' });

    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: String(welcome!.executionArn) }));
    expect(execution.status).toBe('ABORTED');
    expect(await customerSchedules.list(customerId)).toEqual([]);
    expect((await nudge.oneTimeSchedules()).schedules.filter((s) => s.name === scheduleNameFor('send', customerId, held.sendId))).toEqual([]);

    // The held send's time passes with nothing sent; a later replay of the address under a new id is not mailed.
    await nudge.advanceClock('7h');
    await nudge.waitForIdle();
    const again = uniqueId('gdpr-again');
    await nudge.daytime();
    await put(again, 'subscribe', { email, properties: { firstName: 'Erin' } });
    await put(again, 'cart_abandon', { properties: { cartValue: 80, currency: 'USD', items: [{ productId: 'sku-1', name: 'Linen shirt', quantity: 1, price: 80 }] } });
    expect(await nudge.emailsTo(email)).toHaveLength(emailsBefore);
    const blocked = (await cli('export', again)).stdout;
    expect((JSON.parse(blocked) as CustomerExport).sends.map((s) => [s.status, s.failureReason])).toContainEqual(['failed', expect.stringContaining('suppressed (erased')]);

    // A second erase finds nothing.
    const second = JSON.parse((await cli('erase', customerId, '--yes', '--json')).stdout) as EraseResult;
    expect(second).toEqual({ customerId, found: false, suppressed: false, items: {}, executionsStopped: 0, schedulesDeleted: 0 });
  });

  /**
   * The class of issue 19 item 4 and 6: after an erase, nothing that still names the id brings the
   * person back. Every kind of input is tried in turn, each followed by a scan of every table and a
   * look at the local SES: every link of their emails (open pixel, click, unsubscribe GET and
   * one-click POST, preference page GET and POST), every event the bus saw for them replayed as it
   * was (behavior events and Nudge's own internal events, standing in for an archive replay), and a
   * send that was already on the send queue.
   */
  it('after an erase, every link and every replayed event of the customer records nothing and mails nothing', async () => {
    await nudge.daytime();
    const customerId = uniqueId('tomb');
    const email = `${customerId}@example.com`;
    await put(customerId, 'subscribe', { email, properties: { firstName: 'Tomas' } });
    const [welcome] = await nudge.emailsTo(email);
    const html = welcome?.body.html ?? '';
    const link = (kind: string) => new RegExp(`"(https?://[^"]+/${kind}/[^"]+)"`).exec(html)?.[1];
    // The catalog's templates carry no links of their own: a click link is signed as the dispatcher signs one.
    const { SecretString = '' } = await secrets.send(new GetSecretValueCommand({ SecretId: nudge.output('LinkSecretArn') }));
    const open = link('o') ?? '';
    const claims = JSON.parse(Buffer.from(open.split('/o/')[1]!.split('.')[1]!, 'base64url').toString('utf8')) as { s: string };
    const clickToken = signLink({ a: 'click', c: customerId, s: claims.s, u: 'https://shop.example/new-arrivals' }, parseKeyring(SecretString).current, await nudge.now());
    const links = { open, click: open.replace(/\/o\/.*$/, `/c/${clickToken}`), unsubscribe: link('u'), preferences: link('p') };
    expect(links, html).toEqual({ open: expect.stringContaining('/o/'), click: expect.stringContaining('/c/'), unsubscribe: expect.any(String), preferences: expect.any(String) });
    // History of every kind the archive would hold: engagement, browsing, a cart, a converted purchase.
    await fetch(links.open!);
    await nudge.waitForIdle();
    await put(customerId, 'page_view', { properties: { url: '/pricing', pageType: 'pricing' } });
    await put(customerId, 'cart_abandon', { properties: { cartValue: 80, currency: 'USD', items: [{ productId: 'sku-1', name: 'Linen shirt', quantity: 1, price: 80 }] } });
    await put(customerId, 'purchase', { properties: { orderId: uniqueId('order'), amount: 80, currency: 'USD' } });
    const archived = await nudge.busEvents({ customerId });
    const types = [...new Set(archived.map((event) => `${event.source} ${event['detail-type']}`))];
    expect(types.length).toBeGreaterThanOrEqual(6);
    const emailsBefore = (await nudge.emailsTo(email)).length;

    const erased = await cli('erase', customerId, '--yes', '--json');
    expect(erased.code, erased.stderr).toBe(0);
    await nudge.waitForIdle();
    expect((await everyItem()).filter((text) => text.includes(customerId))).toEqual([]);

    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    const inputs: Array<[string, () => Promise<unknown>]> = [
      // expect.soft: a wrong answer is reported, and the other inputs are still tried.
      ['open pixel', async () => expect.soft((await fetch(links.open!)).headers.get('content-type')).toBe('image/gif')],
      ['click link', async () => expect.soft((await fetch(links.click!, { redirect: 'manual' })).status).toBe(302)],
      ['unsubscribe GET', () => fetch(links.unsubscribe!)],
      ['unsubscribe one-click POST', () => fetch(links.unsubscribe!, { ...form, body: 'List-Unsubscribe=One-Click' })],
      ['preference page GET', async () => expect.soft(await (await fetch(links.preferences!)).text()).toContain('Your data was erased')],
      ['preference page POST (subscribe to everything)', () => fetch(links.preferences!, { ...form, body: 'category=marketing&category=product_updates' })],
      ...types.map((type): [string, () => Promise<unknown>] => [
        `replayed ${type}`,
        () => nudge.putEvents(archived.filter((event) => `${event.source} ${event['detail-type']}` === type).map((event) => ({ source: event.source, detailType: event['detail-type'], detail: event.detail }))),
      ]),
      ['a send already on the send queue', async () => nudge.sendToQueue('SendQueueUrl', welcomeSend({ customerId, email, firstName: 'Tomas', at: await nudge.now(), withEmailCondition: true }))],
    ];
    // Each input alone, so a failure names the kind of input that brought the customer back.
    const cameBack: string[] = [];
    for (const [kind, input] of inputs) {
      await input();
      await nudge.waitForIdle();
      const found = (await everyItem()).filter((text) => text.includes(customerId));
      const mailed = (await nudge.emailsTo(email)).length - emailsBefore;
      if (found.length > 0 || mailed > 0) cameBack.push(`${kind}: ${found.length} item(s) (${found.map((text) => JSON.parse(text).sk?.S).join(', ')}), ${mailed} email(s)`);
      console.log(`after ${kind}: ${found.length} item(s), ${mailed} email(s)`);
      if (found.length > 0) await cli('erase', customerId, '--yes', '--json');
    }
    expect(cameBack).toEqual([]);
    // Nothing was dead-lettered as a fault: the send queue's and the sequence starter's queues hold nothing of theirs.
    for (const queue of ['SendDeadLetterQueueUrl', 'SequencesDeadLetterQueueUrl', 'IngestDeadLetterQueueUrl']) {
      expect((await nudge.drainQueue(queue)).filter((body) => JSON.stringify(body).includes(customerId)), queue).toEqual([]);
    }
  }, 300_000);

  it('an unknown customer: export exits non-zero naming them; erase says nothing was found and suppresses nothing', async () => {
    const nobody = uniqueId('nobody');
    const exported = await cli('export', nobody);
    expect(exported.code).not.toBe(0);
    expect(exported.stderr).toContain(`no data is held about customer "${nobody}"`);
    expect(exported.stdout).toBe('');
    const erased = await cli('erase', nobody, '--yes');
    expect(erased.code).toBe(0);
    expect(erased.stdout).toContain(`nothing found for customer ${nobody}`);
  });

  it('erase refuses without --yes when stdin is not a terminal, and erases nothing', async () => {
    await nudge.daytime();
    const customerId = uniqueId('keep');
    await put(customerId, 'subscribe', { email: `${customerId}@example.com` });
    const refused = await cli('erase', customerId);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('pass --yes');
    expect(await nudge.profiles.get(customerId)).toBeDefined();
  });
});
