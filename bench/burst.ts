/**
 * `npm run bench:burst -- --sends 10000 --rate 14`: only the send burst of `npm run bench`
 * (bench/send-burst.ts), printed as JSON; bench/results.json is left alone.
 */
import { parseArgs } from 'node:util';
import { hideSdkNodeVersionNotice } from '#local/quiet-sdk-warning.ts';
import { measureSendBurst } from './send-burst.ts';

const { values } = parseArgs({ options: { sends: { type: 'string', default: '10000' }, rate: { type: 'string', default: '14' } } });
hideSdkNodeVersionNotice();
const figures = await measureSendBurst({ sends: Number(values.sends), maxSendRate: Number(values.rate), progress: (message) => void process.stderr.write(`${message}\n`) });
console.log(JSON.stringify(figures, null, 2));
