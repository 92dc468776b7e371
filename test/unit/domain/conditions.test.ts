import { describe, expect, it } from 'vitest';
import { Condition, evaluateCondition, evaluateConditionGroup, readPath, type ConditionOperator } from '#shared/domain/conditions.ts';

const scope = {
  event: { type: 'cart_abandon', properties: { cartValue: 75.99, tags: ['gift', 'sale'], coupon: 'WELCOME10' } },
  profile: { email: 'a@example.com', eventCount: 3, nickname: null },
};

describe('condition operators', () => {
  const cases: Array<[ConditionOperator, string, unknown, boolean]> = [
    ['equals', 'event.type', 'cart_abandon', true],
    ['equals', 'event.type', 'purchase', false],
    ['not_equals', 'event.type', 'purchase', true],
    ['not_equals', 'event.missing', 'x', false],
    ['greater_than', 'event.properties.cartValue', 50, true],
    ['greater_than', 'event.properties.cartValue', 75.99, false],
    ['less_than', 'event.properties.cartValue', 76, true],
    ['at_least', 'event.properties.cartValue', 75.99, true],
    ['at_most', 'event.properties.cartValue', 75.98, false],
    ['greater_than', 'event.properties.coupon', 1, false],
    ['contains', 'event.properties.tags', 'gift', true],
    ['contains', 'event.properties.coupon', 'COME', true],
    ['contains', 'event.properties.tags', 'other', false],
    ['in', 'event.type', ['purchase', 'cart_abandon'], true],
    ['in', 'event.type', ['purchase'], false],
    ['exists', 'profile.email', true, true],
    ['exists', 'profile.nickname', true, false],
    ['exists', 'profile.phone', false, true],
  ];
  it.each(cases)('%s %s %j -> %s', (op, field, value, expected) => {
    const result = evaluateCondition({ field, op, value }, scope);
    expect(result.passed).toBe(expected);
    expect(result.expected).toEqual(value);
  });

  it('reports the actual value next to the expected one', () => {
    expect(evaluateCondition({ field: 'event.properties.cartValue', op: 'greater_than', value: 50 }, scope)).toEqual({
      field: 'event.properties.cartValue',
      op: 'greater_than',
      expected: 50,
      actual: 75.99,
      passed: true,
    });
  });
});

describe('condition groups', () => {
  it('all needs every condition and still reports each', () => {
    const { passed, results } = evaluateConditionGroup(
      { all: [{ field: 'event.type', op: 'equals', value: 'cart_abandon' }, { field: 'profile.eventCount', op: 'at_least', value: 5 }] },
      scope,
    );
    expect(passed).toBe(false);
    expect(results.map((r) => r.passed)).toEqual([true, false]);
  });

  it('any needs one, and groups nest', () => {
    const { passed } = evaluateConditionGroup(
      {
        any: [
          { field: 'profile.eventCount', op: 'at_least', value: 5 },
          { all: [{ field: 'profile.email', op: 'exists', value: true }, { field: 'event.properties.cartValue', op: 'greater_than', value: 50 }] },
        ],
      },
      scope,
    );
    expect(passed).toBe(true);
  });
});

describe('condition validation', () => {
  it.each([
    [{ field: 'event.x', op: 'greater_than', value: 'fifty' }, 'value'],
    [{ field: 'event.x', op: 'in', value: 'a' }, 'value'],
    [{ field: 'event.x', op: 'exists', value: 'yes' }, 'value'],
    [{ field: 'customer.x', op: 'exists', value: true }, 'field'],
    [{ field: 'event.x', op: 'between', value: 1 }, 'op'],
  ])('rejects %j at %s', (condition, path) => {
    const parsed = Condition.safeParse(condition);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual([path]);
  });
});

describe('readPath', () => {
  it('reads own properties only', () => {
    expect(readPath(scope, 'event.properties.cartValue')).toBe(75.99);
    expect(readPath(scope, 'event.properties.toString')).toBeUndefined();
    expect(readPath(scope, 'event.properties.tags.length')).toBeUndefined();
  });
});
