import { type FieldError, describeValue, fieldPath } from './errors.ts';
import { isWellFormedUnicode, WELL_FORMED_MESSAGE } from './primitives.ts';
import { MAX_ARRAY_LENGTH, MAX_NESTING_DEPTH, MAX_OBJECT_KEYS, MAX_STRING_LENGTH } from './limits.ts';

/**
 * Size guards applied to `properties` of every event, catalog or custom, before the type's schema:
 * strings of at most MAX_STRING_LENGTH characters, objects/arrays nested at most MAX_NESTING_DEPTH
 * levels (`properties` itself is level 1), at most MAX_OBJECT_KEYS keys per object and
 * MAX_ARRAY_LENGTH elements per array, only JSON values, and only well-formed Unicode in strings and keys. Each violation names its field.
 *
 * The walk never descends below the depth limit, so it terminates on any input (even cyclic).
 */
export function checkPropertyGuards(properties: unknown, base = 'detail.properties'): FieldError[] {
  const errors: FieldError[] = [];
  walk(properties, [], 1, base, errors);
  return errors;
}

function walk(value: unknown, path: string[], depth: number, base: string, errors: FieldError[]): void {
  const field = (): string => fieldPath(base, path);
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_LENGTH) {
      errors.push({ field: field(), message: `must have at most ${MAX_STRING_LENGTH} characters (got ${value.length})` });
    } else if (!isWellFormedUnicode(value)) {
      errors.push({ field: field(), message: WELL_FORMED_MESSAGE });
    }
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) errors.push({ field: field(), message: `must be a finite number, got ${value}` });
    return;
  }
  if (value === null || typeof value === 'boolean') return;
  if (typeof value !== 'object') {
    errors.push({ field: field(), message: `is not a JSON value (got ${describeValue(value)})` });
    return;
  }
  if (depth > MAX_NESTING_DEPTH) {
    errors.push({
      field: field(),
      message: `is nested too deeply: objects and arrays may nest at most ${MAX_NESTING_DEPTH} levels (properties is level 1)`,
    });
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_ARRAY_LENGTH) {
      errors.push({ field: field(), message: `must have at most ${MAX_ARRAY_LENGTH} items (got ${value.length})` });
      return;
    }
    value.forEach((element: unknown, index) => walk(element, [...path, String(index)], depth + 1, base, errors));
    return;
  }
  const keys = Object.keys(value);
  if (keys.length > MAX_OBJECT_KEYS) {
    errors.push({ field: field(), message: `must have at most ${MAX_OBJECT_KEYS} keys (got ${keys.length})` });
    return;
  }
  for (const key of keys) {
    if (!isWellFormedUnicode(key)) errors.push({ field: fieldPath(base, path), message: `has a key that is not ${WELL_FORMED_MESSAGE.replace('must be ', '')}` });
    walk((value as Record<string, unknown>)[key], [...path, key], depth + 1, base, errors);
  }
}
