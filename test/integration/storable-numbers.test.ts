import { describe, expect, it } from 'vitest';
import { DynamoRollups } from '#shared/adapters/dynamo/rollup-repository.ts';
import { DynamoSequenceRuns } from '#shared/adapters/dynamo/sequence-run-repository.ts';
import { MAX_MONEY } from '#shared/contract/index.ts';
import { mergeIncrements, rollupIncrements, segmentScope } from '#shared/domain/reports/rollups.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

/**
 * Numbers a producer may send, through the real SDK clients and DynamoDB Local (events/README.md,
 * "Numbers"): nothing validation accepts can fail a later write; what it refuses names the field.
 * The property over every numeric field is test/unit/services/storable-numbers.test.ts.
 */
describe('numbers: what validation accepts, every write stores', () => {
  const nudge = nudgeClient();
  const table = nudge.output('TableName');

  it('an extra property beyond 2^53 on cart_abandon is kept as a string, and the cart recovery starts', async () => {
    await nudge.daytime();
    await nudge.drainQueue('RejectedEventsQueueUrl');
    const customerId = uniqueId('bigint');
    const at = async () => (await nudge.now()).toISOString();
    await nudge.putEvents([{ detailType: 'subscribe', detail: { eventId: uniqueId('n'), customerId, occurredAt: await at(), email: `${customerId}@example.com` } }]);
    await nudge.waitForIdle();
    // Raw JSON, as a producer sends it: the literal is beyond what a double holds exactly.
    const detail = `{"eventId":"${uniqueId('n')}","customerId":"${customerId}","occurredAt":"${await at()}","properties":{"cartValue":80,"shopCartToken":9007199254740993}}`;
    await nudge.putEvents([{ detailType: 'cart_abandon', detail }]);
    await nudge.waitForIdle();
    const runs = await new DynamoSequenceRuns(nudge.documentClient, table).listForCustomer(customerId);
    const cartRuns = runs.filter((run) => run.sequenceId === 'cart_recovery');
    expect(cartRuns.map((run) => [run.status, run.trigger.properties.shopCartToken])).toEqual([['active', '9007199254740992']]);
    expect(await nudge.drainQueue('RejectedEventsQueueUrl')).toEqual([]);
  });

  it('money beyond the documented maximum is rejected naming the field', async () => {
    await nudge.drainQueue('RejectedEventsQueueUrl');
    const customerId = uniqueId('huge-amount');
    const detail = `{"eventId":"${uniqueId('n')}","customerId":"${customerId}","occurredAt":"${(await nudge.now()).toISOString()}","properties":{"orderId":"o1","amount":1e70,"currency":"VND"}}`;
    await nudge.putEvents([{ detailType: 'purchase', detail }]);
    await nudge.waitForIdle();
    const rejected = (await nudge.drainQueue('RejectedEventsQueueUrl')) as Array<{ errors: Array<{ field: string; message: string }> }>;
    expect(rejected.map((r) => r.errors)).toEqual([[{ field: 'detail.properties.amount', message: `must be at most ${MAX_MONEY}` }]]);
    expect(await nudge.profiles.get(customerId)).toBeUndefined();
  });

  it('conversions of 95,000,000 VND and of the maximum add up in the rollups, revenue squared included, and read back', async () => {
    const rollups = new DynamoRollups(nudge.documentClient, table);
    const segment = uniqueId('vnd');
    const conversion = (revenue: number) => rollupIncrements(undefined, { kind: 'conversion', ruleId: 'r', convertedAt: '2026-11-20T10:00:00Z', revenue, segments: [segment] });
    await rollups.apply({ increments: mergeIncrements([...conversion(95_000_000), ...conversion(95_000_000)]) });
    await rollups.apply({ increments: mergeIncrements(conversion(MAX_MONEY)) });
    const [day] = await rollups.days(segmentScope(segment));
    // Segment items keep only the counters a report reads (decisions 30): revenue and its square, not a conversion count.
    expect(day?.counters).toEqual({ revenue: 2 * 95_000_000 + MAX_MONEY, revenue_sq: 2 * 95_000_000 ** 2 + MAX_MONEY ** 2 });
  });
});
