import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_ARRAY_LENGTH, MAX_ID_LENGTH, MAX_NESTING_DEPTH, MAX_OBJECT_KEYS, MAX_STRING_LENGTH } from '#shared/contract/limits.ts';
import { putInBatches } from './support/bounded-put.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

/**
 * 1,000 generated malformed events (fast-check, fixed seed) through the shared local Nudge, with
 * good events interleaved: each malformed one lands on the rejected-events queue with an error
 * naming the field it broke; every good one is applied. Injected markup and Liquid in accepted
 * properties reach the email as text, never as markup or template code.
 */
const MALFORMED = 1_000;
const GOOD_EVERY = 10;
const SEED = 20_270_109;

type Case = { kind: string; detailType: string; detail: Record<string, unknown>; field: string };
type Rejected = { reason: string; errors: Array<{ field: string; message: string }>; original: { detail: unknown } };

const nonString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }));
const key = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,11}$/).filter((k) => k !== 'caseId');
const unicodeText = fc.string({ unit: 'grapheme', maxLength: 40 });
/** Timestamps the contract refuses: no time, no offset, no seconds, words, numbers-as-strings, impossible dates. */
const badTimestamp = fc.oneof(
  fc.constantFrom('2026-11-20', '2026-11-20T10:00:00', '2026-11-20T10:00Z', 'yesterday', '1700000000', '2026-13-01T00:00:00Z', '2026-02-30T10:00:00Z', '', ' 2026-11-20T10:00:00Z'),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().replace('Z', '')),
  fc.integer().map(String),
);

/** Each arbitrary builds one malformed Detail (given its marker and a valid base) and the field its rejection must name. */
function malformedCase(base: (marker: string) => Record<string, unknown>): fc.Arbitrary<(marker: string) => Case> {
  const properties = (marker: string, extra: Record<string, unknown> = {}) => ({ caseId: marker, ...extra });
  return fc.oneof(
    nonString.map((value) => (m: string) => ({ kind: 'eventId not a string', detailType: 'page_view', detail: { ...base(m), eventId: value, properties: properties(m) }, field: 'detail.eventId' })),
    fc.constantFrom('eventId', 'customerId', 'occurredAt').map((missing) => (m: string) => {
      const detail: Record<string, unknown> = { ...base(m), properties: properties(m) };
      delete detail[missing];
      return { kind: `missing ${missing}`, detailType: 'page_view', detail, field: `detail.${missing}` };
    }),
    nonString.map((value) => (m: string) => ({ kind: 'customerId not a string', detailType: 'page_view', detail: { ...base(m), customerId: value, properties: properties(m) }, field: 'detail.customerId' })),
    fc.constantFrom('\u0000', '\n', '\u007f', '\u009b').map((control) => (m: string) => ({ kind: 'control character in customerId', detailType: 'page_view', detail: { ...base(m), customerId: `c${control}x`, properties: properties(m) }, field: 'detail.customerId' })),
    fc.integer({ min: MAX_ID_LENGTH + 1, max: 4 * MAX_ID_LENGTH }).map((length) => (m: string) => ({ kind: 'huge eventId', detailType: 'page_view', detail: { ...base(m), eventId: `${m}-${'e'.repeat(length)}`, properties: properties(m) }, field: 'detail.eventId' })),
    badTimestamp.map((occurredAt) => (m: string) => ({ kind: 'bad timestamp', detailType: 'page_view', detail: { ...base(m), occurredAt, properties: properties(m) }, field: 'detail.occurredAt' })),
    fc.tuple(key, fc.integer({ min: MAX_STRING_LENGTH + 1, max: 3 * MAX_STRING_LENGTH }), unicodeText).map(([k, length, text]) => (m: string) => ({
      kind: 'huge string',
      detailType: 'product_view',
      detail: { ...base(m), properties: properties(m, { productId: 'sku-1', [k]: (text + 'x').repeat(length).slice(0, length) }) },
      field: `detail.properties.${k}`,
    })),
    fc.tuple(fc.array(key, { minLength: MAX_NESTING_DEPTH, maxLength: MAX_NESTING_DEPTH + 3 }), fc.jsonValue({ maxDepth: 1 })).map(([path, leaf]) => (m: string) => {
      // properties is level 1, so the object at path[MAX_NESTING_DEPTH - 1] (level 6) is too deep.
      let nested: unknown = { leaf };
      for (let i = path.length - 1; i >= 0; i--) nested = { [path[i]!]: nested };
      const tooDeep = path.slice(0, MAX_NESTING_DEPTH).join('.');
      return { kind: 'deep nesting', detailType: 'feature_used', detail: { ...base(m), properties: properties(m, { featureId: 'f', ...(nested as object) }) }, field: `detail.properties.${tooDeep}` };
    }),
    fc.integer({ min: MAX_OBJECT_KEYS, max: MAX_OBJECT_KEYS + 50 }).map((keys) => (m: string) => ({
      kind: 'too many keys',
      detailType: 'custom_thing',
      detail: { ...base(m), properties: properties(m, Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i]))) },
      field: 'detail.properties',
    })),
    fc.integer({ min: MAX_ARRAY_LENGTH + 1, max: MAX_ARRAY_LENGTH + 50 }).map((length) => (m: string) => ({
      kind: 'long array',
      detailType: 'custom_thing',
      detail: { ...base(m), properties: properties(m, { tags: Array.from({ length }, (_, i) => i) }) },
      field: 'detail.properties.tags',
    })),
    fc.oneof(fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null), fc.constant(-5)).map((cartValue) => (m: string) => ({
      kind: 'cartValue of the wrong type or negative',
      detailType: 'cart_abandon',
      detail: { ...base(m), properties: properties(m, { cartValue }) },
      field: 'detail.properties.cartValue',
    })),
    fc.tuple(key, fc.jsonValue({ maxDepth: 1 })).map(([k, value]) => (m: string) => ({
      kind: 'unknown envelope field',
      detailType: 'page_view',
      detail: { ...base(m), [`x${k}`]: value, properties: properties(m) },
      field: `detail.x${k}`,
    })),
    fc.constantFrom('not-an-email', 'a@', '@b.example', 'a b@c.example', `${'x'.repeat(250)}@example.com`).map((email) => (m: string) => ({
      kind: 'bad email',
      detailType: 'identify',
      detail: { ...base(m), email, properties: properties(m) },
      field: 'detail.email',
    })),
    fc.constantFrom('CartAbandon', 'cart-abandon', 'cart__abandon', '_x', 'x_', '9lives', 'café_visit', 'a'.repeat(65)).map((detailType) => (m: string) => ({
      kind: 'bad DetailType',
      detailType,
      detail: { ...base(m), properties: properties(m) },
      field: 'detailType',
    })),
    nonString.filter((value) => value === null || typeof value !== 'object' || Array.isArray(value)).map((value) => (m: string) => ({
      kind: 'properties not an object',
      detailType: 'custom_thing',
      detail: { ...base(m), eventId: m, properties: value },
      field: 'detail.properties',
    })),
  );
}

describe('bad input: 1,000 generated malformed events among good ones', () => {
  const nudge = nudgeClient();
  let now: Date;

  beforeAll(async () => {
    now = await nudge.daytime();
    // Leftovers of earlier tests would blur the one-to-one match of rejections below.
    await nudge.drainQueue('RejectedEventsQueueUrl');
  });

  it('each is rejected with an error naming the field; every good event in between is applied', { timeout: 600_000 }, async () => {
    const run = uniqueId('bad');
    const base = (marker: string) => ({ eventId: marker, customerId: `${run}-victim`, occurredAt: now.toISOString() });
    const builders = fc.sample(malformedCase(base), { seed: SEED, numRuns: MALFORMED });
    const cases = builders.map((build, i) => ({ marker: `${run}-case-${i}`, ...build(`${run}-case-${i}`) }));

    const goodCustomers = Array.from({ length: 5 }, (_, i) => `${run}-good-${i}`);
    const entries: Array<{ detailType: string; detail: unknown }> = [];
    let good = 0;
    cases.forEach((c, i) => {
      entries.push({ detailType: c.detailType, detail: c.detail });
      if (i % GOOD_EVERY === 0) {
        entries.push({
          detailType: 'page_view',
          // Unicode, markup and Liquid in properties are valid JSON strings: accepted and stored as text.
          detail: { eventId: `${run}-good-event-${good}`, customerId: goodCustomers[good % 5], occurredAt: now.toISOString(), properties: { url: `/p/${good}`, pageType: 'product', note: '<b>{{ 7 | times: 6 }}</b> 日本語 🧪 {% raw %}' } },
        });
        good += 1;
      }
    });
    const started = Date.now();
    const results = await putInBatches(nudge.putEvents, entries);
    // The bus itself accepts every one (each Detail is a JSON object): the contract is checked by ingest.
    expect(results.filter((result) => result.ErrorCode !== undefined)).toEqual([]);
    await nudge.waitForIdle();
    const rejected = (await nudge.drainQueue('RejectedEventsQueueUrl')) as Rejected[];
    console.log(`${cases.length} malformed + ${good} good events put and processed in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const byMarker = new Map<string, Rejected[]>();
    for (const message of rejected) {
      const marker = /bad-[a-z0-9]+-\d+-case-\d+/.exec(JSON.stringify(message.original.detail))?.[0];
      if (marker) byMarker.set(marker, [...(byMarker.get(marker) ?? []), message]);
    }
    const problems: string[] = [];
    for (const c of cases) {
      const messages = byMarker.get(c.marker) ?? [];
      if (messages.length !== 1) {
        problems.push(`${c.kind} (${c.marker}): ${messages.length} rejections`);
        continue;
      }
      const errors = messages[0]!.errors;
      if (!errors.some((error) => error.field === c.field && error.message.length > 0)) {
        problems.push(`${c.kind}: expected an error on ${c.field}, got ${JSON.stringify(errors).slice(0, 300)}`);
      }
    }
    expect(problems).toEqual([]);
    const kinds = new Set(cases.map((c) => c.kind));
    expect(kinds.size).toBeGreaterThanOrEqual(14);

    // Nothing of the malformed events reached a profile; every good event did.
    expect(await nudge.profiles.get(`${run}-victim`)).toBeUndefined();
    const counts = await Promise.all(goodCustomers.map(async (customerId) => (await nudge.profiles.get(customerId))?.eventCount ?? 0));
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(good);
  });

  it('markup and Liquid in a first name reach the welcome email as text: escaped in HTML, never executed', async () => {
    const customerId = uniqueId('inject');
    const email = `${customerId}@example.com`;
    const firstName = '<script>alert(1)</script>{{ 7 | times: 6 }}{% assign x = 1 %}';
    await nudge.putEvents([
      { detailType: 'identify', detail: { eventId: uniqueId('i'), customerId, occurredAt: now.toISOString(), email, properties: { email, firstName } } },
      { detailType: 'subscribe', detail: { eventId: uniqueId('s'), customerId, occurredAt: new Date(now.getTime() + 1000).toISOString(), email } },
    ]);
    await nudge.waitForIdle();
    const [welcome, ...more] = await nudge.emailsTo(email);
    expect(more).toEqual([]);
    // Plain-text parts carry the name verbatim: the Liquid in it is data, not template code.
    expect(welcome!.subject).toContain(firstName);
    expect(welcome!.subject).not.toContain('42');
    expect(welcome!.body.html).not.toContain('<script>');
    expect(welcome!.body.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;{{ 7 | times: 6 }}');
  });
});
