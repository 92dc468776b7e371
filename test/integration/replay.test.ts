import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalogInput } from '#shared/catalog/index.ts';
import type { OutcomeComparison } from '#local/replay/compare-outcomes.ts';
import type { ReplayOutcome } from '#local/replay/replay-outcome.ts';
import { generateBehaviorStream, toJsonLines } from '../../events/generators/behavior-stream.ts';

const run = promisify(execFile);

/** `nudge replay` as a user runs it; each run boots its own private local system (not the shared one). */
async function replay(args: string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, [join(process.cwd(), 'bin/nudge.js'), 'replay', ...args, '--json'], { maxBuffer: 32 * 1024 * 1024, timeout: 900_000 });
  return JSON.parse(stdout) as unknown;
}

describe('nudge replay', () => {
  let dir: string;
  let stream: string;
  let alternative: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'replay-test-'));
    stream = join(dir, 'stream.jsonl');
    await writeFile(stream, toJsonLines(generateBehaviorStream({ customers: 10, days: 8, seed: 3, start: '2027-01-04T00:00:00Z' }).entries));
    // The cart rule switched off: by construction its sends and its sequence's sends go to zero.
    const catalog = structuredClone(defaultCatalogInput);
    catalog.rules.find((rule) => rule.id === 'cart_abandonment_1hour')!.active = false;
    alternative = join(dir, 'no-cart-rule.json');
    await writeFile(alternative, JSON.stringify(catalog));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // Both modes run the same handlers on a clock that stands still between the replay's jumps, so
  // every decision is taken at the same instants: the outcome is the same, count for count (no field
  // of ReplayOutcome is mode-specific; timings are not part of it). The emulator mode runs once per
  // catalog; the fast mode, which costs a tenth of it, runs three times and checks its repeatability too.
  it('gives the identical outcome in the emulator and the fast (memory) mode, repeatably, and --compare reports the exact difference', { timeout: 1_500_000 }, async () => {
    type Compared = { baseline: ReplayOutcome; alternative: ReplayOutcome; comparison: OutcomeComparison };
    const emulators = (await replay([stream, '--compare', alternative])) as Compared;
    const memory = (await replay([stream, '--fast', '--compare', alternative])) as Compared;
    const memoryAgain = (await replay([stream, '--mode', 'memory'])) as ReplayOutcome;

    expect(memory.baseline).toEqual(emulators.baseline);
    expect(memory.alternative).toEqual(emulators.alternative);
    expect(memory.comparison).toEqual(emulators.comparison);
    // A clean system each time: the same stream gives the same outcome.
    expect(memoryAgain).toEqual(memory.baseline);

    const first = emulators.baseline;
    expect(first.events.put).toBe(first.stream.events);
    expect(first.events.refusedByBus).toBe(0);
    expect(first.totals.sent).toBeGreaterThan(0);

    // The cart rule fires and starts its sequence on this stream; the sequence's steps then meet the
    // global cap (the one cart email the emulator mode used to send went out only because its
    // real-time clock had capped 8 other steps). Switched off, its fires and any sends go to zero, exactly.
    const cartTriggers = (outcome: ReplayOutcome) => outcome.triggers.filter((t) => t.id === 'cart_abandonment_1hour' || t.id.startsWith('seq_cart_recovery__'));
    const cartFiredBefore = cartTriggers(first).reduce((total, t) => total + t.fired, 0);
    expect(cartFiredBefore).toBeGreaterThan(0);
    expect(cartTriggers(emulators.alternative).every((t) => t.fired === 0 && t.sent === 0)).toBe(true);
    for (const trigger of cartTriggers(first).filter((t) => t.fired > 0 || t.sent > 0)) {
      const change = emulators.comparison.changed.find((c) => c.id === trigger.id);
      // 0 - n rather than -n: for n = 0, toBe tells -0 from the delta's 0.
      expect(change?.delta.fired, trigger.id).toBe(0 - trigger.fired);
      expect(change?.delta.sequencesStarted, trigger.id).toBe(0 - trigger.sequencesStarted);
      expect(change?.delta.sent, trigger.id).toBe(0 - trigger.sent);
    }
  });
});
