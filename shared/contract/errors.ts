import type * as z from 'zod';

/** One problem with an event: the dotted path of the field (`detail.properties.cartValue`) and why. */
export type FieldError = { field: string; message: string };

/** Joins a base (`detail`) and a zod path into `detail.properties.items.0.price`. */
export function fieldPath(base: string, path: readonly PropertyKey[]): string {
  return [base, ...path.map((segment) => String(segment))].filter((part) => part !== '').join('.');
}

/** What a JSON value is, in words: `string`, `number`, `null`, `array`, `object` ... */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value;
}

const EXPECTED_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  null: 'null',
};

function sizeUnit(origin: unknown, count: number): string {
  if (origin === 'string') return count === 1 ? 'character' : 'characters';
  if (origin === 'array' || origin === 'set') return count === 1 ? 'item' : 'items';
  if (origin === 'object' || origin === 'record') return count === 1 ? 'key' : 'keys';
  return '';
}

function bound(limit: unknown): number {
  return typeof limit === 'bigint' ? Number(limit) : Number(limit);
}

type RawIssue = z.core.$ZodRawIssue;

/**
 * Human message for a zod issue, used as the per-parse error map. Messages written into a schema
 * (`{ error: '...' }`) take precedence over this one.
 */
export function issueMessage(issue: RawIssue): string | undefined {
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return 'is required';
      const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
      if (issue.expected === 'int' && typeof input === 'number') return `expected a whole number, got ${input}`;
      return `expected ${expected}, got ${describeValue(input)}`;
    }
    case 'too_small': {
      const limit = bound(issue.minimum);
      const unit = sizeUnit(issue.origin, limit);
      if (issue.origin === 'string' && limit === 1) return 'must not be empty';
      if (unit) return `must have at least ${limit} ${unit}`;
      return issue.inclusive === false ? `must be greater than ${limit}` : `must be at least ${limit}`;
    }
    case 'too_big': {
      const limit = bound(issue.maximum);
      const unit = sizeUnit(issue.origin, limit);
      if (unit) {
        const actual =
          typeof input === 'string' || Array.isArray(input) ? ` (got ${input.length})` : '';
        return `must have at most ${limit} ${unit}${actual}`;
      }
      return issue.inclusive === false ? `must be less than ${limit}` : `must be at most ${limit}`;
    }
    case 'invalid_format':
      if (issue.format === 'email') return 'must be a valid email address';
      if (issue.format === 'datetime') return 'must be an ISO-8601 date-time with seconds and an offset or Z';
      if (issue.format === 'regex' && 'pattern' in issue) return `must match ${String(issue.pattern)}`;
      return `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_value': {
      const values = issue.values.map((value) => JSON.stringify(value) ?? String(value));
      return values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(', ')}`;
    }
    case 'unrecognized_keys':
      return 'unknown field';
    case 'invalid_key':
      return `has an invalid key ${JSON.stringify(input)}`;
    case 'invalid_union':
      return 'does not match any allowed form';
    case 'invalid_element':
      return 'has an invalid element';
    case 'custom':
      return issue.message ?? 'is invalid';
    default:
      return undefined;
  }
}

/**
 * Turns zod issues into FieldErrors under `base`. Unknown keys become one error per key; an
 * unknown key in the envelope points the producer at `properties`.
 */
export function issuesToFieldErrors(issues: readonly z.core.$ZodIssue[], base: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const atEnvelope = issue.path.length === 0;
      for (const key of issue.keys) {
        errors.push({
          field: fieldPath(base, [...issue.path, key]),
          message: atEnvelope ? 'unknown envelope field; put event attributes in properties' : 'unknown field',
        });
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      const reason = issue.issues[0]?.message ?? 'is invalid';
      const key = 'input' in issue ? JSON.stringify(issue.input) : undefined;
      errors.push({
        field: fieldPath(base, issue.path),
        message: key === undefined ? `has a key that ${reason}` : `key ${key} ${reason}`,
      });
      continue;
    }
    errors.push({ field: fieldPath(base, issue.path), message: issue.message });
  }
  return errors;
}
