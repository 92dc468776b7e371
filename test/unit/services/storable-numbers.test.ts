import { readFileSync } from 'node:fs';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MARSHALL_OPTIONS, UNMARSHALL_OPTIONS } from '#shared/adapters/dynamo/translate-config.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { CATALOG_EVENT_TYPES, MAX_MONEY, catalogPropertySchemas, parseBehaviorEvent } from '#shared/contract/index.ts';
import { profileAggregateIncrements } from '#shared/domain/reports/profile-aggregates.ts';
import { mergeIncrements, rollupIncrements } from '#shared/domain/reports/rollups.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { fakeServiceDeps } from '../support/fakes.ts';

/**
 * No write can fail on a number that validation accepted (issue 19 item 7). For every numeric
 * field of every catalog type (read from the contract's own schemas) and for free-form property
 * values, hostile numbers are either rejected naming the field, or every write the pipeline makes
 * marshals with the adapters' options into numbers DynamoDB stores: the profile, decisions, claims,
 * timers, the queue and the bus (after the JSON round trip their consumers see, e.g. the sequence
 * starter writing the trigger into its run record), and the rollups' accumulated counters.
 */

const NOW = new Date('2026-11-18T11:00:00Z'); // a Wednesday, outside quiet hours
const SAMPLES = new URL('../../../events/samples/', import.meta.url);

/** The numbers a hostile or careless producer sends (JSON.parse yields all of these, 1e400 as Infinity). */
const HOSTILE = [
  2 ** 53, -(2 ** 53), 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 9007199254740993, 1e70, -1e70,
  1e308, -1e308, Number.MAX_VALUE, Infinity, -Infinity, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-131, 1e-130,
  1e125, 1e126, 1e12, 1e12 + 0.5, 95_000_000, 95_000_000.25, 0.1, 1, 0,
];
const hostileNumber = fc.oneof(fc.constantFrom(...HOSTILE), fc.double({ noNaN: true }), fc.integer());

/** Paths (below properties) of every number the type's schema declares, `items.0.price` for line items. */
function numericPaths(schema: z.ZodType): string[][] {
  const paths: string[][] = [];
  const walk = (node: Record<string, unknown>, path: string[]): void => {
    if (node.type === 'number' || node.type === 'integer') paths.push(path);
    for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) walk(child, [...path, name]);
    if (node.items && typeof node.items === 'object') walk(node.items as Record<string, unknown>, [...path, '0']);
  };
  walk(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>, []);
  return paths;
}

const TYPED = Object.fromEntries(CATALOG_EVENT_TYPES.map((type) => [type, numericPaths(catalogPropertySchemas[type])]));
const FREE_FORM = [['shopCartToken'], ['nested', 'deep', 'value'], ['list', '0'], ['items', '0', 'warehouseId']];

function sampleDetail(type: string): Record<string, unknown> {
  if (!(CATALOG_EVENT_TYPES as readonly string[]).includes(type)) {
    return { eventId: 'x', customerId: 'c', occurredAt: NOW.toISOString(), properties: { plan: 'pro' } };
  }
  const [entry] = JSON.parse(readFileSync(new URL(`${type}.json`, SAMPLES), 'utf8')) as Array<{ Detail: string }>;
  return JSON.parse(entry!.Detail) as Record<string, unknown>;
}

function setAt(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  path.slice(0, -1).forEach((segment, i) => {
    const next = node[segment];
    if (typeof next !== 'object' || next === null) node[segment] = /^\d+$/.test(path[i + 1]!) ? [] : {};
    node = node[segment] as Record<string, unknown>;
    if (Array.isArray(node) && node.length === 0 && /^\d+$/.test(path[i + 1]!)) node.push({ productId: 'p' });
  });
  node[path.at(-1)!] = value;
}

/** Every number DynamoDB is sent must be one it stores: 0, or a magnitude in [1e-130, 1e126) with at most 38 significant digits. */
function expectStorable(attribute: AttributeValue | Record<string, AttributeValue>, where: string): void {
  const walk = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    const n = (value as { N?: unknown }).N;
    if (typeof n === 'string') {
      const x = Number(n);
      const digits = n.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
      expect(Number.isFinite(x) && (x === 0 || (Math.abs(x) >= 1e-130 && Math.abs(x) < 1e126)) && digits.length <= 38, `${where}: N ${n}`).toBe(true);
      return;
    }
    Object.values(value).forEach(walk);
  };
  walk(attribute);
}

/** Marshals like the adapters do (after the JSON round trip of queue/bus/scheduler consumers too) and checks the numbers. */
function expectWritable(value: unknown, where: string): void {
  // Ports take `now` as a Date; the adapters write it as a string or epoch number.
  const direct = (v: unknown): unknown =>
    v instanceof Date ? v.toISOString() : Array.isArray(v) ? v.map(direct) : typeof v === 'object' && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, direct(x)])) : v;
  for (const form of [direct(value), JSON.parse(JSON.stringify(value ?? null)) as unknown]) {
    let item: Record<string, AttributeValue>;
    try {
      item = marshall({ value: form }, MARSHALL_OPTIONS);
    } catch (error) {
      throw new Error(`${where}: ${String(error)}`);
    }
    expectStorable(item, where);
    expect(() => unmarshall(item, UNMARSHALL_OPTIONS), where).not.toThrow();
  }
}

/** Wraps every port so each call's arguments are kept: what the adapters would write (and read by). */
function recording<T extends object>(port: T, name: string, calls: Array<{ where: string; args: unknown[] }>): T {
  return new Proxy(port, {
    get(target, key, receiver) {
      const member = Reflect.get(target, key, receiver) as unknown;
      if (typeof member !== 'function') return member;
      return (...args: unknown[]) => {
        calls.push({ where: `${name}.${String(key)}`, args });
        return (member as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const assignment = (type: string) =>
  fc.tuple(fc.constantFrom(...[...(TYPED[type] ?? []), ...FREE_FORM].map((path) => path.join('.'))), hostileNumber).map(([path, value]) => ({ path: path.split('.'), value }));

const hostileCase = fc
  .constantFrom(...CATALOG_EVENT_TYPES, 'plan_renewed')
  .chain((type) => fc.record({ type: fc.constant(type), assignments: fc.array(assignment(type), { minLength: 1, maxLength: 3 }) }));

describe('numbers: no write can fail on a number that validation accepted', () => {
  it('every numeric field of every event type and free-form values: rejected naming the field, or every write marshals', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCase, async ({ type, assignments }) => {
        const calls: Array<{ where: string; args: unknown[] }> = [];
        const fakes = fakeServiceDeps(defaultCatalog, { now: () => NOW });
        const deps = { ...fakes };
        for (const name of ['profiles', 'claims', 'sendQueue', 'delayed', 'tracking', 'bus', 'membership', 'decisions'] as const) {
          (deps as Record<string, unknown>)[name] = recording(fakes[name], name, calls);
        }
        const ingest = makeIngestEvent(deps);
        // A subscriber, so the event's rules fire (the cart rule starts its sequence, as in the report).
        await ingest({ source: 'shop.web', 'detail-type': 'subscribe', detail: { eventId: 'sub', customerId: 'c', occurredAt: '2026-11-01T10:00:00Z', email: 'c@example.com' } });
        const before = fakes.profiles.items.get('c');

        const detail = { ...sampleDetail(type), eventId: 'hostile', customerId: 'c', occurredAt: '2026-11-18T10:30:00Z' };
        for (const { path, value } of assignments) setAt(detail, ['properties', ...path], value);
        const outcome = await ingest({ source: 'shop.web', 'detail-type': type, detail });

        const fields = assignments.map(({ path }) => ['detail', 'properties', ...path].join('.'));
        if (outcome.type === 'rejected') {
          for (const error of outcome.errors) expect(fields.some((field) => error.field === field || error.field.startsWith(`${field}.`) || field.startsWith(`${error.field}.`)), JSON.stringify(error)).toBe(true);
          return;
        }
        expect(outcome.type).toBe('applied');
        for (const { where, args } of calls) expectWritable(args, where);

        // The rollups from the table's stream: the profile change, and a conversion of the amount.
        const after = fakes.profiles.items.get('c');
        const image = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
        const amount = ((detail as { properties?: Record<string, unknown> }).properties ?? {}).amount;
        const increments = [
          ...profileAggregateIncrements(image(before), image(after)),
          ...rollupIncrements(undefined, { kind: 'conversion', ruleId: 'r', convertedAt: NOW.toISOString(), revenue: typeof amount === 'number' ? amount : 0, segments: ['vip'] }),
        ];
        // Accumulated as DynamoDB's ADD would over a busy day (the batch's merged counters are what one write adds).
        const merged = mergeIncrements(Array.from({ length: 1000 }, () => increments).flat());
        for (const { scope, counters } of merged) expectWritable(counters, `rollup ${scope}`);
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it('any amount the contract accepts is summed into the rollups (revenue and its square) as storable numbers', () => {
    const money = fc.oneof(fc.constantFrom(MAX_MONEY, 95_000_000, 95_000_000.25, 94_906_267, 0.1, 0, -0, 5e-324), fc.double({ min: 0, max: MAX_MONEY, noNaN: true }));
    fc.assert(
      fc.property(fc.array(money, { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 1_000 }), (amounts, repeat) => {
        const increments = amounts.flatMap((amount) => {
          const parsed = parseBehaviorEvent({ source: 'shop.web', detailType: 'purchase', detail: { eventId: 'e', customerId: 'c', occurredAt: NOW.toISOString(), properties: { orderId: 'o', amount } } });
          expect(parsed.ok).toBe(true);
          const revenue = parsed.ok ? (parsed.event.properties.amount as number) : 0;
          return rollupIncrements(undefined, { kind: 'conversion', ruleId: 'r', convertedAt: NOW.toISOString(), revenue, segments: ['vip'] });
        });
        for (const { scope, counters } of mergeIncrements(Array.from({ length: repeat }, () => increments).flat())) expectWritable(counters, `rollup ${scope}`);
      }),
      { numRuns: 200 },
    );
  }, 120_000);
});
