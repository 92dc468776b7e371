/**
 * `npm run bench:scoring -- --profiles 2000`: the scoring throughput figure alone (bench/measure-scoring.ts), as JSON.
 */
import { parseArgs } from 'node:util';
import { measureScoringThroughput } from './measure-scoring.ts';

const { values } = parseArgs({ options: { profiles: { type: 'string', default: '2000' } } });
const customers = Number(values.profiles);
if (!Number.isInteger(customers) || customers < 1) throw new Error(`--profiles must be a whole number of at least 1, got "${values.profiles}"`);
console.log(JSON.stringify(await measureScoringThroughput({ customers, progress: (message) => process.stderr.write(`${message}\n`) }), null, 2));
