import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { parseBehaviorEvent } from '#shared/contract/parse-behavior-event.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { optimalHourOf, planSendTime } from '#shared/domain/send-time.ts';
import { buildEvent } from '../support/build-event.ts';

/**
 * Document 000's optimal send time (calculate_optimal_send_time): the customer's preferred contact
 * time, else the hour a model learned, else 10:00 on the next business day (weekends skipped); a
 * time already passed today (or exactly now) moves to the next day. Nudge learns the hour from the
 * customer's opens, works in the customer's time zone, and applies it to every rule that does not
 * opt out.
 */

const settings = defaultCatalog.settings.sendTime;
const optimal = { policy: 'optimal' } as const;

function profileAfter(events: Array<Parameters<typeof buildEvent>[0]>): Profile {
  let profile: Profile | undefined;
  for (const event of events) {
    const change = applyEvent(profile, buildEvent({ customerId: 'c', ...event }), new Date(event.occurredAt ?? '2026-11-01T00:00:00Z'), { dailySeries: new Set(['*']) });
    if (change.type === 'applied') profile = change.profile;
  }
  return profile!;
}

const identify = (properties: Record<string, unknown>) => ({ type: 'identify', occurredAt: '2026-11-01T08:00:00Z', email: 'c@example.com', properties });
const plan = (profile: Profile, now: string) => planSendTime({ policy: optimal, transactional: false, profile, now: new Date(now), settings });
const local = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat('ccc yyyy-MM-dd HH:mm');

describe('document 000: the optimal send time', () => {
  it('the contract accepts a preferred contact time HH:MM on identify, and refuses anything else', () => {
    const parse = (preferredContactTime: unknown) =>
      parseBehaviorEvent({ source: 'shop.web', detailType: 'identify', detail: { eventId: 'e1', customerId: 'c', occurredAt: '2026-11-01T08:00:00Z', properties: { preferredContactTime } } });
    expect(parse('18:30').ok).toBe(true);
    expect(parse('07:05').ok).toBe(true);
    for (const bad of ['24:00', '7:05', '18:60', '18h30', 1830]) expect(parse(bad).ok, String(bad)).toBe(false);
  });

  it('1. the preferred contact time wins: today if still ahead, else tomorrow, any day of the week, quiet hours too', () => {
    const profile = profileAfter([identify({ preferredContactTime: '18:30', timezone: 'Europe/Berlin' })]);
    expect(optimalHourOf(profile, settings)).toEqual({ hour: 18, minute: 30, from: 'contact_time' });
    // Friday 12:00 Berlin -> Friday 18:30; Saturday 19:00 -> Sunday 18:30 (the document skips no weekend here).
    expect(local(plan(profile, '2026-11-20T11:00:00Z').at, 'Europe/Berlin')).toBe('Fri 2026-11-20 18:30');
    expect(local(plan(profile, '2026-11-21T18:00:00Z').at, 'Europe/Berlin')).toBe('Sun 2026-11-22 18:30');
    const night = profileAfter([identify({ preferredContactTime: '22:15', timezone: 'Europe/Berlin' })]);
    expect(local(plan(night, '2026-11-20T11:00:00Z').at, 'Europe/Berlin')).toBe('Fri 2026-11-20 22:15');
  });

  it('2. else the hour learned from their opens (3 opens at 14:00 local): the next 14:00', () => {
    const opens = ['2026-11-02', '2026-11-03', '2026-11-04'].map((day, i) => ({ type: 'email_open', occurredAt: `${day}T13:10:00Z`, properties: { sendId: `s${i}` } }));
    const profile = profileAfter([identify({ timezone: 'Europe/Berlin' }), ...opens]);
    expect(optimalHourOf(profile, settings)).toEqual({ hour: 14, minute: 0, from: 'learned' });
    expect(local(plan(profile, '2026-11-20T14:00:00Z').at, 'Europe/Berlin')).toBe('Sat 2026-11-21 14:00');
  });

  it('3. else 10:00 on the next business day in their zone: Friday after 10 -> Monday; Tuesday 09:00 -> Tuesday; exactly 10:00 -> the next day', () => {
    const profile = profileAfter([identify({ timezone: 'America/New_York' })]);
    expect(optimalHourOf(profile, settings)).toEqual({ hour: 10, minute: 0, from: 'default' });
    const zone = 'America/New_York';
    expect(local(plan(profile, '2026-11-20T16:00:00Z').at, zone)).toBe('Mon 2026-11-23 10:00');
    expect(local(plan(profile, '2026-11-24T14:00:00Z').at, zone)).toBe('Tue 2026-11-24 10:00');
    expect(local(plan(profile, '2026-11-24T15:00:00Z').at, zone)).toBe('Wed 2026-11-25 10:00');
    expect(local(plan(profile, '2026-11-21T12:00:00Z').at, zone)).toBe('Mon 2026-11-23 10:00');
  });

  it('for any moment and any of the three sources: strictly after now, within 8 days, at the chosen local time', () => {
    const profiles = [
      profileAfter([identify({ preferredContactTime: '06:45', timezone: 'Asia/Tokyo' })]),
      profileAfter([identify({ timezone: 'Europe/Berlin' })]),
      profileAfter([identify({})]),
    ];
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }), fc.constantFrom(0, 1, 2), (ms, index) => {
        const profile = profiles[index]!;
        const zone = profile.timezone ?? settings.defaultTimezone;
        const result = planSendTime({ policy: optimal, transactional: false, profile, now: new Date(ms), settings });
        expect(result.at.getTime()).toBeGreaterThan(ms);
        expect(result.at.getTime() - ms).toBeLessThanOrEqual(8 * 24 * 3600 * 1000);
        const at = DateTime.fromJSDate(result.at, { zone });
        const chosen = optimalHourOf(profile, settings);
        expect([at.hour, at.minute]).toEqual([chosen.hour, chosen.minute]);
        if (chosen.from === 'default') expect(at.weekday).toBeLessThanOrEqual(5);
      }),
    );
  });

  it('applies to every shipped rule that does not opt out; the opt-outs are service mail and rules with their own timing', () => {
    const optOuts = defaultCatalog.rules.filter((rule) => rule.sendTime.policy !== 'optimal').map((rule) => `${rule.id}:${rule.sendTime.policy}`);
    expect(optOuts.sort()).toEqual(['confirm_subscription:immediate', 'post_purchase_follow_up:delay', 'support_follow_up:immediate', 'welcome_new_subscriber:immediate']);
    for (const rule of defaultCatalog.rules.filter((r) => r.transactional)) expect(rule.sendTime.policy, rule.id).toBe('immediate');
  });
});

describe('transactional mail under the optimal policy', () => {
  it('leaves at once, whatever the hour or the customer: service mail is expected now', () => {
    const profiles = [profileAfter([identify({ preferredContactTime: '18:30' })]), profileAfter([identify({})])];
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }), fc.constantFrom(0, 1), (ms, index) => {
        const result = planSendTime({ policy: optimal, transactional: true, profile: profiles[index]!, now: new Date(ms), settings });
        expect(result).toMatchObject({ at: new Date(ms), reason: 'immediate' });
      }),
    );
  });
});
