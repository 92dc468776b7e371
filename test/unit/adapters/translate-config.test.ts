import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unmarshallRaw } from '#shared/adapters/dynamo/raw-items.ts';
import { DOCUMENT_TRANSLATE_CONFIG, MARSHALL_OPTIONS } from '#shared/adapters/dynamo/translate-config.ts';

/**
 * Raw items (a conditional write's old item, stream images) are read with `unmarshallRaw` in the
 * same process as the document clients. Using a document client must not change how they read: a
 * document command writes `convertWithoutMapWrapper` into the unmarshall options its client was
 * given, and a shared options object once made every conflict on a profile fail ("Unsupported type
 * passed: activity").
 */
describe('raw items read the same whatever document clients were built', () => {
  const key = fc.string({ minLength: 1, maxLength: 12 }).filter((name) => name !== '__proto__');
  const leaf = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0) && (n === 0 || Math.abs(n) >= 1e-130)));
  const item = fc.dictionary(key, fc.oneof(leaf, fc.dictionary(key, leaf, { maxKeys: 4 }), fc.array(leaf, { maxLength: 4 })), { maxKeys: 8 });

  it('unmarshallRaw(marshall(item)) is the item, after a document client built from the shared config sent a command', async () => {
    // Nothing listens on port 9: the command fails after its middleware ran, which is all this needs.
    const base = new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    await DynamoDBDocumentClient.from(base, DOCUMENT_TRANSLATE_CONFIG).send(new GetCommand({ TableName: 'nudge', Key: { pk: 'a', sk: 'b' } })).catch(() => undefined);
    fc.assert(
      fc.property(item, (value) => {
        // As DynamoDB returns it: attribute names mapped to AttributeValues, no wrapper around the item.
        const raw = marshall(value, { removeUndefinedValues: true, convertClassInstanceToMap: true, allowImpreciseNumbers: true });
        expect(unmarshallRaw(raw)).toEqual(value);
        // And the shared marshall options still write items that way.
        expect(marshall(value, MARSHALL_OPTIONS)).toEqual(raw);
      }),
      { numRuns: 200 },
    );
  });
});
