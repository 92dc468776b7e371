import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDecisionLog } from '#shared/adapters/dynamo/decision-log-repository.ts';
import { scheduleNameFor } from '#shared/adapters/scheduler/one-time-schedules.ts';
import type { RuleTimer } from '#shared/domain/rule-timer.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';
import { welcomeSend } from './support/welcome-send.ts';

const run = promisify(execFile);

/** `nudge preview` and `nudge dlq list|redrive` against the shared local system, run as a user runs them. */
describe('nudge preview and nudge dlq', () => {
  const nudge = nudgeClient();
  let dir: string;

  /** Runs bin/nudge.js in `dir`; resolves with the exit code and both outputs (a failing command does not throw). */
  const cli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [join(process.cwd(), 'bin/nudge.js'), ...args], {
        cwd: dir,
        env: { ...process.env, NUDGE_EVENTBRIDGE_PORT: new URL(nudge.context.endpoints.eventBridge).port },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  };

  /** A customer created through the bus: a subscribe with an address and a first name (its welcome email is sent too). */
  const subscriber = async (firstName: string) => {
    const customerId = uniqueId('cli');
    const email = `${customerId}@example.com`;
    const now = await nudge.daytime();
    await nudge.putEvents([
      { detailType: 'subscribe', detail: { eventId: uniqueId('sub'), customerId, occurredAt: now.toISOString(), email, properties: { firstName } } },
    ]);
    await nudge.waitForIdle();
    return { customerId, email, now };
  };

  beforeAll(async () => {
    // Relative to the repository: bin/nudge.js resolves its TypeScript from there, the output lands in `dir`.
    dir = await mkdtemp(join(tmpdir(), 'nudge-cli-'));
    // Leftovers of earlier tests on the same stack would make the DLQ counts below ambiguous.
    await nudge.drainQueue('SendDeadLetterQueueUrl');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('preview renders welcome for a subscriber: the HTML file has the first name, subject and preheader; the text part is printed', async () => {
    const { customerId } = await subscriber('Mireille');
    const out = join(dir, 'welcome.html');
    const result = await cli('preview', 'welcome', customerId, '--out', out);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Welcome to');
    expect(result.stdout).toContain('Mireille!');
    expect(result.stdout).toContain('--- text part ---');
    expect(result.stdout).toContain('Welcome, Mireille!');
    expect(result.stdout).toContain(out);

    const html = await readFile(out, 'utf8');
    expect(html).toContain('<h1>Welcome, Mireille!</h1>');
    expect(html).toMatch(/<strong>Subject:<\/strong> Welcome to .*, Mireille!/);
    expect(html).toContain('<strong>Preheader:</strong> Here is what to expect from us.');
    // The subject and preheader box comes first in the body, before the email itself.
    expect(html.indexOf('data-nudge-preview')).toBeLessThan(html.indexOf('<h1>'));
  });

  it('preview writes preview-<template>-<customer>.html in the working directory by default, and --json has the variables', async () => {
    const { customerId } = await subscriber('Oskar');
    const result = await cli('preview', 'welcome', customerId, '--json', '--event', '{"source":"footer"}');
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { file: string; subject: string; text: string; variables: Record<string, unknown> };
    expect(json.file).toBe(join(dir, `preview-welcome-${customerId}.html`));
    expect(json.subject).toContain('Oskar');
    expect(json.variables).toMatchObject({ first_name: 'Oskar', event: { source: 'footer' }, lifetime_value: 0 });
    expect(await readFile(json.file, 'utf8')).toContain('Welcome, Oskar!');
  });

  it('preview of an unknown template fails with exit code 1 and names the templates there are', async () => {
    const { customerId } = await subscriber('Ana');
    const result = await cli('preview', 'no_such_template', customerId, '--out', join(dir, 'never.html'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no template "no_such_template" in the catalog');
    expect(result.stderr).toContain('welcome');
  });

  it('preview for an unknown customer fails with exit code 1', async () => {
    const result = await cli('preview', 'welcome', uniqueId('nobody'), '--out', join(dir, 'never.html'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no profile for customer "nobody-/);
  });

  it('dlq list shows a dead-lettered send, and dlq redrive delivers it and empties the DLQ', async () => {
    const { customerId, email, now } = await subscriber('Dora');
    const before = (await nudge.emailsTo(email)).length;
    const request: SendRequest = welcomeSend({ customerId, email, firstName: 'Dora', at: now, sendIdPrefix: 'dlq-send' });
    await nudge.sendToQueue('SendDeadLetterQueueUrl', request);

    const listed = await cli('dlq', 'list', '--queue', 'send', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const listing = JSON.parse(listed.stdout) as { queues: Array<{ queue: string; messages: Array<Record<string, unknown>> }> };
    expect(listing.queues).toHaveLength(1);
    expect(listing.queues[0]!.messages).toEqual([
      expect.objectContaining({ kind: 'send_request', sendId: request.sendId, ruleId: 'welcome_new_subscriber', customerId, ageSeconds: expect.any(Number) }),
    ]);
    const table = await cli('dlq', 'list', '--queue', 'send');
    expect(table.stdout).toContain(request.sendId);
    expect(table.stdout).toContain(`customer ${customerId}`);
    // Listing leaves the message where it is.
    expect((await cli('dlq', 'list', '--queue', 'send', '--json')).stdout).toContain(request.sendId);

    const redriven = await cli('dlq', 'redrive', '--queue', 'send');
    expect(redriven.code, redriven.stderr).toBe(0);
    expect(redriven.stdout).toContain(`1/1 send ${request.sendId}`);
    expect(redriven.stdout).toContain('-> the send queue');
    expect(redriven.stdout).toContain('send: moved 1 of 1');

    await nudge.waitForIdle();
    const emails = await nudge.emailsTo(email);
    expect(emails).toHaveLength(before + 1);
    expect(await nudge.ledger.find(customerId, request.sendId)).toMatchObject({ status: 'sent' });
    const after = JSON.parse((await cli('dlq', 'list', '--queue', 'send', '--json')).stdout) as { queues: Array<{ messages: unknown[]; approximateCount: number }> };
    expect(after.queues[0]).toMatchObject({ messages: [], approximateCount: 0 });
  });

  it('dlq redrive puts a dead-lettered event back on the bus, where it is ingested', async () => {
    const { customerId, now } = await subscriber('Eli');
    await nudge.drainQueue('IngestDeadLetterQueueUrl');
    // What Lambda writes to the ingest function's on-failure destination: its input, the EventBridge event.
    const eventId = uniqueId('pv');
    await nudge.sendToQueue('IngestDeadLetterQueueUrl', {
      version: '1.0',
      timestamp: now.toISOString(),
      requestContext: { requestId: 'r1', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Ingest:$LATEST', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: {
        version: '0',
        id: uniqueId('bus'),
        source: 'shop.web',
        'detail-type': 'page_view',
        time: now.toISOString(),
        resources: [],
        detail: { eventId, customerId, occurredAt: now.toISOString(), properties: { pageType: 'product', url: '/p/1' } },
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'DynamoDB was throttled' },
    });

    const listed = JSON.parse((await cli('dlq', 'list', '--queue', 'ingest', '--json')).stdout) as { queues: Array<{ messages: Array<Record<string, unknown>> }> };
    expect(listed.queues[0]!.messages).toEqual([
      expect.objectContaining({ kind: 'event', eventType: 'page_view', customerId, eventId, failedFunction: 'Ingest', failure: 'RetriesExhausted after 3 attempts: Error: DynamoDB was throttled' }),
    ]);

    const redriven = await cli('dlq', 'redrive', '--queue', 'ingest');
    expect(redriven.code, redriven.stderr).toBe(0);
    expect(redriven.stdout).toContain('ingest: moved 1 of 1');
    await nudge.waitForIdle();
    expect((await nudge.busEvents({ detailType: 'page_view', customerId })).map((e) => e.detail.eventId)).toContain(eventId);
    expect((await nudge.profiles.get(customerId))?.eventCounts).toMatchObject({ page_view: 1 });
    expect(await nudge.drainQueue('IngestDeadLetterQueueUrl')).toEqual([]);
  });

  it('dlq redrive gives a dead-lettered rule timer a one-time schedule again, and the timers function runs it', async () => {
    const { customerId, now } = await subscriber('Fen');
    await nudge.drainQueue('TriggersDeadLetterQueueUrl');
    // A Scheduler DLQ body is the schedule's Input: the rule timer itself.
    const timer: RuleTimer = {
      timerId: uniqueId('timer'),
      kind: 'deferred_rule',
      ruleId: 'welcome_new_subscriber',
      customerId,
      trigger: { eventId: uniqueId('deferred'), type: 'subscribe', occurredAt: now.toISOString(), properties: {} },
      dueAt: now.toISOString(),
    };
    await nudge.sendToQueue('TriggersDeadLetterQueueUrl', timer);

    const redriven = await cli('dlq', 'redrive', '--queue', 'triggers');
    expect(redriven.code, redriven.stderr).toBe(0);
    expect(redriven.stdout).toContain('-> a one-time schedule of the timers function');
    expect((await nudge.oneTimeSchedules()).schedules.map((s) => s.name)).toContain(scheduleNameFor('timer', timer.customerId, timer.timerId));

    await nudge.advanceClock('2m');
    await nudge.waitForIdle();
    const decided = await new DynamoDecisionLog(nudge.documentClient, nudge.output('TableName')).list(customerId, { ruleId: 'welcome_new_subscriber' });
    expect(decided.filter((d) => d.via === 'deferred_rule' && d.eventId === timer.trigger.eventId)).toHaveLength(1);
    expect(await nudge.drainQueue('TriggersDeadLetterQueueUrl')).toEqual([]);
  });

  it('dlq redrive leaves what it cannot redrive on the queue, says why and exits 1', async () => {
    await nudge.drainQueue('TriggersDeadLetterQueueUrl');
    await nudge.sendToQueue('TriggersDeadLetterQueueUrl', { something: 'else' });
    const redriven = await cli('dlq', 'redrive', '--queue', 'triggers');
    expect(redriven.code).toBe(1);
    expect(redriven.stdout).toContain('left on the queue: neither an EventBridge event nor a rule timer');
    expect(await nudge.drainQueue('TriggersDeadLetterQueueUrl')).toEqual([{ something: 'else' }]);
  });
});
