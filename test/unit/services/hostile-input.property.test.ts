import fc from 'fast-check';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { MARSHALL_OPTIONS, UNMARSHALL_OPTIONS } from '#shared/adapters/dynamo/translate-config.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { applyEvent, Profile } from '#shared/domain/profile.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { buildEvent } from '../support/build-event.ts';
import { leafPaths, SAMPLE_DETAILS, withLeaf, type Path } from '../support/contract-samples.ts';
import { fakeServiceDeps } from '../support/fakes.ts';

/**
 * The hostile producer, over the whole event contract: every catalog type's sample (and a custom
 * event) with some of its fields replaced by hostile values. Property: the event is either rejected
 * with errors that name the replaced fields, or applied so that the stored profile survives
 * DynamoDB's marshalling and still parses, and no other customer's profile or segment membership
 * changes. Through the real ingest service, with in-memory ports.
 */
const NOW = new Date('2026-11-20T12:00:00Z');
const OTHER = 'other-customer';

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);
const hostileStrings: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES, '__proto__', 'prototype', OTHER),
  // lone surrogate halves, alone or inside text
  fc.tuple(fc.string({ maxLength: 8 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 8 })).map(([a, half, b]) => `${a}${String.fromCharCode(half)}${b}`),
  // right-to-left, bidi controls, zero-width characters, emoji
  fc.array(fc.constantFrom('שלום', 'مرحبا', '\u202e', '\u200f', '\u200b', '\u200d', '\ufeff', '😀', '👩‍👩‍👧', 'a'), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')),
  // ids of 256+ bytes: within 256 UTF-16 units but over 256 UTF-8 bytes, and over the limit
  fc.constantFrom('中'.repeat(100), '😀'.repeat(128), 'x'.repeat(256), 'x'.repeat(257), ''),
  fc.string({ maxLength: 30 }),
);

const SAMPLES = [
  ...SAMPLE_DETAILS,
  { type: 'loyalty_points_earned', detail: { eventId: 'x-1', customerId: 'cus_1', occurredAt: '2026-11-20T10:00:00Z', device: 'web', properties: { points: 10, program: 'gold' } } },
];
const isString = (leaf: unknown) => typeof leaf === 'string';

/** A sample with 1–3 of its leaves (chosen by `select`) replaced by values of `pool`. */
function hostileEvents(select: (leaf: unknown) => boolean, pool: fc.Arbitrary<unknown>) {
  return fc
    .constantFrom(...SAMPLES.filter(({ detail }) => leafPaths(detail, select).length > 0))
    .chain(({ type, detail }) =>
      fc
        .uniqueArray(fc.constantFrom(...leafPaths(detail, select)), { minLength: 1, maxLength: 3, selector: (path) => path.join('.') })
        .chain((paths) => fc.tuple(fc.constant(paths), fc.array(pool, { minLength: paths.length, maxLength: paths.length })))
        .map(([paths, values]) => ({ type, paths, detail: paths.reduce((d, path, i) => withLeaf(d, path, values[i]), detail) })),
    );
}

/**
 * An error names a replaced field when it is that field, inside it, or the object holding it. The
 * catalog's consent check (consentProblems) names fields from `properties.` on, the contract from `detail.`.
 */
const namesReplaced = (reported: string, paths: Path[]) =>
  paths.some((path) => {
    const field = reported.startsWith('properties.') ? `detail.${reported}` : reported;
    const name = ['detail', ...path.map(String)].join('.');
    return field === name || field.startsWith(`${name}.`) || name.startsWith(`${field}.`);
  });

async function assertRejectedOrSafelyApplied(event: { type: string; paths: Path[]; detail: Record<string, unknown> }): Promise<void> {
  const deps = fakeServiceDeps(defaultCatalog, { now: () => NOW });
  const other = applyEvent(undefined, buildEvent({ type: 'page_view', customerId: OTHER, device: 'web', properties: { url: '/', category: 'shoes' } }), NOW);
  if (other.type !== 'applied') throw new Error('expected applied');
  deps.profiles.items.set(OTHER, { ...other.profile, version: 1 });
  await deps.membership.apply({ customerId: OTHER, entered: [{ segmentId: 'engaged', matchScore: 1 }], exited: [], at: NOW });
  const otherBefore = structuredClone(deps.profiles.items.get(OTHER));
  const membersBefore = [...deps.membership.members].map(([segment, ids]) => [segment, ids.has(OTHER)]);

  const outcome = await makeIngestEvent(deps)({ id: 'bus-1', source: 'shop.web', 'detail-type': event.type, detail: event.detail });

  if (outcome.type === 'rejected') {
    expect(outcome.errors.length).toBeGreaterThan(0);
    for (const error of outcome.errors) expect(namesReplaced(error.field, event.paths), `${error.field}: ${error.message}`).toBe(true);
  } else {
    const customerId = (event.detail as { customerId: string }).customerId;
    const stored = deps.profiles.items.get(customerId);
    expect(stored).toBeDefined();
    // What DynamoDB gives back must still be a profile.
    expect(Profile.safeParse(unmarshall(marshall(stored, MARSHALL_OPTIONS), UNMARSHALL_OPTIONS)).error).toBeUndefined();
    if (customerId !== OTHER) {
      expect(deps.profiles.items.get(OTHER)).toEqual(otherBefore);
      expect([...deps.membership.members].filter(([segment]) => membersBefore.some(([s]) => s === segment)).map(([segment, ids]) => [segment, ids.has(OTHER)])).toEqual(membersBefore);
    }
  }
}

describe('hostile input over the whole event contract', () => {
  it('hostile strings in any string field: rejected naming the field, or applied with a parseable profile and no other customer touched', async () => {
    await fc.assert(fc.asyncProperty(hostileEvents(isString, hostileStrings), assertRejectedOrSafelyApplied), { numRuns: 400 });
  });

  it('every catalog type and the custom event accept the samples unchanged (the generator starts from valid events)', async () => {
    const deps = fakeServiceDeps(defaultCatalog, { now: () => NOW });
    const ingest = makeIngestEvent(deps);
    for (const { type, detail } of SAMPLES) expect((await ingest({ source: 'shop.web', 'detail-type': type, detail })).type).not.toBe('rejected');
  });

  /*
   * Numbers and dates (issue 19 items 7 and 8): an accepted 2^53 once made a profile the SDK refused
   * to marshal, and a date in 2099 froze a profile's attributes; both pools must now be rejected
   * naming the field or stored safely.
   */
  describe('numeric and date pools (issue 19 items 7 and 8)', () => {
    const hostileNumbers = fc.constantFrom(2 ** 53, -(2 ** 53), 2 ** 53 + 2, 1e308, -1e308, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 0.1 + 0.2, 9007199254740993);
    const hostileDates = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 23 }), fc.constantFrom('Z', '+14:00', '-12:00'))
      .map(([y, m, d, h, zone]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00${zone}`);
    const isNumber = (leaf: unknown) => typeof leaf === 'number';
    const isDate = (leaf: unknown) => typeof leaf === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(leaf);

    it('numbers at ±2^53, ±1e308, -0 and denormals in any numeric field', async () => {
      await fc.assert(fc.asyncProperty(hostileEvents(isNumber, hostileNumbers), assertRejectedOrSafelyApplied), { numRuns: 200 });
    });

    it('dates from year 0000 to 9999 in occurredAt and every date field', async () => {
      await fc.assert(fc.asyncProperty(hostileEvents(isDate, hostileDates), assertRejectedOrSafelyApplied), { numRuns: 200 });
    });
  });
});
