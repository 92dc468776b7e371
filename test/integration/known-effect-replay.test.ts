import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayOutcome } from '#local/replay/replay-outcome.ts';
import { toJsonLines } from '../../events/generators/behavior-stream.ts';
import { generateKnownEffect } from '../../events/generators/known-effect.ts';
import { KNOWN_EFFECT_RULE_ID } from '../../events/replays/known-effect.ts';

const run = promisify(execFile);
const HOUR_MS = 3_600_000;

/**
 * A known-effect stream replayed as a user would (`nudge replay --fast --catalog events/replays/known-effect.ts`):
 * the replay's cart-rule decisions split into exactly the generator's treated and control customers,
 * every treated customer's first cart email leaves, and the generated purchases reach the profiles in
 * time to end cart_recovery (its exit goal) for the treated customers who bought before its last call.
 */
describe('a known-effect stream through nudge replay (memory mode)', () => {
  let dir: string;
  let file: string;
  // A strong effect on a small population, so both groups and early buyers exist in a short replay.
  const stream = generateKnownEffect({ customers: 60, seed: 11, baseline: 0.2, effect: 0.3 });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'known-effect-replay-'));
    file = join(dir, 'stream.jsonl');
    await writeFile(file, toJsonLines(stream.entries));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('decides the cart rule as the generator assumed, and the purchases land', { timeout: 900_000 }, async () => {
    const catalog = join(process.cwd(), 'events/replays/known-effect.ts');
    const { stdout } = await run(process.execPath, [join(process.cwd(), 'bin/nudge.js'), 'replay', file, '--mode', 'memory', '--catalog', catalog, '--json'], {
      maxBuffer: 32 * 1024 * 1024,
      timeout: 900_000,
    });
    const outcome = JSON.parse(stdout) as ReplayOutcome;
    expect(outcome.events).toMatchObject({ put: stream.entries.length, refusedByBus: 0, rejectedAsMalformed: 0 });

    const trigger = (id: string) => outcome.triggers.find((t) => t.id === id)!;
    const heldOut = stream.customers.filter((customer) => customer.heldOut);
    const treated = stream.customers.filter((customer) => !customer.heldOut);
    const cartRule = trigger(KNOWN_EFFECT_RULE_ID);
    expect(cartRule).toMatchObject({ matched: stream.customers.length, holdout: heldOut.length, sequencesStarted: treated.length });
    expect(heldOut.length).toBeGreaterThan(0);
    expect(treated.length).toBeGreaterThan(0);
    // About the configured share (exact per customer is the unit test's check over all ids).
    const share = cartRule.holdout / cartRule.matched;
    expect(Math.abs(share - stream.truth.holdoutPercent / 100)).toBeLessThan(3.3 * Math.sqrt((0.2 * 0.8) / cartRule.matched));

    // Every treated customer's first reminder left (an hour after the abandon, before any purchase).
    expect(trigger('seq_cart_recovery__reminder').sent).toBe(treated.length);
    // The purchases reached the profiles in order: a treated purchase within 72 h ended cart_recovery
    // (exit goal `purchase`) before its last call, so exactly the others reach that step.
    const boughtBeforeLastCall = treated.filter((c) => c.purchasedAt !== undefined && Date.parse(c.purchasedAt) - Date.parse(c.abandonedAt) < 72 * HOUR_MS);
    expect(boughtBeforeLastCall.length).toBeGreaterThan(0);
    expect(trigger('seq_cart_recovery__last_call').matched).toBe(treated.length - boughtBeforeLastCall.length);
  });
});
