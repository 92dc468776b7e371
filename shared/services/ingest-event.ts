import { dailySeriesFor, segmentationOf, type Catalog } from '../catalog/index.ts';
import { parseBehaviorEvent, type BehaviorEvent, type FieldError } from '../contract/index.ts';
import type { Clock } from '../domain/clock.ts';
import type { DecisionRecord } from '../domain/decision-record.ts';
import { attributeConversion } from '../domain/conversions.ts';
import { atEffectiveTime } from '../domain/event-time.ts';
import type { InternalEvent } from '../domain/internal-events.ts';
import type { InternalEventBus, ProfileStore, RejectedEventStore, SegmentMembershipStore, SendTracking } from '../domain/ports.ts';
import { evaluateProfile } from '../domain/profile-evaluation.ts';
import { applyEvent, recordQueuedSend, type Profile } from '../domain/profile.ts';
import { consentProblems } from '../domain/subscription-categories.ts';
import { sequenceExitEventTypes } from '../domain/sequence-progress.ts';
import { absenceTimersFor } from '../domain/temporal-triggers.ts';
import { lastSeenTypesFor, matchRules } from '../domain/trigger-rules.ts';
import { decideAndAct, queuedCount, type DecisionDeps } from './decide-sends.ts';

export type IngestDeps = DecisionDeps & {
  profiles: ProfileStore;
  rejectedEvents: RejectedEventStore;
  bus: InternalEventBus;
  membership: SegmentMembershipStore;
  tracking: SendTracking;
  clock: Clock;
};

/** An EventBridge event as delivered to a target (only the fields ingest reads). */
export type IncomingBusEvent = { id?: string; source: unknown; 'detail-type': unknown; detail: unknown; time?: string };

/** What happened to each matched rule (the full record, with conditions, goes to the decision log). */
export type RuleOutcome = { ruleId: string; outcome: DecisionRecord['outcome']; reason?: string; sendId?: string };

export type IngestOutcome =
  | { type: 'rejected'; errors: FieldError[] }
  | { type: 'duplicate'; eventId: string }
  | {
      type: 'applied';
      eventId: string;
      customerId: string;
      rules: RuleOutcome[];
      /** Internal events put on the bus (segment and stage transitions, escalations). */
      published: string[];
      /** Absence rules whose timer this event started. */
      timersStarted: string[];
    };

/**
 * Optimistic concurrency: concurrent events of one customer retry from the item the failed write
 * returned. Each retry is one more write and no read. Backoff is exponential with full jitter,
 * capped, so a burst of 50-100 events for one customer spreads out instead of colliding in
 * lockstep (measured by the 50-way burst test); 40 attempts at most ~8 s, inside the timeout.
 */
const MAX_WRITE_ATTEMPTS = 40;
const MAX_BACKOFF_MS = 200;

export class ProfileContentionError extends Error {
  override name = 'ProfileContentionError';
}

/**
 * Ingest one behavior event: validate -> apply to the profile -> re-derive scores, segments and
 * stage -> evaluate rules -> decide (claims, queue or schedule, records) -> start absence timers
 * -> publish transitions -> save the profile.
 *
 * Order matters for "nothing lost, nothing twice": claims, the enqueue and the internal events
 * happen before the profile write that marks the event as seen, so a crash in between is retried
 * by EventBridge/Lambda and the retry finds its own claims (same deterministic sendId) and
 * publishes the same transition ids; the dispatcher and consumers deduplicate. Hot path without a
 * fired rule or a segment change: 1 read + 1 write.
 */
export function makeIngestEvent(deps: IngestDeps) {
  const dailySeries = dailySeriesFor(deps.catalog);
  const segmentation = segmentationOf(deps.catalog);
  // Profiles keep the latest occurrence of the event types that absence/composite rules and sequence exit goals ask about.
  const lastSeenTypes = new Set([...lastSeenTypesFor(deps.catalog.rules), ...sequenceExitEventTypes(deps.catalog.sequences)]);
  return async function ingestEvent(incoming: IncomingBusEvent): Promise<IngestOutcome> {
    const parsed = parseBehaviorEvent({
      source: incoming.source,
      detailType: incoming['detail-type'],
      detail: incoming.detail,
    });
    // The contract knows the shapes; only the catalog knows which subscription categories exist.
    const errors = parsed.ok ? consentProblems(parsed.event, deps.catalog.subscriptionCategories) : parsed.errors;
    if (!parsed.ok || errors.length > 0) {
      await deps.rejectedEvents.record({
        reason: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors,
        receivedAt: deps.clock.now().toISOString(),
        original: incoming,
      });
      deps.log.warn('event rejected', { busEventId: incoming.id, errors });
      return { type: 'rejected', errors };
    }
    return applyValidEvent(deps, parsed.event, { dailySeries, lastSeenTypes, segmentation });
  };
}

async function applyValidEvent(
  deps: IngestDeps,
  received: BehaviorEvent,
  derived: { dailySeries: ReadonlySet<string>; lastSeenTypes: ReadonlySet<string>; segmentation: ReturnType<typeof segmentationOf> },
): Promise<IngestOutcome> {
  let current: Profile | undefined = await deps.profiles.get(received.customerId);
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    const now = deps.clock.now();
    // The event counts at its effective time (never after now) for everything below: the profile,
    // rules, timers, decisions, tracking and the triggers handed to sequences.
    const event = atEffectiveTime(received, now);
    const change = applyEvent(current, event, now, { dailySeries: derived.dailySeries, lastSeenTypes: derived.lastSeenTypes });
    if (change.type === 'duplicate') {
      deps.log.info('duplicate event ignored', { eventId: event.eventId, customerId: event.customerId });
      return { type: 'duplicate', eventId: event.eventId };
    }
    const evaluation = evaluateProfile({
      profile: change.profile,
      previous: current,
      catalog: derived.segmentation,
      now,
      triggerId: event.eventId,
      event,
    });
    let profile = evaluation.profile;
    const matches = matchRules(deps.catalog.rules, event, profile, evaluation.facts);
    const records = await decideAndAct(deps, { matches, trigger: event, profile, now, via: 'event', profileVersion: (current?.version ?? 0) + 1, awaitsTriggerEvent: true });
    const rules = records.map(({ ruleId, outcome, reason, sendId }) => ({ ruleId, outcome, ...(reason ? { reason } : {}), ...(sendId ? { sendId } : {}) }));
    for (let i = queuedCount(records); i > 0; i--) profile = recordQueuedSend(profile, now);
    // Absence checks (e.g. cart_add and no purchase within 1 h) are decided when their window ends.
    const timers = absenceTimersFor(deps.catalog.rules, event);
    for (const timer of timers) await deps.delayed.scheduleTimer(timer);
    // The tracking loop: engagement on the send's record, and a purchase converting the newest touch.
    const internalEvents: InternalEvent[] = [...evaluation.internalEvents];
    const sendId = event.properties.sendId;
    if ((event.type === 'email_open' || event.type === 'email_click') && typeof sendId === 'string') {
      await deps.tracking.recordEngagement({ customerId: event.customerId, sendId, kind: event.type === 'email_open' ? 'open' : 'click', at: event.occurredAt });
    }
    if (event.type === 'unsubscribe' && typeof sendId === 'string') {
      await deps.tracking.recordUnsubscribe({ customerId: event.customerId, sendId, at: event.occurredAt });
    }
    const conversion = attributeConversion(event, current, deps.catalog.settings.attributionWindowHours);
    if (conversion) {
      await deps.tracking.recordConversion(conversion, { windowHours: deps.catalog.settings.attributionWindowHours, retentionDays: deps.catalog.settings.sendRetentionDays });
      internalEvents.push({ detailType: 'ConversionAttributed', detail: { ...conversion, ruleId: conversion.ruleId ?? null, transitionId: `conversion:${event.eventId}` } });
    }
    if (internalEvents.length > 0) await deps.bus.publish(internalEvents);
    if (evaluation.membership.entered.length > 0 || evaluation.membership.exited.length > 0) {
      await deps.membership.apply({ customerId: profile.customerId, ...evaluation.membership, at: now });
    }
    const saved = await deps.profiles.save(profile, current?.version);
    if (saved.type === 'saved') {
      const published = internalEvents.map((e) => e.detailType);
      const timersStarted = timers.map((timer) => timer.ruleId);
      deps.log.info('event applied', { eventId: event.eventId, customerId: event.customerId, type: event.type, rules, published, timersStarted });
      return { type: 'applied', eventId: event.eventId, customerId: event.customerId, rules, published, timersStarted };
    }
    current = saved.current;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(MAX_BACKOFF_MS, 5 * 2 ** attempt)));
  }
  throw new ProfileContentionError(
    `profile ${received.customerId} changed under ${MAX_WRITE_ATTEMPTS} attempts to apply event ${received.eventId}; retrying later`,
  );
}
