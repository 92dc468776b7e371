import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoDecisionLog } from '#shared/adapters/dynamo/decision-log-repository.ts';
import { DynamoSequenceRuns } from '#shared/adapters/dynamo/sequence-run-repository.ts';
import { runIdFor, type SequenceRunRecord } from '#shared/domain/sequence-runs.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

const run = promisify(execFile);

/**
 * Nurture sequences end to end on the running local system, under the simulated clock: events on
 * the bus -> ingest -> the starter (a rule's startSequence, a stage change) -> the synthesized state
 * machine run by aws-local-stepfunctions, its Wait following the clock -> the step function ->
 * the decision path -> the dispatcher -> the local SES.
 */
describe('nurture sequences', () => {
  const nudge = nudgeClient();
  const table = nudge.output('TableName');
  const runs = new DynamoSequenceRuns(nudge.documentClient, table);
  const decisions = new DynamoDecisionLog(nudge.documentClient, table);
  const sfn = new SFNClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: nudge.context.endpoints.eventBridge });
  const stateMachineArn = nudge.output('SequenceStateMachineArn');
  afterAll(() => sfn.destroy());

  const put = async (customerId: string, detailType: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => {
    const occurredAt = (await nudge.now()).toISOString();
    await nudge.putEvents([{ detailType, detail: { eventId: uniqueId('e'), customerId, occurredAt, properties, ...extra } }]);
    await nudge.waitForIdle();
  };
  const advance = async (duration: string) => {
    await nudge.advanceClock(duration);
    await nudge.waitForIdle();
  };
  /** A new subscriber at a weekday 10:00 (no quiet hours), with the welcome series started. */
  const subscriber = async (prefix: string) => {
    await nudge.daytime();
    const customerId = uniqueId(prefix);
    await put(customerId, 'subscribe', {}, { email: `${customerId}@example.com`, properties: { firstName: 'Ana' } });
    return customerId;
  };
  /** The steps of `sequenceId` whose email was queued for the customer, oldest first. */
  const sentSteps = async (customerId: string, sequenceId: string) =>
    (await decisions.list(customerId, { limit: 500 }))
      .filter((d) => d.ruleId.startsWith(`seq_${sequenceId}__`) && d.outcome === 'queued')
      .sort((a, b) => a.decidedAt.localeCompare(b.decidedAt))
      .map((d) => d.ruleId.split('__')[1]);
  const runOf = async (customerId: string, sequenceId: string): Promise<SequenceRunRecord> => {
    const record = await runs.get(customerId, sequenceId);
    if (!record) throw new Error(`${customerId} has no ${sequenceId} run`);
    return record;
  };

  it('the welcome series sends 3 emails, at day 0, 2 and 5', async () => {
    const customerId = await subscriber('welcome');
    const address = `${customerId}@example.com`;
    expect((await nudge.emailsTo(address)).map((e) => e.subject)).toEqual(['Welcome to Nudge Demo Shop, Ana!']);
    expect(await runOf(customerId, 'welcome_series')).toMatchObject({ status: 'active', startedBy: { type: 'rule', ruleId: 'welcome_new_subscriber' }, next: { stepId: 'our_story' } });

    await advance('47h');
    expect(await nudge.emailsTo(address)).toHaveLength(1); // not a minute early
    await advance('1h');
    expect(await nudge.emailsTo(address)).toHaveLength(2);
    await advance('71h');
    expect(await nudge.emailsTo(address)).toHaveLength(2);
    await advance('1h');
    expect(await nudge.emailsTo(address)).toHaveLength(3);
    expect(await sentSteps(customerId, 'welcome_series')).toEqual(['hello', 'our_story', 'getting_started']);

    const record = await runOf(customerId, 'welcome_series');
    expect(record).toMatchObject({ status: 'finished', next: null });
    const started = Date.parse(record.startedAt);
    expect(record.steps.map((step) => Math.round((Date.parse(step.at) - started) / 86_400_000))).toEqual([0, 2, 5]);
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: record.executionArn! }));
    expect(execution.status).toBe('SUCCEEDED');
  });

  it('cart recovery stops after a purchase between its steps', async () => {
    const customerId = await subscriber('cart');
    await put(customerId, 'cart_abandon', { cartValue: 89.9, currency: 'EUR', items: [{ productId: 'p1', name: 'Lamp', quantity: 1, price: 89.9 }] });
    expect(await runOf(customerId, 'cart_recovery')).toMatchObject({ status: 'active', next: { stepId: 'reminder' } });
    await advance('1h');
    expect(await sentSteps(customerId, 'cart_recovery')).toEqual(['reminder']);
    await advance('3h');
    await put(customerId, 'purchase', { orderId: uniqueId('o'), amount: 89.9, currency: 'EUR' });
    await advance('21h'); // past the 24 h step
    await advance('48h'); // past the 72 h step
    expect(await sentSteps(customerId, 'cart_recovery')).toEqual(['reminder']);
    const record = await runOf(customerId, 'cart_recovery');
    expect(record.status).toBe('exited');
    expect(record.exit?.reason).toMatch(/^event purchase at /);
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: record.executionArn! }))).status).toBe('SUCCEEDED');
  });

  it("a lifecycle change stops the old stage's sequences and starts the new stage's", async () => {
    const customerId = await subscriber('stage');
    const prospect = ['educational_content', 'social_proof', 'welcome_series'];
    for (const sequenceId of prospect) expect((await runOf(customerId, sequenceId)).status, sequenceId).toBe('active');
    await advance('1h');
    await put(customerId, 'purchase', { orderId: uniqueId('o'), amount: 40, currency: 'EUR' }); // prospect -> new_customer

    const all = await runs.listForCustomer(customerId);
    const byStatus = (status: string) => all.filter((r) => r.status === status).map((r) => r.sequenceId).sort();
    expect(byStatus('stopped')).toEqual(prospect);
    // The new stage's sequences, and the loyalty enrolment the first purchase starts (document 001).
    expect(byStatus('active')).toEqual(['onboarding_series', 'product_education', 'support_resources']);
    for (const stopped of all.filter((r) => r.status === 'stopped')) {
      expect(stopped.exit?.reason).toBe('stage changed prospect -> new_customer');
      expect((await sfn.send(new DescribeExecutionCommand({ executionArn: stopped.executionArn! }))).status).toBe('ABORTED');
    }
    // The stopped welcome series sends nothing more; the new stage's first email goes at the next send window.
    await advance('6d');
    expect(await sentSteps(customerId, 'welcome_series')).toEqual(['hello']);
    expect(await sentSteps(customerId, 'onboarding_series')).toEqual(['thank_you']);
  });

  it('a duplicate start runs once', async () => {
    const customerId = await subscriber('dup');
    await put(customerId, 'cart_abandon', { cartValue: 120, currency: 'EUR' });
    // The start request delivered again, as EventBridge may: same rule, same triggering event.
    const [request] = await nudge.busEvents({ source: 'nudge', detailType: 'SequenceStartRequested', customerId, limit: 10 }).then((events) =>
      events.filter((e) => (e.detail as { sequenceId: string }).sequenceId === 'cart_recovery'),
    );
    expect(request).toBeDefined();
    await nudge.putEvents([{ source: 'nudge', detailType: 'SequenceStartRequested', detail: request!.detail }]);
    await nudge.putEvents([{ source: 'nudge', detailType: 'SequenceStartRequested', detail: request!.detail }]);
    await nudge.waitForIdle();
    const runId = runIdFor('cart_recovery', customerId, (request!.detail as { trigger: { eventId: string } }).trigger.eventId);
    const executions = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect((executions.executions ?? []).filter((e) => e.name === runId)).toHaveLength(1);
    await advance('1h');
    expect(await sentSteps(customerId, 'cart_recovery')).toEqual(['reminder']);
  });

  it('an unsubscribe mid-sequence stops further marketing steps', async () => {
    const customerId = await subscriber('unsub');
    await advance('1d');
    await put(customerId, 'unsubscribe', {});
    await advance('5d');
    expect(await sentSteps(customerId, 'welcome_series')).toEqual(['hello']);
    expect(await nudge.emailsTo(`${customerId}@example.com`)).toHaveLength(1);
    expect(await runOf(customerId, 'welcome_series')).toMatchObject({ status: 'exited', exit: { reason: 'unsubscribed from marketing' } });
  });

  it('nudge sequences lists active and finished runs with their step and next send time', async () => {
    const customerId = await subscriber('cli');
    await put(customerId, 'cart_abandon', { cartValue: 99, currency: 'EUR' });
    await advance('1h');
    await put(customerId, 'purchase', { orderId: uniqueId('o'), amount: 99, currency: 'EUR' });
    const { stdout } = await run(process.execPath, [join(process.cwd(), 'bin/nudge.js'), 'sequences', customerId], {
      env: { ...process.env, NUDGE_EVENTBRIDGE_PORT: new URL(nudge.context.endpoints.eventBridge).port },
    });
    expect(stdout).toMatch(/onboarding_series {2}ACTIVE: step 1 of 2 \(thank_you\) due \d{4}-\d\d-\d\dT/);
    expect(stdout).toMatch(/welcome_series {2}STOPPED: stage changed prospect -> new_customer/);
    expect(stdout).toMatch(/cart_recovery {2}ACTIVE: step 2 of 3 \(still_saved\) due /);
    expect(stdout).toMatch(/reminder: queued send /);
    const json = JSON.parse((await run(process.execPath, [join(process.cwd(), 'bin/nudge.js'), 'sequences', customerId, '--json'], {
      env: { ...process.env, NUDGE_EVENTBRIDGE_PORT: new URL(nudge.context.endpoints.eventBridge).port },
    })).stdout) as { runs: SequenceRunRecord[] };
    expect(json.runs.map((r) => r.sequenceId)).toContain('welcome_series');
    // Starts that failed after their retries wait on the sequences dead-letter queue, which nudge dlq knows.
    const dlq = JSON.parse((await run(process.execPath, [join(process.cwd(), 'bin/nudge.js'), 'dlq', 'list', '--queue', 'sequences', '--json'], {
      env: { ...process.env, NUDGE_EVENTBRIDGE_PORT: new URL(nudge.context.endpoints.eventBridge).port },
    })).stdout) as { queues: Array<{ queue: string; output: string }> };
    expect(dlq.queues.map((q) => [q.queue, q.output])).toEqual([['sequences', 'SequencesDeadLetterQueueUrl']]);
  });
});
