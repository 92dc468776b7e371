import { describe, expect, it } from 'vitest';
import { waitForOtherInvocations } from '#local/memory/memory-system.ts';

/** A function host that reports `inFlight` invocations of one function (the waiting ones included). */
function hostWith(counts: { inFlight: number }) {
  return {
    ids: () => ['Fn'],
    concurrencyOf: () => ({ running: counts.inFlight, waiting: 0, limit: 10 }),
  };
}

const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the fast replay: a handler waiting for a profile write', () => {
  // The wait is an hour long: a wait that ran its real time would fail by the test's timeout.
  const HOUR_MS = 3_600_000;

  it('ends as soon as no invocation but the waiting one is in flight', async () => {
    const wait = waitForOtherInvocations(hostWith({ inFlight: 1 }));
    await wait(HOUR_MS);
  });

  it('with every invocation in flight waiting, lets one go on, then the next once that one is done', async () => {
    const counts = { inFlight: 2 };
    const wait = waitForOtherInvocations(hostWith(counts));
    const ended: string[] = [];
    const first = wait(HOUR_MS).then(() => ended.push('a'));
    const second = wait(HOUR_MS).then(() => ended.push('b'));
    await Promise.race([first, second]);
    for (let turn = 0; turn < 20; turn += 1) await macrotask();
    // The one let go runs on (it may write what the other waits for).
    expect(ended).toHaveLength(1);
    counts.inFlight = 1;
    await Promise.all([first, second]);
    expect(ended).toHaveLength(2);
  });

  it('lasts while another invocation (the writer) is in flight, and ends once it is done', async () => {
    const counts = { inFlight: 2 };
    const wait = waitForOtherInvocations(hostWith(counts));
    let ended = false;
    const waiting = wait(HOUR_MS).then(() => (ended = true));
    for (let turn = 0; turn < 20; turn += 1) await macrotask();
    expect(ended).toBe(false);
    counts.inFlight = 1;
    await waiting;
    expect(ended).toBe(true);
  });
});
