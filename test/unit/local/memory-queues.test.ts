import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryQueues } from '#local/memory/memory-queues.ts';

describe('MemoryQueues (SQS on the simulated clock)', () => {
  it('holds a delayed message until the clock reaches its delay, and says when that is', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 20 }), (delays) => {
        let now = 1_000_000;
        const queues = new MemoryQueues(() => now);
        const url = queues.create('sends');
        for (const delay of delays) queues.send(url, `d${delay}`, { delaySeconds: delay });
        const immediate = queues.receive(url, 10);
        expect(immediate.length).toBe(Math.min(10, delays.filter((d) => d === 0).length));
        // Done with: deleted (an undeleted one would come back after its visibility timeout, itself a due time).
        for (const message of immediate) queues.delete(url, message.ReceiptHandle!);
        const later = delays.filter((d) => d > 0);
        expect(queues.nextVisibleAfter(now)).toBe(later.length > 0 ? 1_000_000 + Math.min(...later) * 1000 : undefined);
        now += 900_000;
        const received = [...immediate];
        for (let batch = queues.receive(url, 10); batch.length > 0; batch = queues.receive(url, 10)) received.push(...batch);
        expect(received).toHaveLength(delays.length);
      }),
    );
  });

  it('brings back a message not deleted after its visibility timeout, and moves it to the dead-letter queue after maxReceiveCount receives', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 120 }), (maxReceiveCount, visibility) => {
        let now = 0;
        const queues = new MemoryQueues(() => now);
        const dlq = queues.create('dlq');
        const url = queues.create('work', { VisibilityTimeout: String(visibility), RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queues.attributes(dlq).QueueArn, maxReceiveCount }) });
        queues.send(url, 'job');
        for (let receive = 1; receive <= maxReceiveCount; receive += 1) {
          const [message] = queues.receive(url, 1);
          expect(message?.Attributes?.ApproximateReceiveCount).toBe(String(receive));
          // In flight: not visible until the timeout has passed on the clock.
          now += visibility * 1000 - 1;
          expect(queues.receive(url, 1)).toHaveLength(0);
          expect(queues.attributes(url).ApproximateNumberOfMessagesNotVisible).toBe('1');
          now += 1;
        }
        expect(queues.receive(url, 1)).toHaveLength(0);
        expect(queues.depth(url)).toBe(0);
        expect(queues.receive(dlq, 1).map((message) => message.Body)).toEqual(['job']);
      }),
    );
  });

  it('deletes by the latest receipt handle only, and changes visibility on the clock', () => {
    let now = 0;
    const queues = new MemoryQueues(() => now);
    const url = queues.create('work');
    queues.send(url, 'job');
    const [first] = queues.receive(url, 1);
    queues.changeVisibility(url, first!.ReceiptHandle!, 5);
    now = 5_000;
    const [second] = queues.receive(url, 1);
    queues.delete(url, first!.ReceiptHandle!);
    expect(queues.depth(url)).toBe(1);
    queues.delete(url, second!.ReceiptHandle!);
    expect(queues.depth(url)).toBe(0);
  });
});
