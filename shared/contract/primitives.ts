import * as z from 'zod';
import { MAX_COUNT, MAX_EMAIL_LENGTH, MAX_ID_LENGTH, MAX_LINE_ITEMS, MAX_MONEY, MAX_SECONDS, MAX_STRING_LENGTH } from './limits.ts';

/**
 * Building blocks shared by the envelope and the per-type property schemas.
 * Each is a plain zod schema, so it shows up faithfully in the generated JSON Schemas.
 */

/**
 * Well-formed UTF-16: no lone surrogate half. DynamoDB, JSON and every other store keep text as
 * UTF-8, where a lone half becomes U+FFFD, so "lone\ud800" and "lone\ud801" would be one key (one
 * customer). With the `u` flag a lone half is a code point in D800-DFFF and a proper pair is one
 * astral code point, so this also reads right as a JSON Schema `pattern` (ECMA-262 with `u`).
 */
export const WELL_FORMED_UNICODE = /^[^\uD800-\uDFFF]*$/u;
export const WELL_FORMED_MESSAGE = 'must be well-formed Unicode (a lone UTF-16 surrogate half cannot be stored and would merge with other values)';

export function isWellFormedUnicode(text: string): boolean {
  return WELL_FORMED_UNICODE.test(text);
}

/** A string that is well-formed Unicode (see WELL_FORMED_UNICODE). */
export const WellFormedString = z.string().regex(WELL_FORMED_UNICODE, { error: WELL_FORMED_MESSAGE });

/**
 * A value that becomes a key of a profile map (device, page type, category). Any name is a key,
 * "toString" and "constructor" included (the domain reads own properties only), except
 * `__proto__`: the AWS SDK's (un)marshalling assigns map keys, and that one is a setter there.
 */
export function asMapKey(schema: z.ZodString): z.ZodString {
  return schema.regex(/^(?!__proto__$)/, { error: 'must not be "__proto__" (it cannot be stored as a map key)' });
}

/** Producer-chosen identifier: non-empty, at most 256 characters, well-formed Unicode. */
export const Id = WellFormedString.min(1).max(MAX_ID_LENGTH);

/** Short label such as a category, plan or platform name. */
export const Label = WellFormedString.min(1).max(100);

/** A label counted in a profile map: a category or a page type. */
export const KeyLabel = asMapKey(Label);

/** Free text (comments, titles, reasons). */
export const Text = z.string().max(MAX_STRING_LENGTH);

/** A URL or an app path such as `/pricing`; not checked for a scheme so apps can send paths. */
export const UrlOrPath = z.string().min(1).max(MAX_STRING_LENGTH);

export const EmailAddress = z.email({ error: 'must be a valid email address' }).max(MAX_EMAIL_LENGTH);

/** Money: a finite number from 0 to MAX_MONEY in the currency's main unit (e.g. 89.9 for EUR 89.90). */
export const Money = z.number().nonnegative().max(MAX_MONEY);

/** ISO 4217 code in upper case, e.g. `EUR`. */
export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, { error: 'must be a 3-letter ISO 4217 currency code in upper case, e.g. EUR' });

/** Whole count that may be zero, at most MAX_COUNT. */
export const Count = z.number().int().nonnegative().max(MAX_COUNT);

/** A duration in seconds, at most MAX_SECONDS. */
export const Seconds = z.number().nonnegative().max(MAX_SECONDS);

/** RFC 3339 / ISO-8601 date-time with seconds and an offset or `Z`, e.g. `2026-11-20T10:00:00+01:00`. */
export const IsoDateTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 date-time with seconds and an offset or Z, e.g. 2026-11-20T10:00:00+01:00',
});

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** IANA time zone name, e.g. `Europe/Berlin` (checked against the runtime's zone database). */
export const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isValidTimeZone, { error: 'must be an IANA time zone name, e.g. Europe/Berlin' });

export const ConsentStatus = z.enum(['subscribed', 'unsubscribed']);
export type ConsentStatus = z.infer<typeof ConsentStatus>;

/** Consent category name, e.g. `marketing`, `product_updates`. */
export const ConsentCategory = WellFormedString.min(1).max(64);

/** One line of a cart or order. Unknown attributes (size, colour ...) pass through. */
export const LineItem = z.looseObject({
  productId: Id.describe('Product id (SKU)'),
  name: Text.min(1).optional().describe('Product name'),
  quantity: z.number().int().min(1).max(MAX_COUNT).default(1).describe('Units, a whole number >= 1'),
  price: Money.describe('Unit price, >= 0'),
  category: KeyLabel.optional().describe('Product category'),
});
export type LineItem = z.infer<typeof LineItem>;

export const LineItems = z.array(LineItem).max(MAX_LINE_ITEMS);

/**
 * Marks a field as personal data: the JSON Schemas carry `"personal": true`, logs redact it
 * (shared/adapters/logging), and `nudge export` / `nudge erase` are where the person gets it back.
 * Use in place of `.describe()`.
 */
export function personal<T extends z.ZodType>(schema: T, description: string): T {
  return schema.meta({ description, personal: true });
}
