import { weeklySeriesFor, type Catalog } from '../catalog/index.ts';
import { HOUR_MS } from '../domain/clock.ts';
import type { DecisionRecord } from '../domain/decision-record.ts';
import { exposureFieldsOf } from '../domain/exposures.ts';
import type { ClaimStore, DecisionLog, DelayedWork, InternalEventBus, Log, ProfileStore, SendQueue } from '../domain/ports.ts';
import { recordQueuedSend, type Profile } from '../domain/profile.ts';
import { timerIdFor, type TriggerRef } from '../domain/rule-timer.ts';
import type { ExperimentWinners } from '../domain/experiments.ts';
import { experimentKey, prepareSends } from '../domain/send-decision.ts';
import type { SendRequest } from '../domain/send-request.ts';
import type { RuleMatch } from '../domain/trigger-rules.ts';

export type DecisionDeps = {
  claims: ClaimStore;
  sendQueue: SendQueue;
  delayed: DelayedWork;
  decisions: DecisionLog;
  /** Where a rule's `startSequence` goes: a `SequenceStartRequested` event for the sequence starter. */
  bus: InternalEventBus;
  catalog: Catalog;
  log: Log;
  /** Recorded experiment winners (read only for matched rules whose experiment has autoWinner); absent: none. */
  winners?: Pick<ExperimentWinners, 'find'>;
};

/**
 * Sends due within this many seconds go on the queue with an SQS delay; later ones through a
 * one-time schedule. Not SQS's 15-minute maximum: EventBridge Scheduler fires within the minute,
 * and locally the schedule follows the simulated clock while an SQS delay runs in real time.
 */
export const QUEUE_DELAY_LIMIT_SECONDS = 60;

/**
 * The decision path every rule goes through, whatever triggered it (a behavior event, an absence
 * timer, a deferred rule, a model event, the daily sweep): consent and pause checks, priority,
 * claims (cooldown, rule cap, global cap, atomically), holdout, send time, then the queue or a
 * schedule, and one decision record per matched rule.
 *
 * The highest-priority marketing rule that gets its claims wins (a held-out customer's "would have
 * sent" wins too, so the control group stays clean); a lower one is dropped, or deferred when the
 * rule says so. Transactional rules never compete. Everything here happens before the caller's
 * profile write, so a crash is retried and the retry finds its own claims (same sendId).
 */
export async function decideAndAct(
  deps: DecisionDeps,
  input: {
    matches: RuleMatch[];
    trigger: TriggerRef;
    profile: Profile;
    now: Date;
    via: NonNullable<DecisionRecord['via']>;
    /** The version the profile has once the caller's write lands (ingest writes after deciding); default: as stored. */
    profileVersion?: number;
    /** Ingest: the profile write that records the trigger event is still to come. */
    awaitsTriggerEvent?: boolean;
  },
): Promise<DecisionRecord[]> {
  const { matches, trigger, profile, now, via } = input;
  const profileVersion = input.profileVersion ?? profile.version;
  if (matches.length === 0) return [];
  const { settings } = deps.catalog;
  const winners = await recordedWinners(deps, matches);
  const candidates = prepareSends({
    winners,
    matches,
    trigger,
    profile,
    categories: deps.catalog.subscriptionCategories,
    marketingCap: settings.marketingCap,
    sendTime: settings.sendTime,
    globalControlPercent: settings.globalControlPercent,
    now,
  });
  const records: DecisionRecord[] = [];
  // Incrementality: a rule with a holdout marks the decisions that sent or held out (a held-out repeat is a repeat too).
  const exposure = (rule: (typeof matches)[number]['rule'], outcome: DecisionRecord['outcome'], repeat: boolean | undefined, heldOutBy: 'rule' | 'global_control' = 'rule') =>
    exposureFieldsOf(rule, outcome, repeat === true, settings.incrementalityWindowHours, heldOutBy, settings.globalControlPercent) ?? {};
  let winner: string | undefined;
  for (const candidate of candidates) {
    const { rule, conditions } = candidate;
    const base = {
      customerId: profile.customerId,
      ruleId: rule.id,
      priority: rule.priority,
      eventId: trigger.eventId,
      eventType: trigger.type,
      occurredAt: trigger.occurredAt,
      decidedAt: now.toISOString(),
      via,
      conditions,
    };
    if (candidate.type === 'suppressed') {
      records.push({ ...base, outcome: 'suppressed', reason: candidate.reason });
      continue;
    }
    if (candidate.type === 'start_sequence') {
      // Starting a sequence competes with nothing: its steps' emails meet priorities and caps when they are decided.
      const claim = await deps.claims.claim({ customerId: profile.customerId, sendId: candidate.claimId, claims: candidate.claims, now });
      if (claim.type === 'blocked') {
        records.push({ ...base, outcome: 'suppressed', reason: claim.by, ...(claim.until ? { until: claim.until } : {}) });
      } else if (candidate.holdout) {
        records.push({ ...base, outcome: 'holdout', ...heldOutBy(candidate.holdout), sequenceId: candidate.sequenceId, ...(claim.alreadyHeld ? { repeat: true } : {}), ...exposure(rule, 'holdout', claim.alreadyHeld, candidate.holdout) });
      } else {
        await deps.bus.publish([
          {
            detailType: 'SequenceStartRequested',
            detail: {
              customerId: profile.customerId,
              sequenceId: candidate.sequenceId,
              ruleId: rule.id,
              trigger,
              profileVersion,
              ...(input.awaitsTriggerEvent ? { awaitsTriggerEvent: true } : {}),
              transitionId: `sequence:${candidate.claimId}`,
            },
          },
        ]);
        records.push({ ...base, outcome: 'sequence_started', sequenceId: candidate.sequenceId, ...(claim.alreadyHeld ? { repeat: true } : {}), ...exposure(rule, 'sequence_started', claim.alreadyHeld) });
      }
      continue;
    }
    if (!rule.transactional && winner) {
      if (rule.onConflict.action === 'defer') {
        const dueAt = new Date(now.getTime() + rule.onConflict.deferHours * HOUR_MS).toISOString();
        await deps.delayed.scheduleTimer({
          timerId: timerIdFor('deferred_rule', profile.customerId, rule.id, trigger.eventId),
          kind: 'deferred_rule',
          ruleId: rule.id,
          customerId: profile.customerId,
          trigger,
          dueAt,
        });
        records.push({ ...base, outcome: 'deferred', reason: 'lower_priority', wonBy: winner, until: dueAt });
      } else {
        records.push({ ...base, outcome: 'dropped_priority', reason: 'lower_priority', wonBy: winner });
      }
      continue;
    }
    const request = { ...candidate.request, profileVersion, ...(input.awaitsTriggerEvent ? { awaitsTriggerEvent: true } : {}) };
    const { plan } = candidate;
    const claim = await deps.claims.claim({ customerId: request.customerId, sendId: request.sendId, claims: candidate.claims, now });
    if (claim.type === 'blocked') {
      records.push({ ...base, outcome: 'suppressed', reason: claim.by, ...(claim.until ? { until: claim.until } : {}) });
      continue;
    }
    if (!rule.transactional) winner = rule.id;
    if (candidate.holdout) {
      records.push({ ...base, outcome: 'holdout', ...heldOutBy(candidate.holdout), sendId: request.sendId, ...(claim.alreadyHeld ? { repeat: true } : {}), ...exposure(rule, 'holdout', claim.alreadyHeld, candidate.holdout) });
      continue;
    }
    // A repeat is delivered again (the first attempt may have crashed before its enqueue); the ledger sends once.
    await deliver(deps, request, now);
    records.push({
      ...base,
      outcome: 'queued',
      sendId: request.sendId,
      ...(claim.alreadyHeld ? { repeat: true } : {}),
      ...exposure(rule, 'queued', claim.alreadyHeld),
      ...(request.sendAt ? { sendAt: request.sendAt, reason: plan.reason === 'immediate' ? 'delay' : plan.reason } : {}),
      ...(request.variantId ? { experimentId: request.experimentId!, variantId: request.variantId } : {}),
      ...(request.variantId && winners.get(experimentKey(rule.id, request.experimentId!)) === request.variantId ? { variantBy: 'winner' as const } : {}),
    });
  }
  if (records.length > 0) await deps.decisions.record(records, settings.decisionRetentionDays);
  return records;
}

/** The recorded winners of the matched rules' experiments that may have one (autoWinner), by experiment key. */
async function recordedWinners(deps: DecisionDeps, matches: RuleMatch[]): Promise<Map<string, string>> {
  const keys = matches.flatMap(({ rule }) => (rule.experiment?.autoWinner ? [experimentKey(rule.id, rule.experiment.id)] : []));
  if (keys.length === 0 || !deps.winners) return new Map();
  return new Map([...(await deps.winners.find(keys))].map(([key, winner]) => [key, winner.variantId]));
}

/** Onto the send queue now (with a short SQS delay), or through a one-time schedule when it is due later. */
async function deliver(deps: DecisionDeps, request: SendRequest, now: Date): Promise<void> {
  const delaySeconds = request.sendAt ? Math.ceil((Date.parse(request.sendAt) - now.getTime()) / 1000) : 0;
  if (delaySeconds <= QUEUE_DELAY_LIMIT_SECONDS) {
    await deps.sendQueue.enqueue(request, delaySeconds > 0 ? { delaySeconds } : undefined);
    return;
  }
  await deps.delayed.scheduleSend(request, new Date(request.sendAt!));
}

/** How many new sends these records queued (for the profile's email counters; repeats are not counted twice). */
export function queuedCount(records: readonly DecisionRecord[]): number {
  return records.filter((record) => record.outcome === 'queued' && !record.repeat).length;
}

const MAX_COUNTER_ATTEMPTS = 10;

/**
 * Counts queued sends on the profile for decisions made outside ingest (timers, model events, the
 * sweep), with the same version-conditioned write. Best effort by design: the send is already
 * queued, and a lost counter only shifts open-rate style metrics slightly, so contention is logged,
 * not retried forever.
 */
export async function countQueuedSends(deps: { profiles: ProfileStore; log: Log; catalog: Catalog }, customerId: string, sends: number, now: Date): Promise<void> {
  if (sends === 0) return;
  // The catalog's long-window series keep their weeks when this write rolls the ring to a new day.
  const weeklySeries = weeklySeriesFor(deps.catalog);
  let current = await deps.profiles.get(customerId);
  for (let attempt = 1; attempt <= MAX_COUNTER_ATTEMPTS && current; attempt++) {
    let next = current;
    for (let i = 0; i < sends; i++) next = recordQueuedSend(next, now, weeklySeries);
    const saved = await deps.profiles.save(next, current.version);
    if (saved.type === 'saved') return;
    current = saved.current;
  }
  deps.log.warn('could not count a queued send on a busy profile', { customerId, sends });
}

/** A holdout decision names the global control group as its reason; a rule's own holdout needs none. */
function heldOutBy(holdout: 'rule' | 'global_control'): Pick<DecisionRecord, 'reason'> {
  return holdout === 'global_control' ? { reason: 'global_control' } : {};
}
