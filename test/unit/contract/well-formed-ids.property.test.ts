import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBehaviorEvent } from '#shared/contract/index.ts';
import { fieldName, isIdPath, leafPaths, SAMPLE_DETAILS, withLeaf, type Path } from '../support/contract-samples.ts';

/**
 * Stored as UTF-8 (DynamoDB, JSON), a lone UTF-16 surrogate half becomes U+FFFD: "lone\ud800" and
 * "lone\ud801" were one customer on DynamoDB Local. Property over every string field of every
 * catalog type's sample: a lone half anywhere is rejected, naming exactly that field; well-formed
 * text (RTL, zero-width, emoji, combining marks) in any id field is accepted.
 */
const stringFields: Array<{ type: string; detail: Record<string, unknown>; path: Path }> = SAMPLE_DETAILS.flatMap(({ type, detail }) =>
  leafPaths(detail, (leaf) => typeof leaf === 'string').map((path) => ({ type, detail, path })),
);
const idFields = stringFields.filter(({ path }) => isIdPath(path));

const ascii = fc.string({ maxLength: 20 });
const loneSurrogate = fc
  .tuple(ascii, fc.integer({ min: 0xd800, max: 0xdfff }), ascii)
  .map(([before, half, after]) => `${before}${String.fromCharCode(half)}${after}`);
const WELL_FORMED_PIECES = ['שלום', 'مرحبا', '\u200f', '\u200e', '\u200b', '\u200d', '\ufeff', '😀', '👩‍👩‍👧', 'e\u0301', '𝔘𝔫𝔦', 'Ω', '中文', 'a'];
const wellFormed = fc.array(fc.constantFrom(...WELL_FORMED_PIECES), { minLength: 1, maxLength: 12 }).map((pieces) => pieces.join(''));

const parse = (type: string, detail: unknown) => parseBehaviorEvent({ source: 'shop.web', detailType: type, detail });

describe('ids and keys must be well-formed Unicode', () => {
  it('the two ids of the report are rejected as customerId, naming the field', () => {
    for (const customerId of ['lone\ud800', 'lone\ud801']) {
      const result = parse('page_view', { ...SAMPLE_DETAILS.find((s) => s.type === 'page_view')!.detail, customerId });
      expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['detail.customerId']);
    }
  });

  it('a lone surrogate half in any string field of any catalog event is rejected, naming that field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...stringFields), loneSurrogate, ({ type, detail, path }, value) => {
        const result = parse(type, withLeaf(detail, path, value));
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.errors.map((e) => e.field)).toContain(fieldName(path));
      }),
      { numRuns: 1_000 },
    );
  });

  it('a lone surrogate half in a property key is rejected, naming the object', () => {
    const { detail } = SAMPLE_DETAILS.find((s) => s.type === 'purchase')!;
    const properties = { ...(detail.properties as Record<string, unknown>), ['key\udc00']: 1 };
    const result = parse('purchase', { ...detail, properties });
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toContain('detail.properties');
  });

  it('well-formed text (RTL, zero-width, emoji, combining marks) in any id field is accepted as it is', () => {
    fc.assert(
      fc.property(fc.constantFrom(...idFields), wellFormed, ({ type, detail, path }, value) => {
        const result = parse(type, withLeaf(detail, path, value));
        expect(result.ok ? [] : result.errors).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});
