import { createHash } from 'node:crypto';
import type { BehaviorEvent } from '../contract/index.ts';
import { HOUR_MS } from './clock.ts';
import type { ConditionResult } from './conditions.ts';
import type { Profile } from './profile.ts';
import type { SendRequest } from './send-request.ts';
import type { RuleMatch, TriggerRule } from './trigger-rules.ts';

/** What must be claimed atomically before a send may be queued. */
export type Claim =
  | { kind: 'cooldown'; ruleId: string; expiresAt: Date }
  /** A frequency cap: `scope` is `rule:<id>` or `global`; no window means "ever". */
  | { kind: 'cap'; scope: string; max: number; windowMs?: number };

export type SuppressionReason = 'no_email' | 'no_consent' | 'promotional_pause';

/** A matched rule after the checks that need no claim: either a candidate send, or suppressed. */
export type SendCandidate =
  | { type: 'candidate'; rule: TriggerRule; request: SendRequest; claims: Claim[]; holdout: boolean; conditions: ConditionResult[] }
  | { type: 'suppressed'; rule: TriggerRule; reason: SuppressionReason; conditions: ConditionResult[] };

export type ConsentMode = 'opt_in' | 'opt_out';
export type FrequencyCap = { count: number; periodHours: number };

/**
 * Turns rule matches (highest priority first) into candidate sends: who can be emailed at all
 * (address, consent, promotional pause), whether the customer is in the rule's holdout, and which
 * claims the send needs (cooldown, the rule's cap, the global marketing cap). The claims are made
 * by the claim store, where conditional writes decide races; priority conflicts are resolved by
 * the service in this order.
 */
export function prepareSends(input: {
  matches: RuleMatch[];
  event: BehaviorEvent;
  profile: Profile;
  consentMode: ConsentMode;
  marketingCap: FrequencyCap;
  now: Date;
}): SendCandidate[] {
  const { matches, event, profile, consentMode, marketingCap, now } = input;
  return matches.map(({ rule, conditions }): SendCandidate => {
    if (!profile.email) return { type: 'suppressed', rule, reason: 'no_email', conditions };
    if (!hasConsent(profile, rule.category, consentMode)) return { type: 'suppressed', rule, reason: 'no_consent', conditions };
    // An open support ticket pauses promotional mail until it is resolved; service mail still goes.
    if (!rule.transactional && profile.support.openTickets.length > 0) {
      return { type: 'suppressed', rule, reason: 'promotional_pause', conditions };
    }
    const holdout = isInHoldout(profile.customerId, rule.id, rule.holdoutPercent);
    const claims: Claim[] = [];
    if (rule.cooldownHours !== undefined) {
      claims.push({ kind: 'cooldown', ruleId: rule.id, expiresAt: new Date(now.getTime() + rule.cooldownHours * HOUR_MS) });
    }
    if (rule.maxSends !== undefined) {
      const { count, periodHours } = rule.maxSends;
      claims.push({ kind: 'cap', scope: `rule:${rule.id}`, max: count, ...(periodHours !== undefined ? { windowMs: periodHours * HOUR_MS } : {}) });
    }
    // The control group sends nothing, so it uses none of the customer's marketing allowance.
    if (!rule.transactional && !holdout) {
      claims.push({ kind: 'cap', scope: 'global', max: marketingCap.count, windowMs: marketingCap.periodHours * HOUR_MS });
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
    return { type: 'candidate', rule, request, claims, holdout, conditions };
  });
}

/**
 * The rule's control group: a deterministic hash of (rule, customer), so a customer stays in or out
 * of a rule's holdout for good and the share converges on `percent` across customers.
 */
export function isInHoldout(customerId: string, ruleId: string, percent: number): boolean {
  if (percent <= 0) return false;
  const bucket = createHash('sha256').update(`${ruleId}\u0000${customerId}`).digest().readUInt32BE(0) / 2 ** 32;
  return bucket * 100 < percent;
}

/**
 * Consent is checked for every category, transactional included: an explicit unsubscribe always
 * wins. Transactional mail needs no opt-in; other mail needs what the catalog's mode asks for
 * (opt-in by default: GDPR-safe).
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
