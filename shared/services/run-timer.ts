import type { Clock } from '../domain/clock.ts';
import type { DecisionRecord } from '../domain/decision-record.ts';
import type { ProfileStore } from '../domain/ports.ts';
import { RuleTimer } from '../domain/rule-timer.ts';
import { checkAbsence } from '../domain/temporal-triggers.ts';
import { evaluateRule } from '../domain/trigger-rules.ts';
import { countQueuedSends, decideAndAct, queuedCount, type DecisionDeps } from './decide-sends.ts';
import { factsAt } from './rule-facts.ts';

export type RunTimerDeps = DecisionDeps & { profiles: ProfileStore; clock: Clock };

export type TimerOutcome =
  | { type: 'skipped'; reason: 'unknown_rule' | 'inactive_rule' | 'no_profile' | 'superseded' | 'conditions_not_met' }
  | { type: 'decided'; records: DecisionRecord[] };

/**
 * Runs one rule timer when it comes due (one-time schedule -> timers function):
 * - an absence check first looks at what happened since the start event: an awaited event (the
 *   purchase after the cart_add) means the goal is met and is recorded; a newer start event means
 *   its own timer decides instead;
 * - then the rule's conditions are evaluated against the live profile and the start event, and
 *   the decision goes through the same path as any rule (consent, claims, holdout, send time).
 * Idempotent: a repeated timer recomputes the same sendId, so claims and the ledger absorb it.
 */
export function makeRunTimer(deps: RunTimerDeps) {
  return async function runTimer(input: unknown): Promise<TimerOutcome> {
    const timer = RuleTimer.parse(input);
    const rule = deps.catalog.rules.find((candidate) => candidate.id === timer.ruleId);
    const skip = (reason: Extract<TimerOutcome, { type: 'skipped' }>['reason']): TimerOutcome => {
      deps.log.info('rule timer skipped', { timerId: timer.timerId, ruleId: timer.ruleId, customerId: timer.customerId, reason });
      return { type: 'skipped', reason };
    };
    // A rule removed or paused since the timer was set simply does not fire.
    if (!rule) return skip('unknown_rule');
    if (!rule.active) return skip('inactive_rule');
    const profile = await deps.profiles.get(timer.customerId);
    if (!profile) return skip('no_profile');
    const now = deps.clock.now();
    const via = timer.kind;

    if (timer.kind === 'absence_check') {
      const absence = checkAbsence(rule, timer, profile);
      if (absence.status === 'superseded') return skip('superseded');
      if (absence.status === 'follow_up_seen') {
        const record: DecisionRecord = {
          customerId: profile.customerId,
          ruleId: rule.id,
          priority: rule.priority,
          eventId: timer.trigger.eventId,
          eventType: timer.trigger.type,
          occurredAt: timer.trigger.occurredAt,
          decidedAt: now.toISOString(),
          outcome: 'goal_met',
          reason: 'follow_up_seen',
          via,
          conditions: [{ field: `event:${absence.eventType}`, op: 'exists', expected: false, actual: absence.at, passed: false }],
        };
        await deps.decisions.record([record], deps.catalog.settings.decisionRetentionDays);
        return { type: 'decided', records: [record] };
      }
    }

    const match = evaluateRule(rule, { event: timer.trigger, profile, facts: factsAt(profile, deps.catalog, now) });
    if (!match) return skip('conditions_not_met');
    const records = await decideAndAct(deps, { matches: [match], trigger: timer.trigger, profile, now, via });
    await countQueuedSends(deps, profile.customerId, queuedCount(records), now);
    deps.log.info('rule timer decided', { timerId: timer.timerId, ruleId: rule.id, customerId: profile.customerId, outcomes: records.map((r) => r.outcome) });
    return { type: 'decided', records };
  };
}
