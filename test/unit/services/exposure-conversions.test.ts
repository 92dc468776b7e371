import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamoDecisionLog } from '#shared/adapters/dynamo/decision-log-repository.ts';
import { defaultCatalogInput, loadCatalog } from '#shared/catalog/index.ts';
import type { BehaviorEvent } from '#shared/contract/index.ts';
import { HOUR_MS } from '#shared/domain/clock.ts';
import type { DecisionRecord } from '#shared/domain/decision-record.ts';
import { exposureFieldsOf } from '#shared/domain/exposures.ts';
import type { Log } from '#shared/domain/ports.ts';
import { groupTotalsOf } from '#shared/domain/reports/exposure-rollups.ts';
import type { GroupTotals } from '#shared/domain/reports/incrementality.ts';
import { mergeIncrements, rollupIncrements } from '#shared/domain/reports/rollups.ts';
import { recordExposureConversions } from '#shared/services/exposure-conversions.ts';
import { MemoryTable } from '#local/memory/memory-table.ts';

const TABLE = 'nudge';
const RULE = 'cart_holdout';
const WINDOW_HOURS = 72;
const BASE = Date.parse('2027-01-10T00:00:00Z');
const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const catalog = loadCatalog({
  ...defaultCatalogInput,
  settings: { ...defaultCatalogInput.settings, incrementalityWindowHours: WINDOW_HOURS },
  rules: [{ id: RULE, description: 'x', priority: 50, trigger: { type: 'behavioral', eventType: 'cart_abandon' }, templateId: 'welcome', category: 'marketing', holdoutPercent: 50 }],
});

type Op =
  /** A decision (the trigger's index fixes its time and group); `repeat` marks a redelivery's re-decision. */
  | { kind: 'decide'; customer: number; trigger: number; repeat: boolean }
  /** A purchase (its index fixes its time and amount: a repeated index is a redelivered event). */
  | { kind: 'purchase'; customer: number; purchase: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('decide' as const), customer: fc.integer({ min: 0, max: 2 }), trigger: fc.integer({ min: 0, max: 5 }), repeat: fc.boolean() }),
  fc.record({ kind: fc.constant('purchase' as const), customer: fc.integer({ min: 0, max: 2 }), purchase: fc.integer({ min: 0, max: 7 }) }),
);
// Times within 5 days, so windows overlap, span day boundaries and close; amounts in cents, some zero.
const triggerAt = (trigger: number) => BASE + trigger * 19 * HOUR_MS;
const purchaseAt = (purchase: number) => BASE + purchase * 13 * HOUR_MS + 30 * 60_000;
const amountOf = (purchase: number) => ((purchase * 3719) % 9000) / 100;

function decisionOf(op: Extract<Op, { kind: 'decide' }>): DecisionRecord {
  const outcome = op.trigger % 2 === 0 ? 'queued' : 'holdout';
  const at = new Date(triggerAt(op.trigger)).toISOString();
  return {
    customerId: `c${op.customer}`,
    ruleId: RULE,
    priority: 50,
    eventId: `t${op.trigger}`,
    eventType: 'cart_abandon',
    occurredAt: at,
    // A redelivery decides later (another day, even): the cohort stays the first decision's.
    decidedAt: op.repeat ? new Date(triggerAt(op.trigger) + 30 * HOUR_MS).toISOString() : at,
    outcome,
    ...(op.repeat ? { repeat: true } : {}),
    ...exposureFieldsOf(catalog.rules[0]!, outcome, op.repeat, WINDOW_HOURS),
    via: 'event',
    conditions: [],
  };
}

function purchaseOf(op: Extract<Op, { kind: 'purchase' }>): BehaviorEvent {
  return { eventId: `p${op.customer}-${op.purchase}`, customerId: `c${op.customer}`, type: 'purchase', occurredAt: new Date(purchaseAt(op.purchase)).toISOString(), properties: { orderId: `o${op.purchase}`, amount: amountOf(op.purchase) } } as unknown as BehaviorEvent;
}

/**
 * The plain model: the first record of a decision stands (a later one, a redelivery, changes
 * nothing); a non-repeat one is an exposure of its group; each distinct purchase that comes after
 * it and within its window from the trigger adds an order and its revenue.
 */
function modelTotals(ops: readonly Op[]): Record<'treated' | 'control', GroupTotals> {
  const exposures = new Map<string, { customer: number; group: 'treated' | 'control' | undefined; at: number; revenue: number; orders: number; purchases: Set<string> }>();
  for (const op of ops) {
    if (op.kind === 'decide') {
      const key = `${op.customer}|${op.trigger}`;
      if (!exposures.has(key)) exposures.set(key, { customer: op.customer, group: op.repeat ? undefined : op.trigger % 2 === 0 ? 'treated' : 'control', at: triggerAt(op.trigger), revenue: 0, orders: 0, purchases: new Set() });
      continue;
    }
    const at = purchaseAt(op.purchase);
    for (const exposure of exposures.values()) {
      const id = `${op.customer}-${op.purchase}`;
      if (exposure.customer !== op.customer || !exposure.group || exposure.purchases.has(id) || !(at > exposure.at && at <= exposure.at + WINDOW_HOURS * HOUR_MS)) continue;
      exposure.purchases.add(id);
      exposure.orders += 1;
      exposure.revenue += amountOf(op.purchase);
    }
  }
  const totals = { treated: { exposures: 0, converted: 0, revenue: 0, revenueSq: 0 }, control: { exposures: 0, converted: 0, revenue: 0, revenueSq: 0 } };
  for (const exposure of exposures.values()) {
    if (!exposure.group) continue;
    const t = totals[exposure.group];
    t.exposures += 1;
    if (exposure.orders > 0) t.converted += 1;
    t.revenue += exposure.revenue;
    t.revenueSq += exposure.revenue * exposure.revenue;
  }
  return totals;
}

/** Counts exactly; sums of money to 1e-6 (two orders of float additions differ in the last bits, so no rounding to cents: 7836.005 rounds either way). */
function expectTotals(actual: GroupTotals, expected: GroupTotals): void {
  expect({ exposures: actual.exposures, converted: actual.converted }).toEqual({ exposures: expected.exposures, converted: expected.converted });
  expect(Math.abs(actual.revenue - expected.revenue)).toBeLessThan(1e-6);
  expect(Math.abs(actual.revenueSq - expected.revenueSq)).toBeLessThan(1e-6);
}

describe('exposures and their conversions, through the decision log and the rollups', () => {
  it('summing the rollup increments of any run of decisions, redeliveries and purchases gives the GroupTotals computed directly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), async (ops) => {
        const table = new MemoryTable({ tableName: TABLE, key: { partitionKey: 'pk', sortKey: 'sk' }, ttlAttribute: 'ttl' });
        const increments: ReturnType<typeof rollupIncrements> = [];
        table.onChange((change) => increments.push(...rollupIncrements(change.oldImage, change.newImage)));
        const decisions = new DynamoDecisionLog(table.asDocumentClient(), TABLE);
        for (const op of ops) {
          if (op.kind === 'decide') await decisions.record([decisionOf(op)], 90);
          else await recordExposureConversions({ decisions, catalog, log: quiet }, purchaseOf(op));
        }
        const days = mergeIncrements(increments).filter((increment) => increment.scope === RULE);
        const expected = modelTotals(ops);
        expectTotals(groupTotalsOf(days, 'treated'), expected.treated);
        expectTotals(groupTotalsOf(days, 'control'), expected.control);
      }),
      { numRuns: 300 },
    );
  });

  it('a purchase costs one Query and one UpdateItem per exposure it converts; none when no rule has a holdout', async () => {
    const table = new MemoryTable({ tableName: TABLE, key: { partitionKey: 'pk', sortKey: 'sk' }, ttlAttribute: 'ttl' });
    const decisions = new DynamoDecisionLog(table.asDocumentClient(), TABLE);
    await decisions.record([decisionOf({ kind: 'decide', customer: 0, trigger: 0, repeat: false }), decisionOf({ kind: 'decide', customer: 0, trigger: 1, repeat: false })], 90);
    const before = { ...table.requests };
    expect(await recordExposureConversions({ decisions, catalog, log: quiet }, purchaseOf({ kind: 'purchase', customer: 0, purchase: 2 }))).toBe(2);
    const calls = Object.fromEntries(Object.entries(table.requests).map(([name, count]) => [name, count - (before[name] ?? 0)]).filter(([, count]) => count !== 0));
    expect(calls).toEqual({ QueryCommand: 1, UpdateCommand: 2 });
    const none = loadCatalog({ ...defaultCatalogInput, rules: [] });
    expect(await recordExposureConversions({ decisions, catalog: none, log: quiet }, purchaseOf({ kind: 'purchase', customer: 0, purchase: 3 }))).toBe(0);
    expect(table.requests.QueryCommand).toBe(1);
  });
});
