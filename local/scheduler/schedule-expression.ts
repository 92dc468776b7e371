/**
 * EventBridge schedule expressions (`rate(...)` and AWS's 6-field `cron(...)`), evaluated in UTC as
 * EventBridge rules do.
 *
 * Written here rather than taken from npm: no cron package is installed, and the common ones
 * (cron-parser, croner, node-cron) implement Unix/Quartz dialects whose fields, day-of-week numbering
 * (AWS: 1 = Sunday) and `?` rules differ from AWS's. The subset is small and fully unit-tested:
 * `*`, `?`, numbers, names (JAN-DEC, SUN-SAT), lists, ranges and steps (`0/15`, `*\/5`, `10-40/10`).
 * `L`, `W` and `#` are refused with a clear error rather than silently misread.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** EventBridge accepts cron years 1970-2199. */
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;

export class ScheduleExpressionError extends Error {
  override name = 'ScheduleExpressionError';
}

/** A parsed schedule: when it fires next, and how many times it would have fired over an interval. */
export interface Schedule {
  readonly expression: string;
  /** The first fire time strictly after `after`, or undefined if there is none (e.g. a past year, 30 February). */
  nextAfter(after: Date): Date | undefined;
  /**
   * How many fire times fall in [`from`, `to`] (both included), counting at most `cap` (so a clock
   * jump of years over `rate(1 minute)` stays cheap; the caller reports "at least cap").
   */
  countBetween(from: Date, to: Date, cap: number): number;
}

/**
 * Parses `rate(N unit)` or `cron(min hour day-of-month month day-of-week year)`.
 * A rate has no calendar position, so it counts from `anchor` (EventBridge: from when the rule is
 * created; locally: when the scheduler starts): fires at anchor + N, anchor + 2N, ...
 */
export function parseScheduleExpression(expression: string, anchor: Date): Schedule {
  const trimmed = expression.trim();
  if (trimmed.startsWith('rate(')) return parseRate(trimmed, anchor);
  if (trimmed.startsWith('cron(')) return parseCron(trimmed);
  throw new ScheduleExpressionError(`"${expression}" is not a schedule expression: use rate(...) or cron(...)`);
}

// ---------------------------------------------------------------------------------------------- rate

const RATE_UNIT_MS: Record<string, number> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };

function parseRate(expression: string, anchor: Date): Schedule {
  const match = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(expression);
  if (!match) throw new ScheduleExpressionError(`"${expression}" is not a rate: use rate(N minute|minutes|hour|hours|day|days)`);
  const value = Number(match[1]);
  const unit = match[2]!;
  if (value < 1) throw new ScheduleExpressionError(`"${expression}": the rate must be a positive number`);
  // EventBridge's own rule: singular unit for 1, plural otherwise (rate(1 hours) and rate(5 hour) are invalid).
  const plural = unit.endsWith('s');
  if ((value === 1) === plural) {
    throw new ScheduleExpressionError(`"${expression}": EventBridge wants a singular unit for 1 and a plural one otherwise`);
  }
  const periodMs = value * RATE_UNIT_MS[plural ? unit.slice(0, -1) : unit]!;
  const start = anchor.getTime();
  /** Index of the last fire at or before `t` (0 = the anchor itself, which is not a fire). */
  const indexAtOrBefore = (t: number) => Math.floor((t - start) / periodMs);
  return {
    expression,
    nextAfter(after) {
      const index = Math.max(1, indexAtOrBefore(after.getTime()) + 1);
      return new Date(start + index * periodMs);
    },
    countBetween(from, to, cap) {
      if (to < from) return 0;
      const first = Math.max(1, Math.ceil((from.getTime() - start) / periodMs));
      const last = indexAtOrBefore(to.getTime());
      return Math.min(cap, Math.max(0, last - first + 1));
    },
  };
}

// ---------------------------------------------------------------------------------------------- cron

type FieldSpec = { name: string; min: number; max: number; names?: readonly string[]; allowsQuestionMark?: boolean };

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
/** AWS numbers days of the week 1-7 from Sunday. */
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const FIELDS: readonly FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, allowsQuestionMark: true },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day-of-week', min: 1, max: 7, names: DAY_NAMES, allowsQuestionMark: true },
  { name: 'year', min: MIN_YEAR, max: MAX_YEAR },
];

/** A field's allowed values, or `any` for `?` (the other day field decides). */
type FieldValues = Set<number> | 'any';

function parseCron(expression: string): Schedule {
  const match = /^cron\((.*)\)$/.exec(expression);
  const parts = match ? match[1]!.trim().split(/\s+/) : [];
  if (parts.length !== 6) {
    throw new ScheduleExpressionError(`"${expression}" needs 6 fields: cron(minutes hours day-of-month month day-of-week year)`);
  }
  const values = parts.map((part, index) => parseField(part, FIELDS[index]!, expression));
  const [minutes, hours, daysOfMonth, months, daysOfWeek, years] = values as [Set<number>, Set<number>, FieldValues, Set<number>, FieldValues, Set<number>];
  // EventBridge: exactly one of the two day fields is "?" ("you can't specify both").
  if ((daysOfMonth === 'any') === (daysOfWeek === 'any')) {
    throw new ScheduleExpressionError(`"${expression}": exactly one of day-of-month and day-of-week must be "?"`);
  }
  const sortedMinutesOfDay = [...hours].sort((a, b) => a - b).flatMap((hour) => [...minutes].sort((a, b) => a - b).map((minute) => hour * 60 + minute));
  const dayMatches = (date: Date): boolean =>
    daysOfMonth === 'any' ? (daysOfWeek as Set<number>).has(date.getUTCDay() + 1) : daysOfMonth.has(date.getUTCDate());

  const nextAfter = (after: Date): Date | undefined => {
    // Cron fires on whole minutes: the first candidate is the minute after `after`.
    const start = Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    const startDate = new Date(start);
    const startDay = Date.UTC(startDate.getUTCFullYear(), startDate.getUTCMonth(), startDate.getUTCDate());
    let day = startDay;
    for (;;) {
      const date = new Date(day);
      const year = date.getUTCFullYear();
      if (year > MAX_YEAR) return undefined;
      if (!years.has(year)) {
        day = Date.UTC(year + 1, 0, 1);
        continue;
      }
      const month = date.getUTCMonth() + 1;
      if (!months.has(month)) {
        day = Date.UTC(year, month, 1); // month is 1-based, so this is the 1st of the next month
        continue;
      }
      if (dayMatches(date)) {
        const fromMinuteOfDay = day === startDay ? (start - startDay) / MINUTE_MS : 0;
        const minuteOfDay = sortedMinutesOfDay.find((candidate) => candidate >= fromMinuteOfDay);
        if (minuteOfDay !== undefined) return new Date(day + minuteOfDay * MINUTE_MS);
      }
      day += DAY_MS;
    }
  };

  return {
    expression,
    nextAfter,
    countBetween(from, to, cap) {
      let count = 0;
      let fire: Date | undefined = new Date(from.getTime() - 1);
      while (count < cap && (fire = nextAfter(fire)) !== undefined && fire <= to) count++;
      return count;
    },
  };
}

function parseField(text: string, spec: FieldSpec, expression: string): FieldValues {
  const fail = (why: string): never => {
    throw new ScheduleExpressionError(`"${expression}": ${spec.name} field "${text}" ${why}`);
  };
  if (text === '?') return spec.allowsQuestionMark ? 'any' : fail('cannot be "?" (only day-of-month and day-of-week can)');
  if (/[LW#]/i.test(text.replace(/[A-Z]{3}/gi, (name) => (spec.names?.includes(name.toUpperCase()) ? '0' : name)))) {
    fail('uses L, W or #, which the local scheduler does not support');
  }
  const values = new Set<number>();
  for (const element of text.split(',')) {
    const [base, stepText, extra] = element.split('/');
    if (extra !== undefined || base === undefined || base === '') fail('is malformed');
    let step = 1;
    if (stepText !== undefined) {
      step = Number(stepText);
      if (!/^\d+$/.test(stepText) || step < 1) fail(`has an invalid step "${stepText}"`);
    }
    let from: number;
    let to: number;
    if (base === '*') {
      [from, to] = [spec.min, spec.max];
    } else if (base!.includes('-')) {
      const [low, high, more] = base!.split('-');
      if (more !== undefined) fail('has a malformed range');
      from = valueOf(low!, spec, fail);
      to = valueOf(high!, spec, fail);
      if (from > to) fail(`has a backwards range ${base}`);
    } else {
      from = valueOf(base!, spec, fail);
      // "5/15" means from 5 to the end in steps of 15; a plain "5" is just 5.
      to = stepText !== undefined ? spec.max : from;
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

function valueOf(text: string, spec: FieldSpec, fail: (why: string) => never): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + 1 : /^\d+$/.test(text) ? Number(text) : fail(`has an invalid value "${text}"`);
  if (value < spec.min || value > spec.max) fail(`has ${value}, outside ${spec.min}-${spec.max}`);
  return value;
}
