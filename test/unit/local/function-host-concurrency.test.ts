import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FunctionHost } from '#local/lambda/function-host.ts';
import type { FunctionDef } from '#local/stack/cloud-template.ts';

/**
 * The local function host runs at most a few invocations of a function at once (its reserved
 * concurrency when lower), and the rest wait their turn; the timeout counts from when an invocation
 * runs. Unbounded, 600 events fanned out at once on 2 cores stretched every invocation past its
 * timeout and sent events to the DLQ that AWS, with a CPU per invocation, would have applied.
 */
const root = mkdtempSync(join(tmpdir(), 'nudge-host-'));
// Records how many invocations run at once, in a global the test reads.
writeFileSync(
  join(root, 'busy.mjs'),
  `export async function handler(event) {
    const stats = (globalThis.__hostStats ??= { active: 0, max: 0, done: 0 });
    stats.active += 1;
    stats.max = Math.max(stats.max, stats.active);
    await new Promise((resolve) => setTimeout(resolve, event.ms));
    stats.active -= 1;
    stats.done += 1;
    return event.n;
  }`,
);
const stats = () => (globalThis as { __hostStats?: { active: number; max: number; done: number } }).__hostStats!;
const definition = (overrides: Partial<FunctionDef>): FunctionDef => ({ logicalId: 'Busy', entry: 'busy.mjs', environment: {}, timeoutSeconds: 10, reservedConcurrency: undefined, ...overrides });

async function hostWith(fn: FunctionDef, localConcurrency: number): Promise<FunctionHost> {
  const host = new FunctionHost(root, [fn], () => undefined, localConcurrency);
  await host.loadAll();
  (globalThis as { __hostStats?: unknown }).__hostStats = { active: 0, max: 0, done: 0 };
  return host;
}

describe('local function host concurrency', () => {
  it('runs at most the local limit at once; every invocation completes, in full', async () => {
    const host = await hostWith(definition({}), 3);
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => host.invoke('Busy', { n, ms: 10 })));
    expect(results).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(stats()).toMatchObject({ max: 3, done: 20, active: 0 });
  });

  it('honours a reserved concurrency lower than the local limit', async () => {
    const host = await hostWith(definition({ reservedConcurrency: 1 }), 8);
    expect(host.concurrencyOf('Busy').limit).toBe(1);
    await Promise.all(Array.from({ length: 6 }, (_, n) => host.invoke('Busy', { n, ms: 5 })));
    expect(stats()).toMatchObject({ max: 1, done: 6 });
  });

  it('counts the timeout from when an invocation runs, not while it waits its turn', async () => {
    // One at a time, five of 300 ms: the last one starts 1.2 s after it was asked for, past the 1 s timeout.
    const host = await hostWith(definition({ timeoutSeconds: 1, reservedConcurrency: 1 }), 8);
    const results = await Promise.all(Array.from({ length: 5 }, (_, n) => host.invoke('Busy', { n, ms: 300 })));
    expect(results).toEqual([0, 1, 2, 3, 4]);
  });

  it('still times out an invocation that runs past its timeout', async () => {
    const host = await hostWith(definition({ timeoutSeconds: 1 }), 8);
    await expect(host.invoke('Busy', { n: 0, ms: 1_500 })).rejects.toMatchObject({ name: 'FunctionTimeoutError' });
  });
});
