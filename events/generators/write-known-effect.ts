/**
 * Writes a known-effect stream (events/generators/known-effect.ts) as JSON lines, the input of `nudge replay`:
 *   npx tsx events/generators/write-known-effect.ts --customers 2000 --effect 0.05 --seed 1 > stream.jsonl
 *   npx nudge replay stream.jsonl --fast --catalog events/replays/known-effect.ts
 * The true parameters go to stderr. With `--holdout` other than the replay catalog's percent, pass
 * `--catalog-out <file.json>` and replay with that catalog, so the replay holds out the same customers.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KNOWN_EFFECT_HOLDOUT_PERCENT, knownEffectCatalog } from '../replays/known-effect.ts';
import { toJsonLines } from './behavior-stream.ts';
import { generateKnownEffect } from './known-effect.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    baseline: { type: 'string', default: '0.1' },
    effect: { type: 'string', default: '0.05' },
    holdout: { type: 'string', default: String(KNOWN_EFFECT_HOLDOUT_PERCENT) },
    start: { type: 'string', default: '2027-01-04T00:00:00Z' },
    'catalog-out': { type: 'string' },
  },
});
const numberOption = (name: string, text: string) => {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new Error(`--${name} ${text}: not a number`);
  return value;
};
const holdoutPercent = numberOption('holdout', values.holdout);
const { truth, entries } = generateKnownEffect({
  customers: numberOption('customers', values.customers),
  seed: numberOption('seed', values.seed),
  baseline: numberOption('baseline', values.baseline),
  effect: numberOption('effect', values.effect),
  holdoutPercent,
  start: values.start,
});
if (values['catalog-out']) {
  writeFileSync(values['catalog-out'], JSON.stringify(knownEffectCatalog(holdoutPercent), null, 2) + '\n');
} else if (holdoutPercent !== KNOWN_EFFECT_HOLDOUT_PERCENT) {
  process.stderr.write(`note: --holdout ${holdoutPercent} differs from events/replays/known-effect.ts (${KNOWN_EFFECT_HOLDOUT_PERCENT}); add --catalog-out <file.json> and replay with it\n`);
}
process.stderr.write(`${JSON.stringify(truth)}\n`);
process.stdout.write(toJsonLines(entries));
