/**
 * Read units of the daily jobs' passes over the table (issue 20 item 9), before and after the
 * sparse indexes, on its own DynamoDB Local with the stack's table (`npm run bench:job-reads`, and
 * a figure of `npm run bench`):
 *
 * - N profiles (bench/report-fixtures.ts, as the report bench), each with a year-like history
 *   around it: weekly training snapshots for the 180 days they are kept (most labelled), sends
 *   and decision records (`--history` items per profile in all, default 50);
 * - one full profile pass: **before**, the table Scan (one segment: its cost does not depend on the split) with a
 *   `kind = profile` filter the scanner used to do (a filter drops items after they are read and
 *   paid for); **after**, DynamoProfileScanner over 4 segments as the sweep (the `profiles` index,
 *   KEYS_ONLY, then BatchGetItem);
 * - `labelled()` of training: before, the table Scan with its filter; after, the
 *   `labelled-snapshots` index;
 * - the units as DynamoDB Local reports them (ReturnConsumedCapacity), and as DynamoDB's documented
 *   rule gives them from the item sizes (a Scan: the sizes read, summed, per 4 KB, half a unit
 *   eventually consistent; an index entry is its keys; BatchGetItem: each item rounded up to 4 KB).
 *   DynamoDB Local charges a KEYS_ONLY index Scan by the size of the table's items, not of the
 *   index entries, so its "after" is pessimistic; the rule's figure is what DynamoDB bills.
 *
 * Per-profile figures are extrapolated to 100,000 profiles (the issue's reference workload).
 *
 *   npm run bench:job-reads -- --profiles 1000 --history 50
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CapacityMeter } from '#shared/adapters/aws/consumed-capacity.ts';
import { createDocumentClient } from '#shared/adapters/aws/clients.ts';
import { batchWriteAll } from '#shared/adapters/dynamo/batch-write.ts';
import { dynamoItemSize } from '#shared/adapters/dynamo/item-size.ts';
import { DynamoProfileScanner, profileItem } from '#shared/adapters/dynamo/profile-repository.ts';
import { LABELLED_SNAPSHOTS_INDEX_KEY, PROFILES_INDEX_KEY } from '#shared/adapters/dynamo/sparse-indexes.ts';
import { DynamoTrainingSnapshots } from '#shared/adapters/dynamo/training-snapshot-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { DAY_MS } from '#shared/domain/clock.ts';
import { PROFILE_FEATURES } from '#shared/domain/predictive/profile-features.ts';
import { startDynamoDbLocal } from '#local/emulators/dynamodb-local.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { freePort } from '#local/emulators/ports.ts';
import { StackTemplate } from '#local/stack/cloud-template.ts';
import { createStackTables } from '#local/stack/provision.ts';
import { LOCAL_STACK_CONTEXT } from '#local/stack/local-context.ts';
import { synthesizeNudgeTemplate } from '#infra/synthesize.ts';
import { generateProfiles } from './report-fixtures.ts';

export const REFERENCE_PROFILES = 100_000;
/** The steady state for the reference workload: about 12 GB of table (a year of history). */
export const REFERENCE_TABLE_BYTES = 12 * 2 ** 30;
const SEGMENTS = 4;
const WRITERS = 4;
const UNIT = 4096;
/** Weekly snapshots kept 180 days; the last four are not labelled yet (their churn window is open). */
const SNAPSHOTS = 26;
const UNLABELLED_SNAPSHOTS = 4;

export type JobReads = Awaited<ReturnType<typeof measureJobReads>>;

export async function measureJobReads(options: { profiles: number; history: number; progress?: (message: string) => void }) {
  const { profiles: count, history } = options;
  if (!Number.isInteger(count) || count < 1) throw new Error(`--profiles must be a whole number of at least 1, got ${count}`);
  if (!Number.isInteger(history) || history < SNAPSHOTS) throw new Error(`--history must be a whole number of at least ${SNAPSHOTS} (the snapshots kept), got ${history}`);
  const progress = options.progress ?? (() => undefined);
  const dynamodb = await startDynamoDbLocal(await freePort());
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: dynamodb.endpoint });
  const meter = new CapacityMeter();
  const documentClient = createDocumentClient({ config: { region: LOCAL_REGION, credentials: localCredentials, endpoint: dynamodb.endpoint }, meter });
  try {
    const tableName = [...(await createStackTables(new StackTemplate(synthesizeNudgeTemplate({ context: LOCAL_STACK_CONTEXT }).template), client)).values()][0]!;
    const now = new Date('2027-06-01T03:00:00Z');

    // Item sizes for DynamoDB's rule, gathered as the items are written.
    const sizes = { profiles: 0, profileUnits: 0, profileIndexEntries: 0, other: 0, labelledEntries: 0, items: 0, labelled: 0 };
    let written = 0;
    const pending: Array<Record<string, unknown>> = [];
    const flush = async () => {
      const batch = pending.splice(0);
      const slices = Array.from({ length: WRITERS }, (_, i) => batch.filter((_, j) => j % WRITERS === i));
      await Promise.all(slices.map((slice) => batchWriteAll(documentClient, tableName, slice.map((Item) => ({ PutRequest: { Item } })), 'bench items')));
    };
    const add = async (item: Record<string, unknown>) => {
      pending.push(item);
      sizes.items += 1;
      if (pending.length >= 2000) await flush();
    };
    for (const profile of generateProfiles({ count, seed: 9, now, catalog: defaultCatalog })) {
      const item = profileItem(profile);
      const size = dynamoItemSize(item);
      sizes.profiles += size;
      sizes.profileUnits += Math.ceil(size / UNIT);
      sizes.profileIndexEntries += dynamoItemSize({ pk: item.pk, sk: item.sk, [PROFILES_INDEX_KEY]: item.pk });
      await add(item);
      for (const other of historyOf(profile.customerId, history, now)) {
        sizes.other += dynamoItemSize(other);
        if (other[LABELLED_SNAPSHOTS_INDEX_KEY] !== undefined) {
          sizes.labelled += 1;
          sizes.labelledEntries += dynamoItemSize(other);
        }
        await add(other);
      }
      written += 1;
      if (written % 1000 === 0) progress(`job reads: ${written} profiles and their history written`);
    }
    await flush();
    progress(`job reads: ${sizes.items} items written (${count} profiles)`);

    const measure = async (pass: () => Promise<number>) => {
      meter.reset();
      const yielded = await pass();
      const { readUnits, requests } = meter.snapshot();
      return { yielded, readUnits: round(readUnits), requests };
    };
    // One segment of 1 MB pages: what a filtered Scan costs does not depend on how it is split, and
    // DynamoDB Local's segmented Scan slows down sharply on a table of this size.
    const profilePassBefore = await measure(() => filteredScan(documentClient, tableName, { FilterExpression: 'kind = :profile', ExpressionAttributeValues: { ':profile': 'profile' } }));
    const scanner = new DynamoProfileScanner(documentClient, tableName, { log: { debug() {}, info() {}, warn() {}, error() {} }, clock: { now: () => now } });
    const profilePassAfter = await measure(async () => {
      let seen = 0;
      await Promise.all(Array.from({ length: SEGMENTS }, async (_, segment) => {
        for await (const page of scanner.scanSegment(segment, SEGMENTS)) seen += page.profiles.length;
      }));
      return seen;
    });
    progress('job reads: profile pass measured');
    const labelledBefore = await measure(() =>
      filteredScan(documentClient, tableName, { FilterExpression: 'kind = :kind AND attribute_exists(#label)', ExpressionAttributeNames: { '#label': 'label' }, ExpressionAttributeValues: { ':kind': 'training_snapshot' } }),
    );
    const labelledAfter = await measure(async () => {
      let seen = 0;
      for await (const _ of new DynamoTrainingSnapshots(documentClient, tableName).labelled()) seen += 1;
      return seen;
    });
    progress('job reads: labelled snapshots measured');

    // DynamoDB's rule from the item sizes (eventually consistent reads: half a unit per 4 KB).
    const scanUnits = (bytes: number) => round(Math.ceil(bytes / UNIT) / 2);
    const rule = {
      profilePassBefore: scanUnits(sizes.profiles + sizes.other),
      profilePassAfter: round(scanUnits(sizes.profileIndexEntries) + sizes.profileUnits / 2),
      labelledBefore: scanUnits(sizes.profiles + sizes.other),
      labelledAfter: scanUnits(sizes.labelledEntries),
    };
    const perProfile = (units: number) => units / count;
    const at100k = (units: number) => Math.round(perProfile(units) * REFERENCE_PROFILES);
    const figure = (before: { readUnits: number }, after: { readUnits: number }, ruleBefore: number, ruleAfter: number) => ({
      dynamodbLocal: { before: before.readUnits, after: after.readUnits, ratio: round(before.readUnits / after.readUnits), at100kProfiles: { before: at100k(before.readUnits), after: at100k(after.readUnits) } },
      dynamodbRule: { before: ruleBefore, after: ruleAfter, ratio: round(ruleBefore / ruleAfter), at100kProfiles: { before: at100k(ruleBefore), after: at100k(ruleAfter) } },
    });
    // What a filtered table Scan costs is the table's size, whatever it holds; the index pass does not depend on it.
    const at12GbTable = { profilePassBefore: round(Math.ceil(REFERENCE_TABLE_BYTES / UNIT) / 2), profilePassAfter: at100k(rule.profilePassAfter) };
    return {
      profiles: count,
      referenceTable12Gb: { ...at12GbTable, ratio: round(at12GbTable.profilePassBefore / at12GbTable.profilePassAfter) },
      itemsInTable: sizes.items,
      historyItemsPerProfile: history,
      labelledSnapshots: sizes.labelled,
      tableMb: round((sizes.profiles + sizes.other) / 2 ** 20),
      averageProfileBytes: Math.round(sizes.profiles / count),
      averageOtherItemBytes: Math.round(sizes.other / (sizes.items - count)),
      profilePass: { yielded: { before: profilePassBefore.yielded, after: profilePassAfter.yielded }, requests: { before: profilePassBefore.requests, after: profilePassAfter.requests }, ...figure(profilePassBefore, profilePassAfter, rule.profilePassBefore, rule.profilePassAfter) },
      labelled: { yielded: { before: labelledBefore.yielded, after: labelledAfter.yielded }, requests: { before: labelledBefore.requests, after: labelledAfter.requests }, ...figure(labelledBefore, labelledAfter, rule.labelledBefore, rule.labelledAfter) },
    };
  } finally {
    documentClient.destroy();
    client.destroy();
    await dynamodb.stop();
  }
}

/** The old reads: a table Scan whose filter drops items after they are read (and paid for). Returns the items that passed. */
async function filteredScan(client: DynamoDBDocumentClient, tableName: string, input: Record<string, unknown>): Promise<number> {
  let key: Record<string, unknown> | undefined;
  let kept = 0;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ...input, ExclusiveStartKey: key, ReturnConsumedCapacity: 'TOTAL' }));
    kept += page.Items?.length ?? 0;
    key = page.LastEvaluatedKey;
  } while (key);
  return kept;
}

/**
 * A customer's history besides the profile, shaped like the items the services write: weekly
 * training snapshots (features, outcomes, TTL; the labelled ones in the labelled index), then
 * sends (ledger items with their status trail) and decision records, alternating.
 */
function historyOf(customerId: string, count: number, now: Date): Array<Record<string, unknown>> {
  const pk = `C#${customerId}`;
  const items: Array<Record<string, unknown>> = [];
  for (let week = 0; week < SNAPSHOTS; week++) {
    const at = new Date(now.getTime() - (week + 1) * 7 * DAY_MS).toISOString();
    const labelled = week >= UNLABELLED_SNAPSHOTS;
    items.push({
      pk, sk: `SNAPSHOT#${at}`, kind: 'training_snapshot', customerId, at,
      features: PROFILE_FEATURES.map((_, i) => Math.round(((week * 31 + i * 17) % 97) * 1000) / 97_000),
      ...(labelled ? { label: week % 5 === 0 ? 1 : 0, purchased: week % 3 === 0 ? 1 : 0, revenue: (week % 3) * 24.5, [LABELLED_SNAPSHOTS_INDEX_KEY]: pk } : {}),
      ttl: Math.floor(Date.parse(at) / 1000) + 180 * 86_400,
    });
  }
  for (let i = 0; items.length < count; i++) {
    const at = new Date(now.getTime() - (i + 1) * 3 * DAY_MS).toISOString();
    if (i % 2 === 0) {
      const sendId = `${customerId}-s${i}`;
      items.push({
        pk, sk: `SEND#${sendId}`, kind: 'send', sendId, customerId, ruleId: 'cart_abandon_reminder', templateId: 'cart-abandon-1', channel: 'email', marketing: true,
        email: `${customerId}@example.com`, subject: 'You left something in your cart', status: 'delivered', createdAt: at, sentAt: at, messageId: `0100018f-${i.toString(16).padStart(8, '0')}-${customerId}`,
        statusHistory: [{ status: 'queued', at }, { status: 'sent', at }, { status: 'delivered', at }], opens: i % 3, clicks: i % 5 === 0 ? 1 : 0, ttl: Math.floor(Date.parse(at) / 1000) + 400 * 86_400,
      });
    } else {
      items.push({
        pk, sk: `DEC#${at}#cart_abandon_reminder#${i.toString(16)}`, kind: 'decision', customerId, ruleId: 'cart_abandon_reminder', eventType: 'cart_abandon', occurredAt: at,
        outcome: i % 3 === 0 ? 'suppressed' : 'fired', reasons: i % 3 === 0 ? ['cooldown'] : [], eventDigest: `${i.toString(16).padStart(16, '0')}`, ttl: Math.floor(Date.parse(at) / 1000) + 400 * 86_400,
      });
    }
  }
  return items;
}

const round = (value: number) => Math.round(value * 100) / 100;

/** The figures as a few lines of text. */
export function describeJobReads(r: JobReads): string {
  const line = (name: string, f: JobReads['profilePass']) =>
    [
      `${name}: yields ${f.yielded.before} before, ${f.yielded.after} after`,
      `  DynamoDB Local (ReturnConsumedCapacity): ${f.dynamodbLocal.before} RRU -> ${f.dynamodbLocal.after} RRU (${f.dynamodbLocal.ratio}x less); at ${REFERENCE_PROFILES.toLocaleString('en')} profiles ~${f.dynamodbLocal.at100kProfiles.before.toLocaleString('en')} -> ~${f.dynamodbLocal.at100kProfiles.after.toLocaleString('en')} RRU`,
      `  DynamoDB's rule (item sizes):             ${f.dynamodbRule.before} RRU -> ${f.dynamodbRule.after} RRU (${f.dynamodbRule.ratio}x less); at ${REFERENCE_PROFILES.toLocaleString('en')} profiles ~${f.dynamodbRule.at100kProfiles.before.toLocaleString('en')} -> ~${f.dynamodbRule.at100kProfiles.after.toLocaleString('en')} RRU`,
    ].join('\n');
  return [
    `Job reads on ${r.profiles} profiles, ${r.itemsInTable} items (${r.historyItemsPerProfile} history items per profile, ${r.tableMb} MB; profile ~${r.averageProfileBytes} B, other items ~${r.averageOtherItemBytes} B)`,
    line('One profile pass', r.profilePass),
    line('labelled() (training)', r.labelled),
    `On the issue's 12 GB table (100,000 profiles, a year of history), by DynamoDB's rule: a profile pass ~${r.referenceTable12Gb.profilePassBefore.toLocaleString('en')} RRU before -> ~${r.referenceTable12Gb.profilePassAfter.toLocaleString('en')} RRU after (${r.referenceTable12Gb.ratio}x less; after does not grow with the history)`,
  ].join('\n');
}
