import type { BehaviorEvent } from '../../contract/index.ts';
import { evaluateProfile, type SegmentationCatalog } from '../profile-evaluation.ts';
import { applyEvent, type Profile } from '../profile.ts';
import { churnFeatures } from './churn-features.ts';

const DAY_MS = 86_400_000;

export type ChurnExamples = { customerIds: string[]; rows: number[][]; labels: number[]; engagementScores: number[] };

/**
 * Training or holdout examples from an event history: each customer's profile as it stood at
 * `cutoff` (every event before it applied, in order, through the same pure domain as ingest), its
 * features then, and whether it churned (no activity in the `churnWindowDays` after the cutoff).
 * Customers unknown at the cutoff, or already idle for a churn window, are not examples.
 */
export function churnExamplesFromHistory(input: {
  eventsByCustomer: ReadonlyMap<string, readonly BehaviorEvent[]>;
  cutoff: Date;
  churnWindowDays: number;
  catalog: SegmentationCatalog;
  /** Where the history ends: the churn window after the cutoff must lie inside it. */
  historyEnd: Date;
}): ChurnExamples {
  const { cutoff, churnWindowDays } = input;
  const windowEnd = new Date(cutoff.getTime() + churnWindowDays * DAY_MS);
  if (input.historyEnd < windowEnd) throw new RangeError(`the history ends ${input.historyEnd.toISOString()}, before the churn window after ${cutoff.toISOString()} does`);
  const examples: ChurnExamples = { customerIds: [], rows: [], labels: [], engagementScores: [] };
  for (const [customerId, events] of input.eventsByCustomer) {
    let profile: Profile | undefined;
    let activeAfterCutoff = false;
    for (const event of events) {
      const at = Date.parse(event.occurredAt);
      if (at >= windowEnd.getTime()) break;
      if (at >= cutoff.getTime()) {
        activeAfterCutoff = true;
        break;
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
    examples.rows.push(churnFeatures(atCutoff, facts, cutoff));
    examples.labels.push(churned ? 1 : 0);
    examples.engagementScores.push(typeof engagement === 'number' ? engagement : 0);
  }
  return examples;
}
