import { describe, expect, it } from 'vitest';
import { parseScheduleExpression, ScheduleExpressionError } from '#local/scheduler/schedule-expression.ts';

const ANCHOR = new Date('2026-11-23T10:00:00Z'); // a Monday
const at = (iso: string) => new Date(iso);
const nextAfter = (expression: string, after: string) => parseScheduleExpression(expression, ANCHOR).nextAfter(at(after))?.toISOString();

describe('cron: the next fire time, in UTC', () => {
  it.each([
    // [expression, after, expected next]
    ['cron(0 3 * * ? *)', '2026-11-23T10:00:00Z', '2026-11-24T03:00:00.000Z'],
    ['cron(0 3 * * ? *)', '2026-11-24T02:59:59.999Z', '2026-11-24T03:00:00.000Z'],
    ['cron(0 3 * * ? *)', '2026-11-24T03:00:00.000Z', '2026-11-25T03:00:00.000Z'],
    ['cron(0 3 * * ? *)', '2026-11-30T04:00:00Z', '2026-12-01T03:00:00.000Z'],
    ['cron(0 3 * * ? *)', '2026-12-31T05:00:00Z', '2027-01-01T03:00:00.000Z'],
    ['cron(0/15 * * * ? *)', '2026-11-23T10:07:00Z', '2026-11-23T10:15:00.000Z'],
    ['cron(0/15 * * * ? *)', '2026-11-23T23:45:30Z', '2026-11-24T00:00:00.000Z'],
    ['cron(*/5 * * * ? *)', '2026-11-23T10:07:12Z', '2026-11-23T10:10:00.000Z'],
    ['cron(5/20 * * * ? *)', '2026-11-23T10:46:00Z', '2026-11-23T11:05:00.000Z'],
    ['cron(10-40/10 8,20 * * ? *)', '2026-11-23T08:40:00Z', '2026-11-23T20:10:00.000Z'],
    ['cron(0 9 ? * MON-FRI *)', '2026-11-27T10:00:00Z', '2026-11-30T09:00:00.000Z'],
    ['cron(0 12 ? * 1 *)', '2026-11-23T10:00:00Z', '2026-11-29T12:00:00.000Z'],
    ['cron(0 12 ? * SUN,SAT *)', '2026-11-23T10:00:00Z', '2026-11-28T12:00:00.000Z'],
    ['cron(0 0 31 * ? *)', '2026-11-01T00:00:00Z', '2026-12-31T00:00:00.000Z'],
    ['cron(0 0 29 2 ? *)', '2026-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['cron(15 6 1 JAN,jul ? *)', '2026-11-23T10:00:00Z', '2027-01-01T06:15:00.000Z'],
    ['cron(0 8 1 * ? 2028-2030)', '2026-11-23T10:00:00Z', '2028-01-01T08:00:00.000Z'],
  ])('%s after %s is %s', (expression, after, expected) => {
    expect(nextAfter(expression, after)).toBe(expected);
  });

  it('has no next fire when the years have passed or the date never exists', () => {
    expect(nextAfter('cron(0 0 1 1 ? 2020)', '2026-11-23T10:00:00Z')).toBeUndefined();
    expect(nextAfter('cron(0 0 30 2 ? *)', '2026-11-23T10:00:00Z')).toBeUndefined();
  });

  it('counts the fire times in an interval, both ends included', () => {
    const daily = parseScheduleExpression('cron(0 3 * * ? *)', ANCHOR);
    expect(daily.countBetween(at('2026-11-24T03:00:00Z'), at('2026-11-27T10:00:00Z'), 1000)).toBe(4);
    expect(daily.countBetween(at('2026-11-24T03:00:00Z'), at('2026-11-24T03:00:00Z'), 1000)).toBe(1);
    expect(daily.countBetween(at('2026-11-24T03:00:00Z'), at('2027-11-24T03:00:00Z'), 10)).toBe(10);
  });
});

describe('rate: every period from the anchor', () => {
  it.each([
    ['rate(5 minutes)', '2026-11-23T10:00:00Z', '2026-11-23T10:05:00.000Z'],
    ['rate(5 minutes)', '2026-11-23T10:12:00Z', '2026-11-23T10:15:00.000Z'],
    ['rate(5 minutes)', '2026-11-23T10:15:00Z', '2026-11-23T10:20:00.000Z'],
    ['rate(1 minute)', '2026-11-23T09:00:00Z', '2026-11-23T10:01:00.000Z'],
    ['rate(1 hour)', '2026-11-23T12:30:00Z', '2026-11-23T13:00:00.000Z'],
    ['rate(12 hours)', '2026-11-23T22:00:00Z', '2026-11-24T10:00:00.000Z'],
    ['rate(1 day)', '2026-11-30T23:00:00Z', '2026-12-01T10:00:00.000Z'],
    ['rate(2 days)', '2026-11-23T10:00:00Z', '2026-11-25T10:00:00.000Z'],
  ])('%s after %s is %s', (expression, after, expected) => {
    expect(nextAfter(expression, after)).toBe(expected);
  });

  it('counts the fire times in an interval without walking them', () => {
    const everyMinute = parseScheduleExpression('rate(1 minute)', ANCHOR);
    expect(everyMinute.countBetween(at('2026-11-23T10:01:00Z'), at('2026-11-23T10:10:30Z'), 1000)).toBe(10);
    expect(everyMinute.countBetween(at('2026-11-23T10:01:00Z'), at('2027-11-23T10:00:00Z'), 10_000)).toBe(10_000);
  });
});

describe('expressions EventBridge would refuse, or the local scheduler cannot run', () => {
  it.each([
    'cron(0 3 * * * *)', // both day fields given
    'cron(0 3 ? * ? *)', // neither
    'cron(0 3 * * ?)', // 5 fields
    'cron(60 3 * * ? *)',
    'cron(0 24 * * ? *)',
    'cron(0 3 0 * ? *)',
    'cron(0 3 * 13 ? *)',
    'cron(0 3 ? * 8 *)',
    'cron(0 3 * * ? 2200)',
    'cron(0 3 10-5 * ? *)',
    'cron(0/0 3 * * ? *)',
    'cron(? 3 * * ? *)',
    'cron(0 3 L * ? *)',
    'cron(0 3 15W * ? *)',
    'cron(0 3 ? * 6#3 *)',
    'cron(0 3 ? * 6L *)',
    'rate(5 hour)',
    'rate(1 hours)',
    'rate(0 minutes)',
    'rate(5 weeks)',
    'every day',
  ])('%s', (expression) => {
    expect(() => parseScheduleExpression(expression, ANCHOR)).toThrow(ScheduleExpressionError);
  });

  it('accepts month and day names that contain L or W (JUL, WED)', () => {
    expect(nextAfter('cron(0 0 ? JUL WED *)', '2026-11-23T10:00:00Z')).toBe('2027-07-07T00:00:00.000Z');
  });
});
