import { SEGMENT_PERFORMANCE_COUNTERS } from './segment-performance.ts';
import { exposureConversionIncrements, newExposureIncrements } from './exposure-rollups.ts';
import { VARIANT_COUNTERS, variantScope } from '../experiments.ts';

/**
 * Daily rollups per rule (a sequence step's email is the rule `seq_<sequence>__<step>`), kept up to
 * date from the table's own change stream: every report reads a few rollup items instead of
 * scanning decisions, sends and conversions. This module turns one changed item (its image before
 * and after) into counter increments. Pure.
 */

/** The counters of one rule on one day. */
export const ROLLUP_COUNTERS = [
  'matched',
  'fired',
  'sequences_started',
  'holdout',
  'dropped_priority',
  'deferred',
  'goal_met',
  'suppressed',
  'suppressed_no_email',
  'suppressed_no_consent',
  'suppressed_promotional_pause',
  'suppressed_cooldown',
  'suppressed_rule_cap',
  'suppressed_global_cap',
  'sent',
  'failed',
  'delivered',
  'bounced',
  'rejected',
  'complained',
  'opened',
  'clicked',
  'converted',
  'unsubscribed',
  'conversions',
  'revenue',
] as const;
export type RollupCounter = (typeof ROLLUP_COUNTERS)[number];
/**
 * Counters to ADD to one rollup item: `scope` names what is counted (a rule or sequence step's id for
 * the per-rule rollups; `segment:<id>`, `segstats:<id>`, `behavior` for the others), `day` is a UTC
 * day or `LIVE` for an aggregate of the present state (it goes up and down).
 */
export type RollupIncrement = { scope: string; day: string; counters: Record<string, number> };
export const LIVE = 'LIVE';

type Image = Record<string, unknown> | undefined;

/**
 * What one change adds to the rollups:
 * - a new decision record: matched, and its outcome (fired for queued or sequence_started; the
 *   suppression reason). A `repeat` decision (a redelivery re-deciding the same send) adds nothing;
 * - a send record: sent / failed when its status first reaches them; its SES outcome when it first
 *   takes that value; opened / clicked / converted when their first timestamp appears (unique per send);
 * - a new conversion record: one conversion (per order) and its revenue;
 * - a decision that is an exposure (a rule with a holdout): its group's exposure when new, then what
 *   each purchase marked on it adds (exposure-rollups.ts), on the decision's day, its cohort.
 * Counted on the day the thing happened (UTC). Anything else adds nothing.
 */
export function rollupIncrements(oldImage: Image, newImage: Image): RollupIncrement[] {
  if (!newImage) return [];
  const kind = newImage.kind;
  if (kind === 'decision') return oldImage ? exposureConversionIncrements(oldImage, newImage) : [...decisionIncrements(newImage), ...newExposureIncrements(newImage)];
  if (kind === 'send') return sendIncrements(oldImage, newImage);
  if (kind === 'conversion') return oldImage ? [] : conversionIncrements(newImage);
  return [];
}

function decisionIncrements(item: Record<string, unknown>): RollupIncrement[] {
  const ruleId = text(item.ruleId);
  const day = dayOf(item.decidedAt);
  if (!ruleId || !day || item.repeat === true) return [];
  const counters: Partial<Record<RollupCounter, number>> = { matched: 1 };
  switch (item.outcome) {
    case 'queued':
      counters.fired = 1;
      break;
    case 'sequence_started':
      counters.fired = 1;
      counters.sequences_started = 1;
      break;
    case 'suppressed': {
      counters.suppressed = 1;
      const reason = `suppressed_${String(item.reason)}`;
      if ((ROLLUP_COUNTERS as readonly string[]).includes(reason)) counters[reason as RollupCounter] = 1;
      break;
    }
    case 'holdout':
    case 'dropped_priority':
    case 'deferred':
    case 'goal_met':
      counters[item.outcome] = 1;
      break;
    default:
      break;
  }
  return [{ scope: ruleId, day, counters }];
}

/**
 * The counters the segment reports read (segment performance, drift, behavior insights); a
 * segment's failed, bounced and rejected sends and its conversion count are read by no report, so
 * they are counted for the rule only (issue 23: each one was a write to every segment item).
 */
export const SEGMENT_COUNTERS: ReadonlySet<string> = new Set(SEGMENT_PERFORMANCE_COUNTERS);

/**
 * A send's steps count for its rule and, with its outcomes and revenue, for each segment the
 * recipient was in as it left and for ALL_SENDS (so a segment compares with everyone else's emails).
 */
function sendIncrements(before: Image, after: Record<string, unknown>): RollupIncrement[] {
  const ruleId = text(after.ruleId);
  if (!ruleId) return [];
  const increments: RollupIncrement[] = [];
  const segments = segmentScopes(after.segments);
  const variant = variantScopeOf(ruleId, after);
  const add = (counter: RollupCounter, at: unknown) => {
    const day = dayOf(at);
    if (day) for (const scope of SEGMENT_COUNTERS.has(counter) ? [ruleId, ...segments] : [ruleId]) increments.push({ scope, day, counters: { [counter]: 1 } });
    if (day && variant && VARIANT_SCOPE_COUNTERS.has(counter)) increments.push({ scope: variant, day, counters: { [counter]: 1 } });
  };
  if (after.status !== before?.status) {
    if (after.status === 'sent') add('sent', after.sentAt);
    if (after.status === 'failed') add('failed', after.failedAt);
  }
  const outcome = after.outcome;
  if (outcome !== before?.outcome && (outcome === 'delivered' || outcome === 'bounced' || outcome === 'rejected' || outcome === 'complained')) add(outcome, after.outcomeAt);
  if (after.firstOpenAt !== undefined && before?.firstOpenAt === undefined) add('opened', after.firstOpenAt);
  if (after.firstClickAt !== undefined && before?.firstClickAt === undefined) add('clicked', after.firstClickAt);
  if (after.convertedAt !== undefined && before?.convertedAt === undefined) add('converted', after.convertedAt);
  if (after.unsubscribedAt !== undefined && before?.unsubscribedAt === undefined) add('unsubscribed', after.unsubscribedAt);
  return increments;
}

/** A conversion (per rule), its revenue (and its square, for the variance of revenue per email, per segment of its send). */
function conversionIncrements(item: Record<string, unknown>): RollupIncrement[] {
  const ruleId = text(item.ruleId);
  const day = dayOf(item.convertedAt);
  if (!ruleId || !day) return [];
  const revenue = typeof item.revenue === 'number' && Number.isFinite(item.revenue) ? item.revenue : 0;
  return [
    { scope: ruleId, day, counters: { conversions: 1, revenue } },
    ...segmentScopes(item.segments).map((scope) => ({ scope, day, counters: { revenue, revenue_sq: revenue * revenue } })),
    ...[variantScopeOf(ruleId, item)].flatMap((scope) => (scope ? [{ scope, day, counters: { revenue, revenue_sq: revenue * revenue } }] : [])),
  ];
}

/** The counters an experiment's variant keeps of its sends (experiments.ts). */
const VARIANT_SCOPE_COUNTERS: ReadonlySet<string> = new Set(VARIANT_COUNTERS);

/** A send's (or its conversion's) variant scope, when it was sent in an experiment. */
function variantScopeOf(ruleId: string, item: Record<string, unknown>): string | undefined {
  const experimentId = text(item.experimentId);
  const variantId = text(item.variantId);
  return experimentId && variantId ? variantScope(ruleId, experimentId, variantId) : undefined;
}

/**
 * A conversion in its day's log: what the attribution report re-divides over its touches under each
 * model. Kept apart from the counters because the models need the touches themselves.
 */
export type ConversionLogEntry = {
  day: string;
  /** Unique and time-ordered within the day: convertedAt, customer, send, order. */
  id: string;
  customerId: string;
  sendId: string;
  ruleId: string;
  convertedAt: string;
  revenue: number;
  /** A `send` touch is an email's arrival (document 000: every email sent is a touchpoint). */
  touches: Array<{ sendId: string; ruleId?: string; kind: 'send' | 'open' | 'click'; at: string }>;
};

/** The log entry of a newly recorded conversion; undefined for any other change. */
export function conversionLogEntry(oldImage: Image, newImage: Image): ConversionLogEntry | undefined {
  if (oldImage || newImage?.kind !== 'conversion') return undefined;
  const customerId = text(newImage.customerId);
  const sendId = text(newImage.sendId);
  const ruleId = text(newImage.ruleId);
  const convertedAt = text(newImage.convertedAt);
  const day = dayOf(convertedAt);
  if (!customerId || !sendId || !ruleId || !convertedAt || !day) return undefined;
  const revenue = typeof newImage.revenue === 'number' && Number.isFinite(newImage.revenue) ? newImage.revenue : 0;
  const touches = (Array.isArray(newImage.touches) ? newImage.touches : []).flatMap((touch: unknown): ConversionLogEntry['touches'] => {
    const t = (touch ?? {}) as Record<string, unknown>;
    const at = text(t.at);
    const touchSend = text(t.sendId);
    const kind = t.kind === 'open' || t.kind === 'click' || t.kind === 'send' ? t.kind : undefined;
    if (!at || !touchSend || !kind) return [];
    const touchRule = text(t.ruleId);
    return [{ sendId: touchSend, kind, at, ...(touchRule ? { ruleId: touchRule } : {}) }];
  });
  const order = text(newImage.orderId) ?? convertedAt;
  return { day, id: [convertedAt, customerId, sendId, order].join('#'), customerId, sendId, ruleId, convertedAt, revenue, touches };
}

/** Every send and conversion also counts here: the baseline each segment is compared with. */
export const ALL_SENDS = '*';
export const segmentScope = (segmentId: string): string => `segment:${segmentId}`;

function segmentScopes(segments: unknown): string[] {
  const ids = Array.isArray(segments) ? segments.filter((id): id is string => typeof id === 'string' && id !== '') : [];
  return [...new Set([...ids, ALL_SENDS])].map(segmentScope);
}

/** Sums increments per scope and day, in first-seen order: one write per item per batch. */
export function mergeIncrements(increments: readonly RollupIncrement[]): RollupIncrement[] {
  const merged = new Map<string, RollupIncrement>();
  for (const increment of increments) {
    const key = `${increment.scope}\u0000${increment.day}`;
    const into = merged.get(key) ?? { scope: increment.scope, day: increment.day, counters: {} };
    for (const [counter, value] of Object.entries(increment.counters)) {
      into.counters[counter] = round((into.counters[counter] ?? 0) + value);
    }
    merged.set(key, into);
  }
  return [...merged.values()];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function dayOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : undefined;
}

/** Sums stay exact (revenue to the cent, scores to 1e-6) despite binary floating point. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
