import { PERSONAL_ENVELOPE_FIELDS, isPersonalProperty } from '../../contract/personal-fields.ts';
import { maskAddress } from '../../domain/ses-events.ts';

/** Objects that hold an event's raw data: inside them, the fields the contract marks personal are removed. */
const RAW_EVENT_KEYS = new Set(['properties', 'detail', 'personalization', 'eventProperties']);
const REDACTED = '[personal]';
const MAX_DEPTH = 12;
/**
 * An address inside free text: an RFC 5322 dot-atom local part, also in any script (SMTPUTF8:
 * `jörg@bücher.de`), at a domain of Unicode or punycode labels whose top level is letters or
 * `xn--…`. Stricter than SMTP-diagnostic redaction (ses-events.ts) in one way: the local part
 * cannot hold `/`, so stack-trace paths such as `node_modules/@aws-sdk/...` survive.
 */
const ADDRESS_IN_TEXT = /[\p{L}\p{M}\p{N}.!#$%&'*+=?^_`{|}~-]*@(?:[\p{L}\p{M}\p{N}-]+\.)+(?:xn--[a-z0-9-]+|\p{L}[\p{L}\p{M}]+)/giu;

function redactAddresses(text: string): string {
  return text.replace(ADDRESS_IN_TEXT, '[address]');
}

/**
 * A log attribute tree with no personal data: an `email` anywhere becomes `j***@example.com`, every
 * address inside free text (SDK and SMTP error messages quote recipients) becomes `[address]`, and
 * inside raw event data (`properties`, `detail`, ...) the fields the event contract marks personal,
 * and custom properties named like personal data (contract/personal-fields.ts), become `[personal]`. Keys stay, so the log still shows the shape.
 */
export function redactForLog(value: unknown, insideRawEvent = false, depth = 0): unknown {
  if (typeof value === 'string') return redactAddresses(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  // Error fields are not enumerable: keep what the log needs, with addresses taken out.
  if (value instanceof Error) return { name: value.name, message: redactAddresses(value.message), ...(value.stack ? { stack: redactAddresses(value.stack) } : {}) };
  if (Array.isArray(value)) return value.map((item) => redactForLog(item, insideRawEvent, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (insideRawEvent && (isPersonalProperty(key) || PERSONAL_ENVELOPE_FIELDS.has(key)) && field !== undefined) out[key] = REDACTED;
    else if (typeof field === 'string' && /email$/i.test(key)) out[key] = maskAddress(field);
    else out[key] = redactForLog(field, insideRawEvent || RAW_EVENT_KEYS.has(key), depth + 1);
  }
  return out;
}
