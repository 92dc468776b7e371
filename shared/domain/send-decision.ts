import { createHash } from 'node:crypto';
import type { BehaviorEvent } from '../contract/index.ts';
import { HOUR_MS } from './clock.ts';
import type { ConditionResult } from './conditions.ts';
import type { Profile } from './profile.ts';
import type { RuleMatch } from './trigger-rules.ts';
import type { SendRequest } from './send-request.ts';

/** What must be claimed atomically before a send may be queued. */
export type Claim =
  | { kind: 'cooldown'; ruleId: string; expiresAt: Date }
  | { kind: 'lifetime_cap'; ruleId: string; max: number };

export type SendDecision =
  | { type: 'send'; request: SendRequest; claims: Claim[] }
  | { type: 'suppressed'; ruleId: string; reason: 'no_email' | 'no_consent' | 'promotional_pause'; conditions: ConditionResult[] };

export type ConsentMode = 'opt_in' | 'opt_out';

/**
 * Turns rule matches into send decisions: who can be emailed at all (address, consent) and which
 * claims (cooldown, cap) the send needs. The claims themselves are made by the claim store, where
 * a conditional write decides races.
 */
export function decideSends(input: {
  matches: RuleMatch[];
  event: BehaviorEvent;
  profile: Profile;
  consentMode: ConsentMode;
  now: Date;
}): SendDecision[] {
  const { matches, event, profile, consentMode, now } = input;
  return matches.map(({ rule, conditions }): SendDecision => {
    if (!profile.email) return { type: 'suppressed', ruleId: rule.id, reason: 'no_email', conditions };
    if (!hasConsent(profile, rule.category, consentMode)) {
      return { type: 'suppressed', ruleId: rule.id, reason: 'no_consent', conditions };
    }
    // An open support ticket pauses promotional mail until it is resolved; service mail still goes.
    if (rule.category !== 'transactional' && profile.support.openTickets.length > 0) {
      return { type: 'suppressed', ruleId: rule.id, reason: 'promotional_pause', conditions };
    }
    const claims: Claim[] = [];
    if (rule.cooldownHours !== undefined) {
      claims.push({ kind: 'cooldown', ruleId: rule.id, expiresAt: new Date(now.getTime() + rule.cooldownHours * HOUR_MS) });
    }
    if (rule.maxSends !== undefined && rule.maxSends.periodHours === undefined) {
      claims.push({ kind: 'lifetime_cap', ruleId: rule.id, max: rule.maxSends.count });
    }
    const request: SendRequest = {
      sendId: sendIdFor(rule.id, event.eventId),
      customerId: profile.customerId,
      ruleId: rule.id,
      templateId: rule.templateId,
      category: rule.category,
      email: profile.email,
      decidedAt: now.toISOString(),
      trigger: { eventId: event.eventId, type: event.type, occurredAt: event.occurredAt },
      conditions,
      personalization: personalizationFrom(profile, event),
    };
    return { type: 'send', request, claims };
  });
}

/**
 * Transactional mail needs only the absence of an explicit opt-out; everything else needs the
 * consent the catalog's mode asks for (opt-in by default: GDPR-safe).
 */
function hasConsent(profile: Profile, category: string, mode: ConsentMode): boolean {
  const status = profile.consent[category];
  if (status === 'unsubscribed') return false;
  if (category === 'transactional' || mode === 'opt_out') return true;
  return status === 'subscribed';
}

/** Deterministic, so a redelivered event produces the same send id and is deduplicated downstream. */
export function sendIdFor(ruleId: string, eventId: string): string {
  return createHash('sha256').update(`${ruleId}\u0000${eventId}`).digest('base64url').slice(0, 22);
}

/** The profile and event facts a template may use, copied at decision time. */
function personalizationFrom(profile: Profile, event: BehaviorEvent): SendRequest['personalization'] {
  return {
    ...(profile.firstName ? { firstName: profile.firstName } : {}),
    ...(profile.lastName ? { lastName: profile.lastName } : {}),
    ...(profile.lastCart ? { cart: profile.lastCart } : {}),
    eventProperties: event.properties,
  };
}
