/**
 * The profile item's size and the cost of its codec (a figure of `npm run bench`; issue 23 goal 2):
 * over a generated shop stream applied as ingest applies it (applyEvent + evaluateProfile), every
 * event's profile item as attributes (how it was stored before profile-codec.ts) and packed (how it
 * is stored now): bytes (median, p99, largest) and the write units its PutItem is billed (1 per
 * started KB of the larger of the old and new item). Then the CPU the store spends per event on the
 * item: before, the SDK's marshall and unmarshall of the attributes; after, encode + decode and
 * the SDK's work on the small item. CPU is process.cpuUsage, after a warm-up pass.
 *
 *   npx tsx bench/profile-item.ts --customers 200 --days 30
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { dynamoItemSize } from '#shared/adapters/dynamo/item-size.ts';
import { decodeProfileFields, encodeProfileItem } from '#shared/adapters/dynamo/profile-codec.ts';
import { PROFILES_INDEX_KEY } from '#shared/adapters/dynamo/sparse-indexes.ts';
import { MARSHALL_OPTIONS, UNMARSHALL_OPTIONS } from '#shared/adapters/dynamo/translate-config.ts';
import { dailySeriesFor, defaultCatalog, segmentationOf, weeklySeriesFor } from '#shared/catalog/index.ts';
import { parseBehaviorEvent } from '#shared/contract/index.ts';
import { evaluateProfile } from '#shared/domain/profile-evaluation.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { lastSeenTypesFor } from '#shared/domain/trigger-rules.ts';
import { generateBehaviorStream, type GeneratedEntry } from '../events/generators/behavior-stream.ts';

const KB = 1024;

/** As DynamoProfileStore wrote a profile before the packed form: its fields as attributes. */
function attributesItem(profile: Profile): Record<string, unknown> {
  const pk = `C#${profile.customerId}`;
  return { pk, sk: 'PROFILE', kind: 'profile', [PROFILES_INDEX_KEY]: pk, ...profile };
}

type SizeFigures = { medianBytes: number; p99Bytes: number; largestBytes: number; writeUnitsPerEvent: number };

function sizeFigures(sizes: readonly number[], writeUnits: number): SizeFigures {
  const sorted = [...sizes].sort((a, b) => a - b);
  return {
    medianBytes: sorted[Math.floor(sorted.length / 2)] ?? 0,
    p99Bytes: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0,
    largestBytes: sorted.at(-1) ?? 0,
    writeUnitsPerEvent: Math.round((writeUnits / Math.max(1, sizes.length)) * 1000) / 1000,
  };
}

/** The profiles after each event of `entries`, in order (the stream applied as ingest does). */
function profilesAlong(entries: readonly GeneratedEntry[]): Profile[] {
  const options = { dailySeries: dailySeriesFor(defaultCatalog), weeklySeries: weeklySeriesFor(defaultCatalog), lastSeenTypes: lastSeenTypesFor(defaultCatalog.rules) };
  const segmentation = segmentationOf(defaultCatalog);
  const current = new Map<string, Profile>();
  const along: Profile[] = [];
  for (const entry of entries) {
    const parsed = parseBehaviorEvent({ source: entry.Source, detailType: entry.DetailType, detail: entry.Detail });
    if (!parsed.ok) throw new Error(`generated entry ${JSON.stringify(entry.Detail)} is invalid`);
    const now = new Date(entry.Time);
    const previous = current.get(parsed.event.customerId);
    const change = applyEvent(previous, parsed.event, now, options);
    if (change.type !== 'applied') continue;
    const profile = evaluateProfile({ profile: change.profile, previous, catalog: segmentation, now, triggerId: parsed.event.eventId, event: parsed.event }).profile;
    current.set(profile.customerId, profile);
    along.push(profile);
  }
  return along;
}

/** Bytes and billed write units of every event's write, in both forms (the write is billed by the larger of the old and new item). */
function measureSizes(along: readonly Profile[]) {
  const forms = { attributes: attributesItem, packed: encodeProfileItem };
  return Object.fromEntries(
    Object.entries(forms).map(([name, toItem]) => {
      const last = new Map<string, number>();
      const sizes: number[] = [];
      let units = 0;
      for (const profile of along) {
        const size = dynamoItemSize(toItem(profile));
        units += Math.ceil(Math.max(size, last.get(profile.customerId) ?? 0) / KB);
        last.set(profile.customerId, size);
        sizes.push(size);
      }
      return [name, sizeFigures(sizes, units)];
    }),
  ) as Record<keyof typeof forms, SizeFigures>;
}

/** CPU µs per event of what the store does with the item on a read and a write, in both forms. */
function measureCodecCpu(along: readonly Profile[]) {
  const attributes = (profile: Profile) => unmarshall(marshall(attributesItem(profile), MARSHALL_OPTIONS), UNMARSHALL_OPTIONS);
  const packed = (profile: Profile) => decodeProfileFields(unmarshall(marshall(encodeProfileItem(profile), MARSHALL_OPTIONS), UNMARSHALL_OPTIONS));
  const codecOnly = (profile: Profile) => decodeProfileFields(encodeProfileItem(profile));
  const cpu = (work: (profile: Profile) => unknown) => {
    for (const profile of along) work(profile); // warm-up
    const started = process.cpuUsage();
    for (const profile of along) work(profile);
    const used = process.cpuUsage(started);
    return Math.round(((used.user + used.system) / along.length) * 10) / 10;
  };
  return { attributesMarshallMicros: cpu(attributes), packedMarshallAndCodecMicros: cpu(packed), codecAloneMicros: cpu(codecOnly) };
}

export type ProfileItemFigures = ReturnType<typeof measureProfileItem>;

export function measureProfileItem(options: { customers: number; days: number; seed: number }) {
  const { entries } = generateBehaviorStream({ ...options, start: '2027-01-04T00:00:00Z' });
  const along = profilesAlong(entries);
  return { stream: { ...options, events: along.length }, sizes: measureSizes(along), cpuMicrosPerEvent: measureCodecCpu(along) };
}

export function describeProfileItem(r: ProfileItemFigures): string {
  const form = (name: string, s: SizeFigures) => `  ${name.padEnd(11)} median ${s.medianBytes} B, p99 ${s.p99Bytes} B, largest ${s.largestBytes} B: ${s.writeUnitsPerEvent} WRU per profile write`;
  const c = r.cpuMicrosPerEvent;
  return [
    `Profile item (${r.stream.events} events of ${r.stream.customers} customers over ${r.stream.days} days, each event's item):`,
    form('attributes', r.sizes.attributes),
    form('packed', r.sizes.packed),
    `  CPU per event (read + write of the item): attributes ${c.attributesMarshallMicros} µs (SDK marshalling), packed ${c.packedMarshallAndCodecMicros} µs (codec ${c.codecAloneMicros} µs + SDK)`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { customers: { type: 'string', default: '200' }, days: { type: 'string', default: '30' }, seed: { type: 'string', default: '11' } } });
  const figures = measureProfileItem({ customers: Number(values.customers), days: Number(values.days), seed: Number(values.seed) });
  console.log(describeProfileItem(figures));
}
