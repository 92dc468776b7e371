/**
 * Upgrading a table deployed before the sparse indexes (README "Upgrading"): sets the index key
 * attributes on the profiles and labelled training snapshots already stored, so the daily jobs'
 * index reads see them. Run it right after deploying the version that added the indexes (the new
 * code keeps the keys on every write from then on; run before, an old write would drop them).
 * Idempotent: run it again at any time, it sets only what is missing.
 *
 *   npx tsx scripts/backfill-sparse-indexes.ts --table <TableName output> [--region eu-west-1] [--segments 8] [--dry-run]
 *   (--endpoint http://127.0.0.1:<port> for a DynamoDB Local)
 */
import { parseArgs } from 'node:util';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SingleBar, Presets } from 'cli-progress';
import { backfillSparseIndexes } from '#shared/adapters/dynamo/sparse-index-backfill.ts';
import { hideSdkNodeVersionNotice } from '#local/quiet-sdk-warning.ts';

const { values } = parseArgs({
  options: { table: { type: 'string' }, region: { type: 'string' }, endpoint: { type: 'string' }, segments: { type: 'string', default: '8' }, 'dry-run': { type: 'boolean', default: false } },
});
if (!values.table) throw new Error('--table <name> is required: the TableName output of the stack (aws cloudformation describe-stacks --stack-name Nudge)');
const segments = Number(values.segments);
if (!Number.isInteger(segments) || segments < 1 || segments > 1000) throw new Error(`--segments must be a whole number from 1 to 1000, got ${values.segments}`);
hideSdkNodeVersionNotice();

const client = new DynamoDBClient({ ...(values.region ? { region: values.region } : {}), ...(values.endpoint ? { endpoint: values.endpoint } : {}) });
const documentClient = DynamoDBDocumentClient.from(client);
try {
  // DescribeTable's item count is refreshed about every six hours: a progress estimate, not a bound.
  const { Table } = await client.send(new DescribeTableCommand({ TableName: values.table }));
  const bar = new SingleBar({ format: 'backfill {bar} {value}/{total} items scanned | profiles {profiles} | labelled snapshots {labelled}', etaBuffer: 50 }, Presets.shades_classic);
  bar.start(Math.max(1, Table?.ItemCount ?? 0), 0, { profiles: 0, labelled: 0 });
  const totals = await backfillSparseIndexes(documentClient, values.table, {
    segments,
    dryRun: values['dry-run'],
    onProgress: (progress) => {
      if (progress.scanned > bar.getTotal()) bar.setTotal(progress.scanned);
      bar.update(progress.scanned, { profiles: progress.profiles, labelled: progress.labelledSnapshots });
    },
  });
  bar.stop();
  const verb = values['dry-run'] ? 'would set' : 'set';
  console.log(`${verb} the profiles index key on ${totals.profiles} profile(s) and the labelled index key on ${totals.labelledSnapshots} snapshot(s), ${totals.scanned} items scanned`);
} finally {
  client.destroy();
}
