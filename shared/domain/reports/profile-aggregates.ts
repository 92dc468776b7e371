import { DateTime } from 'luxon';
import { HOUR_MS } from '../clock.ts';
import { MAX_CART_ITEMS } from '../profile.ts';
import { zoneOf } from '../send-time.ts';
import { LIVE, type RollupIncrement } from './rollups.ts';
import { ALL_PROFILES, SEGMENT_FEATURE_BUCKETS, SEGMENT_FEATURES, bucketOf, emptySegmentStats, type SegmentFeature, type SegmentStats } from './segment-stats.ts';
import { compareIds } from './numbers.ts';

/**
 * Report aggregates kept from profile changes on the table's stream (as rollups.ts does for
 * decisions, sends and conversions; decisions.md section 22): live composition statistics per
 * segment, which move up and down as profiles enter, change and leave, and daily behavior counters
 * (event types, categories, local hours and weekdays, in-session transitions). Pure.
 */

/** The behavior rollups' scope: one item per UTC day. */
export const BEHAVIOR_SCOPE = 'behavior';

/**
 * Two events at most this far apart are one session (the usual web-analytics inactivity timeout), so
 * the pair is a step in one visit's flow. Further apart, "A then B" says nothing about behavior.
 */
export const TRANSITION_WINDOW_MS = HOUR_MS / 2;

/** The scope of a segment's live statistics (ALL_PROFILES for the whole population). */
export function segmentStatsScope(segmentId: string): string {
  return `segstats:${segmentId}`;
}

type Counters = Record<string, number>;
type Item = Record<string, unknown>;

/**
 * What one profile change adds to the aggregates (insert: no old image; TTL or erase: no new one),
 * from the raw images; missing or odd fields are skipped, a malformed image never throws.
 * - Live segment statistics, for every segment in either image and for ALL_PROFILES: the new image's
 *   contribution minus the old one's (a member joining adds itself, leaving takes itself away, a
 *   changed score moves between buckets). Zero counters and empty increments are left out.
 * - Daily behavior, when the change applied a new event (an insert, or eventCount went up) and the
 *   profile says which (`lastEvent`); scoring and sweep writes leave eventCount alone.
 */
export function profileAggregateIncrements(oldImage: Item | undefined, newImage: Item | undefined): RollupIncrement[] {
  const before = profileOf(oldImage);
  const after = profileOf(newImage);
  return [...segmentStatsIncrements(before, after), ...behaviorIncrements(before, after)];
}

/** A segment's live statistics from its LIVE item: missing counters are 0, negative residue is 0. */
export function segmentStatsFromItem(segmentId: string, item: Item): SegmentStats {
  const read = (name: string) => {
    const value = item[name];
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
  };
  const stats = emptySegmentStats(segmentId);
  stats.members = read('members');
  stats.engagementSum = read('engagement_sum');
  stats.engagementSumSquares = read('engagement_sq');
  for (const feature of SEGMENT_FEATURES) stats.histograms[feature] = stats.histograms[feature].map((_, bucket) => read(histogramCounter(feature, bucket)));
  return stats;
}

/** A behavior counter's name, read back. */
export type BehaviorCounter =
  | { kind: 'event'; type: string }
  | { kind: 'category'; category: string }
  | { kind: 'hour'; hour: number }
  | { kind: 'weekday'; weekday: number }
  | { kind: 'hour_weekday'; weekday: number; hour: number }
  | { kind: 'transition'; from: string; to: string };

/** Reads a counter name of a behavior item (weekday 0 = Monday); undefined for names it does not know. */
export function parseBehaviorCounter(name: string): BehaviorCounter | undefined {
  const [prefix, first, second, ...rest] = name.split(':');
  if (first === undefined || first === '' || rest.length > 0) return undefined;
  switch (prefix) {
    case 'event':
      return second === undefined ? { kind: 'event', type: first } : undefined;
    case 'category':
      return second === undefined ? { kind: 'category', category: first } : undefined;
    case 'hour': {
      const hour = indexBelow(first, 24);
      return second === undefined && hour !== undefined ? { kind: 'hour', hour } : undefined;
    }
    case 'weekday': {
      const weekday = indexBelow(first, 7);
      return second === undefined && weekday !== undefined ? { kind: 'weekday', weekday } : undefined;
    }
    case 'hour_weekday': {
      const weekday = indexBelow(first, 7);
      const hour = indexBelow(second, 24);
      return weekday !== undefined && hour !== undefined ? { kind: 'hour_weekday', weekday, hour } : undefined;
    }
    case 'transition': {
      const [from, to, ...more] = first.split('>');
      return second === undefined && from && to && more.length === 0 ? { kind: 'transition', from, to } : undefined;
    }
    default:
      return undefined;
  }
}

// --- live segment statistics --------------------------------------------------------------------

/** Every live counter, in the order increments list them. */
const LIVE_COUNTERS = [
  'members',
  'engagement_sum',
  'engagement_sq',
  ...SEGMENT_FEATURES.flatMap((feature) => SEGMENT_FEATURE_BUCKETS[feature].map((_, bucket) => histogramCounter(feature, bucket))),
];

function histogramCounter(feature: SegmentFeature, bucket: number): string {
  return `h:${feature}:${bucket}`;
}

function segmentStatsIncrements(before: Item | undefined, after: Item | undefined): RollupIncrement[] {
  const beforeSegments = segmentsOf(before);
  const afterSegments = segmentsOf(after);
  const beforeContribution = before ? contributionOf(before) : {};
  const afterContribution = after ? contributionOf(after) : {};
  const segmentIds = [...new Set([...beforeSegments, ...afterSegments])].sort(compareIds);
  return segmentIds.flatMap((segmentId) => {
    const counters = difference(afterSegments.has(segmentId) ? afterContribution : {}, beforeSegments.has(segmentId) ? beforeContribution : {});
    return Object.keys(counters).length > 0 ? [{ scope: segmentStatsScope(segmentId), day: LIVE, counters }] : [];
  });
}

/** The segments a profile counts in: its own and the whole population. */
function segmentsOf(profile: Item | undefined): Set<string> {
  if (!profile) return new Set();
  return new Set([ALL_PROFILES, ...(isRecord(profile.segments) ? Object.keys(profile.segments) : [])]);
}

/**
 * One member's share of its segments' counters. Engagement is clamped to 0..1 (missing counts 0,
 * like the histogram's first bucket) and rounded to 1e-6: DynamoDB adds decimals exactly, so sums of
 * rounded contributions never drift, and a member leaving takes away exactly what it added.
 */
function contributionOf(profile: Item): Counters {
  const score = fieldOf(profile.scores, 'engagement');
  const engagement = roundMicro(typeof score === 'number' && Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0);
  const counters: Counters = { members: 1, engagement_sum: engagement, engagement_sq: roundMicro(engagement * engagement) };
  const values: Record<SegmentFeature, unknown> = {
    engagement,
    revenue: fieldOf(profile.commerce, 'revenue'),
    purchases: fieldOf(profile.commerce, 'purchaseCount'),
    churn_risk: fieldOf(fieldOf(profile.predictions, 'churn'), 'probability'),
  };
  for (const feature of SEGMENT_FEATURES) {
    const bucket = bucketOf(feature, values[feature]);
    if (bucket !== undefined) counters[histogramCounter(feature, bucket)] = 1;
  }
  return counters;
}

function difference(after: Counters, before: Counters): Counters {
  const counters: Counters = {};
  for (const name of LIVE_COUNTERS) {
    const change = roundMicro((after[name] ?? 0) - (before[name] ?? 0));
    if (change !== 0) counters[name] = change;
  }
  return counters;
}

// --- daily behavior -----------------------------------------------------------------------------

/**
 * Counter names partly come from customers' data (event types, categories): each name is cut to
 * these characters and this length, so it can never break the `:` / `>` structure. A day item's size
 * is then bounded by the distinct names seen that day (the catalog's types, plus custom types and
 * categories), each at most 64 characters.
 */
const UNSAFE_NAME_CHARACTERS = /[^A-Za-z0-9_.-]/g;
const MAX_NAME_LENGTH = 64;

type LastEvent = { type: string; at: number; categories: string[] };

/**
 * The new event's counters on its UTC day. Hour and weekday are the customer's local ones (their
 * IANA zone when valid, else UTC; zoneOf, as the send-time planner), so they say when to send. A
 * transition counts the previous event to this one when this one follows it within one session;
 * an event arriving out of order (older than the previous one) makes no transition.
 */
function behaviorIncrements(before: Item | undefined, after: Item | undefined): RollupIncrement[] {
  if (!after || (before && !(countOf(after) > countOf(before)))) return [];
  const event = lastEventOf(after);
  if (!event) return [];
  const timezone = typeof after.timezone === 'string' ? after.timezone : undefined;
  const local = DateTime.fromMillis(event.at, { zone: zoneOf(timezone, 'UTC') });
  const hour = local.hour;
  const weekday = local.weekday - 1;
  const counters: Counters = { [`event:${event.type}`]: 1 };
  for (const category of event.categories) counters[`category:${category}`] = (counters[`category:${category}`] ?? 0) + 1;
  // Hours and weekdays alone are the sums of this grid (the report adds them up): not written twice.
  counters[`hour_weekday:${weekday}:${hour}`] = 1;
  const previous = before && lastEventOf(before);
  if (previous) {
    const gap = event.at - previous.at;
    if (gap >= 0 && gap <= TRANSITION_WINDOW_MS) counters[`transition:${previous.type}>${event.type}`] = 1;
  }
  return [{ scope: BEHAVIOR_SCOPE, day: new Date(event.at).toISOString().slice(0, 10), counters }];
}

/** An event counts its items' categories, at most MAX_CART_ITEMS (profile.ts): more is a malformed image. */
function lastEventOf(profile: Item): LastEvent | undefined {
  const event = profile.lastEvent;
  if (!isRecord(event) || typeof event.type !== 'string' || event.type === '' || typeof event.at !== 'string') return undefined;
  const at = Date.parse(event.at);
  if (!Number.isFinite(at)) return undefined;
  const categories = Array.isArray(event.categories) ? event.categories.filter((c): c is string => typeof c === 'string' && c !== '') : [];
  return { type: safeName(event.type), at, categories: categories.slice(0, MAX_CART_ITEMS).map(safeName) };
}

function safeName(name: string): string {
  return name.replace(UNSAFE_NAME_CHARACTERS, '_').slice(0, MAX_NAME_LENGTH);
}

/** eventCount, or NaN when unreadable (so a comparison with it is false: no new event is assumed). */
function countOf(profile: Item): number {
  return typeof profile.eventCount === 'number' ? profile.eventCount : Number.NaN;
}

// --- raw images ---------------------------------------------------------------------------------

function profileOf(image: Item | undefined): Item | undefined {
  return image?.kind === 'profile' ? image : undefined;
}

function fieldOf(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function indexBelow(text: string | undefined, size: number): number | undefined {
  if (text === undefined || !/^\d{1,2}$/.test(text)) return undefined;
  const index = Number(text);
  return index < size ? index : undefined;
}

function roundMicro(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
