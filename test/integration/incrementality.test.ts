import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import type { IncrementalityReport } from '#shared/domain/reports/incrementality-report.ts';
import { DynamoDecisionLog } from '#shared/adapters/dynamo/decision-log-repository.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoRollups } from '#shared/adapters/dynamo/rollup-repository.ts';
import { DynamoSegmentMembershipStore } from '#shared/adapters/dynamo/segment-membership-repository.ts';
import { SqsRejectedEventStore } from '#shared/adapters/sqs/rejected-event-queue.ts';
import { defaultCatalogInput, loadCatalog } from '#shared/catalog/index.ts';
import { DAY_MS, HOUR_MS } from '#shared/domain/clock.ts';
import type { Log } from '#shared/domain/ports.ts';
import type { GroupTotals } from '#shared/domain/reports/incrementality.ts';
import { isInHoldout } from '#shared/domain/send-decision.ts';
import { parseBehaviorEvent } from '#shared/contract/index.ts';
import { recordExposureConversions } from '#shared/services/exposure-conversions.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { makeIncrementalityReport } from '#shared/services/reports/incrementality.ts';
import { realDecisionAdapters } from './support/decision-adapters.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Incrementality on the real emulators: a rule with a 50 % holdout decides through the real ingest
 * path (DynamoDB Local), purchases go through it too and mark the exposures whose window holds them,
 * the system's rollup Lambda counts the table's stream, and the report built from those rollups
 * gives back exactly the totals the script put in, per group. Redelivered purchases add nothing.
 */
describe('incrementality', () => {
  const nudge = nudgeClient();
  const table = nudge.output('TableName');
  const decisions = new DynamoDecisionLog(nudge.documentClient, table);
  let now = new Date('2027-03-01T10:00:00Z');
  const clock = { now: () => now };
  const ruleId = `incr_${uniqueId('r').replace(/[^a-z0-9]/gi, '_').toLowerCase()}`;
  const catalog = loadCatalog({
    ...defaultCatalogInput,
    settings: { ...defaultCatalogInput.settings, incrementalityWindowHours: 72 },
    rules: [{ id: ruleId, description: 'cart reminder with a holdout', priority: 50, trigger: { type: 'behavioral', eventType: 'cart_abandon' }, templateId: 'welcome', category: 'marketing', holdoutPercent: 50 }],
  });
  const ingest = makeIngestEvent({
    profiles: new DynamoProfileStore(nudge.documentClient, table),
    ...realDecisionAdapters(nudge, clock),
    rejectedEvents: new SqsRejectedEventStore(nudge.sqs, nudge.output('RejectedEventsQueueUrl')),
    bus: { publish: async () => undefined },
    membership: new DynamoSegmentMembershipStore(nudge.documentClient, table),
    decisions,
    catalog,
    clock,
    log: quiet,
  });
  const event = (customerId: string, type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
    source: 'shop.web',
    'detail-type': type,
    detail: { eventId: uniqueId('e'), customerId, occurredAt: now.toISOString(), properties, ...extra },
  });

  it('counts each group\'s exposures, conversions and revenue within the window, exactly once, from the rollups alone', { timeout: 240_000 }, async () => {
    const start = now.getTime();
    const customers = Array.from({ length: 24 }, () => uniqueId('incr'));
    const expected: Record<'treated' | 'control', GroupTotals> = { treated: { exposures: 0, converted: 0, revenue: 0, revenueSq: 0 }, control: { exposures: 0, converted: 0, revenue: 0, revenueSq: 0 } };
    const purchases: Array<{ customerId: string; at: number; amount: number }> = [];
    for (const [i, customerId] of customers.entries()) {
      now = new Date(start + i * 60_000);
      await ingest(event(customerId, 'subscribe', {}, { email: `${customerId}@example.com` }));
      now = new Date(start + i * 60_000 + 1_000);
      const decided = await ingest(event(customerId, 'cart_abandon', { cartValue: 50 }));
      expect(decided).toMatchObject({ type: 'applied', rules: [{ ruleId, outcome: isInHoldout(customerId, ruleId, 50) ? 'holdout' : 'queued' }] });
      const group = isInHoldout(customerId, ruleId, 50) ? 'control' : 'treated';
      expected[group].exposures += 1;
      // Every third buys twice in the window, every third once, the rest only after the window closes (not counted).
      const inWindow = i % 3 === 0 ? [10 + i, 5] : i % 3 === 1 ? [20 + i] : [];
      let revenue = 0;
      for (const [k, amount] of inWindow.entries()) {
        purchases.push({ customerId, at: start + i * 60_000 + 1_000 + (k + 1) * 6 * HOUR_MS, amount });
        revenue += amount;
      }
      purchases.push({ customerId, at: start + i * 60_000 + 1_000 + 73 * HOUR_MS, amount: 99 });
      if (revenue > 0) {
        expected[group].converted += 1;
        expected[group].revenue += revenue;
        expected[group].revenueSq += revenue * revenue;
      }
    }
    purchases.sort((a, b) => a.at - b.at);
    for (const [j, purchase] of purchases.entries()) {
      now = new Date(purchase.at);
      const bought = event(purchase.customerId, 'purchase', { orderId: `o-${j}`, amount: purchase.amount });
      expect(await ingest(bought)).toMatchObject({ type: 'applied' });
      // A redelivery after the profile write is a duplicate; one after a crash before it decides again: neither adds.
      expect(await ingest(bought)).toMatchObject({ type: 'duplicate' });
      const parsed = parseBehaviorEvent({ source: bought.source, detailType: bought['detail-type'], detail: bought.detail });
      if (!parsed.ok) throw new Error('test purchase does not parse');
      expect(await recordExposureConversions({ decisions, catalog, log: quiet }, parsed.event)).toBe(0);
    }
    await nudge.waitForIdle();

    now = new Date(start + 10 * DAY_MS);
    const report = await makeIncrementalityReport({ rollups: new DynamoRollups(nudge.documentClient, table), catalog, clock: { now: () => now } })({ days: 30, minExposures: 2 });
    const row = report.rows.find((r) => r.id === ruleId)!;
    const rounded = (totals: GroupTotals) => ({ ...totals, revenue: Math.round(totals.revenue * 100) / 100, revenueSq: Math.round(totals.revenueSq * 100) / 100 });
    expect({ treated: rounded(row.treatedTotals), control: rounded(row.controlTotals) }).toEqual({ treated: rounded(expected.treated), control: rounded(expected.control) });
    expect(row.openExposures).toEqual({ treated: 0, control: 0 });
    expect(row.cohorts).toEqual({ from: report.period.from, to: new Date(start + 10 * DAY_MS - 72 * HOUR_MS - DAY_MS).toISOString().slice(0, 10) });
    expect(row.estimate.treated.exposures + row.estimate.control.exposures).toBe(customers.length);
    // The marks are plain JSON on the decision record (nudge why and nudge export read it as stored).
    const [first] = await decisions.decisionsBetween(customers[0]!, new Date(start).toISOString(), new Date(start + DAY_MS).toISOString());
    const stored = await nudge.documentClient.send(new GetCommand({ TableName: table, Key: { pk: `C#${customers[0]}`, sk: first!.key } }));
    expect(stored.Item).toMatchObject({ orders: 2, revenue: 15, purchaseIds: [expect.any(String), expect.any(String)] });
  });

  it('answers through its report Lambda (the shipped catalog has no holdout: no rows), and refuses a bad payload naming the field', async () => {
    const lambda = new LambdaClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: nudge.context.endpoints.eventBridge });
    const invoke = async (payload: unknown) => {
      const result = await lambda.send(new InvokeCommand({ FunctionName: nudge.output('IncrementalityReportFunctionName'), Payload: new TextEncoder().encode(JSON.stringify(payload)) }));
      return { error: result.FunctionError, answer: JSON.parse(new TextDecoder().decode(result.Payload)) as IncrementalityReport & { errorMessage?: string } };
    };
    const { error, answer } = await invoke({ days: 60, confidence: 0.9 });
    expect(error, JSON.stringify(answer)).toBeUndefined();
    expect(answer).toMatchObject({ report: 'incrementality', confidence: 0.9, rows: [], total: null, period: { days: 60 } });
    const bad = await invoke({ day: 7 });
    expect(bad.error).toBeDefined();
    expect(bad.answer.errorMessage).toMatch(/bad report request/);
  });
});
