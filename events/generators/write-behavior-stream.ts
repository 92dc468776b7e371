/**
 * Writes a seeded behavior stream as JSON lines (the input of `nudge replay`):
 *   npx tsx events/generators/write-behavior-stream.ts --customers 50 --days 14 --seed 7 > stream.jsonl
 */
import { parseArgs } from 'node:util';
import { generateBehaviorStream, toJsonLines } from './behavior-stream.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '50' },
    days: { type: 'string', default: '14' },
    seed: { type: 'string', default: '7' },
    start: { type: 'string', default: '2027-01-04T00:00:00Z' },
  },
});
const numberOption = (name: string, text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} ${text}: a whole number above 0`);
  return value;
};
const { entries } = generateBehaviorStream({
  customers: numberOption('customers', values.customers),
  days: numberOption('days', values.days),
  seed: numberOption('seed', values.seed),
  start: values.start,
});
process.stdout.write(toJsonLines(entries));
