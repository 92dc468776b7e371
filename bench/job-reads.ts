/**
 * `npm run bench:job-reads -- --profiles 1000 --history 50`: the daily jobs' read units before and
 * after the sparse indexes (bench/measure-job-reads.ts), a summary on stdout and the figures as JSON.
 */
import { parseArgs } from 'node:util';
import { hideSdkNodeVersionNotice } from '#local/quiet-sdk-warning.ts';
import { describeJobReads, measureJobReads } from './measure-job-reads.ts';

const { values } = parseArgs({ options: { profiles: { type: 'string', default: '1000' }, history: { type: 'string', default: '50' }, json: { type: 'boolean', default: false } } });
hideSdkNodeVersionNotice();
const result = await measureJobReads({ profiles: Number(values.profiles), history: Number(values.history), progress: (message) => process.stderr.write(`${message}\n`) });
console.log(values.json ? JSON.stringify(result, null, 2) : `${describeJobReads(result)}\n\n${JSON.stringify(result, null, 2)}`);
