import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DynamoClaimStore } from '#shared/adapters/dynamo/claim-repository.ts';
import { DynamoDecisionLog } from '#shared/adapters/dynamo/decision-log-repository.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoSegmentMembershipStore } from '#shared/adapters/dynamo/segment-membership-repository.ts';
import { SqsRejectedEventStore } from '#shared/adapters/sqs/rejected-event-queue.ts';
import { SqsSendQueue } from '#shared/adapters/sqs/send-queue.ts';
import { defaultCatalogInput, loadCatalog } from '#shared/catalog/index.ts';
import type { Log } from '#shared/domain/ports.ts';
import { isInHoldout } from '#shared/domain/send-decision.ts';
import type { TriggerRuleInput } from '#shared/domain/trigger-rules.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { realDecisionAdapters } from './support/decision-adapters.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

const run = promisify(execFile);
const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Trigger decisions against the real emulators: the ingest service with its real adapters and a
 * catalog made for each case (priority conflicts, caps, holdouts), plus the 50-way burst end to end
 * through the local bus.
 */
describe('trigger decisions', () => {
  const nudge = nudgeClient();
  const table = nudge.output('TableName');
  const decisions = new DynamoDecisionLog(nudge.documentClient, table);
  let now = new Date('2027-02-01T10:00:00Z');

  const rule = (overrides: Partial<TriggerRuleInput> & Pick<TriggerRuleInput, 'id' | 'priority'>): TriggerRuleInput => ({
    description: `test rule ${overrides.id}`,
    trigger: { type: 'behavioral', eventType: 'cart_abandon' },
    templateId: 'welcome',
    category: 'marketing',
    ...overrides,
  });
  const ingestWith = (rules: TriggerRuleInput[], settings: Partial<typeof defaultCatalogInput.settings> = {}) =>
    makeIngestEvent({
      profiles: new DynamoProfileStore(nudge.documentClient, table),
      ...realDecisionAdapters(nudge, { now: () => now }),
      rejectedEvents: new SqsRejectedEventStore(nudge.sqs, nudge.output('RejectedEventsQueueUrl')),
      // Not the system's bus: these customers are decided by this test's own catalog, and the shipped
      // sequence starter must not start stage sequences for them (their steps would take the marketing cap).
      bus: { publish: async () => undefined },
      membership: new DynamoSegmentMembershipStore(nudge.documentClient, table),
      decisions,
      catalog: loadCatalog({ ...defaultCatalogInput, settings: { ...defaultCatalogInput.settings, ...settings }, rules }),
      clock: { now: () => now },
      log: quiet,
    });
  const event = (customerId: string, type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
    source: 'shop.web',
    'detail-type': type,
    detail: { eventId: uniqueId('e'), customerId, occurredAt: now.toISOString(), properties, ...extra },
  });
  const subscribed = async (ingest: ReturnType<typeof ingestWith>, customerId: string) => {
    await ingest(event(customerId, 'subscribe', {}, { email: `${customerId}@example.com` }));
  };

  it('when two marketing rules match one event, the higher priority sends and the lower is dropped, both recorded', async () => {
    const ingest = ingestWith([rule({ id: 'low_offer', priority: 10 }), rule({ id: 'high_offer', priority: 99 })]);
    const customerId = uniqueId('prio');
    await subscribed(ingest, customerId);
    const outcome = await ingest(event(customerId, 'cart_abandon', { cartValue: 80 }));
    expect(outcome).toMatchObject({
      type: 'applied',
      rules: [
        { ruleId: 'high_offer', outcome: 'queued' },
        { ruleId: 'low_offer', outcome: 'dropped_priority', reason: 'lower_priority' },
      ],
    });
    const recorded = await decisions.list(customerId);
    expect(recorded.map((d) => [d.ruleId, d.outcome, d.wonBy])).toEqual(
      expect.arrayContaining([
        ['high_offer', 'queued', undefined],
        ['low_offer', 'dropped_priority', 'high_offer'],
      ]),
    );
  });

  it('a blocked higher-priority rule lets the next one send; transactional rules never compete', async () => {
    const ingest = ingestWith([
      rule({ id: 'first', priority: 90, cooldownHours: 24 }),
      rule({ id: 'second', priority: 50 }),
      rule({ id: 'receipt', priority: 10, transactional: true, category: 'transactional' }),
    ]);
    const customerId = uniqueId('next');
    await subscribed(ingest, customerId);
    await ingest(event(customerId, 'cart_abandon', { cartValue: 80 }));
    now = new Date(now.getTime() + 60_000);
    const outcome = await ingest(event(customerId, 'cart_abandon', { cartValue: 80 }));
    expect(outcome).toMatchObject({
      rules: [
        { ruleId: 'first', outcome: 'suppressed', reason: 'cooldown' },
        { ruleId: 'second', outcome: 'queued' },
        { ruleId: 'receipt', outcome: 'queued' },
      ],
    });
  });

  it('the global marketing cap (3 per 7 days) stops the 4th marketing email, not transactional mail', async () => {
    const ingest = ingestWith([rule({ id: 'promo', priority: 50 }), rule({ id: 'receipt', priority: 10, transactional: true, category: 'transactional' })]);
    const customerId = uniqueId('cap');
    await subscribed(ingest, customerId);
    const outcomes = [];
    for (let i = 0; i < 4; i++) {
      now = new Date(now.getTime() + 86_400_000);
      outcomes.push(await ingest(event(customerId, 'cart_abandon', { cartValue: 80 })));
    }
    expect(outcomes.map((o) => (o.type === 'applied' ? o.rules.map((r) => `${r.ruleId}:${r.outcome}${r.reason ? `:${r.reason}` : ''}`) : []))).toEqual([
      ['promo:queued', 'receipt:queued'],
      ['promo:queued', 'receipt:queued'],
      ['promo:queued', 'receipt:queued'],
      ['promo:suppressed:global_cap', 'receipt:queued'],
    ]);
  });

  it('a customer in the holdout gets nothing, and the "would have sent" is recorded', async () => {
    const ingest = ingestWith([rule({ id: 'held', priority: 50, holdoutPercent: 50 })]);
    let customerId = uniqueId('hold');
    while (!isInHoldout(customerId, 'held', 50)) customerId = uniqueId('hold');
    await subscribed(ingest, customerId);
    const outcome = await ingest(event(customerId, 'cart_abandon', { cartValue: 80 }));
    expect(outcome).toMatchObject({ rules: [{ ruleId: 'held', outcome: 'holdout' }] });
    const [recorded] = await decisions.list(customerId, { ruleId: 'held' });
    expect(recorded).toMatchObject({ outcome: 'holdout', sendId: expect.any(String) });
  });

  it('nudge why lists the decisions newest first, with conditions and reasons', async () => {
    const ingest = ingestWith([rule({ id: 'why_rule', priority: 50, cooldownHours: 24, conditions: { all: [{ field: 'event.properties.cartValue', op: 'greater_than', value: 50 }] } })]);
    const customerId = uniqueId('why');
    await subscribed(ingest, customerId);
    await ingest(event(customerId, 'cart_abandon', { cartValue: 80 }));
    now = new Date(now.getTime() + 60_000);
    await ingest(event(customerId, 'cart_abandon', { cartValue: 90 }));
    const { stdout } = await run(process.execPath, ['bin/nudge.js', 'why', customerId, '--json'], {
      env: { ...process.env, NUDGE_EVENTBRIDGE_PORT: new URL(nudge.context.endpoints.eventBridge).port },
    });
    const result = JSON.parse(stdout) as { decisions: Array<{ outcome: string; reason?: string; conditions: Array<{ actual: unknown }> }> };
    expect(result.decisions.map((d) => `${d.outcome}${d.reason ? `:${d.reason}` : ''}`)).toEqual(['suppressed:cooldown', 'queued']);
    expect(result.decisions[0]!.conditions[0]!.actual).toBe(90);
  });
});

describe('50 concurrent matching events for one customer, through the local bus', () => {
  const nudge = nudgeClient();

  it('produce exactly one email', async () => {
    const customerId = uniqueId('burst');
    const email = `${customerId}@example.com`;
    const now = await nudge.daytime();
    await nudge.putEvents([{ detailType: 'subscribe', detail: { eventId: uniqueId('s'), customerId, occurredAt: now.toISOString(), email } }]);
    await nudge.waitForIdle();
    const burst = Array.from({ length: 50 }, () => ({
      detailType: 'cart_abandon',
      detail: { eventId: uniqueId('b'), customerId, occurredAt: now.toISOString(), properties: { cartValue: 75 } },
    }));
    for (let i = 0; i < burst.length; i += 10) await nudge.putEvents(burst.slice(i, i + 10));
    await nudge.waitForIdle();
    await nudge.advanceClock('1h'); // the reminder is cart recovery's first step, an hour after the abandon
    await nudge.waitForIdle();
    const cartEmails = (await nudge.emailsTo(email)).filter((e) => e.subject.includes('cart'));
    expect(cartEmails).toHaveLength(1);
    const decided = await new DynamoDecisionLog(nudge.documentClient, nudge.output('TableName')).list(customerId, { ruleId: 'cart_abandonment_1hour', limit: 100 });
    expect(decided.filter((d) => d.outcome === 'sequence_started')).toHaveLength(1);
    // Nothing lost either: every event of the burst was counted.
    expect((await nudge.profiles.get(customerId))?.eventCounts.cart_abandon).toBe(50);
  });
});
