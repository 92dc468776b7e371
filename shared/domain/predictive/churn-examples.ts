import type { BehaviorEvent } from '../../contract/index.ts';
import { evaluateProfile, type SegmentationCatalog } from '../profile-evaluation.ts';
import { applyEvent, type Profile } from '../profile.ts';
import { profileFeatures } from './profile-features.ts';

const DAY_MS = 86_400_000;

export type ChurnExamples = {
  customerIds: string[];
  rows: number[][];
  /** Churned (1) or not (0) in the churn window after the cutoff. */
  labels: number[];
  engagementScores: number[];
  /** Purchased (1) or not (0) within `purchaseWindowDays` after the cutoff (when asked for). */
  purchased: number[];
  /** Revenue within `valueHorizonDays` after the cutoff; null where the history ends before the horizon does. */
  revenue: Array<number | null>;
};

/**
 * Training or holdout examples from an event history: each customer's profile as it stood at
 * `cutoff` (every event before it applied, in order, through the same pure domain as ingest), its
 * features then, whether it churned (no activity in the `churnWindowDays` after the cutoff), whether
 * it purchased within the purchase window, and its revenue over the value horizon.
 * Customers unknown at the cutoff, or already idle for a churn window, are not examples.
 */
export function churnExamplesFromHistory(input: {
  eventsByCustomer: ReadonlyMap<string, readonly BehaviorEvent[]>;
  cutoff: Date;
  churnWindowDays: number;
  catalog: SegmentationCatalog;
  /** Where the history ends: the churn window after the cutoff must lie inside it. */
  historyEnd: Date;
  purchaseWindowDays?: number;
  valueHorizonDays?: number;
}): ChurnExamples {
  const { cutoff, churnWindowDays } = input;
  const windowEnd = new Date(cutoff.getTime() + churnWindowDays * DAY_MS);
  if (input.historyEnd < windowEnd) throw new RangeError(`the history ends ${input.historyEnd.toISOString()}, before the churn window after ${cutoff.toISOString()} does`);
  const purchaseEnd = cutoff.getTime() + (input.purchaseWindowDays ?? churnWindowDays) * DAY_MS;
  const valueEnd = cutoff.getTime() + (input.valueHorizonDays ?? 90) * DAY_MS;
  const examples: ChurnExamples = { customerIds: [], rows: [], labels: [], engagementScores: [], purchased: [], revenue: [] };
  for (const [customerId, events] of input.eventsByCustomer) {
    let profile: Profile | undefined;
    let activeAfterCutoff = false;
    let purchased = 0;
    let revenue = 0;
    for (const event of events) {
      const at = Date.parse(event.occurredAt);
      if (at >= cutoff.getTime()) {
        if (at < windowEnd.getTime()) activeAfterCutoff = true;
        if (event.type === 'purchase') {
          if (at < purchaseEnd) purchased = 1;
          if (at < valueEnd) revenue += typeof event.properties.amount === 'number' ? event.properties.amount : 0;
        }
        continue;
      }
      const change = applyEvent(profile, event, new Date(at));
      if (change.type === 'applied') profile = change.profile;
    }
    const atCutoff = profile;
    if (!atCutoff?.lastActivityAt || cutoff.getTime() - Date.parse(atCutoff.lastActivityAt) >= churnWindowDays * DAY_MS) continue;
    const { facts } = evaluateProfile({ profile: atCutoff, catalog: input.catalog, now: cutoff, triggerId: `cutoff:${cutoff.toISOString()}` });
    const churned = !activeAfterCutoff;
    const engagement = facts.metric('engagement_score');
    examples.customerIds.push(customerId);
    examples.rows.push(profileFeatures(atCutoff, facts, cutoff));
    examples.labels.push(churned ? 1 : 0);
    examples.engagementScores.push(typeof engagement === 'number' ? engagement : 0);
    examples.purchased.push(purchased);
    examples.revenue.push(input.historyEnd.getTime() >= valueEnd ? Math.round(revenue * 100) / 100 : null);
  }
  return examples;
}
