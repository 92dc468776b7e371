import { EXPOSURE_GROUPS, type ExposureGroup } from '../exposures.ts';
import type { GroupTotals } from './incrementality.ts';
import type { RollupIncrement } from './rollups.ts';

/**
 * Incrementality's counters on the per-rule rollups, per group, on the decision's day (its cohort):
 * the exposure when its decision is new; then, as purchases mark the decision record, converted
 * (the first time), the revenue added, and the revenue-squared delta ((r + a)² − r²), so a rule's
 * GroupTotals for any run of days are the sums of these counters alone. Pure.
 */
export const EXPOSURE_COUNTERS = [
  'exposures_treated',
  'exposures_control',
  'exposure_converted_treated',
  'exposure_converted_control',
  'exposure_revenue_treated',
  'exposure_revenue_control',
  'exposure_revenue_sq_treated',
  'exposure_revenue_sq_control',
  'exposures_global_control',
  'exposure_converted_global_control',
  'exposure_revenue_global_control',
  'exposure_revenue_sq_global_control',
] as const;

type Image = Record<string, unknown>;

function groupOf(image: Image): ExposureGroup | undefined {
  if (image.repeat === true) return undefined;
  return EXPOSURE_GROUPS.find((group) => group === image.exposure);
}

function number(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function dayOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : undefined;
}

/** A new decision record that is an exposure: one exposure of its group. */
export function newExposureIncrements(item: Image): RollupIncrement[] {
  const group = groupOf(item);
  const ruleId = typeof item.ruleId === 'string' && item.ruleId !== '' ? item.ruleId : undefined;
  const day = dayOf(item.decidedAt);
  if (!group || !ruleId || !day) return [];
  return [{ scope: ruleId, day, counters: { [`exposures_${group}`]: 1 } }];
}

/**
 * A changed exposure record: what its purchases added since the old image. Only growth counts (orders
 * up): a record is written once (decision-log-repository), so anything else is no conversion.
 */
export function exposureConversionIncrements(before: Image, after: Image): RollupIncrement[] {
  const group = groupOf(after);
  const ruleId = typeof after.ruleId === 'string' && after.ruleId !== '' ? after.ruleId : undefined;
  const day = dayOf(after.decidedAt);
  if (!group || !ruleId || !day || groupOf(before) !== group) return [];
  if (!(number(after.orders) > number(before.orders))) return [];
  const [r, next] = [number(before.revenue), number(after.revenue)];
  const counters: Record<string, number> = {};
  if (before.convertedAt === undefined && after.convertedAt !== undefined) counters[`exposure_converted_${group}`] = 1;
  if (next !== r) {
    counters[`exposure_revenue_${group}`] = next - r;
    counters[`exposure_revenue_sq_${group}`] = next * next - r * r;
  }
  return Object.keys(counters).length > 0 ? [{ scope: ruleId, day, counters }] : [];
}

/** One group's totals from a rule's daily counters (the cohort days chosen by the caller). */
export function groupTotalsOf(days: ReadonlyArray<{ counters: Record<string, number> }>, group: ExposureGroup): GroupTotals {
  const sum = (name: string) => days.reduce((total, day) => total + (day.counters[name] ?? 0), 0);
  return {
    exposures: sum(`exposures_${group}`),
    converted: sum(`exposure_converted_${group}`),
    revenue: round(sum(`exposure_revenue_${group}`)),
    revenueSq: round(sum(`exposure_revenue_sq_${group}`)),
  };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
