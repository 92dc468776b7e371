import { PERSONAL_ENVELOPE_FIELDS, isPersonal, isPersonalProperty } from '../contract/personal-fields.ts';
import { Profile } from './profile.ts';

/** What decision and send records keep instead of a personal value (the logs use the same marker). */
export const PERSONAL_MARKER = '[personal]';

/** The profile fields the Profile schema marks personal (`personal()`): the address and names. */
export const PERSONAL_PROFILE_FIELDS: ReadonlySet<string> = new Set(Object.entries(Profile.shape).filter(([, schema]) => isPersonal(schema)).map(([name]) => name));

/**
 * Whether a condition's field path (conditions.ts) reads personal data: `event.<envelope field>`
 * the contract marks personal, any `event.properties` path through a personal property (marked by
 * the contract, or named like one: custom events), or `profile.<field>` the Profile schema marks.
 */
export function isPersonalPath(path: string): boolean {
  const [scope, first, ...rest] = path.split('.');
  if (first === undefined) return false;
  if (scope === 'profile') return PERSONAL_PROFILE_FIELDS.has(first);
  if (scope !== 'event') return false;
  if (first === 'properties') return rest.some(isPersonalProperty);
  return PERSONAL_ENVELOPE_FIELDS.has(first);
}

/**
 * A trigger's properties without the personal ones (at any depth), for what outlives the event:
 * sequence run records and Step Functions execution input/history, which an erase cannot edit.
 * Dropped rather than marked, so a template's `{% if event.subject %}` reads "absent", not a marker.
 */
export function withoutPersonalProperties<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => withoutPersonalProperties(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !isPersonalProperty(key)).map(([key, field]) => [key, withoutPersonalProperties(field)])) as T;
}
