/**
 * The reference month's AWS bill (issue 23 goal 1), a figure of `npm run bench`, runnable alone with
 * small sizes:
 *
 *   npx tsx bench/reference-cost.ts [--customers 20] [--days 7] [--profiles 100] [--warm-days 16]
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
import { describeSequenceRuns } from './sequence-runs.ts';

/** DynamoDB bills 100 bytes of overhead an item on top of its attributes. */
const ITEM_OVERHEAD_BYTES = 100;

/** The reference month from a finished end-to-end run and job-reads run (both of `npm run bench`). */
export function referenceMonth(endToEnd: Awaited<ReturnType<typeof measureEndToEnd>>, jobReads: JobReads) {
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
    prices: readPrices(),
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { customers: { type: 'string', default: '20' }, days: { type: 'string', default: '7' }, profiles: { type: 'string', default: '100' }, 'warm-days': { type: 'string' }, out: { type: 'string' } } });
  hideSdkNodeVersionNotice();
  const progress = (message: string) => void process.stderr.write(`${message}\n`);
  const { measureEndToEnd } = await import('./end-to-end.ts');
  const { measureJobReads } = await import('./measure-job-reads.ts');
  const endToEnd = await measureEndToEnd({ customers: 5, days: 2, seed: 7, unitCustomers: Number(values.customers), unitDays: Number(values.days), ...(values['warm-days'] !== undefined ? { unitWarmDays: Number(values['warm-days']) } : {}), rawUpdates: 50, latencySends: 1, progress });
  const jobReads = await measureJobReads({ profiles: Number(values.profiles), history: 50, progress });
  const month = referenceMonth(endToEnd, jobReads);
  console.log(describeReferenceMonth(month));
  console.log(`ingest under load: ${describeRetries(endToEnd.throughput.ingestRetries)}; unit pass: ${describeRetries(endToEnd.unitStream.ingestRetries)}`);
  console.log(`unit pass: ${endToEnd.unitStream.events} events (${JSON.stringify(endToEnd.unitStream.mix)}), ${endToEnd.sends} emails, engagement ${JSON.stringify(endToEnd.unitStream.engagement)}, ${endToEnd.unitStream.profilesInTable} profiles in the table`);
  console.log(`sequence executions of the unit pass, per sequence:\n${describeSequenceRuns(endToEnd.sequenceRuns)}`);
  if (values.out) writeFileSync(values.out, `${JSON.stringify({ at: new Date().toISOString(), endToEnd: { unitStream: endToEnd.unitStream, throughput: endToEnd.throughput, stateTransitions: endToEnd.stateTransitions, sequenceRuns: endToEnd.sequenceRuns, functions: endToEnd.functions }, referenceMonth: month }, null, 2)}\n`);
}
