import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLLUP_SOURCE_KINDS } from '#infra/constructs/reports.ts';
import { imageAttributesRead, streamRecord } from '#local/memory/memory-system.ts';
import { matchesEventPattern, validateEventPattern } from '#local/eventbridge/pattern-matcher.ts';

// The rollup mapping's filters, in Lambda's filter syntax as the synthesized template has them.
const PATTERNS = [
  { dynamodb: { NewImage: { kind: { S: [...ROLLUP_SOURCE_KINDS] } } } },
  { eventName: ['REMOVE'], dynamodb: { OldImage: { kind: { S: ['profile'] } } } },
];

const image = fc.record(
  {
    pk: fc.constantFrom('C#1', 'C#2'),
    sk: fc.constantFrom('PROFILE', 'SEND#1', 'DECISION#1'),
    kind: fc.constantFrom(...ROLLUP_SOURCE_KINDS, 'claim', 'sequence_run', 'tombstone'),
    version: fc.integer(),
    segments: fc.array(fc.string(), { maxLength: 3 }),
    nested: fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.integer()),
  },
  { requiredKeys: ['pk', 'sk'] },
);

describe('the fast replay stream: filters matched on the attributes they read', () => {
  it('matches exactly the records the whole record would match', () => {
    const filters = PATTERNS.map((pattern) => validateEventPattern(pattern));
    const read = imageAttributesRead(PATTERNS);
    expect(read).toEqual(new Set(['pk', 'sk', 'kind']));
    fc.assert(
      fc.property(fc.option(image, { nil: undefined }), fc.option(image, { nil: undefined }), (oldImage, newImage) => {
        fc.pre(oldImage !== undefined || newImage !== undefined);
        const change = { sequenceNumber: '1', oldImage, newImage };
        const whole = streamRecord(change, 'arn', new Date(0));
        const probe = streamRecord(change, 'arn', new Date(0), read);
        expect(filters.some((pattern) => matchesEventPattern(pattern, probe))).toBe(filters.some((pattern) => matchesEventPattern(pattern, whole)));
      }),
    );
  });

  it('gives up on patterns that read beyond the images and keys', () => {
    expect(imageAttributesRead([{ dynamodb: { SizeBytes: [{ numeric: ['>', 10] }] } }])).toBeUndefined();
  });
});
