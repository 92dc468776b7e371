import { dailySeriesFor, segmentationOf, type Catalog } from '../catalog/index.ts';
import { parseBehaviorEvent, type BehaviorEvent, type FieldError } from '../contract/index.ts';
import type { Clock } from '../domain/clock.ts';
import type { DecisionRecord } from '../domain/decision-record.ts';
import type { ClaimStore, DecisionLog, InternalEventBus, Log, ProfileStore, RejectedEventStore, SegmentMembershipStore, SendQueue } from '../domain/ports.ts';
import { evaluateProfile } from '../domain/profile-evaluation.ts';
import { applyEvent, recordQueuedSend, type Profile } from '../domain/profile.ts';
import { prepareSends, type SendCandidate } from '../domain/send-decision.ts';
import { matchRules } from '../domain/trigger-rules.ts';

export type IngestDeps = {
  profiles: ProfileStore;
  claims: ClaimStore;
  sendQueue: SendQueue;
  rejectedEvents: RejectedEventStore;
  bus: InternalEventBus;
  membership: SegmentMembershipStore;
  decisions: DecisionLog;
  catalog: Catalog;
  clock: Clock;
  log: Log;
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
    };

/**
 * Optimistic concurrency: concurrent events of one customer retry from the item the failed write
 * returned. Each retry is one more write and no read; 25 covers bursts of ~100 concurrent events.
 */
const MAX_WRITE_ATTEMPTS = 25;

export class ProfileContentionError extends Error {
  override name = 'ProfileContentionError';
}

/**
 * Ingest one behavior event: validate -> apply to the profile -> re-derive scores, segments and
 * stage -> evaluate rules -> claim -> enqueue -> publish transitions -> save the profile.
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
  return async function ingestEvent(incoming: IncomingBusEvent): Promise<IngestOutcome> {
    const parsed = parseBehaviorEvent({
      source: incoming.source,
      detailType: incoming['detail-type'],
      detail: incoming.detail,
    });
    if (!parsed.ok) {
      await deps.rejectedEvents.record({
        reason: parsed.errors.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors: parsed.errors,
        receivedAt: deps.clock.now().toISOString(),
        original: incoming,
      });
      deps.log.warn('event rejected', { busEventId: incoming.id, errors: parsed.errors });
      return { type: 'rejected', errors: parsed.errors };
    }
    return applyValidEvent(deps, parsed.event, { dailySeries, segmentation });
  };
}

async function applyValidEvent(
  deps: IngestDeps,
  event: BehaviorEvent,
  derived: { dailySeries: ReadonlySet<string>; segmentation: ReturnType<typeof segmentationOf> },
): Promise<IngestOutcome> {
  let current: Profile | undefined = await deps.profiles.get(event.customerId);
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    const now = deps.clock.now();
    const change = applyEvent(current, event, now, { dailySeries: derived.dailySeries });
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
    const { settings } = deps.catalog;
    const candidates = prepareSends({ matches, event, profile, consentMode: settings.consentMode, marketingCap: settings.marketingCap, now });
    const records = await decide(deps, candidates, event, now);
    if (records.length > 0) await deps.decisions.record(records, settings.decisionRetentionDays);
    const rules = records.map(({ ruleId, outcome, reason, sendId }) => ({ ruleId, outcome, ...(reason ? { reason } : {}), ...(sendId ? { sendId } : {}) }));
    for (const record of records) if (record.outcome === 'queued') profile = recordQueuedSend(profile, now);
    if (evaluation.internalEvents.length > 0) await deps.bus.publish(evaluation.internalEvents);
    if (evaluation.membership.entered.length > 0 || evaluation.membership.exited.length > 0) {
      await deps.membership.apply({ customerId: profile.customerId, ...evaluation.membership, at: now });
    }
    const saved = await deps.profiles.save(profile, current?.version);
    if (saved.type === 'saved') {
      const published = evaluation.internalEvents.map((e) => e.detailType);
      deps.log.info('event applied', { eventId: event.eventId, customerId: event.customerId, type: event.type, rules, published });
      return { type: 'applied', eventId: event.eventId, customerId: event.customerId, rules, published };
    }
    current = saved.current;
    // Spread concurrent writers of one profile apart (jittered, growing), so a burst settles in few rounds.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
  }
  throw new ProfileContentionError(
    `profile ${event.customerId} changed under ${MAX_WRITE_ATTEMPTS} attempts to apply event ${event.eventId}; retrying later`,
  );
}

/**
 * Carries out the candidates in priority order. The highest-priority marketing rule that gets its
 * claims wins (a held-out customer's "would have sent" wins too, so the control group stays clean);
 * lower-priority marketing rules for the same event are dropped, and recorded as such.
 * Transactional rules never compete. Enqueueing happens here, before the profile write.
 */
async function decide(deps: IngestDeps, candidates: SendCandidate[], event: BehaviorEvent, now: Date): Promise<DecisionRecord[]> {
  const records: DecisionRecord[] = [];
  let winner: string | undefined;
  for (const candidate of candidates) {
    const { rule, conditions } = candidate;
    const base = {
      customerId: event.customerId,
      ruleId: rule.id,
      priority: rule.priority,
      eventId: event.eventId,
      eventType: event.type,
      occurredAt: event.occurredAt,
      decidedAt: now.toISOString(),
      conditions,
    };
    if (candidate.type === 'suppressed') {
      records.push({ ...base, outcome: 'suppressed', reason: candidate.reason });
      continue;
    }
    if (!rule.transactional && winner) {
      records.push({ ...base, outcome: 'dropped_priority', reason: 'lower_priority', wonBy: winner });
      continue;
    }
    const { request } = candidate;
    const claim = await deps.claims.claim({ customerId: request.customerId, sendId: request.sendId, claims: candidate.claims, now });
    if (claim.type === 'blocked') {
      records.push({ ...base, outcome: 'suppressed', reason: claim.by, ...(claim.until ? { until: claim.until } : {}) });
      continue;
    }
    if (!rule.transactional) winner = rule.id;
    if (candidate.holdout) {
      records.push({ ...base, outcome: 'holdout', sendId: request.sendId });
      continue;
    }
    await deps.sendQueue.enqueue(request);
    records.push({ ...base, outcome: 'queued', sendId: request.sendId });
  }
  return records;
}
