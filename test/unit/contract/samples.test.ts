import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG_EVENT_TYPES, parseBehaviorEvent } from '../../../shared/contract/index.ts';

const SAMPLES_DIR = new URL('../../../events/samples/', import.meta.url);
const INVALID_DIR = new URL('./invalid/', SAMPLES_DIR);

type PutEventsEntry = { Source: unknown; DetailType: unknown; EventBusName: unknown; Detail: unknown };

/** A sample file is what `aws events put-events --entries file://...` takes: an array of entries. */
function readEntries(url: URL): PutEventsEntry[] {
  const entries: unknown = JSON.parse(readFileSync(url, 'utf8'));
  if (!Array.isArray(entries)) throw new Error(`${url.pathname} must be a JSON array of PutEvents entries`);
  return entries as PutEventsEntry[];
}

/** EventBridge carries Detail as a JSON string and hands the parsed object to targets. */
function parseEntry(entry: PutEventsEntry) {
  expect(typeof entry.Detail).toBe('string');
  return parseBehaviorEvent({ source: entry.Source, detailType: entry.DetailType, detail: JSON.parse(entry.Detail as string) });
}

describe('events/samples', () => {
  it('has exactly one sample per catalog type', () => {
    const files = readdirSync(SAMPLES_DIR).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual(CATALOG_EVENT_TYPES.map((type) => `${type}.json`).sort());
  });

  it.each([...CATALOG_EVENT_TYPES])('%s.json is one valid PutEvents entry for the nudge bus', (type) => {
    const entries = readEntries(new URL(`${type}.json`, SAMPLES_DIR));
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    if (!entry) throw new Error('no entry');
    expect(Object.keys(entry)).toEqual(['Source', 'DetailType', 'EventBusName', 'Detail']);
    expect(entry).toMatchObject({ DetailType: type, EventBusName: 'nudge' });
    const result = parseEntry(entry);
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(result).toMatchObject({ ok: true, event: { type, isCustom: false } });
  });
});

/** Each invalid sample and the fields its errors must name, in order. Keep in step with invalid/README.md. */
const INVALID: Record<string, string | string[]> = {
  'attribute-outside-properties': ['detail.properties.cartValue', 'detail.cartValue'],
  'cart-value-string': 'detail.properties.cartValue',
  'detail-type-not-snake-case': 'detailType',
  'invalid-timezone': 'detail.properties.timezone',
  'item-quantity-zero': 'detail.properties.items.0.quantity',
  'lowercase-currency': 'detail.properties.currency',
  'missing-customer-id': 'detail.customerId',
  'nps-score-out-of-range': 'detail.properties.score',
  'occurred-at-date-only': 'detail.occurredAt',
  'occurred-at-without-offset': 'detail.occurredAt',
  'properties-too-deep': 'detail.properties.list.owner.address.geo.point',
  'reserved-source': 'source',
  'subscribe-without-email': 'detail.email',
};

describe('events/samples/invalid', () => {
  it('has a test expectation for every file', () => {
    const files = readdirSync(INVALID_DIR).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual(Object.keys(INVALID).map((name) => `${name}.json`).sort());
  });

  it('documents every file in its README', () => {
    const readme = readFileSync(new URL('README.md', INVALID_DIR), 'utf8');
    for (const [name, fields] of Object.entries(INVALID)) {
      expect(readme).toContain(`\`${name}.json\``);
      for (const field of [fields].flat()) expect(readme).toContain(`\`${field}\``);
    }
  });

  it.each(Object.entries(INVALID))('%s.json is rejected naming %s', (name, fields) => {
    const entries = readEntries(new URL(`${name}.json`, INVALID_DIR));
    expect(entries).toHaveLength(1);
    const result = parseEntry(entries[0] as PutEventsEntry);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((error) => error.field)).toEqual([fields].flat());
  });
});
