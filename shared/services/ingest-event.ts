import { dailySeriesFor, segmentationOf, weeklySeriesFor, type Catalog } from '../catalog/index.ts';
import { parseBehaviorEvent, type BehaviorEvent, type FieldError } from '../contract/index.ts';
import type { Clock } from '../domain/clock.ts';
import type { DecisionRecord } from '../domain/decision-record.ts';
import { purchaseToAttribute, type Conversion } from '../domain/conversions.ts';
import { recordExposureConversions } from './exposure-conversions.ts';
import { atEffectiveTime } from '../domain/event-time.ts';
import type { InternalEvent } from '../domain/internal-events.ts';
import type { ErasureTombstones, InternalEventBus, ProfileStore, RejectedEventStore, SegmentMembershipStore, SendTracking } from '../domain/ports.ts';
import { evaluateProfile } from '../domain/profile-evaluation.ts';
import { applyEvent, profileProblems, recordQueuedSend, type Profile } from '../domain/profile.ts';
import type { WeeklySeries } from '../domain/activity-ring.ts';
import type { RuleTimer } from '../domain/rule-timer.ts';
import { consentProblems } from '../domain/subscription-categories.ts';
import { sequenceExitEventTypes } from '../domain/sequence-progress.ts';
import { absenceTimersFor } from '../domain/temporal-triggers.ts';
import { lastSeenTypesFor, matchRules } from '../domain/trigger-rules.ts';
import { decideAndAct, queuedCount, type DecisionDeps } from './decide-sends.ts';
import { flushOutbox, saveWithEffects, withEffects } from './profile-outbox.ts';

export type IngestDeps = DecisionDeps & {
  profiles: ProfileStore;
  rejectedEvents: RejectedEventStore;
  bus: InternalEventBus;
  membership: SegmentMembershipStore;
  tracking: SendTracking;
  /** Read only when the event would create a profile: an erased id never gets one again. */
  erasures: Pick<ErasureTombstones, 'isErased'>;
  clock: Clock;
  /** Waits between contended write attempts (real time; tests pass their own). */
  pause?: (ms: number) => Promise<void>;
};

/** An EventBridge event as delivered to a target (only the fields ingest reads). */
export type IncomingBusEvent = { id?: string; source: unknown; 'detail-type': unknown; detail: unknown; time?: string };

/** What happened to each matched rule (the full record, with conditions, goes to the decision log). */
export type RuleOutcome = { ruleId: string; outcome: DecisionRecord['outcome']; reason?: string; sendId?: string };

export type IngestOutcome =
  | { type: 'rejected'; errors: FieldError[] }
  | { type: 'duplicate'; eventId: string }
  /** The customer was erased: the event is dropped, not dead-lettered (it is no fault). */
  | { type: 'erased'; eventId: string }
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
 * capped at 1 s, so a burst for one customer (an import, a replay: hundreds of events at once)
 * spreads out instead of colliding in lockstep, and each conflict (a conditional write AWS bills)
 * is rarer as the crowd grows.
 *
 * The retries are bounded by the invocation's time, not by a count: an event keeps trying while
 * the invocation has more than WRITE_RESERVE_MS left. A fixed count (40 before) ran out within a
 * few seconds under a burst of a few hundred events, and the event went to the DLQ although the
 * profile would have taken it a moment later (test: duplicates-burst, 300 concurrent events).
 * When time does run out, Lambda's async retry (a minute later in AWS) applies it.
 */
const MAX_BACKOFF_MS = 1_000;
/** Left for the last write and the logs when the invocation stops retrying. */
const WRITE_RESERVE_MS = 4_000;
/** The budget when the caller gives no deadline (direct calls in tests and tools): inside ingest's 30 s timeout. */
const DEFAULT_WRITE_BUDGET_MS = 20_000;

/** What one invocation may spend: the Lambda context's remaining time, in milliseconds. */
export type IngestInvocation = { remainingTimeMs?: () => number };

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
 * publishes the same transition ids; the dispatcher and consumers deduplicate. A version conflict
 * re-applies the event without deciding again (see `acted`). Hot path without a fired rule or a
 * segment change: 1 read + 1 write.
 */
export function makeIngestEvent(deps: IngestDeps) {
  const dailySeries = dailySeriesFor(deps.catalog);
  const weeklySeries = weeklySeriesFor(deps.catalog);
  const segmentation = segmentationOf(deps.catalog);
  // Profiles keep the latest occurrence of the event types that absence/composite rules and sequence exit goals ask about.
  const lastSeenTypes = new Set([...lastSeenTypesFor(deps.catalog.rules), ...sequenceExitEventTypes(deps.catalog.sequences)]);
  return async function ingestEvent(incoming: IncomingBusEvent, invocation: IngestInvocation = {}): Promise<IngestOutcome> {
    const parsed = parseBehaviorEvent({
      source: incoming.source,
      detailType: incoming['detail-type'],
      detail: incoming.detail,
    });
    // The contract knows the shapes; only the catalog knows which subscription categories exist.
    const errors = parsed.ok ? consentProblems(parsed.event, deps.catalog.subscriptionCategories) : parsed.errors;
    const reject = async (errors: FieldError[]): Promise<IngestOutcome> => {
      await deps.rejectedEvents.record({
        reason: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors,
        receivedAt: deps.clock.now().toISOString(),
        original: incoming,
      });
      deps.log.warn('event rejected', { busEventId: incoming.id, errors });
      return { type: 'rejected', errors };
    };
    if (!parsed.ok || errors.length > 0) return reject(errors);
    return applyValidEvent(deps, parsed.event, { dailySeries, weeklySeries, lastSeenTypes, segmentation, reject }, remainingTimeOf(invocation));
  };
}

async function applyValidEvent(
  deps: IngestDeps,
  received: BehaviorEvent,
  derived: {
    dailySeries: ReadonlySet<string>;
    weeklySeries: WeeklySeries;
    lastSeenTypes: ReadonlySet<string>;
    segmentation: ReturnType<typeof segmentationOf>;
    reject: (errors: FieldError[]) => Promise<IngestOutcome>;
  },
  remainingTimeMs: () => number,
): Promise<IngestOutcome> {
  let current: Profile | undefined = await deps.profiles.get(received.customerId);
  /**
   * The event's decisions and their effects (claims, the enqueue or schedule, decision records,
   * absence timers, a conversion), taken once per invocation, on the first attempt's profile. After
   * a version conflict the event is applied again to the newer profile (its state), but not decided
   * again: a retry deciding differently (the concurrent write unsubscribed them, or let another rule
   * win) would leave the first attempt's send queued and its claims spent beside another outcome.
   * The dispatcher re-checks consent, address and suppression as the email leaves, so a decision
   * taken just before a concurrent unsubscribe still sends nothing. (A crashed invocation's retry
   * decides again from scratch; its ids are the same, so claims and the ledger absorb a repeat.)
   */
  let acted: { records: DecisionRecord[]; timers: RuleTimer[]; conversion: Conversion | undefined } | undefined;
  let attempt = 0;
  for (;;) {
    attempt += 1;
    // Erase deletes the profile, so only an event that would create one can belong to an erased id:
    // existing customers pay no read for the tombstone. Checked again whenever a conflict shows the
    // profile gone (an erase between the read and the write), before any claim, send or timer.
    if (current === undefined && (await deps.erasures.isErased(received.customerId))) {
      // Counted by this message; no customer id in the log, it was erased.
      deps.log.info('event of an erased customer dropped', { eventId: received.eventId, type: received.type, reason: 'customer_erased' });
      return { type: 'erased', eventId: received.eventId };
    }
    const now = deps.clock.now();
    // The event counts at its effective time (never after now) for everything below: the profile,
    // rules, timers, decisions, tracking and the triggers handed to sequences.
    const event = atEffectiveTime(received, now);
    const change = applyEvent(current, event, now, { dailySeries: derived.dailySeries, weeklySeries: derived.weeklySeries, lastSeenTypes: derived.lastSeenTypes });
    if (change.type === 'duplicate') {
      // A redelivery after the write that applied it: that write's effects may not have been done.
      if (current) await flushOutbox(deps, current);
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
    // Checked before anything acts on it: a profile that would not parse once stored must not be
    // written (every later event and the daily jobs would fail on it), nor send anything.
    const problems = profileProblems(profile);
    if (problems.length > 0) {
      deps.log.error('event not applied: the profile it makes would not be valid', { eventId: event.eventId, customerId: event.customerId, problems });
      return derived.reject(problems.map((problem) => ({ field: problem.field, message: `would not be valid after this event: ${problem.message}` })));
    }
    acted ??= await actOnce(deps, event, { profile, facts: evaluation.facts, previous: current, now });
    const { records, timers, conversion } = acted;
    const rules = records.map(({ ruleId, outcome, reason, sendId }) => ({ ruleId, outcome, ...(reason ? { reason } : {}), ...(sendId ? { sendId } : {}) }));
    for (let i = queuedCount(records); i > 0; i--) profile = recordQueuedSend(profile, now, derived.weeklySeries);
    // The tracking loop: engagement on the send's record, and a purchase converting the newest touch.
    const internalEvents: InternalEvent[] = [...evaluation.internalEvents];
    const sendId = event.properties.sendId;
    if ((event.type === 'email_open' || event.type === 'email_click') && typeof sendId === 'string') {
      await deps.tracking.recordEngagement({ customerId: event.customerId, sendId, kind: event.type === 'email_open' ? 'open' : 'click', at: event.occurredAt });
    }
    if (event.type === 'unsubscribe' && typeof sendId === 'string') {
      await deps.tracking.recordUnsubscribe({ customerId: event.customerId, sendId, at: event.occurredAt });
    }
    if (conversion) {
      // Without the touches and segments: the event waits in the profile's outbox, which must stay small.
      const { touches: _touches, segments: _segments, ...converted } = conversion;
      internalEvents.push({ detailType: 'ConversionAttributed', detail: { ...converted, ruleId: conversion.ruleId ?? null, transitionId: `conversion:${event.eventId}` } });
    }
    // Published and applied only if this write wins (profile-outbox.ts): a lost write announced nothing,
    // and the retry below announces what applying the event to the winning item gives.
    profile = withEffects(profile, { events: internalEvents, membership: evaluation.membership, at: now });
    const saved = await saveWithEffects(deps, profile, current?.version);
    if (saved.type === 'saved') {
      const published = internalEvents.map((e) => e.detailType);
      const timersStarted = timers.map((timer) => timer.ruleId);
      deps.log.info('event applied', { eventId: event.eventId, customerId: event.customerId, type: event.type, rules, published, timersStarted });
      return { type: 'applied', eventId: event.eventId, customerId: event.customerId, rules, published, timersStarted };
    }
    current = saved.current;
    const backoffMs = Math.random() * Math.min(MAX_BACKOFF_MS, 5 * 2 ** attempt);
    if (remainingTimeMs() - backoffMs < WRITE_RESERVE_MS) {
      throw new ProfileContentionError(
        `profile ${received.customerId} changed under ${attempt} attempts to apply event ${received.eventId}; retrying later`,
      );
    }
    await (deps.pause ?? sleep)(backoffMs);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The invocation's remaining time, or DEFAULT_WRITE_BUDGET_MS from now when the caller gives none. */
function remainingTimeOf(invocation: IngestInvocation): () => number {
  if (invocation.remainingTimeMs) return invocation.remainingTimeMs;
  const deadline = performance.now() + DEFAULT_WRITE_BUDGET_MS;
  return () => deadline - performance.now();
}

/** The decisions of one event and their effects (see `acted` in applyValidEvent): rules, absence timers, a conversion. */
async function actOnce(
  deps: IngestDeps,
  event: BehaviorEvent,
  input: { profile: Profile; facts: ReturnType<typeof evaluateProfile>['facts']; previous: Profile | undefined; now: Date },
): Promise<{ records: DecisionRecord[]; timers: RuleTimer[]; conversion: Conversion | undefined }> {
  const { profile, previous, now } = input;
  const matches = matchRules(deps.catalog.rules, event, profile, input.facts);
  const records = await decideAndAct(deps, { matches, trigger: event, profile, now, via: 'event', profileVersion: (previous?.version ?? 0) + 1, awaitsTriggerEvent: true });
  // Absence checks (e.g. cart_add and no purchase within 1 h) are decided when their window ends.
  const timers = absenceTimersFor(deps.catalog.rules, event);
  for (const timer of timers) await deps.delayed.scheduleTimer(timer);
  const { attributionWindowHours, sendRetentionDays } = deps.catalog.settings;
  // Any Nudge email within the lookback may have earned the purchase; the send records say which (last touch).
  const purchase = purchaseToAttribute(event, previous, attributionWindowHours);
  const conversion = purchase ? await deps.tracking.recordConversion(purchase, { windowHours: attributionWindowHours, retentionDays: sendRetentionDays }) : undefined;
  // Incrementality: the purchase marks the exposures (sent or held out) whose window holds it, whatever was opened.
  await recordExposureConversions(deps, event);
  return { records, timers, conversion };
}
