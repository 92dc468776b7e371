import { describe, expect, it } from 'vitest';
import {
  Condition,
  ConditionGroup,
  MAX_PATTERN_INPUT_LENGTH,
  MAX_PATTERN_LENGTH,
  MAX_PATTERN_WAYS,
  calculatedMetricOf,
  conditionsOf,
  evaluateCondition,
  evaluateConditionGroup,
  patternProblem,
  readPath,
  type ConditionOperator,
  type ConditionScope,
} from '#shared/domain/conditions.ts';
import type { FactValue } from '#shared/domain/profile-facts.ts';

const scope = {
  event: { type: 'cart_abandon', properties: { cartValue: 75.99, tags: ['gift', 'sale'], coupon: 'WELCOME10' } },
  profile: { email: 'a@example.com', eventCount: 3, nickname: null },
};

/** A richer scope for the per-operator and per-namespace tests. */
const metrics = new Map<string, FactValue>([
  ['days_since_last_purchase', 12.5],
  ['engagement_level', 'high'],
  ['open_rate_30d', 0.8],
  ['days_since_last_open', null],
]);
const world: ConditionScope = {
  event: {
    type: 'purchase',
    device: 'mobile',
    properties: {
      count: 60,
      countText: '60',
      ratio: 0.8,
      tags: ['gift', 'sale'],
      quantities: [1, 60],
      coupon: 'WELCOME10',
      sku: 'AB-1234',
      zero: 0,
      no: false,
      empty: '',
      nothing: null,
    },
  },
  profile: {
    email: 'jo@example.com',
    commerce: { revenue: 1200, orders: 3 },
    segments: { vip: 1_700_000_000 },
    scores: { engagement: 0.8 },
  },
  calculated: (metric) => metrics.get(metric),
};

function passes(field: string, op: ConditionOperator, value: unknown, on: ConditionScope = world): boolean {
  return evaluateCondition({ field, op, value }, on).passed;
}

type Case = [description: string, field: string, value: unknown, expected: boolean];

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

  describe('equals', () => {
    it.each<Case>([
      ['the same string passes', 'event.type', 'purchase', true],
      ['another string fails', 'event.type', 'signup', false],
      ['the same number passes', 'event.properties.count', 60, true],
      ['the string "60" never equals the number 60', 'event.properties.countText', 60, false],
      ['the number 60 never equals the string "60"', 'event.properties.count', '60', false],
      ['false never equals 0', 'event.properties.no', 0, false],
      ['false equals false', 'event.properties.no', false, true],
      ['null equals null', 'event.properties.nothing', null, true],
      ['a missing field never equals anything', 'event.properties.absent', 'x', false],
      ['a missing field does not equal null', 'event.properties.absent', null, false],
    ])('%s', (_, field, value, expected) => {
      expect(passes(field, 'equals', value)).toBe(expected);
    });
  });

  describe('not_equals', () => {
    it.each<Case>([
      ['another string passes', 'event.type', 'signup', true],
      ['the same string fails', 'event.type', 'purchase', false],
      ['the same number fails', 'event.properties.count', 60, false],
      ['the string "60" is not the number 60 (strict comparison)', 'event.properties.countText', 60, true],
      ['a missing field fails', 'event.properties.absent', 'x', false],
      ['a missing calculated metric fails', 'calculated.purchase_count', 0, false],
    ])('%s', (_, field, value, expected) => {
      expect(passes(field, 'not_equals', value)).toBe(expected);
    });
  });

  describe('greater_than', () => {
    it.each<Case>([
      ['above passes', 'event.properties.count', 59.5, true],
      ['equal fails (strict)', 'event.properties.count', 60, false],
      ['below fails', 'event.properties.count', 61, false],
      ['a numeric string never passes', 'event.properties.countText', 10, false],
      ['null never passes (although null > -1 in JavaScript)', 'event.properties.nothing', -1, false],
      ['false never passes (although false > -1 in JavaScript)', 'event.properties.no', -1, false],
      ['a missing field fails', 'event.properties.absent', -1, false],
    ])('%s', (_, field, value, expected) => {
      expect(passes(field, 'greater_than', value)).toBe(expected);
    });
  });

  describe('less_than', () => {
    it.each<Case>([
      ['below passes', 'event.properties.count', 60.5, true],
      ['equal fails (strict)', 'event.properties.count', 60, false],
      ['above fails', 'event.properties.count', 59, false],
      ['a numeric string never passes', 'event.properties.countText', 100, false],
      ['null never passes (although null < 100 in JavaScript)', 'event.properties.nothing', 100, false],
      ['a missing field fails', 'event.properties.absent', 100, false],
    ])('%s', (_, field, value, expected) => {
      expect(passes(field, 'less_than', value)).toBe(expected);
    });
  });

  describe('at_least', () => {
    it.each<Case>([
      ['above passes', 'event.properties.count', 59, true],
      ['equal passes (inclusive)', 'event.properties.count', 60, true],
      ['below fails', 'event.properties.count', 60.01, false],
      ['the string "60" never passes against 60', 'event.properties.countText', 60, false],
      ['null never passes (although null >= 0 in JavaScript)', 'event.properties.nothing', 0, false],
      ['a missing field fails', 'event.properties.absent', 0, false],
    ])('%s', (_, field, value, expected) => {
      expect(passes(field, 'at_least', value)).toBe(expected);
    });
  });

  describe('at_most', () => {
    it.each<Case>([
      ['below passes', 'event.properties.count', 61, true],
      ['equal passes (inclusive)', 'event.properties.count', 60, true],
      ['above fails', 'event.properties.count', 59.99, false],
      ['the string "60" never passes against 60', 'event.properties.countText', 60, false],
      ['null never passes (although null <= 0 in JavaScript)', 'event.properties.nothing', 0, false],
      ['a missing field fails', 'event.properties.absent', 100, false],
    ])('%s', (_, field, value, expected) => {
      expect(passes(field, 'at_most', value)).toBe(expected);
    });
  });

  describe('contains', () => {
    it.each<Case>([
      ['a substring of a string passes', 'event.properties.coupon', 'COME', true],
      ['the whole string passes', 'event.properties.coupon', 'WELCOME10', true],
      ['is case-sensitive', 'event.properties.coupon', 'come', false],
      ['a string that is not a substring fails', 'event.properties.coupon', 'BYE', false],
      ['a number never matches inside a string', 'event.properties.coupon', 10, false],
      ['an element of an array passes', 'event.properties.tags', 'sale', true],
      ['a value not in the array fails', 'event.properties.tags', 'clearance', false],
      ['a substring of an array element is not an element', 'event.properties.tags', 'gif', false],
      ['a number element of an array passes', 'event.properties.quantities', 60, true],
      ['the string "60" is not the element 60', 'event.properties.quantities', '60', false],
      ['a number actual never contains anything', 'event.properties.count', 6, false],
      ['a missing field fails', 'event.properties.absent', 'gift', false],
    ])('%s', (_, field, value, expected) => {
      expect(passes(field, 'contains', value)).toBe(expected);
    });
  });

  describe('in', () => {
    it.each<Case>([
      ['a member of the list passes', 'event.device', ['desktop', 'mobile'], true],
      ['a value outside the list fails', 'event.device', ['desktop', 'tablet'], false],
      ['an empty list never passes', 'event.device', [], false],
      ['a number is in a list of numbers', 'event.properties.count', [30, 60], true],
      ['the number 60 is not in ["60"]', 'event.properties.count', ['60'], false],
      ['the string "60" is not in [60]', 'event.properties.countText', [60], false],
      ['a missing field fails', 'event.properties.absent', ['a', 'b'], false],
      ['a value that is not a list never passes (schema bypassed)', 'event.device', 'mobile', false],
    ])('%s', (_, field, value, expected) => {
      expect(passes(field, 'in', value)).toBe(expected);
    });
  });

  describe('exists', () => {
    it.each<Case>([
      ['exists: true passes on a present value', 'event.type', true, true],
      ['exists: true passes on 0', 'event.properties.zero', true, true],
      ['exists: true passes on false', 'event.properties.no', true, true],
      ['exists: true passes on the empty string', 'event.properties.empty', true, true],
      ['exists: true fails on null', 'event.properties.nothing', true, false],
      ['exists: true fails on a missing field', 'event.properties.absent', true, false],
      ['exists: false passes on a missing field', 'event.properties.absent', false, true],
      ['exists: false passes on null', 'event.properties.nothing', false, true],
      ['exists: false fails on a present value', 'event.type', false, false],
      ['exists: false fails on 0', 'event.properties.zero', false, false],
    ])('%s', (_, field, value, expected) => {
      expect(passes(field, 'exists', value)).toBe(expected);
    });
  });

  describe('in_range', () => {
    it.each<Case>([
      ['inside passes', 'event.properties.count', { min: 50, max: 70 }, true],
      ['the min bound is inclusive', 'event.properties.count', { min: 60, max: 70 }, true],
      ['the max bound is inclusive', 'event.properties.count', { min: 50, max: 60 }, true],
      ['a single-point range passes on that point', 'event.properties.count', { min: 60, max: 60 }, true],
      ['below the range fails', 'event.properties.count', { min: 60.01, max: 70 }, false],
      ['above the range fails', 'event.properties.count', { min: 50, max: 59.99 }, false],
      ['the string "60" never passes', 'event.properties.countText', { min: 0, max: 100 }, false],
      ['null never passes', 'event.properties.nothing', { min: -1, max: 1 }, false],
      ['a missing field fails', 'event.properties.absent', { min: 0, max: 100 }, false],
      ['a malformed range never passes (schema bypassed: string bound)', 'event.properties.count', { min: '0', max: 100 }, false],
      ['a malformed range never passes (schema bypassed: extra key)', 'event.properties.count', { min: 0, max: 100, step: 1 }, false],
      ['a malformed range never passes (schema bypassed: missing max)', 'event.properties.count', { min: 0 }, false],
    ])('%s', (_, field, value, expected) => {
      expect(passes(field, 'in_range', value)).toBe(expected);
    });
  });

  describe('threshold_exceeded', () => {
    it.each<Case>([
      ['without by: above the threshold passes', 'event.properties.count', { threshold: 59 }, true],
      ['without by: at the threshold fails (strictly exceeded)', 'event.properties.count', { threshold: 60 }, false],
      ['without by: below the threshold fails', 'event.properties.count', { threshold: 61 }, false],
      ['by 0 behaves like no by', 'event.properties.count', { threshold: 60, by: 0 }, false],
      ['with by: a margin above by passes', 'event.properties.count', { threshold: 50, by: 9 }, true],
      ['with by: a margin of exactly by fails', 'event.properties.count', { threshold: 50, by: 10 }, false],
      ['with by: a margin below by fails', 'event.properties.count', { threshold: 50, by: 11 }, false],
      ['0.8 does not exceed 0.7 by more than 0.1 (0.8 - 0.7 = 0.10000000000000009 in floating point)', 'event.properties.ratio', { threshold: 0.7, by: 0.1 }, false],
      ['0.8 exceeds 0.69 by more than 0.1', 'event.properties.ratio', { threshold: 0.69, by: 0.1 }, true],
      ['the string "60" never passes', 'event.properties.countText', { threshold: 0 }, false],
      ['a missing field fails', 'event.properties.absent', { threshold: -100 }, false],
      ['a negative by never passes (schema bypassed)', 'event.properties.count', { threshold: 60, by: -1 }, false],
      ['a bare number never passes (schema bypassed)', 'event.properties.count', 10, false],
    ])('%s', (_, field, value, expected) => {
      expect(passes(field, 'threshold_exceeded', value)).toBe(expected);
    });

    it('reproduces the floating-point premise: a naive actual - threshold > by would pass', () => {
      expect(0.8 - 0.7 > 0.1).toBe(true);
      expect(passes('event.properties.ratio', 'threshold_exceeded', { threshold: 0.7, by: 0.1 })).toBe(false);
    });

    it('an infinite actual value never passes', () => {
      const infinite: ConditionScope = { event: {}, profile: {}, calculated: () => Infinity };
      expect(passes('calculated.lifetime_value', 'threshold_exceeded', { threshold: 0 }, infinite)).toBe(false);
    });
  });

  describe('pattern_match', () => {
    it.each<Case>([
      ['a matching string passes', 'event.properties.sku', '^[A-Z]{2}-\\d{4}$', true],
      ['a non-matching string fails', 'event.properties.coupon', '^[A-Z]{2}-\\d{4}$', false],
      ['is case-sensitive (no i flag)', 'event.properties.sku', '^ab-', false],
      ['is unanchored unless anchored', 'event.properties.coupon', 'COME', true],
      ['a number never matches, even when its text would', 'event.properties.count', '^60$', false],
      ['null never matches', 'event.properties.nothing', 'null', false],
      ['a missing field fails', 'event.properties.absent', '.*', false],
      ['a non-string pattern never matches (schema bypassed)', 'event.properties.count', 60, false],
    ])('%s', (_, field, value, expected) => {
      expect(passes(field, 'pattern_match', value)).toBe(expected);
    });
  });
});

describe('field namespaces', () => {
  it('reads event envelope fields', () => {
    expect(evaluateCondition({ field: 'event.type', op: 'equals', value: 'purchase' }, world)).toMatchObject({ actual: 'purchase', passed: true });
    expect(evaluateCondition({ field: 'event.device', op: 'in', value: ['mobile', 'tablet'] }, world)).toMatchObject({ actual: 'mobile', passed: true });
  });

  it('reads event properties', () => {
    expect(evaluateCondition({ field: 'event.properties.count', op: 'at_least', value: 60 }, world)).toMatchObject({ actual: 60, passed: true });
    expect(evaluateCondition({ field: 'event.count', op: 'exists', value: false }, world)).toMatchObject({ actual: undefined, passed: true });
  });

  it('reads nested profile paths', () => {
    expect(evaluateCondition({ field: 'profile.commerce.revenue', op: 'greater_than', value: 1000 }, world)).toMatchObject({ actual: 1200, passed: true });
    expect(readPath(world, 'profile.commerce')).toEqual({ revenue: 1200, orders: 3 });
    expect(readPath(world, 'profile.commerce.revenue.cents')).toBeUndefined();
  });

  it('reads segment membership as profile.segments.<id> with exists', () => {
    expect(evaluateCondition({ field: 'profile.segments.vip', op: 'exists', value: true }, world)).toMatchObject({ actual: 1_700_000_000, passed: true });
    expect(passes('profile.segments.lapsed', 'exists', true)).toBe(false);
    expect(passes('profile.segments.lapsed', 'exists', false)).toBe(true);
    expect(passes('profile.segments.vip', 'exists', false)).toBe(false);
  });

  it('reads calculated.<metric> through the scope’s calculated function, with the metric name only', () => {
    const asked: string[] = [];
    const tracked: ConditionScope = {
      ...world,
      calculated: (metric) => {
        asked.push(metric);
        return metrics.get(metric);
      },
    };
    expect(evaluateCondition({ field: 'calculated.days_since_last_purchase', op: 'less_than', value: 30 }, tracked)).toMatchObject({ actual: 12.5, passed: true });
    expect(evaluateCondition({ field: 'calculated.engagement_level', op: 'equals', value: 'high' }, tracked).passed).toBe(true);
    expect(asked).toEqual(['days_since_last_purchase', 'engagement_level']);
  });

  it('treats a null calculated metric as absent', () => {
    expect(evaluateCondition({ field: 'calculated.days_since_last_open', op: 'exists', value: false }, world)).toMatchObject({ actual: null, passed: true });
    expect(passes('calculated.days_since_last_open', 'greater_than', -1)).toBe(false);
  });

  it('reads every calculated field as undefined without a provider', () => {
    const noProvider: ConditionScope = { event: world.event, profile: world.profile };
    expect(readPath(noProvider, 'calculated.days_since_last_purchase')).toBeUndefined();
    expect(evaluateCondition({ field: 'calculated.days_since_last_purchase', op: 'exists', value: true }, noProvider)).toMatchObject({
      actual: undefined,
      passed: false,
    });
    expect(passes('calculated.days_since_last_purchase', 'exists', false, noProvider)).toBe(true);
  });

  it('does not ask the provider for a dotted calculated path', () => {
    let calls = 0;
    const counting: ConditionScope = { ...world, calculated: () => (calls++, 1) };
    expect(readPath(counting, 'calculated.a.b')).toBeUndefined();
    expect(readPath(counting, 'calculated.a')).toBe(1);
    expect(calls).toBe(1);
  });

  it('reads nothing outside the three namespaces', () => {
    expect(readPath(world, 'customer.email')).toBeUndefined();
    expect(readPath(world, 'email')).toBeUndefined();
  });

  describe('readPath', () => {
    it('reads own properties only', () => {
      expect(readPath(scope, 'event.properties.cartValue')).toBe(75.99);
      expect(readPath(scope, 'event.properties.toString')).toBeUndefined();
      expect(readPath(scope, 'event.properties.tags.length')).toBeUndefined();
    });

    it.each(['event.constructor', 'event.toString', 'event.hasOwnProperty', 'profile.__proto__', 'profile.constructor', 'profile.__proto__.constructor', 'profile.segments.constructor'])(
      'does not walk the prototype: %s is undefined',
      (path) => {
        expect(readPath(world, path)).toBeUndefined();
      },
    );

    it('a prototype property never satisfies exists', () => {
      expect(passes('event.constructor', 'exists', true)).toBe(false);
      expect(passes('profile.__proto__', 'exists', true)).toBe(false);
      expect(passes('profile.segments.toString', 'exists', false)).toBe(true);
    });

    it('does not walk into arrays or primitives', () => {
      expect(readPath(world, 'event.properties.tags')).toEqual(['gift', 'sale']);
      expect(readPath(world, 'event.properties.tags.0')).toBeUndefined();
      expect(readPath(world, 'event.properties.tags.length')).toBeUndefined();
      expect(readPath(world, 'event.type.length')).toBeUndefined();
      expect(readPath(world, 'event.properties.nothing.x')).toBeUndefined();
    });

    it('reads objects without a prototype', () => {
      const bare = Object.assign(Object.create(null) as Record<string, unknown>, { plan: 'pro' });
      expect(readPath({ event: { properties: bare }, profile: {} }, 'event.properties.plan')).toBe('pro');
    });

    it('reads from an event or profile that is not an object as undefined', () => {
      expect(readPath({ event: 'purchase', profile: null }, 'event.type')).toBeUndefined();
      expect(readPath({ event: 'purchase', profile: null }, 'profile.email')).toBeUndefined();
    });
  });

  describe('calculatedMetricOf', () => {
    it('names the metric of a calculated field only', () => {
      expect(calculatedMetricOf('calculated.lifetime_value')).toBe('lifetime_value');
      expect(calculatedMetricOf('profile.calculated')).toBeUndefined();
      expect(calculatedMetricOf('event.properties.lifetime_value')).toBeUndefined();
    });
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

  function issuesOf(condition: unknown): Array<{ path: PropertyKey[]; message: string }> {
    const parsed = Condition.safeParse(condition);
    expect(parsed.success).toBe(false);
    return (parsed.error?.issues ?? []).map((issue) => ({ path: issue.path, message: issue.message }));
  }

  it.each([
    { field: 'event.type', op: 'equals', value: 'purchase' },
    { field: 'event.type', op: 'equals', value: null },
    { field: 'event.type', op: 'not_equals', value: 'purchase' },
    { field: 'event.properties.cartValue', op: 'greater_than', value: 0 },
    { field: 'event.properties.cartValue', op: 'less_than', value: -1.5 },
    { field: 'event.properties.cartValue', op: 'at_least', value: 10 },
    { field: 'event.properties.cartValue', op: 'at_most', value: 10 },
    { field: 'event.properties.tags', op: 'contains', value: 'gift' },
    { field: 'event.device', op: 'in', value: [] },
    { field: 'profile.segments.vip', op: 'exists', value: false },
    { field: 'profile.commerce.revenue', op: 'in_range', value: { min: 5, max: 5 } },
    { field: 'calculated.open_rate_30d', op: 'threshold_exceeded', value: { threshold: 0.7 } },
    { field: 'calculated.open_rate_30d', op: 'threshold_exceeded', value: { threshold: 0.7, by: 0 } },
    { field: 'event.properties.sku', op: 'pattern_match', value: '^[A-Z]{2}-\\d{4}$' },
  ])('accepts $op on $field with $value', (condition) => {
    expect(Condition.safeParse(condition).success).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['greater_than with a string', { field: 'event.x', op: 'greater_than', value: '60' }, 'operator greater_than needs a finite number'],
    ['less_than with Infinity', { field: 'event.x', op: 'less_than', value: Infinity }, 'operator less_than needs a finite number'],
    ['at_least with NaN', { field: 'event.x', op: 'at_least', value: Number.NaN }, 'operator at_least needs a finite number'],
    ['at_most without a value', { field: 'event.x', op: 'at_most' }, 'operator at_most needs a finite number'],
    ['in with a string', { field: 'event.x', op: 'in', value: 'a,b' }, 'operator in needs an array'],
    ['exists with a string', { field: 'event.x', op: 'exists', value: 'true' }, 'operator exists needs true or false'],
    ['exists without a value', { field: 'event.x', op: 'exists' }, 'operator exists needs true or false'],
    ['equals without a value', { field: 'event.x', op: 'equals' }, 'operator equals needs a value'],
    ['not_equals without a value', { field: 'event.x', op: 'not_equals' }, 'operator not_equals needs a value'],
    ['contains without a value', { field: 'event.x', op: 'contains' }, 'operator contains needs a value'],
    ['in_range with min above max', { field: 'event.x', op: 'in_range', value: { min: 10, max: 5 } }, 'operator in_range needs { min, max }: two finite numbers, min <= max'],
    ['in_range without max', { field: 'event.x', op: 'in_range', value: { min: 10 } }, 'operator in_range needs { min, max }: two finite numbers, min <= max'],
    ['in_range with a string bound', { field: 'event.x', op: 'in_range', value: { min: '1', max: 5 } }, 'operator in_range needs { min, max }: two finite numbers, min <= max'],
    ['in_range with an extra key', { field: 'event.x', op: 'in_range', value: { min: 1, max: 5, step: 1 } }, 'operator in_range needs { min, max }: two finite numbers, min <= max'],
    ['in_range with a bare number', { field: 'event.x', op: 'in_range', value: 5 }, 'operator in_range needs { min, max }: two finite numbers, min <= max'],
    ['threshold_exceeded with a negative by', { field: 'event.x', op: 'threshold_exceeded', value: { threshold: 5, by: -1 } }, 'operator threshold_exceeded needs { threshold, by? }: finite numbers, by >= 0'],
    ['threshold_exceeded without threshold', { field: 'event.x', op: 'threshold_exceeded', value: { by: 1 } }, 'operator threshold_exceeded needs { threshold, by? }: finite numbers, by >= 0'],
    ['threshold_exceeded with an infinite threshold', { field: 'event.x', op: 'threshold_exceeded', value: { threshold: Infinity } }, 'operator threshold_exceeded needs { threshold, by? }: finite numbers, by >= 0'],
    ['threshold_exceeded with a bare number', { field: 'event.x', op: 'threshold_exceeded', value: 5 }, 'operator threshold_exceeded needs { threshold, by? }: finite numbers, by >= 0'],
    ['pattern_match with a number', { field: 'event.x', op: 'pattern_match', value: 5 }, 'operator pattern_match needs a regular expression source string'],
    ['pattern_match with an empty pattern', { field: 'event.x', op: 'pattern_match', value: '' }, 'pattern_match needs a non-empty pattern'],
  ])('refuses %s with a clear message on value', (_, condition, message) => {
    expect(issuesOf(condition)).toEqual([{ path: ['value'], message }]);
  });

  it('refuses a dangerous pattern_match with the guard’s reason on value', () => {
    const issues = issuesOf({ field: 'event.x', op: 'pattern_match', value: '(a+)+' });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toEqual(['value']);
    expect(issues[0]?.message).toMatch(/^pattern_match refuses \/\(a\+\)\+\/: nested quantifiers/);
  });

  const FIELD_MESSAGE = 'must be event.<path>, profile.<path> or calculated.<metric>';
  it.each(['customer.email', 'calculated.a.b', 'calculated', 'event', 'profile.', 'event..type', 'event.properties.cart-value', 'profile.segments.1vip', 'Event.type', ' event.type', 'event.type '])(
    'refuses the field %j with a clear message',
    (field) => {
      expect(issuesOf({ field, op: 'exists', value: true })).toEqual([{ path: ['field'], message: FIELD_MESSAGE }]);
    },
  );

  it.each(['event.type', 'event.properties.cart_value', 'profile.commerce.revenue', 'profile.segments.vip_2024', 'calculated.days_since_last_purchase', 'calculated._x'])(
    'accepts the field %j',
    (field) => {
      expect(Condition.safeParse({ field, op: 'exists', value: true }).success).toBe(true);
    },
  );

  it('refuses unknown keys', () => {
    expect(Condition.safeParse({ field: 'event.type', op: 'equals', value: 'x', negate: true }).success).toBe(false);
  });

  describe('ConditionGroup', () => {
    it('accepts nested all/any groups', () => {
      const group = {
        all: [{ field: 'event.type', op: 'equals', value: 'purchase' }, { any: [{ field: 'profile.segments.vip', op: 'exists', value: true }] }],
      };
      expect(ConditionGroup.parse(group)).toEqual(group);
    });

    it.each([
      ['an empty all', { all: [] }],
      ['an empty any', { any: [] }],
      ['both all and any in one group', { all: [{ field: 'event.type', op: 'exists', value: true }], any: [{ field: 'event.type', op: 'exists', value: true }] }],
      ['an invalid nested condition', { any: [{ all: [{ field: 'event.x', op: 'in_range', value: { min: 2, max: 1 } }] }] }],
      ['a bare condition', { field: 'event.type', op: 'exists', value: true }],
    ])('refuses %s', (_, group) => {
      expect(ConditionGroup.safeParse(group).success).toBe(false);
    });
  });
});

describe('pattern_match guard', () => {
  it('has the documented limits', () => {
    expect([MAX_PATTERN_LENGTH, MAX_PATTERN_INPUT_LENGTH, MAX_PATTERN_WAYS]).toEqual([200, 1_000, 10_000]);
  });

  it.each([
    '^[A-Z]{2}-\\d{4}$',
    'gmail\\.com$',
    '.*@example\\.com',
    '[Gg]mail',
    '^(?:gold|silver)$',
    '(?:ab)+',
    '(?<year>\\d{4})-(?<month>\\d{2})',
    '(?<=\\$)\\d+',
    '(?!test)\\w+@',
    '[(+)|]+x',
    '[\\]]+',
    '\\u{1F600}+',
    '\\p{L}+',
    '\\x41\\u0042\\cC+',
    '.*\\d{1,9}x',
    'a{1,100}b{1,100}',
  ])('accepts %s', (source) => {
    expect(patternProblem(source)).toBeUndefined();
    expect(Condition.safeParse({ field: 'event.x', op: 'pattern_match', value: source }).success).toBe(true);
  });

  it('runs accepted patterns as written', () => {
    const on = (value: string): ConditionScope => ({ event: { value }, profile: {} });
    expect(passes('event.value', 'pattern_match', '^[A-Z]{2}-\\d{4}$', on('AB-1234'))).toBe(true);
    expect(passes('event.value', 'pattern_match', '^[A-Z]{2}-\\d{4}$', on('AB-12345'))).toBe(false);
    expect(passes('event.value', 'pattern_match', 'gmail\\.com$', on('jo@gmail.com'))).toBe(true);
    expect(passes('event.value', 'pattern_match', 'gmail\\.com$', on('jo@gmailxcom'))).toBe(false);
    expect(passes('event.value', 'pattern_match', '.*@example\\.com', on('jo@example.com'))).toBe(true);
    expect(passes('event.value', 'pattern_match', '.*@example\\.com', on('jo@example.org'))).toBe(false);
  });

  it.each<[string, string, RegExp]>([
    ['nested quantifiers', '(a+)+', /^pattern_match refuses \/\(a\+\)\+\/: nested quantifiers in "\(a\+\)\+"/],
    ['nested quantifiers (star of star)', '(a*)*', /nested quantifiers in "\(a\*\)\*"/],
    ['nested quantifiers (optional inner)', '(\\w+\\s?)*', /nested quantifiers in "\(\\w\+\\s\?\)\*"/],
    ['nested quantifiers (exact outer repeat)', '(a+){2}', /nested quantifiers/],
    ['nested quantifiers (a bounded range inside a repeated group)', '^x(?:y\\d{1,3})+$', /nested quantifiers/],
    ['repeated alternation', '(a|ab)*', /^pattern_match refuses \/\(a\|ab\)\*\/: "\(a\|ab\)\*" repeats a group with alternatives/],
    ['repeated alternation (plus)', '(a|a)+', /repeats a group with alternatives/],
    ['numbered backreference', '(a)\\1', /^pattern_match refuses \/\(a\)\\1\/: backreferences/],
    ['named backreference', '(?<x>a)\\k<x>', /backreferences/],
    ['invalid syntax (unterminated group)', '(abc', /^pattern_match: \/\(abc\/ is not a valid regular expression \(/],
    ['invalid syntax (reversed range)', 'a{2,1}', /is not a valid regular expression/],
    ['invalid syntax under flag u (unknown escape)', '\\q', /is not a valid regular expression/],
    ['too many ways (three unbounded quantifiers)', '.*.*.*x', /^pattern_match refuses \/\.\*\.\*\.\*x\/: it has 1,003,003,001 ways to match at each position/],
    ['too many ways (two unbounded quantifiers)', '.*.*x', /it has 1,002,001 ways to match.*at most 10,000 allowed/],
    ['too many ways (huge)', '.*.*.*.*.*x', /it has more than 10\^12 ways/],
    ['too many ways (just over the limit)', 'a{1,100}b{1,101}', /it has 10,100 ways/],
    ['too many ways (one unbounded plus a range of 10)', '.*\\d{1,10}x', /it has 10,010 ways/],
  ])('refuses %s: %s', (_, source, reason) => {
    expect(patternProblem(source)).toMatch(reason);
    const parsed = Condition.safeParse({ field: 'event.x', op: 'pattern_match', value: source });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(reason);
  });

  it('refuses patterns longer than MAX_PATTERN_LENGTH, and accepts one of exactly that length', () => {
    expect(patternProblem('a'.repeat(MAX_PATTERN_LENGTH))).toBeUndefined();
    expect(patternProblem('a'.repeat(MAX_PATTERN_LENGTH + 1))).toBe(
      `pattern_match patterns are at most ${MAX_PATTERN_LENGTH} characters (this one has ${MAX_PATTERN_LENGTH + 1})`,
    );
  });

  it('never matches an input longer than MAX_PATTERN_INPUT_LENGTH', () => {
    const on = (value: string): ConditionScope => ({ event: { value }, profile: {} });
    expect(passes('event.value', 'pattern_match', '^a+$', on('a'.repeat(MAX_PATTERN_INPUT_LENGTH)))).toBe(true);
    expect(passes('event.value', 'pattern_match', '^a+$', on('a'.repeat(MAX_PATTERN_INPUT_LENGTH + 1)))).toBe(false);
    expect(passes('event.value', 'pattern_match', 'a', on('a'.repeat(MAX_PATTERN_INPUT_LENGTH + 1)))).toBe(false);
  });

  it.each<[string, string]>([
    ['(a+)+', 'aaaa'],
    ['(a|ab)*c', 'abc'],
    ['(a)\\1', 'aa'],
    ['.*.*.*x', 'x'],
    ['a'.repeat(MAX_PATTERN_LENGTH + 1), 'a'.repeat(MAX_PATTERN_LENGTH + 1)],
  ])('never matches with a refused pattern passed directly to evaluateCondition: %s', (source, input) => {
    // The plain regular expression matches, so only the guard can make the condition fail.
    expect(new RegExp(source, 'u').test(input)).toBe(true);
    const on: ConditionScope = { event: { value: input }, profile: {} };
    const condition = { field: 'event.value', op: 'pattern_match', value: source } as const;
    expect(evaluateCondition(condition, on).passed).toBe(false);
    expect(evaluateCondition(condition, on).passed).toBe(false); // and again, from the compiled-pattern cache
  });

  it('never matches with a syntactically invalid pattern passed directly (no throw)', () => {
    expect(passes('event.type', 'pattern_match', '(purchase')).toBe(false);
  });

  it('runs an accepted pattern with one unbounded quantifier against a 1,000-character adversarial input', () => {
    const source = '\\w+\\d{1,9}x';
    expect(patternProblem(source)).toBeUndefined();
    const digits = '1'.repeat(MAX_PATTERN_INPUT_LENGTH);
    expect(passes('event.value', 'pattern_match', source, { event: { value: digits }, profile: {} })).toBe(false);
    const almost = `${'1'.repeat(MAX_PATTERN_INPUT_LENGTH - 1)}x`;
    expect(passes('event.value', 'pattern_match', source, { event: { value: almost }, profile: {} })).toBe(true);
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

  it('all passes when every condition passes', () => {
    const { passed, results } = evaluateConditionGroup(
      { all: [{ field: 'event.type', op: 'equals', value: 'purchase' }, { field: 'event.properties.count', op: 'at_least', value: 60 }] },
      world,
    );
    expect(passed).toBe(true);
    expect(results.map((r) => r.passed)).toEqual([true, true]);
  });

  it('all does not short-circuit: conditions after a failure are still evaluated and reported', () => {
    const asked: string[] = [];
    const tracked: ConditionScope = { ...world, calculated: (metric) => (asked.push(metric), metrics.get(metric)) };
    const { passed, results } = evaluateConditionGroup(
      {
        all: [
          { field: 'event.type', op: 'equals', value: 'signup' },
          { field: 'calculated.open_rate_30d', op: 'at_least', value: 0.5 },
          { field: 'calculated.engagement_level', op: 'equals', value: 'low' },
        ],
      },
      tracked,
    );
    expect(passed).toBe(false);
    expect(results.map((r) => [r.field, r.passed])).toEqual([
      ['event.type', false],
      ['calculated.open_rate_30d', true],
      ['calculated.engagement_level', false],
    ]);
    expect(asked).toEqual(['open_rate_30d', 'engagement_level']);
  });

  it('any does not short-circuit either: conditions after a pass are still evaluated and reported', () => {
    const { passed, results } = evaluateConditionGroup(
      {
        any: [
          { field: 'event.type', op: 'equals', value: 'purchase' },
          { field: 'event.device', op: 'equals', value: 'desktop' },
          { field: 'profile.segments.vip', op: 'exists', value: true },
        ],
      },
      world,
    );
    expect(passed).toBe(true);
    expect(results.map((r) => r.passed)).toEqual([true, false, true]);
  });

  it('any fails when no condition passes', () => {
    const { passed, results } = evaluateConditionGroup(
      { any: [{ field: 'event.type', op: 'equals', value: 'signup' }, { field: 'event.properties.absent', op: 'exists', value: true }] },
      world,
    );
    expect(passed).toBe(false);
    expect(results.map((r) => r.passed)).toEqual([false, false]);
  });

  it('nested groups combine, and results list every leaf depth-first in order', () => {
    const group: ConditionGroup = {
      all: [
        { field: 'event.type', op: 'equals', value: 'purchase' },
        {
          any: [
            { field: 'profile.commerce.revenue', op: 'greater_than', value: 5000 },
            { all: [{ field: 'profile.segments.vip', op: 'exists', value: true }, { field: 'calculated.days_since_last_purchase', op: 'less_than', value: 30 }] },
          ],
        },
      ],
    };
    const { passed, results } = evaluateConditionGroup(group, world);
    expect(passed).toBe(true);
    expect(results.map((r) => [r.field, r.passed])).toEqual([
      ['event.type', true],
      ['profile.commerce.revenue', false],
      ['profile.segments.vip', true],
      ['calculated.days_since_last_purchase', true],
    ]);

    // Fails when the inner all fails, even though the outer first condition passes.
    const { passed: withoutVip } = evaluateConditionGroup(group, { ...world, profile: { commerce: { revenue: 1200 }, segments: {} } });
    expect(withoutVip).toBe(false);
  });

  it('an any nested in an all fails the all when none of its conditions pass', () => {
    const { passed } = evaluateConditionGroup(
      {
        all: [
          { field: 'event.type', op: 'equals', value: 'purchase' },
          { any: [{ field: 'event.device', op: 'equals', value: 'desktop' }, { field: 'event.device', op: 'equals', value: 'tablet' }] },
        ],
      },
      world,
    );
    expect(passed).toBe(false);
  });

  it('explanation results carry field, operator, expected and actual values', () => {
    const { results } = evaluateConditionGroup(
      {
        all: [
          { field: 'event.properties.ratio', op: 'threshold_exceeded', value: { threshold: 0.7, by: 0.1 } },
          { any: [{ field: 'profile.email', op: 'pattern_match', value: '@example\\.com$' }, { field: 'calculated.days_since_last_open', op: 'exists', value: true }] },
          { field: 'event.properties.absent', op: 'in', value: ['a'] },
        ],
      },
      world,
    );
    expect(results).toEqual([
      { field: 'event.properties.ratio', op: 'threshold_exceeded', expected: { threshold: 0.7, by: 0.1 }, actual: 0.8, passed: false },
      { field: 'profile.email', op: 'pattern_match', expected: '@example\\.com$', actual: '[personal]', passed: true }, // personal: the record keeps a marker
      { field: 'calculated.days_since_last_open', op: 'exists', expected: true, actual: null, passed: false },
      { field: 'event.properties.absent', op: 'in', expected: ['a'], actual: undefined, passed: false },
    ]);
  });

  it('results contain only leaf conditions', () => {
    const { results } = evaluateConditionGroup({ any: [{ all: [{ any: [{ field: 'event.type', op: 'exists', value: true }] }] }] }, world);
    expect(results).toEqual([{ field: 'event.type', op: 'exists', expected: true, actual: 'purchase', passed: true }]);
  });
});

describe('conditionsOf', () => {
  it('lists every leaf with its path inside the tree', () => {
    const a = { field: 'event.type', op: 'equals', value: 'purchase' } as const;
    const b = { field: 'profile.segments.vip', op: 'exists', value: true } as const;
    const c = { field: 'calculated.open_rate_30d', op: 'at_least', value: 0.5 } as const;
    expect(conditionsOf({ all: [a, { any: [b, c] }] })).toEqual([
      { condition: a, path: ['all', 0] },
      { condition: b, path: ['all', 1, 'any', 0] },
      { condition: c, path: ['all', 1, 'any', 1] },
    ]);
  });

  it('prefixes a given path, and a bare condition is its own only leaf', () => {
    const a = { field: 'event.type', op: 'equals', value: 'purchase' } as const;
    expect(conditionsOf({ any: [a] }, ['rules', 3, 'when'])).toEqual([{ condition: a, path: ['rules', 3, 'when', 'any', 0] }]);
    expect(conditionsOf(a)).toEqual([{ condition: a, path: [] }]);
  });
});

describe('fixes for review findings', () => {
  it('threshold_exceeded sees a one-second margin on epoch-second values', () => {
    const scope = { event: {}, profile: { segments: { vip: 1_700_000_001 } } };
    expect(evaluateCondition({ field: 'profile.segments.vip', op: 'threshold_exceeded', value: { threshold: 1_700_000_000 } }, scope).passed).toBe(true);
    expect(evaluateCondition({ field: 'profile.segments.vip', op: 'threshold_exceeded', value: { threshold: 1_700_000_001 } }, scope).passed).toBe(false);
  });

  it('refuses object and array values for equals, not_equals, contains, and non-scalar members of in', () => {
    for (const op of ['equals', 'not_equals', 'contains'] as const) {
      const parsed = Condition.safeParse({ field: 'event.properties.tags', op, value: ['gift', 'sale'] });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/compares a string, number, boolean or null; got an array/);
    }
    expect(Condition.safeParse({ field: 'event.properties.tags', op: 'in', value: [{ a: 1 }] }).error?.issues[0]?.message).toBe(
      'operator in needs an array of strings, numbers, booleans or null',
    );
    expect(Condition.safeParse({ field: 'event.properties.tag', op: 'in', value: ['gift', 3, null, true] }).success).toBe(true);
  });
});
