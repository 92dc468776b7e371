import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readyBatchLength, STREAM_PAYLOAD_LIMIT_BYTES } from '#local/dynamodb/stream-batches.ts';

describe('readyBatchLength (when a stream mapping invokes, as Lambda decides it)', () => {
  it('never passes BatchSize or the payload limit, waits only while the batch is partial and the window open', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3_000_000 }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 300_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        (bytes, batchSize, windowMs, elapsedMs) => {
          const length = readyBatchLength(bytes, 1_000, 1_000 + elapsedMs, { batchSize, windowMs });
          // The longest batch that fits: at most BatchSize, within the payload (a record alone always fits).
          let fits = 0;
          let total = 14;
          while (fits < Math.min(batchSize, bytes.length) && (fits === 0 || total + bytes[fits]! + 1 <= STREAM_PAYLOAD_LIMIT_BYTES)) total += bytes[fits++]! + (fits > 1 ? 1 : 0);
          const full = fits === batchSize || fits < bytes.length;
          expect(length).toBe(full || elapsedMs >= windowMs ? fits : 0);
          expect(length).toBeLessThanOrEqual(batchSize);
        },
      ),
    );
  });

  it('with no window, invokes at once with what it has', () => {
    expect(readyBatchLength([100, 100], 0, 0, { batchSize: 10, windowMs: 0 })).toBe(2);
  });
});
