import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { DynamoDecisionLog } from '#shared/adapters/dynamo/decision-log-repository.ts';
import { DynamoExperimentWinnerReader } from '#shared/adapters/dynamo/experiment-winner-reader.ts';
import { DynamoExperimentWinners } from '#shared/adapters/dynamo/experiment-winner-repository.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoRollups } from '#shared/adapters/dynamo/rollup-repository.ts';
import { DynamoSegmentMembershipStore } from '#shared/adapters/dynamo/segment-membership-repository.ts';
import { SqsRejectedEventStore } from '#shared/adapters/sqs/rejected-event-queue.ts';
import { defaultCatalogInput, loadCatalog } from '#shared/catalog/index.ts';
import { assignVariant } from '#shared/domain/experiments.ts';
import type { Log } from '#shared/domain/ports.ts';
import type { ExperimentsReport } from '#shared/domain/reports/experiments.ts';
import { Experiment, type TriggerRuleInput } from '#shared/domain/trigger-rules.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { makeExperimentsReport } from '#shared/services/reports/experiments.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { realDecisionAdapters } from './support/decision-adapters.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * A content and send-time experiment through the real parts: the decision path (ingest with its
 * real adapters and a catalog with the experiment) queues on the local SQS or schedules on the
 * local Scheduler, the system's dispatcher Lambda renders and sends through the local SES, the
 * table's stream feeds the rollup Lambda, and the per-variant rollups answer the report.
 */
describe('experiments', () => {
  const nudge = nudgeClient();
  const table = nudge.output('TableName');
  const decisions = new DynamoDecisionLog(nudge.documentClient, table);
  const experimentId = `copy_${Date.now().toString(36)}`;
  const experimentInput = {
    id: experimentId,
    variants: [
      { id: 'control' },
      { id: 'later', subject: 'Later for {{ first_name | default: "you" }}', preheader: 'A variant preheader', sendTime: { policy: 'delay' as const, minutes: 120 } },
    ],
    // Far from reached here: the decision path reads the (absent) winner for every decision until one is recorded.
    autoWinner: { metric: 'open_rate' as const, minSendsPerVariant: 1000 },
  };
  const rule: TriggerRuleInput = {
    id: 'exp_offer',
    description: 'an offer with a subject and send-time experiment',
    priority: 50,
    trigger: { type: 'behavioral', eventType: 'cart_abandon' },
    templateId: 'welcome',
    sendTime: { policy: 'immediate' },
    experiment: experimentInput,
  };
  const catalog = loadCatalog({ ...defaultCatalogInput, rules: [rule] });
  let now = new Date();
  const ingest = makeIngestEvent({
    profiles: new DynamoProfileStore(nudge.documentClient, table),
    ...realDecisionAdapters(nudge, { now: () => now }),
    rejectedEvents: new SqsRejectedEventStore(nudge.sqs, nudge.output('RejectedEventsQueueUrl')),
    // Not the system's bus: these customers are decided by this test's catalog alone.
    bus: { publish: async () => undefined },
    membership: new DynamoSegmentMembershipStore(nudge.documentClient, table),
    decisions,
    winners: new DynamoExperimentWinnerReader(nudge.documentClient, table),
    catalog,
    clock: { now: () => now },
    log: quiet,
  });
  const event = (customerId: string, type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
    source: 'shop.web',
    'detail-type': type,
    detail: { eventId: uniqueId('e'), customerId, occurredAt: now.toISOString(), properties, ...extra },
  });
  const experiment = Experiment.parse(experimentInput);

  it('records the assignment on decisions and sends, applies the overrides and the send time, and counts per variant', async () => {
    now = await nudge.daytime();
    // Two customers of each variant, as the real assignment puts them.
    const byVariant: Record<string, string[]> = { control: [], later: [] };
    while (byVariant.control!.length < 2 || byVariant.later!.length < 2) {
      const id = uniqueId('exp');
      const list = byVariant[assignVariant(id, 'exp_offer', experiment).id]!;
      if (list.length < 2) list.push(id);
    }
    const sends = new Map<string, string>();
    for (const customerId of [...byVariant.control!, ...byVariant.later!]) {
      await ingest(event(customerId, 'subscribe', { firstName: 'Noor' }, { email: `${customerId}@example.com` }));
      const outcome = await ingest(event(customerId, 'cart_abandon', { cartValue: 80 }));
      const [decision] = (outcome as { rules: Array<Record<string, unknown>> }).rules;
      expect(decision).toMatchObject({ ruleId: 'exp_offer', outcome: 'queued' });
      const [record] = await decisions.list(customerId, { ruleId: 'exp_offer' });
      const variant = byVariant.control!.includes(customerId) ? 'control' : 'later';
      expect(record).toMatchObject({ experimentId, variantId: variant, outcome: 'queued', ...(variant === 'later' ? { sendAt: new Date(now.getTime() + 2 * 3_600_000).toISOString() } : {}) });
      sends.set(customerId, String(record!.sendId));
    }
    await nudge.waitForIdle();
    // The control leaves at once with the template's own subject; the send-time variant waits two hours.
    for (const customerId of byVariant.control!) {
      const [email] = await nudge.emailsForSend(`${customerId}@example.com`, sends.get(customerId)!);
      expect(email?.subject).toMatch(/^Welcome to .*, Noor!$/);
      expect(email?.body.html).not.toContain('A variant preheader');
    }
    for (const customerId of byVariant.later!) expect(await nudge.emailsTo(`${customerId}@example.com`)).toHaveLength(0);
    now = await nudge.advanceClock('3h');
    await nudge.waitForIdle();
    for (const customerId of byVariant.later!) {
      const [email] = await nudge.emailsForSend(`${customerId}@example.com`, sends.get(customerId)!);
      expect(email?.subject).toBe('Later for Noor');
      expect(email?.body.html).toContain('A variant preheader');
    }
    // The send records keep the variant.
    for (const [customerId, sendId] of sends) {
      expect(await nudge.ledger.find(customerId, sendId)).toMatchObject({ status: 'sent', experimentId, variantId: byVariant.control!.includes(customerId) ? 'control' : 'later' });
    }

    // One of the variant's emails is opened (its pixel) and converts: a purchase of 42 an hour later.
    const opener = byVariant.later![0]!;
    const [opened] = await nudge.emailsForSend(`${opener}@example.com`, sends.get(opener)!);
    await fetch(/<img src="([^"]+\/o\/[^"]+)"/.exec(opened!.body.html ?? '')![1]!);
    await nudge.waitForIdle();
    now = await nudge.advanceClock('1h');
    await nudge.putEvents([{ detailType: 'purchase', detail: { eventId: uniqueId('p'), customerId: opener, occurredAt: now.toISOString(), properties: { orderId: uniqueId('order'), amount: 42, currency: 'EUR' } } }]);
    await nudge.waitForIdle();

    // Per-variant rollups (kept by the rollup Lambda from the table's stream), read as the report reads them.
    const report = await makeExperimentsReport({ rollups: new DynamoRollups(nudge.documentClient, table), catalog, clock: { now: () => now } })();
    const [result] = report.experiments;
    expect(result).toMatchObject({ scopeId: 'exp_offer', experimentId, controlId: 'control' });
    const counters = Object.fromEntries(result!.variants.map((v) => [v.variantId, v.counters]));
    expect(counters.control).toEqual({ sent: 2, delivered: 2, opened: 0, clicked: 0, converted: 0, revenue: 0, revenue_sq: 0 });
    expect(counters.later).toEqual({ sent: 2, delivered: 2, opened: 1, clicked: 0, converted: 1, revenue: 42, revenue_sq: 1764 });
    expect(result!.comparisons.every((c) => c.verdict === 'too_few_sends')).toBe(true);
  });

  it('the report Lambda answers under its own role (the shipped catalog has no experiment); a winner is recorded once and then gets every new decision', async () => {
    const lambda = new LambdaClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: nudge.context.endpoints.eventBridge });
    const result = await lambda.send(new InvokeCommand({ FunctionName: nudge.output('ExperimentsReportFunctionName'), Payload: new TextEncoder().encode('{}') }));
    const answer = JSON.parse(new TextDecoder().decode(result.Payload)) as ExperimentsReport;
    expect(result.FunctionError, JSON.stringify(answer)).toBeUndefined();
    expect(answer.experiments).toEqual([]);
    lambda.destroy();

    const winners = new DynamoExperimentWinners(nudge.documentClient, table);
    const winner = { scopeId: 'exp_offer', experimentId, variantId: 'later', decidedAt: (await nudge.now()).toISOString(), metric: 'open_rate' as const, confidence: 0.95, minSendsPerVariant: 100, evidence: [{ against: 'control', difference: 0.1, pValue: 0.001 }], counters: {} };
    expect(await winners.record(winner)).toBe(true);
    expect(await winners.record({ ...winner, variantId: 'control' })).toBe(false);
    expect((await winners.find([`exp_offer:${experimentId}`])).get(`exp_offer:${experimentId}`)).toEqual(winner);

    // From now on the decision path gives the winner everyone, a customer the hash puts in the control too.
    now = await nudge.now();
    let customerId = uniqueId('exp');
    while (assignVariant(customerId, 'exp_offer', experiment).id !== 'control') customerId = uniqueId('exp');
    await ingest(event(customerId, 'subscribe', {}, { email: `${customerId}@example.com` }));
    await ingest(event(customerId, 'cart_abandon', { cartValue: 80 }));
    const [record] = await decisions.list(customerId, { ruleId: 'exp_offer' });
    expect(record).toMatchObject({ outcome: 'queued', experimentId, variantId: 'later', variantBy: 'winner' });
    await nudge.waitForIdle();
  });
});
