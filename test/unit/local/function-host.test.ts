import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FunctionHost, FunctionTimeoutError } from '#local/lambda/function-host.ts';

const dir = mkdtempSync(join(tmpdir(), 'nudge-function-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A handler module that waits `event.ms` and then records that it finished (it cannot be stopped in-process). */
writeFileSync(
  join(dir, 'slow.mjs'),
  'export const finished = [];\nexport const handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms)); finished.push(event.ms); return { waited: event.ms }; };\n',
);

describe('FunctionHost timeouts', () => {
  it("fails an invocation at the function's Timeout with Lambda's message, counts it, and lets quick ones through uncounted", async () => {
    const host = new FunctionHost(dir, [{ logicalId: 'Slow', entry: 'slow.mjs', environment: {}, timeoutSeconds: 1, reservedConcurrency: undefined }]);
    await host.loadAll();
    expect(await host.invoke('Slow', { ms: 10 })).toEqual({ waited: 10 });
    expect(host.timeouts()).toEqual({});

    const started = Date.now();
    const late = host.invoke('Slow', { ms: 1_500 });
    await expect(late).rejects.toBeInstanceOf(FunctionTimeoutError);
    await expect(late).rejects.toThrow('Slow: Task timed out after 1.00 seconds');
    expect(Date.now() - started).toBeLessThan(1_400);
    expect(host.timeouts()).toEqual({ Slow: 1 });

    // The handler itself runs on (a documented difference from Lambda, which stops it).
    const module = (await import(join(dir, 'slow.mjs'))) as { finished: number[] };
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(module.finished).toContain(1_500);
  });
});
