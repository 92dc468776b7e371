/**
 * The reference month's AWS bill (issue 23 goal 1), a figure of `npm run bench`, runnable alone with
 * small sizes:
 *
 *   npx tsx bench/reference-cost.ts [--customers 20] [--days 7] [--profiles 100] [--warm-days 16] [--rollup-records-out file]
 *
 * The reference-mix stream (events/generators/reference-mix.ts) through the whole local system one
 * event at a time (bench/end-to-end.ts's unit pass, with the opens and clicks of the emails it
 * sends), the table's bytes per profile with a year-like history (bench/measure-job-reads.ts), the
 * stack's settings per function (memory, X-Ray mode, log level: a synth of the deployed defaults),
 * priced by bench/cost-model.ts.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { synthesizeNudgeTemplate } from '#infra/synthesize.ts';
import { hideSdkNodeVersionNotice } from '#local/quiet-sdk-warning.ts';
import { LOCAL_STACK_CONTEXT } from '#local/stack/local-context.ts';
import { generateReferenceMix } from '../events/generators/reference-mix.ts';
import { describeReferenceMonth, functionSettings, readPrices, referenceMonthCost, sequenceSampling } from './cost-model.ts';
import type { measureEndToEnd } from './end-to-end.ts';
import type { JobReads } from './measure-job-reads.ts';
import { describeRetries } from './function-meter.ts';
import { CapturedRecords, describeBatchedRollupUnits, hookRollupInvocations, rollupUnitsAtReferenceRate, type BatchedRollupUnits } from './rollup-units.ts';
import { describeSequenceRuns } from './sequence-runs.ts';

/** DynamoDB bills 100 bytes of overhead an item on top of its attributes. */
const ITEM_OVERHEAD_BYTES = 100;

/**
 * The stream records the rollup Lambda gets in the end-to-end unit pass: captured from the unit
 * pass's start (its progress line after the meter's reset) to the latency sends after it, then run
 * again through the rollup service in the deployed mapping's batches (bench/rollup-units.ts).
 */
export function captureUnitPassRollupRecords() {
  const captured = new CapturedRecords();
  let capturing = false;
  const unhook = hookRollupInvocations((records, invoke) => {
    if (capturing) captured.add(records);
    return invoke();
  });
  return {
    /** Pass measureEndToEnd's progress lines through here. */
    onProgress(message: string) {
      if (/^end-to-end: unit pass, \d+ events of the reference mix/.test(message)) {
        captured.clear();
        capturing = true;
      } else if (message.startsWith('end-to-end: latency of')) capturing = false;
    },
    /** The captured records, for `bench/rollup-units.ts --records-in`. */
    records: () => captured.records,
    async units(events: number): Promise<BatchedRollupUnits> {
      unhook();
      if (captured.records.length === 0) throw new Error('no rollup stream record was captured in the unit pass');
      return rollupUnitsAtReferenceRate(captured.records, events);
    },
  };
}

/** The reference month from a finished end-to-end run and job-reads run (both of `npm run bench`), and the rollups' units by DynamoDB's rule when measured. */
export function referenceMonth(endToEnd: Awaited<ReturnType<typeof measureEndToEnd>>, jobReads: JobReads, rollups?: BatchedRollupUnits) {
  const u = endToEnd.unitStream;
  // The table the job-reads bench builds: profiles with a year-like history (50 items each by default).
  const tableBytesPerProfile = (jobReads.tableMb * 2 ** 20 + jobReads.itemsInTable * ITEM_OVERHEAD_BYTES) / jobReads.profiles;
  const sample = generateReferenceMix({ customers: 200, days: 7, seed: 1, start: '2027-01-04T00:00:00Z' }).entries;
  const eventBytes = sample.reduce((sum, entry) => sum + Buffer.byteLength(JSON.stringify({ Source: entry.Source, DetailType: entry.DetailType, Detail: JSON.stringify(entry.Detail), EventBusName: 'nudge', Time: entry.Time }), 'utf8'), 0) / sample.length;
  const { template } = synthesizeNudgeTemplate({ context: LOCAL_STACK_CONTEXT });
  return referenceMonthCost({
    functions: endToEnd.functions,
    events: u.events,
    sends: endToEnd.sends,
    profiles: u.profilesInTable,
    days: u.days,
    stateTransitions: endToEnd.stateTransitions,
    settings: functionSettings(template as Parameters<typeof functionSettings>[0]),
    tableBytesPerProfile,
    eventBytes,
    archiveRetentionDays: defaultCatalog.settings.eventArchiveRetentionDays,
    sequenceSampling: sequenceSampling(template as Parameters<typeof sequenceSampling>[0]),
    ...(rollups
      ? {
          rollups: {
            writeUnitsPerEvent: rollups.atDeployedBatch.writeUnitsPerThousandEvents / 1000,
            batchSize: rollups.deployed.size,
            writeUnitsPerEventAtBatchOfOne: rollups.atBatchOfOne.writeUnitsPerThousandEvents / 1000,
          },
        }
      : {}),
    prices: readPrices(),
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { customers: { type: 'string', default: '20' }, days: { type: 'string', default: '7' }, profiles: { type: 'string', default: '100' }, 'warm-days': { type: 'string' }, out: { type: 'string' }, 'rollup-records-out': { type: 'string' } },
  });
  hideSdkNodeVersionNotice();
  const progress = (message: string) => void process.stderr.write(`${message}\n`);
  const { measureEndToEnd } = await import('./end-to-end.ts');
  const { measureJobReads } = await import('./measure-job-reads.ts');
  const rollupRecords = captureUnitPassRollupRecords();
  const endToEnd = await measureEndToEnd({
    customers: 5,
    days: 2,
    seed: 7,
    unitCustomers: Number(values.customers),
    unitDays: Number(values.days),
    ...(values['warm-days'] !== undefined ? { unitWarmDays: Number(values['warm-days']) } : {}),
    rawUpdates: 50,
    latencySends: 1,
    progress: (message) => {
      rollupRecords.onProgress(message);
      progress(message);
    },
  });
  const rollups = await rollupRecords.units(endToEnd.unitStream.events);
  if (values['rollup-records-out']) writeFileSync(values['rollup-records-out'], JSON.stringify({ events: endToEnd.unitStream.events, records: rollupRecords.records() }));
  const jobReads = await measureJobReads({ profiles: Number(values.profiles), history: 50, progress });
  const month = referenceMonth(endToEnd, jobReads, rollups);
  console.log(describeReferenceMonth(month));
  console.log(`Rollups of the unit pass (${endToEnd.unitStream.events} events):\n${describeBatchedRollupUnits(rollups)}`);
  console.log(`ingest under load: ${describeRetries(endToEnd.throughput.ingestRetries)}; unit pass: ${describeRetries(endToEnd.unitStream.ingestRetries)}`);
  console.log(`unit pass: ${endToEnd.unitStream.events} events (${JSON.stringify(endToEnd.unitStream.mix)}), ${endToEnd.sends} emails, engagement ${JSON.stringify(endToEnd.unitStream.engagement)}, ${endToEnd.unitStream.profilesInTable} profiles in the table`);
  console.log(`sequence executions of the unit pass, per sequence:\n${describeSequenceRuns(endToEnd.sequenceRuns)}`);
  if (values.out) writeFileSync(values.out, `${JSON.stringify({ at: new Date().toISOString(), endToEnd: { unitStream: endToEnd.unitStream, throughput: endToEnd.throughput, stateTransitions: endToEnd.stateTransitions, sequenceRuns: endToEnd.sequenceRuns, functions: endToEnd.functions }, referenceMonth: month, rollups }, null, 2)}\n`);
}
