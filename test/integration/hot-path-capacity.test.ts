import { describe, expect, it } from 'vitest';
import { SqsRejectedEventStore } from '#shared/adapters/sqs/rejected-event-queue.ts';
import { SqsSendQueue } from '#shared/adapters/sqs/send-queue.ts';
import { DynamoClaimStore } from '#shared/adapters/dynamo/claim-repository.ts';
import { DynamoDecisionLog } from '#shared/adapters/dynamo/decision-log-repository.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoSegmentMembershipStore } from '#shared/adapters/dynamo/segment-membership-repository.ts';
import { EventBridgeInternalEventBus } from '#shared/adapters/eventbridge/internal-event-publisher.ts';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import type { Log } from '#shared/domain/ports.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { realDecisionAdapters } from './support/decision-adapters.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The per-event DynamoDB budget (design.md section 3), measured with ReturnConsumedCapacity against
 * DynamoDB Local: the ingest service with its real adapters, in this process, so the meter sees every request.
 */
describe('hot-path request units', () => {
  const nudge = nudgeClient();
  const table = nudge.output('TableName');
  let now = new Date('2027-01-01T10:00:00Z');
  const ingest = makeIngestEvent({
    profiles: new DynamoProfileStore(nudge.documentClient, table),
    ...realDecisionAdapters(nudge, { now: () => now }),
    rejectedEvents: new SqsRejectedEventStore(nudge.sqs, nudge.output('RejectedEventsQueueUrl')),
    bus: new EventBridgeInternalEventBus(new EventBridgeClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: nudge.context.endpoints.eventBridge }), nudge.output('EventBusName')),
    membership: new DynamoSegmentMembershipStore(nudge.documentClient, table),
    catalog: defaultCatalog,
    clock: { now: () => now },
    log: quiet,
  });
  const customerId = uniqueId('ru');
  const event = (type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
    source: 'shop.web',
    'detail-type': type,
    detail: { eventId: uniqueId('e'), customerId, occurredAt: now.toISOString(), properties, ...extra },
  });

  it('an event that fires no rule and changes no segment costs one read request and one write request', async () => {
    await ingest(event('identify', { email: `${customerId}@example.com`, firstName: 'Ru' }));
    const perEvent: Array<{ requests: number; readUnits: number; writeUnits: number }> = [];
    let transitions = 0;
    for (let i = 0; i < 20; i++) {
      now = new Date(now.getTime() + 60_000);
      nudge.meter.reset();
      const outcome = await ingest(event('page_view', { url: `/p/${i}`, pageType: 'product' }));
      expect(outcome).toMatchObject({ type: 'applied', rules: [] });
      const { byOperation, ...units } = nudge.meter.snapshot();
      if (outcome.type === 'applied' && outcome.published.length > 0) {
        // A segment change adds one BatchWriteItem for the membership items, nothing else.
        transitions += 1;
        expect(byOperation).toEqual({ GetItemCommand: 1, PutItemCommand: 1, BatchWriteItemCommand: 1 });
        continue;
      }
      expect(byOperation).toEqual({ GetItemCommand: 1, PutItemCommand: 1 });
      perEvent.push(units);
    }
    expect(perEvent.length).toBeGreaterThanOrEqual(15);
    console.log(`${transitions} of 20 events changed a segment (+1 BatchWriteItem each)`);
    const mean = (key: 'readUnits' | 'writeUnits') => perEvent.reduce((sum, e) => sum + e[key], 0) / perEvent.length;
    console.log(`hot path, no rule fired: ${mean('readUnits')} RCU + ${mean('writeUnits')} WCU per event (2 requests)`);
    // Units follow the item size (1 WCU per started KB of the larger of the old and new item, 0.5 RCU per
    // 4 KB): the packed profile item (profile-codec.ts) keeps an ordinary customer's write at one unit.
    expect(mean('readUnits')).toBeLessThanOrEqual(0.5);
    expect(mean('writeUnits')).toBe(1);
  });

  it('a duplicate costs one read and no write', async () => {
    const duplicate = event('page_view', { url: '/pricing', pageType: 'pricing' });
    await ingest(duplicate);
    nudge.meter.reset();
    expect(await ingest(duplicate)).toMatchObject({ type: 'duplicate' });
    expect(nudge.meter.snapshot().byOperation).toEqual({ GetItemCommand: 1 });
  });

  it('an event that fires a rule adds the cap read, one claim transaction and its decision record', async () => {
    await ingest(event('subscribe', {}, { email: `${customerId}@example.com` }));
    nudge.meter.reset();
    const outcome = await ingest(event('cart_abandon', { cartValue: 80 }));
    // The shipped cart rule starts cart recovery (its emails are the sequence's steps, decided later).
    expect(outcome).toMatchObject({ type: 'applied', rules: [{ ruleId: 'cart_abandonment_1hour', outcome: 'sequence_started' }] });
    const { byOperation, readUnits, writeUnits } = nudge.meter.snapshot();
    console.log(`rule fired (sequence start): ${readUnits} RCU + ${writeUnits} WCU (${JSON.stringify(byOperation)})`);
    // Profile GetItem + a consistent GetItem of the rule's cap (a start uses no global cap); cooldown
    // and cap claimed in one TransactWriteItems; the decision record (BatchWriteItem); the profile PutItem.
    expect(byOperation).toEqual({ GetItemCommand: 2, TransactWriteItemsCommand: 1, BatchWriteItemCommand: 1, PutItemCommand: 1 });
  });
});
