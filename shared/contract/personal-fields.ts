import type * as z from 'zod';
import { envelopeShape } from './envelope.ts';
import { CATALOG_EVENT_TYPES, catalogPropertySchemas } from './event-types.ts';

/** Whether the contract marked `schema` personal (primitives.ts `personal()`). */
export function isPersonal(schema: z.ZodType): boolean {
  return (schema.meta() as { personal?: unknown } | undefined)?.personal === true;
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  return shape ?? {};
}

/**
 * The field names the event contract marks personal, read from the schemas themselves (so a new
 * personal field is redacted from logs the day it is added): on the envelope, and per event type in
 * `properties`.
 */
export const PERSONAL_ENVELOPE_FIELDS: ReadonlySet<string> = new Set(Object.entries(envelopeShape).filter(([, schema]) => isPersonal(schema)).map(([name]) => name));

export const PERSONAL_PROPERTY_FIELDS: ReadonlySet<string> = new Set(
  CATALOG_EVENT_TYPES.flatMap((type) =>
    Object.entries(shapeOf(catalogPropertySchemas[type]))
      .filter(([, schema]) => isPersonal(schema))
      .map(([name]) => name),
  ),
);

/** Words of a property name that say it holds personal data (address, phone, names, birth, ids of a person). */
const PERSONAL_WORDS = new Set(['email', 'mail', 'phone', 'mobile', 'tel', 'telephone', 'address', 'street', 'postcode', 'zip', 'birth', 'birthday', 'birthdate', 'dob', 'ssn', 'passport', 'iban', 'surname', 'fullname', 'firstname', 'lastname']);
/** `<word> name` is a person's name for these words; `name` alone (a product's, a plan's) is not. */
const NAME_QUALIFIERS = new Set(['first', 'last', 'full', 'given', 'family', 'middle', 'sur', 'nick', 'user', 'customer', 'contact', 'display', 'recipient']);

/** `billingEmail` -> [billing, email]; `mobile_number` -> [mobile, number]. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Whether a property name says it holds personal data. Custom events' properties are free-form (no
 * schema marks them), so their names decide: an address, phone, a person's name, a birth date, an
 * identity document number. Used for every event's properties, so a catalog type's extra
 * properties are covered the same way.
 */
export function looksPersonal(name: string): boolean {
  const words = wordsOf(name);
  return words.some((word, i) => PERSONAL_WORDS.has(word) || (word === 'name' && i > 0 && NAME_QUALIFIERS.has(words[i - 1]!)));
}

/** A property the contract marks personal, or whose name says it is (custom events). */
export function isPersonalProperty(name: string): boolean {
  return PERSONAL_PROPERTY_FIELDS.has(name) || looksPersonal(name);
}
