import { z } from 'zod';
import { MAX_COUNT, MAX_EMAIL_LENGTH, MAX_ID_LENGTH, MAX_LINE_ITEMS, MAX_MONEY, MAX_SECONDS, MAX_STRING_LENGTH } from './limits.ts';

/**
 * Building blocks shared by the envelope and the per-type property schemas.
 * Each is a plain zod schema, so it shows up faithfully in the generated JSON Schemas.
 */

/** Producer-chosen identifier: non-empty, at most 256 characters. */
export const Id = z.string().min(1).max(MAX_ID_LENGTH);

/** Short label such as a category, plan or platform name. */
export const Label = z.string().min(1).max(100);

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
export const ConsentCategory = z.string().min(1).max(64);

/** One line of a cart or order. Unknown attributes (size, colour ...) pass through. */
export const LineItem = z.looseObject({
  productId: Id.describe('Product id (SKU)'),
  name: Text.min(1).optional().describe('Product name'),
  quantity: z.number().int().min(1).max(MAX_COUNT).default(1).describe('Units, a whole number >= 1'),
  price: Money.describe('Unit price, >= 0'),
  category: Label.optional().describe('Product category'),
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
