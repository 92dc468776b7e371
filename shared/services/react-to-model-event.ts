import * as z from 'zod';
import type { Clock } from '../domain/clock.ts';
import type { DecisionRecord } from '../domain/decision-record.ts';
import type { ProfileStore } from '../domain/ports.ts';
import type { Profile } from '../domain/profile.ts';
import type { TriggerRef } from '../domain/rule-timer.ts';
import type { SegmentDefinition, SegmentPriority } from '../domain/segments.ts';
import { matchRules, SEGMENT_EVENT_TYPES } from '../domain/trigger-rules.ts';
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

/** The properties a segment rule reads (and a template may show): the segment, its match score and its catalog priority. */
export function segmentEventProperties(detail: Record<string, unknown>, segments: readonly SegmentDefinition[]): Record<string, unknown> {
  const segmentId = typeof detail.segmentId === 'string' ? detail.segmentId : undefined;
  const priority = segmentId === undefined ? undefined : segmentPriorityOf(segments, segmentId);
  // The condition explanations stay out: a send request copies these properties, and templates have no use for them.
  return {
    customerId: detail.customerId,
    transitionId: detail.transitionId,
    at: detail.at,
    ...(segmentId !== undefined ? { segmentId } : {}),
    ...(typeof detail.matchScore === 'number' ? { matchScore: detail.matchScore } : {}),
    ...(priority !== undefined ? { priority } : {}),
  };
}

/** The priority the catalog gives a segment (a family band's own, else none). */
export function segmentPriorityOf(segments: readonly SegmentDefinition[], segmentId: string): SegmentPriority | undefined {
  for (const definition of segments) {
    if (definition.kind === 'family') {
      const band = definition.bands.find((b) => b.segment === segmentId);
      if (band) return band.priority;
    } else if (definition.id === segmentId) {
      return definition.priority;
    }
  }
  return undefined;
}

/**
 * The profile as the segment event says it is: ingest publishes its transitions before it writes
 * the profile, so the stored one may not show the membership change yet.
 */
function withMembership(profile: Profile, type: string, detail: Record<string, unknown>): Profile {
  if (!isSegmentEvent(type) || typeof detail.segmentId !== 'string') return profile;
  const { [detail.segmentId]: entered, ...others } = profile.segments;
  if (type === SEGMENT_EVENT_TYPES.exited) return entered === undefined ? profile : { ...profile, segments: others };
  if (entered !== undefined) return profile;
  return { ...profile, segments: { ...profile.segments, [detail.segmentId]: Math.floor(Date.parse(String(detail.at)) / 1000) } };
}

function isSegmentEvent(type: string): boolean {
  return type === SEGMENT_EVENT_TYPES.entered || type === SEGMENT_EVENT_TYPES.exited;
}

export type ModelEventOutcome = { type: 'skipped'; reason: 'no_profile' } | { type: 'decided'; records: DecisionRecord[] };

/**
 * Predictive and segment rules: a model event or a segment event (SegmentEntered/SegmentExited)
 * from the bus (source `nudge`) -> the live profile -> the rules
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
    const stored = await deps.profiles.get(detail.customerId);
    if (!stored) {
      deps.log.warn('model event for an unknown customer ignored', { customerId: detail.customerId, type: busEvent['detail-type'] });
      return { type: 'skipped', reason: 'no_profile' };
    }
    const profile = withMembership(stored, busEvent['detail-type'], detail);
    const now = deps.clock.now();
    const type = busEvent['detail-type'];
    const trigger: TriggerRef = { eventId: detail.transitionId, type, occurredAt: detail.at, properties: isSegmentEvent(type) ? segmentEventProperties(detail, deps.catalog.segments) : detail };
    const matches = matchRules(deps.catalog.rules, trigger, profile, factsAt(profile, deps.catalog, now));
    const records = await decideAndAct(deps, { matches, trigger, profile, now, via: 'model_event' });
    await countQueuedSends(deps, profile.customerId, queuedCount(records), now);
    deps.log.info('model event decided', { customerId: profile.customerId, type: trigger.type, outcomes: records.map((r) => ({ ruleId: r.ruleId, outcome: r.outcome })) });
    return { type: 'decided', records };
  };
}
