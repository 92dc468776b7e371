import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Profile } from '../../domain/profile.ts';
import { customerPk, profileKey, type ItemKey } from './keys.ts';
import { PROFILES_INDEX_KEY } from './sparse-indexes.ts';

/**
 * The profile item's stored form (decisions.md, "One write unit per event"). The profile is
 * rewritten on every event and DynamoDB bills a write per started KB of the larger of the old and
 * new item, so the item is kept under 1 KB: what a query, condition, index or stream filter reads
 * stays a plain attribute (`pk`, `sk`, `kind`, the profiles index key, `version`, and the transient
 * `outbox` that an UpdateItem removes), and everything
 * else is one binary attribute, `p`:
 *
 *   p = [PACKED_FORMAT] ++ uint16 n ++ digests ++ deflateRaw(JSON(packed), dictionary: PACKED_DICTIONARY_V1)
 *
 * `digests`: the redelivery window (`recentEvents`, n base64url characters of random digests,
 * which deflate cannot shrink) as bytes, 6 bits a character; n = 0 when it is empty or not base64url
 * text (then it is in the JSON).
 * `packed` is the profile without the plain attributes (and without `customerId`, which is the
 * `pk`), its fixed fields positional (PROFILE_SHAPE: no attribute names), canonical instants as
 * epoch milliseconds. Positional arrays end with an object of any field the shape does not name,
 * so a field added to the profile later is kept, never dropped. The preset dictionary holds the
 * names and values most profiles repeat (event types, series, segments, stages), so a small
 * profile compresses too. Both the shape and the dictionary are frozen for PACKED_FORMAT: changing
 * either is a new format number, and the old one stays readable.
 *
 * Items written before this format (the profile's fields as top-level attributes) read as before:
 * `isPackedProfileItem` tells them apart, and every later save writes the packed form.
 *
 * The codec is exact: decode(encode(p)) deep-equals p for every profile (property-tested), so the
 * domain's `Profile` type does not know the storage exists.
 */

/** The binary attribute holding the packed profile. */
export const PACKED_PROFILE_ATTRIBUTE = 'p';
/** The first byte of `p`: the shape and dictionary below. */
const PACKED_FORMAT = 1;
/**
 * A 4 KB window holds the dictionary and any profile; level 9 for the smallest item. (zlib's default
 * 32 KB window and memLevel 8 allocate ~256 KB a call: the smaller ones are faster for 1-2 KB.)
 */
const DEFLATE_OPTIONS = { level: 9, windowBits: 12, memLevel: 5 } as const;
// Inflate reads any window size; its default (32 KB) only costs the allocation.

/** A field of the shape: its name, and how its value is packed. */
type Field =
  | string
  /** An instant (ISO string). */
  | { key: string; time: true }
  /** A record of epoch seconds, or a list of epoch milliseconds. */
  | { key: string; epoch: 'secondsRecord' | 'millisList' }
  | { key: string; fields: readonly Field[] }
  | { key: string; items: readonly Field[] };

const time = (key: string): Field => ({ key, time: true });

/**
 * Instants are stored as seconds from this epoch (2026-01-01T00:00:00Z): 8 digits rather than a
 * 20-24 character string. The two forms instants come in are told apart by the number itself (see
 * packInstant); any other text is kept as text.
 */
const EPOCH_SECONDS = 1_767_225_600;

const CART_ITEM: readonly Field[] = ['productId', 'name', 'quantity', 'price', 'category'];

/** Format 1: the profile's fields in a fixed order (frozen; see above). `customerId` and `version` are plain attributes. */
const PROFILE_SHAPE: readonly Field[] = [
  'email',
  'firstName',
  'lastName',
  'timezone',
  'preferredContactTime',
  'consent',
  time('attributesAt'),
  time('firstSeenAt'),
  time('lastActivityAt'),
  'eventCount',
  'eventCounts',
  { key: 'lastSeen', epoch: 'secondsRecord' },
  { key: 'lastCart', fields: ['value', 'currency', { key: 'items', items: CART_ITEM }, 'itemCount', time('at')] },
  { key: 'recentCartAbandons', epoch: 'millisList' },
  time('signedUpAt'),
  { key: 'activity', fields: ['anchorDay', 'days', 'weeks'] },
  { key: 'commerce', fields: ['purchaseCount', 'revenue', 'refunds', time('firstPurchaseAt'), time('lastPurchaseAt')] },
  { key: 'sessions', fields: ['count', 'seconds', 'lastSessionId'] },
  'pageViewsByType',
  'productPageSeconds',
  'categories',
  'categoryTotal',
  'devices',
  {
    key: 'emailActivity',
    fields: ['sends', 'openHours', time('lastSendAt'), time('lastOpenAt'), time('lastClickAt'), { key: 'lastEngagement', fields: ['sendId', 'ruleId', 'kind', time('at')] }],
  },
  { key: 'support', fields: ['openTickets', 'ratingSum', 'ratingCount', 'lastNpsScore'] },
  time('subscriptionCancelledAt'),
  { key: 'recentProducts', items: ['productId', 'name', 'category', 'price', 'url'] },
  'scores',
  'engagementLevel',
  { key: 'segments', epoch: 'secondsRecord' },
  'lifecycleStage',
  time('lifecycleStageSince'),
  {
    key: 'predictions',
    fields: [
      { key: 'churn', fields: ['probability', 'segment', 'modelId', time('scoredAt'), time('snapshotAt')] },
      { key: 'purchaseIntent', fields: ['probability', 'modelId'] },
      { key: 'value', fields: ['predicted', 'potential', 'modelId'] },
      { key: 'nextPurchase', fields: ['days', 'segment'] },
      { key: 'interests', items: ['category', 'score', 'source'] },
    ],
  },
  'recentEvents',
  { key: 'lastEvent', fields: ['type', time('at'), 'categories'] },
  time('updatedAt'),
];

/**
 * Format 1's preset dictionary (frozen): names and values that recur across profiles. Deflate finds
 * matches anywhere in it, nearer the end costs fewer bits, so the commonest come last.
 */
const PACKED_DICTIONARY_V1 = Buffer.from(
  [
    'checkout_start refund support_ticket support_rating nps_response referral social_mention social_share feature_used subscription_change subscription_cancel',
    'win_back at_risk_churn loyal_advocate high_churn_risk medium_churn_risk low_churn_risk high_value_potential medium_value_potential low_value_potential',
    'imminent_purchase near_term_purchase long_term_nurture potential_buyers engagement_medium engagement_low engagement_inactive first_time_buyer non_purchaser',
    'activity_moderately_active activity_at_risk activity_churned veteran_user new_user prospect new_customer repeat_customer advocate at_risk',
    'heuristic-v1 "own" "similar" "imminent" "near_term" "long_term_nurture" "high" "medium" "low" "open" "click" "unsubscribed" "subscribed" "transactional" "product_updates" "marketing"',
    '"web" "ios" "android" "mobile" "desktop" "USD" "EUR" "GBP" "home" "blog" "other" "pricing" "product" "feature" "docs" "download" "form_submit" "video_watch" "custom:email_forward" "email_reply" "unsubscribe"',
    '"engaged_readers" "engagement_high" "repeat_buyer" "established_user" "feature_interest" "high_value_customer" "purchase_intent" "high_engagement" "activity_recently_active"',
    '"engagement" "activity_30d" "interaction" "highly_engaged" "moderately_engaged" "vip_customer" "identify" "subscribe"',
    '{"*":"","session":"","email_send":"","email_open":"","email_click":"","page_view":"","product_view":"","search":"","cart_add":"","cart_abandon":"","purchase":"","app_session":"","page:pricing":"","page:product":"","page:feature":"","page:docs":""}',
  ].join(' '),
);

/** True for an item stored in the packed form (else it has the profile's fields as attributes, as written before it). */
export function isPackedProfileItem(item: Record<string, unknown>): boolean {
  return item[PACKED_PROFILE_ATTRIBUTE] !== undefined;
}

/**
 * The profile's table item: key, kind, the profiles index key (the item's `pk`: set on create and
 * on every later write, so the item never leaves the sparse index), the version the next write is
 * conditioned on, and the packed rest.
 */
export function encodeProfileItem(profile: Profile): ItemKey & Record<string, unknown> {
  const key = profileKey(profile.customerId);
  // The outbox stays a plain attribute: the write's effects are cleared by an UpdateItem REMOVE
  // (profile-outbox.ts), which cannot reach into `p`; it is present only between a write and its effects.
  const { customerId: _customerId, version, recentEvents, outbox, ...rest } = profile;
  // The redelivery window's digests are random: deflate cannot shrink them, 6 bits a character can.
  const digests = isDigestText(recentEvents) ? Buffer.from(recentEvents + 'A'.repeat((4 - (recentEvents.length % 4)) % 4), 'base64url') : undefined;
  const json = JSON.stringify(packObject(digests ? rest : { ...rest, recentEvents }, PROFILE_SHAPE));
  const compressed = deflateRawSync(json, { ...DEFLATE_OPTIONS, dictionary: PACKED_DICTIONARY_V1 });
  const header = Buffer.alloc(3);
  header[0] = PACKED_FORMAT;
  header.writeUInt16BE(digests ? recentEvents.length : 0, 1);
  return { ...key, kind: 'profile', [PROFILES_INDEX_KEY]: key.pk, version, ...(outbox !== undefined ? { outbox } : {}), [PACKED_PROFILE_ATTRIBUTE]: new Uint8Array(Buffer.concat([header, digests ?? Buffer.alloc(0), compressed])) };
}

/**
 * The profile's fields of a packed item, as a plain object (not yet checked against the schema:
 * the repository parses it, as it parses a legacy item). Throws when `p` is not a packed profile.
 * `p` comes as bytes from the SDK, or as base64 in a Lambda stream event.
 */
export function decodeProfileFields(item: Record<string, unknown>): Record<string, unknown> {
  const raw = item[PACKED_PROFILE_ATTRIBUTE];
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'base64') : raw instanceof Uint8Array ? raw : undefined;
  if (!bytes || bytes.length < 4) throw new Error(`${PACKED_PROFILE_ATTRIBUTE} is not a packed profile`);
  if (bytes[0] !== PACKED_FORMAT) throw new Error(`${PACKED_PROFILE_ATTRIBUTE} has packed format ${bytes[0]}, this code reads ${PACKED_FORMAT}`);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const digestCharacters = buffer.readUInt16BE(1);
  const digestBytes = (Math.ceil(digestCharacters / 4) * 3);
  const json = inflateRawSync(buffer.subarray(3 + digestBytes), { dictionary: PACKED_DICTIONARY_V1 }).toString('utf8');
  const fields = unpackObject(JSON.parse(json), PROFILE_SHAPE);
  if (digestCharacters > 0) fields.recentEvents = buffer.subarray(3, 3 + digestBytes).toString('base64url').slice(0, digestCharacters);
  const pk = String(item.pk);
  const customerId = pk.startsWith(customerPk('')) ? pk.slice(customerPk('').length) : pk;
  return { customerId, version: item.version, ...(item.outbox !== undefined ? { outbox: item.outbox } : {}), ...fields };
}

/**
 * A stored profile item as readers of raw items see it (the rollups' stream images, erase and
 * export): the plain attributes and the profile's fields, whichever form it was stored in. An item
 * that is not a packed profile, or whose payload does not unpack, comes back unchanged (its
 * readers skip what they cannot read; the repository reports the corrupt item).
 */
export function readableProfileItem(item: Record<string, unknown>): Record<string, unknown> {
  if (item.kind !== 'profile' || !isPackedProfileItem(item)) return item;
  try {
    const { [PACKED_PROFILE_ATTRIBUTE]: _packed, ...plain } = item;
    return { ...plain, ...decodeProfileFields(item) };
  } catch {
    return item;
  }
}

// --- positional packing ---------------------------------------------------------------------------

const keyOf = (field: Field): string => (typeof field === 'string' ? field : field.key);

/**
 * An object as the array of its shape's fields (absent: null; trailing nulls dropped), followed,
 * when it has fields the shape does not name, by an object of those. JSON has no undefined and no
 * profile value is null, so null means absent without ambiguity.
 */
function packObject(value: Record<string, unknown>, shape: readonly Field[]): unknown[] {
  const slots = shape.map((field) => packValue(value[keyOf(field)], field));
  const known = new Set(shape.map(keyOf));
  const extra = Object.fromEntries(Object.entries(value).filter(([key, v]) => !known.has(key) && v !== undefined));
  if (Object.keys(extra).length > 0) return [...slots, extra];
  while (slots.length > 0 && slots.at(-1) === null) slots.pop();
  return slots;
}

function packValue(value: unknown, field: Field): unknown {
  if (value === undefined) return null;
  if (typeof field === 'string') return value;
  if ('time' in field) return typeof value === 'string' ? packInstant(value) : { raw: value };
  if ('epoch' in field) return packEpochs(value, field.epoch);
  if ('fields' in field) return isPlainObject(value) ? packObject(value, field.fields) : { raw: value };
  return Array.isArray(value) && value.every(isPlainObject) ? value.map((element) => packObject(element, field.items)) : { raw: value };
}

function unpackObject(packed: unknown, shape: readonly Field[]): Record<string, unknown> {
  if (!Array.isArray(packed)) throw new Error('packed profile: an object is not an array');
  const result: Record<string, unknown> = {};
  shape.forEach((field, index) => {
    const slot = packed[index];
    if (slot !== null && slot !== undefined) result[keyOf(field)] = unpackValue(slot, field);
  });
  if (packed.length > shape.length) Object.assign(result, packed[shape.length]);
  return result;
}

function unpackValue(slot: unknown, field: Field): unknown {
  if (typeof field === 'string') return slot;
  // `{ raw }`: a value of an unexpected shape, kept as it was (the schema check then reports it).
  if (isPlainObject(slot) && 'raw' in slot) return slot.raw;
  if ('time' in field) return typeof slot === 'number' ? unpackInstant(slot) : slot;
  if ('epoch' in field) return unpackEpochs(slot, field.epoch);
  if ('fields' in field) return unpackObject(slot, field.fields);
  if (!Array.isArray(slot)) throw new Error(`packed profile: ${field.key} is not a list`);
  return slot.map((element) => unpackObject(element, field.items));
}

/** Milliseconds since 1970 as seconds since EPOCH_SECONDS (exact for whole milliseconds: toEpochMs rounds back). */
function fromEpoch(ms: number): number {
  return (ms - EPOCH_SECONDS * 1000) / 1000;
}

function toEpochMs(seconds: number): number {
  return Math.round(seconds * 1000) + EPOCH_SECONDS * 1000;
}

/**
 * Integers are shifted to the epoch (seconds in a record, milliseconds in a list); any other value
 * is wrapped in a one-element list, so it is kept as it is and never read as shifted.
 */
function packEpochs(value: unknown, kind: 'secondsRecord' | 'millisList'): unknown {
  const shift = (n: unknown) => (Number.isSafeInteger(n) ? (kind === 'secondsRecord' ? (n as number) - EPOCH_SECONDS : fromEpoch(n as number)) : [n]);
  // A record as [key, value, key, value, ...]: a list, so it cannot be taken for the `{ raw }` marker.
  if (kind === 'secondsRecord' && isPlainObject(value)) return Object.entries(value).flatMap(([key, n]) => [key, shift(n)]);
  if (kind === 'millisList' && Array.isArray(value)) return value.map(shift);
  return { raw: value };
}

function unpackEpochs(slot: unknown, kind: 'secondsRecord' | 'millisList'): unknown {
  const unshift = (n: unknown) => (Array.isArray(n) ? n[0] : kind === 'secondsRecord' ? (n as number) + EPOCH_SECONDS : toEpochMs(n as number));
  if (kind === 'secondsRecord' && Array.isArray(slot)) return Object.fromEntries(Array.from({ length: slot.length / 2 }, (_, i) => [String(slot[2 * i]), unshift(slot[2 * i + 1])]));
  if (kind === 'millisList' && Array.isArray(slot)) return slot.map(unshift);
  throw new Error('packed profile: an epoch field has the wrong form');
}

/** Base64url text (the digests of event-dedupe.ts): packed 6 bits a character, its length in the header's two bytes. */
function isDigestText(text: string): boolean {
  return text.length > 0 && text.length <= 0xffff && /^[A-Za-z0-9_-]+$/.test(text);
}

/** A thousandth of a millisecond: marks a `toISOString` instant whose milliseconds are 0 (see packInstant). */
const WHOLE_SECOND_MARK = 0.0001;

/**
 * An instant as a number when it reads back exactly: `...T10:00:00Z` (whole seconds, as producers
 * send them) as whole seconds; `...T10:00:00.123Z` (what `toISOString` writes) as seconds with the
 * milliseconds as decimals, and with WHOLE_SECOND_MARK added when they are .000, so it is never a
 * whole number. Anything else (an offset, another precision) stays text.
 */
function packInstant(text: string): number | string {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return text;
  const iso = new Date(ms).toISOString();
  if (iso === text) return ms % 1000 === 0 ? fromEpoch(ms) + WHOLE_SECOND_MARK : fromEpoch(ms);
  if (ms % 1000 === 0 && iso.replace(/\.000Z$/, 'Z') === text) return fromEpoch(ms);
  return text;
}

function unpackInstant(seconds: number): string {
  const iso = new Date(toEpochMs(seconds)).toISOString();
  return Number.isInteger(seconds) ? iso.replace(/\.000Z$/, 'Z') : iso;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
