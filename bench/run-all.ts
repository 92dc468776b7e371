/**
 * `npm run bench`: every benchmark figure of Nudge in one run, a readable summary on stdout and all
 * figures in bench/results.json (with the machine's facts). Figures, not pass/fail timings: DynamoDB
 * Local is far slower than DynamoDB and other work on the machine moves them, so read the ratios
 * measured in the same run (events/s to raw UpdateItem/s) and the counted units, which do not move.
 *
 *   npm run bench               the sizes the issue asks for (report time on 100,000 profiles; ~25 min on 2 cores;
 *                               the send burst, 10,000 sends at 14/s, adds ~12 min)
 *   npm run bench -- --quick    small sizes, a few minutes, to try it
 *   --burst-sends N             the send burst's size (default: 10,000; --quick: 300); 0 skips it
 *   (the daily jobs' read units before/after the sparse indexes: 1,000 profiles, ~4 min loaded; --quick: 300)
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { hideSdkNodeVersionNotice } from '#local/quiet-sdk-warning.ts';
import { generateBehaviorStream } from '../events/generators/behavior-stream.ts';
import { measureBundles } from './bundle-size.ts';
import { estimateCost, readPrices } from './cost-model.ts';
import { measureDomainCpu, syntheticCatalog } from './domain-cpu.ts';
import { measureEndToEnd } from './end-to-end.ts';
import { describeJobReads, measureJobReads } from './measure-job-reads.ts';
import { measureScoringThroughput } from './measure-scoring.ts';
import { measureReportTime } from './measure-report-time.ts';
import { describeRollupUnits, measureRollupUnits } from './rollup-units.ts';
import { measureSendBurst } from './send-burst.ts';
import { describeSequenceTransitions, measureSequenceTransitions } from './sequence-transitions.ts';
import { captureUnitPassRollupRecords, referenceMonth } from './reference-cost.ts';
import { describeReferenceMonth } from './cost-model.ts';
import { describeRetries } from './function-meter.ts';
import { describeProfileItem, measureProfileItem } from './profile-item.ts';
import { measureReplaySpeedInChild } from './replay-speed.ts';

/** SES's default maximum send rate out of the sandbox: the burst is measured against it. */
const BURST_SES_RATE = 14;

const SIZES = {
  quick: { replay: { customers: 100, days: 7 }, e2e: { customers: 30, days: 7, unitCustomers: 20, unitDays: 7, rawUpdates: 300, latencySends: 10 }, domain: { customers: 200, days: 14 }, initRuns: 1, scoringProfiles: 300, jobReadProfiles: 300, report: { profiles: 2000, runs: 1, experimentRuns: 1 }, burstSends: 300 },
  full: { replay: { customers: 2000, days: 14 }, e2e: { customers: 40, days: 14, unitCustomers: 50, unitDays: 14, rawUpdates: 2000, latencySends: 50 }, domain: { customers: 1000, days: 30 }, initRuns: 3, scoringProfiles: 2000, jobReadProfiles: 1000, report: { profiles: 100_000, runs: 3, experimentRuns: 1 }, burstSends: 10_000 },
};

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'burst-sends': { type: 'string' }, out: { type: 'string', default: new URL('./results.json', import.meta.url).pathname } } });
const baseSizes = values.quick ? SIZES.quick : SIZES.full;
const sizes = { ...baseSizes, burstSends: values['burst-sends'] === undefined ? baseSizes.burstSends : Number(values['burst-sends']) };
if (!Number.isInteger(sizes.burstSends) || sizes.burstSends < 0) throw new Error(`--burst-sends ${values['burst-sends']} must be a whole number (0 skips the send burst)`);
hideSdkNodeVersionNotice();
const benchStarted = performance.now();
const elapsed = () => `${Math.round((performance.now() - benchStarted) / 1000)} s`;
const progress = (message: string) => void process.stderr.write(`[${elapsed()}] ${message}\n`);
/** The bench's steps, numbered as they run (count them when adding one: STEPS). */
const STEPS = 13;
let stepsRun = 0;
const step = (title: string) => progress(`--- ${++stepsRun}/${STEPS} ${title}`);
const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()} ${os.arch()}`, loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100) };
progress(`npm run bench (${values.quick ? '--quick' : 'full sizes'}) on ${machine.cpus} cpus, node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}`);

step('bundle size and module init time');
const bundles = await measureBundles({ runs: sizes.initRuns, progress });

step('domain CPU per event');
const domainStream = generateBehaviorStream({ ...sizes.domain, seed: 11, start: '2027-01-04T00:00:00Z' });
const domainCpu = { shipped: measureDomainCpu(defaultCatalog, domainStream.entries), synthetic: measureDomainCpu(syntheticCatalog(), domainStream.entries) };
// The profile item's bytes and billed write units, attributes vs packed, and the codec's CPU (issue 23 goal 2).
step('profile item size and codec CPU');
const profileItem = measureProfileItem({ ...sizes.domain, seed: 11 });

step('end to end on the local system');
// The unit pass's stream records to the rollup Lambda, priced again in the deployed mapping's batches (the reference month's rollups line).
const rollupRecords = captureUnitPassRollupRecords();
const endToEnd = await measureEndToEnd({
  ...sizes.e2e,
  seed: 7,
  progress: (message: string) => {
    rollupRecords.onProgress(message);
    progress(message);
  },
});
const unitPassRollups = await rollupRecords.units(endToEnd.unitStream.events);

step('cost model');
const cost = estimateCost({ functions: endToEnd.functions, events: endToEnd.unitStream.events, sends: endToEnd.sends, profiles: endToEnd.unitStream.customers, days: endToEnd.unitStream.days, bundles, prices: readPrices() });

step(`profiles scored per second (${sizes.scoringProfiles} profiles)`);
const scoring = await measureScoringThroughput({ customers: sizes.scoringProfiles, progress });

step(`report time on ${sizes.report.profiles} profiles`);
const reports = await measureReportTime({ ...sizes.report, progress });

step(`send burst: ${sizes.burstSends} sends released at once against a local SES at ${BURST_SES_RATE}/s`);
const sendBurst = sizes.burstSends > 0 ? await measureSendBurst({ sends: sizes.burstSends, maxSendRate: BURST_SES_RATE, progress }) : undefined;

step(`the daily jobs' read units before and after the sparse indexes (${sizes.jobReadProfiles} profiles, 50 history items each)`);
const jobReads = await measureJobReads({ profiles: sizes.jobReadProfiles, history: 50, progress });

step('Step Functions state transitions per run of each shipped sequence (the synthesized machine, run locally)');
const sequenceTransitions = await measureSequenceTransitions();

step('the reference month: the unit pass (reference mix) and the job-reads table, priced');
const month = referenceMonth(endToEnd, jobReads, unitPassRollups);

step(`fast replay (nudge replay --mode memory): ${sizes.replay.customers} customers over ${sizes.replay.days} days`);
const replaySpeed = await measureReplaySpeedInChild({ ...sizes.replay, progress });

// Issue 23 goal 3: the rollup Lambda's write units per 1,000 events, through the local system.
const rollupSizes = values.quick ? { customers: 20, days: 7 } : { customers: 40, days: 14 };
step(`rollup write units per 1,000 events (${rollupSizes.customers} customers, ${rollupSizes.days} days)`);
const rollupUnits = await measureRollupUnits({ ...rollupSizes, seed: 9, progress });

const results = { at: new Date().toISOString(), mode: values.quick ? 'quick' : 'full', sizes, machine: { ...machine, loadAverageAtEnd: os.loadavg().map((load) => Math.round(load * 100) / 100) }, benchSeconds: Math.round((performance.now() - benchStarted) / 1000), endToEnd, domainCpu, profileItem, bundles, cost, scoring, reports, sendBurst, jobReads, referenceMonth: month, sequenceTransitions, replaySpeed, rollupUnits };
writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`);
console.log(summarize(results));
console.log(`\nAll figures: ${values.out}`);

function summarize(r: typeof results): string {
  const e = r.endToEnd;
  const t = e.throughput;
  const units = (u: { readUnits: number; writeUnits: number; dynamoRequests?: number } | undefined) => (u ? `${u.readUnits} RRU + ${u.writeUnits} WRU${u.dynamoRequests !== undefined ? ` (${u.dynamoRequests} requests)` : ''}` : 'n/a');
  const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
  const lines = [
    `Nudge benchmarks (${r.mode}; ${r.machine.cpus} cpus, node ${r.machine.node}, load ${r.machine.loadAverageAtStart.join(' ')} -> ${r.machine.loadAverageAtEnd.join(' ')}; ${r.benchSeconds} s)`,
    '',
    `End to end (local system, ${e.stream.events} events of ${e.stream.customers} customers over ${e.stream.days} days, put 10 per PutEvents, ${4} in flight):`,
    `  ${t.eventsPerSecond} events/s until idle  vs  ${t.dynamodbLocalUpdateItemPerSecond} raw sequential UpdateItem/s on the same DynamoDB Local  ->  ratio ${t.eventsPerSecondToRawUpdateItem}`,
    `  under that load: ingest ${units(t.ingestUnitsPerEvent)} per event (a customer's overlapping events retry the profile write)`,
    `  retries under that load: ingest ${describeRetries(t.ingestRetries)}; unit pass: ${describeRetries(e.unitStream.ingestRetries)}`,
    `DynamoDB units (ReturnConsumedCapacity; unit pass: ${e.unitStream.events} events of the reference mix, ${e.unitStream.customers} customers, one at a time, ${e.sends} emails sent):`,
    ...Object.entries(e.requestUnits.ingestByPath).map(([path, u]) => `  ingest, ${path.padEnd(12)} ${units(u)} per event (${u.events} events)`),
    `  per send (dispatcher)  ${units(e.requestUnits.perSend)}`,
    `  all functions          ${units(e.requestUnits.allFunctionsPerEvent)} per event (rollups, sequences, scheduled jobs included)`,
    `PutEvents -> email in the SES store (transactional, one at a time, ${e.latencyMs.sends} sends): p50 ${e.latencyMs.p50} ms, p99 ${e.latencyMs.p99} ms`,
    '',
    `Domain CPU per event (validate + apply + scores/segments/stage + rules, no I/O, ${r.domainCpu.shipped.events} events):`,
    ...(['shipped', 'synthetic'] as const).map((k) => {
      const d = r.domainCpu[k];
      return `  ${k.padEnd(9)} catalog (${d.catalog.activeRules} active rules, ${d.catalog.segmentDefinitions} segment definitions / ${d.catalog.segmentIds} segments): ${d.cpuMicrosPerEvent} µs CPU per event (${d.eventsPerCpuSecond} events per CPU second)`;
    }),
    describeProfileItem(r.profileItem),
    '',
    `Bundles (cdk synth's esbuild, minified ESM) and module init (import in a fresh node, median of ${r.sizes.initRuns}):`,
    ...r.bundles.map((b) => `  ${b.entry.padEnd(44)} ${kb(b.bytes).padStart(8)} (${kb(b.gzipBytes)} gzip)  init ${b.initMs} ms (${b.initCpuMs} ms CPU)  ${b.memoryMb} MB`),
    '',
    `Profiles scored per second (${r.scoring.profiles} profiles; raw UpdateItem ${r.scoring.dynamodbLocalUpdateItemPerSecond}/s):`,
    ...r.scoring.runs.map((run) => `  ${run.workers} worker(s) x ${run.concurrency} in flight: ${run.overall} profiles/s (ratio to raw UpdateItem ${run.overallToRawUpdateItem})`),
    `Report time on ${r.reports.profiles} profiles (median of ${r.reports.runs.reports} runs, ms):`,
    ...Object.entries(r.reports.reportMs).map(([name, ms]) => `  ${name.padEnd(22)} ${ms.median} (min ${ms.min}, max ${ms.max})`),
    ...Object.entries(r.reports.segmentExperiment).map(([name, x]) => `  segmentExperiment ${name}: ${x.ms.median} ms (${x.profilesPerSecond} profiles/s)`),
    '',
    ...(r.sendBurst
      ? [
          `Send burst (${r.sendBurst.sends} sends released at once, local SES limited to ${r.sendBurst.maxSendRate}/s):`,
          `  ${r.sendBurst.delivered} delivered, ${r.sendBurst.deadLettered} dead-lettered; sustained ${r.sendBurst.sustainedPerSecond}/s = ${r.sendBurst.rateToLimit} of the limit; drained in ${r.sendBurst.drainSeconds} s; SES throttled ${r.sendBurst.sesThrottled}, retries ${r.sendBurst.retries}`,
          '',
        ]
      : []),
    describeJobReads(r.jobReads),
    '',
    describeSequenceTransitions(r.sequenceTransitions),
    describeReferenceMonth(r.referenceMonth),
    `Fast replay (nudge replay --mode memory, ${r.replaySpeed.events} events of ${r.replaySpeed.customers} customers over ${r.replaySpeed.days} days; load ${r.replaySpeed.loadAverage.start[0]} -> ${r.replaySpeed.loadAverage.end[0]}):`,
    `  ${r.replaySpeed.eventsPerSecond} events/s (${r.replaySpeed.eventsPerCpuSecond} per CPU second; 1M events in ${r.replaySpeed.minutesPerMillionEvents} min); startup ${Math.round(r.replaySpeed.startupMs / 1000)} s; peak RSS ${r.replaySpeed.peakRssMb} MB; ${r.replaySpeed.rssBytesPerCustomer} B RSS and ${r.replaySpeed.itemBytesPerCustomer} B of items per customer`,
    describeRollupUnits(r.rollupUnits),
    '',
    `AWS cost (${r.cost.region} list prices of bench/aws-prices.json):`,
    `  per million events: $${r.cost.perMillionEventsUsd}  ${JSON.stringify(r.cost.perMillionEvents)}`,
    `  per 1,000 sends (dispatcher, queue, SES): $${r.cost.perThousandSendsUsd ?? 'n/a'}  ${JSON.stringify(r.cost.perThousandSends)}`,
    `  scheduled jobs (sweep, scoring, drift, training): $${r.cost.scheduledPerThousandProfileDaysUsd} per 1,000 profiles per day (at this small population)`,
    `  sends per event in the stream: ${r.cost.sendsPerEvent}`,
    '  assumptions:',
    ...Object.entries(r.cost.assumptions).map(([name, value]) => `    ${name}: ${typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value)}`),
  ];
  return lines.join('\n');
}
