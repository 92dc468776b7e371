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
