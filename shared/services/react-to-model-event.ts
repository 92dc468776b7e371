import { z } from 'zod';
import type { Clock } from '../domain/clock.ts';
import type { DecisionRecord } from '../domain/decision-record.ts';
import type { ProfileStore } from '../domain/ports.ts';
import type { TriggerRef } from '../domain/rule-timer.ts';
import { matchRules } from '../domain/trigger-rules.ts';
import { countQueuedSends, decideAndAct, queuedCount, type DecisionDeps } from './decide-sends.ts';
import { factsAt } from './rule-facts.ts';

export type ModelEventDeps = DecisionDeps & { profiles: ProfileStore; clock: Clock };

/**
 * A model event's detail (`ChurnRiskChanged`, `PurchaseIntentChanged`, ...): whose score crossed a
 * threshold, when, and the model's numbers, which rules read as `event.properties.<name>`
 * (e.g. `event.properties.probability`). `transitionId` makes the decision idempotent.
 */
export const ModelEventDetail = z
  .object({
    customerId: z.string().min(1),
    transitionId: z.string().min(1),
    at: z.iso.datetime({ offset: true }),
  })
  .loose();

export type ModelEventOutcome = { type: 'skipped'; reason: 'no_profile' } | { type: 'decided'; records: DecisionRecord[] };

/**
 * Predictive rules: a model event from the bus (source `nudge`) -> the live profile -> the rules
 * triggered by that event type -> the shared decision path. The profile is not written except for
 * the send counters; the model job that published the event owns the scores it carries.
 */
export function makeReactToModelEvent(deps: ModelEventDeps) {
  return async function reactToModelEvent(busEvent: { 'detail-type': string; detail: unknown }): Promise<ModelEventOutcome> {
    const parsed = ModelEventDetail.safeParse(busEvent.detail);
    if (!parsed.success) {
      // Our own producers send these, so a malformed one is a bug to surface (retries, then the DLQ), not data to skip.
      throw new Error(`malformed ${busEvent['detail-type']} event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const detail = parsed.data;
    const profile = await deps.profiles.get(detail.customerId);
    if (!profile) {
      deps.log.warn('model event for an unknown customer ignored', { customerId: detail.customerId, type: busEvent['detail-type'] });
      return { type: 'skipped', reason: 'no_profile' };
    }
    const now = deps.clock.now();
    const trigger: TriggerRef = { eventId: detail.transitionId, type: busEvent['detail-type'], occurredAt: detail.at, properties: detail };
    const matches = matchRules(deps.catalog.rules, trigger, profile, factsAt(profile, deps.catalog, now));
    const records = await decideAndAct(deps, { matches, trigger, profile, now, via: 'model_event' });
    await countQueuedSends(deps, profile.customerId, queuedCount(records), now);
    deps.log.info('model event decided', { customerId: profile.customerId, type: trigger.type, outcomes: records.map((r) => ({ ruleId: r.ruleId, outcome: r.outcome })) });
    return { type: 'decided', records };
  };
}
