import * as z from 'zod';
import { HOUR_MS } from './clock.ts';
import type { DecisionOutcome } from './decision-record.ts';

/**
 * Exposures: the decisions incrementality follows. A decision of a rule with a holdout that sent
 * (queued, or started a sequence) exposed the customer (treated); one that held them out would have
 * (control). Either way the customer is followed for the rule's conversion window from the
 * decision's trigger, and each purchase in it marks the decision record once (first conversion
 * time, orders, revenue). A repeat (a redelivery re-deciding the same send) is never an exposure:
 * the first decision is. Pure.
 */

/**
 * treated: sent; control: held out by the rule's own holdout; global_control: held out because the
 * customer is in the global control group (no marketing at all). The last two are never mixed: a
 * customer who gets no marketing at all is no fair control for one rule, whose treated customers get
 * the other rules' emails too; against global_control the treated measure the programme as a whole.
 */
export const ExposureGroup = z.enum(['treated', 'control', 'global_control']);
export type ExposureGroup = z.infer<typeof ExposureGroup>;
export const EXPOSURE_GROUPS: readonly ExposureGroup[] = ExposureGroup.options;

/** What a decision record carries when it is an exposure: its group and its window, fixed as it is decided. */
export type ExposureFields = { exposure: ExposureGroup; windowHours: number };

/** The rule fields and setting that make a decision an exposure. */
export type ExposureRule = { holdoutPercent: number; conversionWindowHours?: number | undefined; transactional?: boolean | undefined };

/** Whose decisions are exposures: a rule with a holdout, and with the global control group on, every marketing rule. */
export function isMeasured(rule: ExposureRule, globalControlPercent: number): boolean {
  return rule.holdoutPercent > 0 || (globalControlPercent > 0 && rule.transactional !== true);
}

/** The window a rule's exposures are followed for: its own, or the catalog's. */
export function windowHoursOf(rule: ExposureRule, defaultWindowHours: number): number {
  return rule.conversionWindowHours ?? defaultWindowHours;
}

/**
 * The exposure fields of a decision with this outcome, or undefined when it is none: a rule that is
 * not measured (isMeasured), not a send or a holdout, or a repeat. A holdout's group says whose
 * holdout it was (ExposureGroup).
 */
export function exposureFieldsOf(
  rule: ExposureRule,
  outcome: DecisionOutcome,
  repeat: boolean,
  defaultWindowHours: number,
  heldOutBy: 'rule' | 'global_control' = 'rule',
  globalControlPercent = 0,
): ExposureFields | undefined {
  if (!isMeasured(rule, globalControlPercent) || repeat) return undefined;
  const group: ExposureGroup | undefined =
    outcome === 'queued' || outcome === 'sequence_started' ? 'treated' : outcome === 'holdout' ? (heldOutBy === 'global_control' ? 'global_control' : 'control') : undefined;
  return group ? { exposure: group, windowHours: windowHoursOf(rule, defaultWindowHours) } : undefined;
}

/** A stored decision as the purchase path reads it: `occurredAt` is its trigger's time (the sort key's). */
export type StoredExposure = { key: string; ruleId: string; occurredAt: string; exposure?: ExposureGroup | undefined; windowHours?: number | undefined; repeat?: boolean | undefined };

/**
 * The trigger times a purchase at `purchasedAt` can convert: after `from` (exclusive) up to the
 * purchase. `longestWindowHours` is the longest window of any rule with a holdout: one Query of the
 * customer's decisions between the two finds every candidate.
 */
export function exposureSearchRange(purchasedAt: string, longestWindowHours: number): { from: string; to: string } {
  const at = Date.parse(purchasedAt);
  if (!Number.isFinite(at)) throw new RangeError(`purchase time must be an ISO instant, got ${purchasedAt}`);
  return { from: new Date(at - longestWindowHours * HOUR_MS).toISOString(), to: new Date(at).toISOString() };
}

/**
 * The exposures a purchase converts: those whose window, from their trigger (exclusive: a purchase
 * never converts the decision it triggered itself) to the window's end (inclusive), contains it.
 * Not repeats, not decisions that are no exposure.
 */
export function exposuresConvertedBy<T extends StoredExposure>(decisions: readonly T[], purchasedAt: string): T[] {
  const at = Date.parse(purchasedAt);
  return decisions.filter((decision) => {
    if (decision.exposure === undefined || decision.repeat === true || !(typeof decision.windowHours === 'number' && decision.windowHours > 0)) return false;
    const start = Date.parse(decision.occurredAt);
    return Number.isFinite(start) && at > start && at <= start + decision.windowHours * HOUR_MS;
  });
}

/** What one purchase adds to an exposure it converts; `purchaseId` (the event id) makes a redelivery add nothing. */
export type ExposurePurchase = { purchaseId: string; purchasedAt: string; revenue: number };

/** An exposure's conversion state on its decision record. */
export type ExposureConversion = { convertedAt?: string | undefined; orders: number; revenue: number; purchaseIds: readonly string[] };

/** The state after a purchase: unchanged when this purchase was already counted (the adapter's condition does the same). */
export function addPurchase(state: ExposureConversion, purchase: ExposurePurchase): ExposureConversion {
  if (state.purchaseIds.includes(purchase.purchaseId)) return state;
  return {
    convertedAt: state.convertedAt ?? purchase.purchasedAt,
    orders: state.orders + 1,
    revenue: state.revenue + purchase.revenue,
    purchaseIds: [...state.purchaseIds, purchase.purchaseId],
  };
}

/** The revenue of a purchase event: its `amount` when a finite non-negative number, else 0. */
export function purchaseRevenue(amount: unknown): number {
  return typeof amount === 'number' && Number.isFinite(amount) && amount > 0 ? amount : 0;
}

type WindowCatalog = { settings: { incrementalityWindowHours: number; decisionRetentionDays: number; globalControlPercent?: number }; rules: ReadonlyArray<ExposureRule & { id: string }> };

/**
 * The longest conversion window of any measured rule (0 when none is: a purchase then looks for no
 * exposure at all).
 */
export function longestWindowHours(catalog: WindowCatalog): number {
  const globalControl = catalog.settings.globalControlPercent ?? 0;
  return Math.max(0, ...catalog.rules.filter((rule) => isMeasured(rule, globalControl)).map((rule) => windowHoursOf(rule, catalog.settings.incrementalityWindowHours)));
}

/** Windows that outlast the decision records they mark (the record would expire before its window closes). */
export function incrementalityWindowProblems(catalog: WindowCatalog): Array<{ path: (string | number)[]; message: string }> {
  const limit = catalog.settings.decisionRetentionDays * 24;
  const problems: Array<{ path: (string | number)[]; message: string }> = [];
  if (catalog.settings.incrementalityWindowHours > limit) {
    problems.push({ path: ['settings', 'incrementalityWindowHours'], message: `incrementalityWindowHours (${catalog.settings.incrementalityWindowHours}) must not exceed the decision retention (decisionRetentionDays ${catalog.settings.decisionRetentionDays} = ${limit} hours): a purchase marks the decision record` });
  }
  catalog.rules.forEach((rule, index) => {
    if (rule.conversionWindowHours !== undefined && rule.conversionWindowHours > limit) {
      problems.push({ path: ['rules', index, 'conversionWindowHours'], message: `rule ${rule.id}: conversionWindowHours (${rule.conversionWindowHours}) must not exceed the decision retention (decisionRetentionDays ${catalog.settings.decisionRetentionDays} = ${limit} hours)` });
    }
  });
  return problems;
}
