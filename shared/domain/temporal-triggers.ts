import type { BehaviorEvent } from '../contract/index.ts';
import { DAY_MS, HOUR_MS } from './clock.ts';
import type { Profile } from './profile.ts';
import { timerIdFor, type RuleTimer, type TriggerRef } from './rule-timer.ts';
import type { TriggerRule } from './trigger-rules.ts';

type AbsenceTrigger = Extract<TriggerRule['trigger'], { type: 'temporal'; kind: 'absence' }>;

function absenceTriggerOf(rule: TriggerRule): AbsenceTrigger | undefined {
  return rule.trigger.type === 'temporal' && rule.trigger.kind === 'absence' ? rule.trigger : undefined;
}

/**
 * The absence checks this event starts: one timer per active absence rule whose start event it is,
 * due when the rule's window ends (counted from when the event occurred, not when it arrived).
 */
export function absenceTimersFor(rules: readonly TriggerRule[], event: BehaviorEvent): RuleTimer[] {
  return rules.flatMap((rule) => {
    const trigger = absenceTriggerOf(rule);
    if (!rule.active || trigger?.eventType !== event.type) return [];
    return [
      {
        timerId: timerIdFor('absence_check', event.customerId, rule.id, event.eventId),
        kind: 'absence_check' as const,
        ruleId: rule.id,
        customerId: event.customerId,
        trigger: { eventId: event.eventId, type: event.type, occurredAt: event.occurredAt, properties: event.properties },
        dueAt: new Date(Date.parse(event.occurredAt) + trigger.withinHours * HOUR_MS).toISOString(),
      },
    ];
  });
}

export type AbsenceCheck =
  | { status: 'absent' }
  /** One of the awaited events happened after the start event: the rule's goal is met, nothing to send. */
  | { status: 'follow_up_seen'; eventType: string; at: string }
  /** A newer start event of the same type happened; its own timer decides, so this one stands down. */
  | { status: 'superseded'; at: string };

/** When an absence timer comes due: did any awaited event follow the start event? (profile.lastSeen, epoch s) */
export function checkAbsence(rule: TriggerRule, timer: RuleTimer, profile: Profile): AbsenceCheck {
  const trigger = absenceTriggerOf(rule);
  if (!trigger) throw new Error(`rule ${rule.id} is not an absence rule`);
  const startedAt = Math.floor(Date.parse(timer.trigger.occurredAt) / 1000);
  for (const type of trigger.absentEventTypes) {
    const seen = profile.lastSeen[type];
    if (seen !== undefined && seen >= startedAt) return { status: 'follow_up_seen', eventType: type, at: new Date(seen * 1000).toISOString() };
  }
  const latestStart = profile.lastSeen[trigger.eventType];
  if (latestStart !== undefined && latestStart > startedAt) return { status: 'superseded', at: new Date(latestStart * 1000).toISOString() };
  return { status: 'absent' };
}

/**
 * How many days after the moment an inactivity or anniversary trigger still fires: the daily
 * sweep may miss a day (a failed run, a deploy), and a second fire in that window has the same
 * trigger id, so its send id is the same and the dispatcher's ledger sends it once.
 */
export const TEMPORAL_GRACE_DAYS = 2;

/**
 * The sweep-driven temporal rules (inactivity, anniversary) due for this profile at `now`, each
 * with a deterministic trigger: one per idle streak (keyed by the last activity) and one per
 * anniversary year, so repeated sweeps decide the same send.
 */
export function dueTemporalTriggers(rules: readonly TriggerRule[], profile: Profile, now: Date): Array<{ rule: TriggerRule; trigger: TriggerRef }> {
  const due: Array<{ rule: TriggerRule; trigger: TriggerRef }> = [];
  for (const rule of rules) {
    const { trigger } = rule;
    if (!rule.active || trigger.type !== 'temporal') continue;
    if (trigger.kind === 'inactivity') {
      const idleDays = (now.getTime() - Date.parse(profile.lastActivityAt)) / DAY_MS;
      if (idleDays >= trigger.days && idleDays < trigger.days + TEMPORAL_GRACE_DAYS) {
        due.push({
          rule,
          trigger: {
            eventId: `inactivity:${trigger.days}d:${profile.lastActivityAt}`,
            type: 'inactivity',
            occurredAt: new Date(Date.parse(profile.lastActivityAt) + trigger.days * DAY_MS).toISOString(),
            properties: { idleDays: Math.floor(idleDays), lastActivityAt: profile.lastActivityAt },
          },
        });
      }
    }
    if (trigger.kind === 'anniversary') {
      const since = trigger.of === 'signup' ? (profile.signedUpAt ?? profile.firstSeenAt) : profile.commerce.firstPurchaseAt;
      const anniversary = since ? latestAnniversary(new Date(since), now) : undefined;
      if (anniversary && now.getTime() - anniversary.at.getTime() < TEMPORAL_GRACE_DAYS * DAY_MS) {
        due.push({
          rule,
          trigger: {
            eventId: `anniversary:${trigger.of}:${anniversary.years}`,
            type: 'anniversary',
            occurredAt: anniversary.at.toISOString(),
            properties: { of: trigger.of, years: anniversary.years, since },
          },
        });
      }
    }
  }
  return due;
}

/** The latest whole-year anniversary of `since` at or before `now` (UTC; 29 February falls on 1 March), if any. */
function latestAnniversary(since: Date, now: Date): { years: number; at: Date } | undefined {
  for (let years = now.getUTCFullYear() - since.getUTCFullYear(); years >= 1; years--) {
    const at = new Date(since);
    at.setUTCFullYear(since.getUTCFullYear() + years);
    if (at <= now) return { years, at };
  }
  return undefined;
}
