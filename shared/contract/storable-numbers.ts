/**
 * Free-form property values are kept, but as values every later write can store. Producers'
 * numbers are JavaScript doubles by the time ingest sees them (the Lambda runtime parsed the JSON),
 * and DynamoDB stores only magnitudes from 1e-130 to below 1e126; the typed fields have their own
 * bounds (limits.ts), so this is about everything else (`shopCartToken: 9007199254740993`):
 *
 * - an integer beyond ±(2^53 − 1) is kept as its decimal string (`"9007199254740992"`): it was
 *   already rounded when the JSON was parsed, so it is an identifier or a mistake, not a quantity,
 *   and as a string it can be written, passed on and shown (events/README.md: send such ids as strings);
 * - a magnitude below 1e-130 (denormals, `5e-324`) is 0;
 * - anything else, -0 included, is kept as it is. Non-finite numbers are rejected by the guards.
 */

/** DynamoDB's smallest non-zero magnitude. */
export const SMALLEST_STORABLE_MAGNITUDE = 1e-130;

export function storableNumber(value: number): number | string {
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return String(value);
  if (value !== 0 && Math.abs(value) < SMALLEST_STORABLE_MAGNITUDE) return 0;
  return value;
}

/** A copy of a JSON value with every number made storable (own keys only, `__proto__` included, as data). */
export function withStorableNumbers(value: unknown): unknown {
  if (typeof value === 'number') return storableNumber(value);
  if (Array.isArray(value)) return value.map(withStorableNumbers);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, withStorableNumbers(entry)]));
  }
  return value;
}
