import { describe, expect, it } from 'vitest';
import { applyEvent, localHourOf, type Profile } from '#shared/domain/profile.ts';
import { inQuietHours, planSendTime, preferredHourOf, type SendTimeSettings } from '#shared/domain/send-time.ts';
import { buildEvent } from '../support/build-event.ts';

/** The shipped defaults (catalog settings.sendTime). */
const settings: SendTimeSettings = { defaultHour: 10, minOpensToLearn: 3, businessDaysOnly: true, quietHours: { startHour: 21, endHour: 8 }, defaultTimezone: 'UTC' };

function profileIn(timezone: string | undefined, opens: string[] = []): Profile {
  const identify = buildEvent({ type: 'identify', customerId: 'c', occurredAt: '2026-11-01T09:00:00Z', properties: { email: 'c@example.com', ...(timezone ? { timezone } : {}) } });
  let change = applyEvent(undefined, identify, new Date('2026-11-01T09:00:00Z'));
  for (const at of opens) {
    if (change.type !== 'applied') break;
    change = applyEvent(change.profile, buildEvent({ type: 'email_open', customerId: 'c', occurredAt: at }), new Date(at));
  }
  if (change.type !== 'applied') throw new Error('expected applied');
  return change.profile;
}

const plan = (policy: Parameters<typeof planSendTime>[0]['policy'], profile: Profile, now: string, transactional = false) =>
  planSendTime({ policy, transactional, profile, now: new Date(now), settings });

describe('quiet hours (21:00-08:00 local by default)', () => {
  it.each([
    [20, false],
    [21, true],
    [23, true],
    [0, true],
    [7, true],
    [8, false],
    [12, false],
  ])('hour %d quiet: %s', (hour, quiet) => {
    expect(inQuietHours(hour, { startHour: 21, endHour: 8 })).toBe(quiet);
  });

  it('a window that does not wrap midnight, and an empty one', () => {
    expect(inQuietHours(13, { startHour: 12, endHour: 14 })).toBe(true);
    expect(inQuietHours(14, { startHour: 12, endHour: 14 })).toBe(false);
    expect(inQuietHours(3, { startHour: 5, endHour: 5 })).toBe(false);
  });

  it('holds an immediate marketing send decided at 23:30 in Berlin until 08:00 Berlin the next morning', () => {
    // 22:30 UTC = 23:30 in Berlin (CET, UTC+1).
    const result = plan({ policy: 'immediate' }, profileIn('Europe/Berlin'), '2026-11-24T22:30:00Z');
    expect(result).toEqual({ at: new Date('2026-11-25T07:00:00Z'), reason: 'quiet_hours', timezone: 'Europe/Berlin' });
  });

  it('holds a send decided at 02:00 local until 08:00 the same day', () => {
    const result = plan({ policy: 'immediate' }, profileIn('America/New_York'), '2026-11-24T07:00:00Z'); // 02:00 EST
    expect(result.at).toEqual(new Date('2026-11-24T13:00:00Z')); // 08:00 EST
  });

  it('sends at once at 23:30 UTC for a customer in Tokyo (08:30 there), and never holds transactional mail', () => {
    expect(plan({ policy: 'immediate' }, profileIn('Asia/Tokyo'), '2026-11-24T23:30:00Z')).toMatchObject({ reason: 'immediate', at: new Date('2026-11-24T23:30:00Z') });
    expect(plan({ policy: 'immediate' }, profileIn('Europe/Berlin'), '2026-11-24T22:30:00Z', true)).toMatchObject({ reason: 'immediate' });
  });

  it('uses the default zone (UTC) for a customer without one, or with an invalid one', () => {
    expect(plan({ policy: 'immediate' }, profileIn(undefined), '2026-11-24T22:00:00Z')).toMatchObject({ timezone: 'UTC', at: new Date('2026-11-25T08:00:00Z') });
    const odd = { ...profileIn(undefined), timezone: 'Mars/Olympus' };
    expect(plan({ policy: 'immediate' }, odd, '2026-11-24T22:00:00Z').timezone).toBe('UTC');
  });

  it('a delay that lands in quiet hours is moved to their end', () => {
    const result = plan({ policy: 'delay', minutes: 180 }, profileIn('UTC'), '2026-11-24T19:00:00Z');
    expect(result).toMatchObject({ reason: 'quiet_hours', at: new Date('2026-11-25T08:00:00Z') });
    expect(plan({ policy: 'delay', minutes: 60 }, profileIn('UTC'), '2026-11-24T12:00:00Z')).toMatchObject({ reason: 'delay', at: new Date('2026-11-24T13:00:00Z') });
  });
});

describe('preferred hour', () => {
  it('falls back to the catalog default (10:00 local) until the customer has 3 opens', () => {
    expect(preferredHourOf(profileIn('UTC', ['2026-11-02T18:10:00Z', '2026-11-03T18:20:00Z']), settings)).toEqual({ hour: 10, learned: false });
  });

  it('learns the most frequent local open hour', () => {
    // Opens at 18:xx Berlin time (17:xx UTC) three times, once at 07:xx.
    const profile = profileIn('Europe/Berlin', ['2026-11-02T17:10:00Z', '2026-11-03T17:40:00Z', '2026-11-04T06:05:00Z', '2026-11-05T17:01:00Z']);
    expect(profile.emailActivity.openHours).toEqual({ '18': 3, '7': 1 });
    expect(preferredHourOf(profile, settings)).toEqual({ hour: 18, learned: true });
  });

  it('sends at the next business day at that hour: Friday evening -> Monday 10:00', () => {
    // Friday 2026-11-27 19:00 UTC; default hour 10 in UTC -> Monday 2026-11-30 10:00.
    expect(plan({ policy: 'preferred_hour' }, profileIn('UTC'), '2026-11-27T19:00:00Z')).toMatchObject({ reason: 'preferred_hour', at: new Date('2026-11-30T10:00:00Z') });
  });

  it('later today when the hour is still ahead; now when it is the hour', () => {
    expect(plan({ policy: 'preferred_hour' }, profileIn('UTC'), '2026-11-24T07:30:00Z').at).toEqual(new Date('2026-11-24T10:00:00Z'));
    expect(plan({ policy: 'preferred_hour' }, profileIn('UTC'), '2026-11-24T10:20:00Z')).toMatchObject({ reason: 'immediate', at: new Date('2026-11-24T10:20:00Z') });
  });

  it('keeps local wall time across a DST change (Berlin, last Sunday of March)', () => {
    // Saturday 2027-03-27 12:00 UTC (13:00 CET): next business day is Monday 29 March, 10:00 CEST = 08:00 UTC.
    expect(plan({ policy: 'preferred_hour' }, profileIn('Europe/Berlin'), '2027-03-27T12:00:00Z').at).toEqual(new Date('2027-03-29T08:00:00Z'));
  });

  it('localHourOf reads the hour in the zone, UTC when unknown', () => {
    expect(localHourOf('2026-11-24T23:30:00Z', 'Asia/Tokyo')).toBe(8);
    expect(localHourOf('2026-11-24T23:30:00Z', undefined)).toBe(23);
    expect(localHourOf('2026-11-24T23:30:00Z', 'Not/AZone')).toBe(23);
  });
});
