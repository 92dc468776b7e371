import { DateTime } from 'luxon';
import type { Profile } from './profile.ts';
import type { SendTimePolicy } from './trigger-rules.ts';

/** The catalog's send-time settings (hours are local to the customer). */
export type SendTimeSettings = {
  /** Send hour for `preferred_hour` until a customer has opened enough emails to learn theirs. */
  defaultHour: number;
  /** Opens needed before the learned hour replaces the default. */
  minOpensToLearn: number;
  /** `preferred_hour` sends go out Monday to Friday only. */
  businessDaysOnly: boolean;
  /** No marketing mail from `startHour` to `endHour` (may wrap midnight, e.g. 21 -> 8). */
  quietHours: { startHour: number; endHour: number };
  /** The zone for customers who never told us theirs. */
  defaultTimezone: string;
};

export type SendPlan = {
  at: Date;
  /** Why it leaves then: straight away, the rule's delay, the customer's hour, or the end of quiet hours. */
  reason: 'immediate' | 'delay' | 'preferred_hour' | 'quiet_hours';
  /** For the `optimal` policy: which hour it chose (the customer's stated time, the learned hour, or the default on a business day). */
  hourFrom?: OptimalHour['from'];
  /** The zone the plan was made in (the customer's, or the default). */
  timezone: string;
};

/**
 * When an email should leave, in the customer's time zone: the rule's policy first, then quiet
 * hours (marketing only: transactional mail is never held back, and under `optimal` it leaves at
 * once: a receipt or a confirmation link is expected now, not at the customer's best hour). Pure; luxon does the zone
 * arithmetic, including DST gaps (a local hour that does not exist moves forward).
 */
export function planSendTime(input: { policy: SendTimePolicy; transactional: boolean; profile: Profile; now: Date; settings: SendTimeSettings }): SendPlan {
  const { policy, transactional, profile, now, settings } = input;
  const timezone = zoneOf(profile.timezone, settings.defaultTimezone);
  const local = DateTime.fromJSDate(now, { zone: timezone });
  let at: DateTime<boolean> = local;
  let reason: SendPlan['reason'] = 'immediate';
  if (policy.policy === 'delay') {
    at = local.plus({ minutes: policy.minutes });
    reason = 'delay';
  } else if (policy.policy === 'optimal' && !transactional) {
    const optimal = optimalHourOf(profile, settings);
    at = nextAfter(local, optimal, settings.businessDaysOnly && optimal.from === 'default');
    reason = 'preferred_hour';
    // The customer's own stated time is theirs to choose, quiet hours included.
    if (optimal.from === 'contact_time') return { at: at.toJSDate(), reason, timezone, hourFrom: optimal.from };
    if (!transactional && inQuietHours(at.hour, settings.quietHours)) return { at: quietHoursEnd(at, settings.quietHours).toJSDate(), reason: 'quiet_hours', timezone, hourFrom: optimal.from };
    return { at: at.toJSDate(), reason, timezone, hourFrom: optimal.from };
  } else if (policy.policy === 'preferred_hour') {
    at = nextAtHour(local, preferredHourOf(profile, settings).hour, settings.businessDaysOnly);
    reason = at.toMillis() === local.toMillis() ? 'immediate' : 'preferred_hour';
  }
  if (!transactional && inQuietHours(at.hour, settings.quietHours)) {
    at = quietHoursEnd(at, settings.quietHours);
    reason = 'quiet_hours';
  }
  return { at: at.toJSDate(), reason, timezone };
}

export type OptimalHour = { hour: number; minute: number; from: 'contact_time' | 'learned' | 'default' };

/**
 * Document 000's order: the preferred contact time the customer gave (its hour and minute), else
 * the hour learned from their opens, else the catalog's default hour (10:00).
 */
export function optimalHourOf(profile: Profile, settings: Pick<SendTimeSettings, 'defaultHour' | 'minOpensToLearn'>): OptimalHour {
  const stated = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(profile.preferredContactTime ?? '');
  if (stated) return { hour: Number(stated[1]), minute: Number(stated[2]), from: 'contact_time' };
  const preferred = preferredHourOf(profile, settings);
  return { hour: preferred.hour, minute: 0, from: preferred.learned ? 'learned' : 'default' };
}

/**
 * The first `hour:minute` strictly after `local` (document 000: a time that has passed today
 * moves to tomorrow), on a business day when `businessDaysOnly`. A local time that does not exist
 * (a DST gap) moves forward with luxon.
 */
function nextAfter(local: DateTime<boolean>, time: { hour: number; minute: number }, businessDaysOnly: boolean): DateTime<boolean> {
  const isBusinessDay = (day: DateTime<boolean>) => !businessDaysOnly || day.weekday <= 5;
  let candidate = local.set({ hour: time.hour, minute: time.minute, second: 0, millisecond: 0 });
  if (candidate <= local) candidate = candidate.plus({ days: 1 }).set({ hour: time.hour, minute: time.minute });
  while (!isBusinessDay(candidate)) candidate = candidate.plus({ days: 1 }).set({ hour: time.hour, minute: time.minute });
  return candidate;
}

/** The customer's most frequent local open hour once they have `minOpensToLearn` opens; else the default. */
export function preferredHourOf(profile: Profile, settings: Pick<SendTimeSettings, 'defaultHour' | 'minOpensToLearn'>): { hour: number; learned: boolean } {
  const entries = Object.entries(profile.emailActivity.openHours);
  const opens = entries.reduce((sum, [, count]) => sum + count, 0);
  if (opens < settings.minOpensToLearn || entries.length === 0) return { hour: settings.defaultHour, learned: false };
  // Ties go to the earlier hour, so the choice does not depend on key order.
  const [hour] = entries.sort(([ha, a], [hb, b]) => b - a || Number(ha) - Number(hb))[0]!;
  return { hour: Number(hour), learned: true };
}

export function inQuietHours(hour: number, quiet: SendTimeSettings['quietHours']): boolean {
  if (quiet.startHour === quiet.endHour) return false;
  return quiet.startHour < quiet.endHour ? hour >= quiet.startHour && hour < quiet.endHour : hour >= quiet.startHour || hour < quiet.endHour;
}

/** The first `endHour:00` after `at` (same day when quiet hours started after midnight, else the next day). */
function quietHoursEnd(at: DateTime<boolean>, quiet: SendTimeSettings['quietHours']): DateTime<boolean> {
  let end = at.set({ hour: quiet.endHour, minute: 0, second: 0, millisecond: 0 });
  if (end <= at) end = end.plus({ days: 1 });
  return end;
}

/** `hour:00` today if that is still ahead (or now, within the hour), else the next suitable day. */
function nextAtHour(local: DateTime<boolean>, hour: number, businessDaysOnly: boolean): DateTime<boolean> {
  const isBusinessDay = (day: DateTime<boolean>) => !businessDaysOnly || day.weekday <= 5;
  if (local.hour === hour && isBusinessDay(local)) return local;
  let candidate = local.set({ hour, minute: 0, second: 0, millisecond: 0 });
  if (candidate <= local) candidate = candidate.plus({ days: 1 });
  while (!isBusinessDay(candidate)) candidate = candidate.plus({ days: 1 });
  return candidate;
}

/** A valid IANA zone or the fallback (profiles may hold whatever a producer sent before validation existed). */
export function zoneOf(timezone: string | undefined, fallback: string): string {
  if (timezone && DateTime.local().setZone(timezone).isValid) return timezone;
  return fallback;
}
