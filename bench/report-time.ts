/**
 * `npm run bench:reports -- --profiles 5000 --runs 5 --experiment-runs 3`: the report-time figure alone
 * (bench/measure-report-time.ts) as JSON on stdout, progress on stderr.
 */
import { parseArgs } from 'node:util';
import { measureReportTime } from './measure-report-time.ts';

const { values } = parseArgs({
  options: { profiles: { type: 'string', default: '100000' }, runs: { type: 'string', default: '3' }, 'experiment-runs': { type: 'string', default: '1' } },
});
console.log(JSON.stringify(await measureReportTime({ profiles: Number(values.profiles), runs: Number(values.runs), experimentRuns: Number(values['experiment-runs']) }), null, 2));
