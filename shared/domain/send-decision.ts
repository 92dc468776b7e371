import { createHash } from 'node:crypto';
import { HOUR_MS } from './clock.ts';
import { deterministicId } from './deterministic-ids.ts';
import type { ConditionResult } from './conditions.ts';
import { loyaltyEnrolledAt, type Profile } from './profile.ts';
import type { TriggerRef } from './rule-timer.ts';
import { planSendTime, type SendPlan, type SendTimeSettings } from './send-time.ts';
import type { SendRequest } from './send-request.ts';
import { hasConsent, type SubscriptionCategory } from './subscription-categories.ts';
import { assignVariant } from './experiments.ts';
import type { RuleMatch, TriggerRule } from './trigger-rules.ts';

/** What must be claimed atomically before a send may be queued. */
export type Claim =
  | { kind: 'cooldown'; ruleId: string; expiresAt: Date }
  /** A frequency cap: `scope` is `rule:<id>` or `global`; no window means "ever". */
  | { kind: 'cap'; scope: string; max: number; windowMs?: number };

export type SuppressionReason = 'no_email' | 'no_consent' | 'promotional_pause';

/** A matched rule after the checks that need no claim: either a candidate send, or suppressed. */
export type SendCandidate =
  | { type: 'candidate'; rule: TriggerRule; request: SendRequest; claims: Claim[]; holdout: Holdout; plan: SendPlan; conditions: ConditionResult[] }
  /** A rule that starts a sequence: its claims (cooldown, rule cap) are held under `claimId`; the steps' emails are decided later. */
  | { type: 'start_sequence'; rule: TriggerRule; sequenceId: string; claimId: string; claims: Claim[]; holdout: Holdout; conditions: ConditionResult[] }
  | { type: 'suppressed'; rule: TriggerRule; reason: SuppressionReason; conditions: ConditionResult[] };

/** Why a candidate is held out: the rule's own control group, or the global one (no marketing email at all); false when it is treated. */
export type Holdout = false | 'rule' | 'global_control';

export type FrequencyCap = { count: number; periodHours: number };

/**
 * Turns rule matches (highest priority first) into candidate sends: who can be emailed at all
 * (address, consent, promotional pause), whether the customer is in the rule's holdout, which
 * claims the send needs (cooldown, the rule's cap, the global marketing cap), and when it leaves
 * (the rule's send-time policy and quiet hours). The claims are made by the claim store, where
 * conditional writes decide races; priority conflicts are resolved by the service in this order.
 */
export function prepareSends(input: {
  matches: RuleMatch[];
  /** The behavior event, timer event or model event the decision is about. */
  trigger: TriggerRef;
  profile: Profile;
  /** The catalog's subscription categories: each says how its consent defaults. */
  categories: readonly SubscriptionCategory[];
  marketingCap: FrequencyCap;
  sendTime: SendTimeSettings;
  /** The catalog's `globalControlPercent`: that share of customers gets no marketing email from any rule; 0 when not given. */
  globalControlPercent?: number;
  now: Date;
  /** Recorded automatic winners, by `experimentKey`: the winner gets every treated customer. */
  winners?: ReadonlyMap<string, string>;
}): SendCandidate[] {
  const { matches, trigger: event, profile, categories, marketingCap, sendTime, now } = input;
  const inGlobalControl = isInGlobalControl(profile.customerId, input.globalControlPercent ?? 0);
  return matches.map(({ rule, conditions }): SendCandidate => {
    const blocked = sendBlocker(profile, rule, categories);
    if (blocked) return { type: 'suppressed', rule, reason: blocked, conditions };
    const holdout: Holdout = !rule.transactional && inGlobalControl ? 'global_control' : isInHoldout(profile.customerId, rule.id, rule.holdoutPercent) ? 'rule' : false;
    const claims: Claim[] = [];
    if (rule.cooldownHours !== undefined) {
      claims.push({ kind: 'cooldown', ruleId: rule.id, expiresAt: new Date(now.getTime() + rule.cooldownHours * HOUR_MS) });
    }
    if (rule.maxSends !== undefined) {
      const { count, periodHours } = rule.maxSends;
      claims.push({ kind: 'cap', scope: `rule:${rule.id}`, max: count, ...(periodHours !== undefined ? { windowMs: periodHours * HOUR_MS } : {}) });
    }
    if (rule.startSequence !== undefined) {
      // The start sends nothing itself: the global marketing cap counts each step's email when it is decided.
      return { type: 'start_sequence', rule, sequenceId: rule.startSequence, claimId: sendIdFor(profile.customerId, rule.id, event.eventId), claims, holdout, conditions };
    }
    // The control group sends nothing, so it uses none of the customer's marketing allowance.
    if (!rule.transactional && !holdout) {
      claims.push({ kind: 'cap', scope: 'global', max: marketingCap.count, windowMs: marketingCap.periodHours * HOUR_MS });
    }
    // The treated customers are split between the variants; the control group stays the control group.
    const variant = rule.experiment && !holdout ? assignVariant(profile.customerId, rule.id, rule.experiment, input.winners?.get(experimentKey(rule.id, rule.experiment.id))) : undefined;
    const plan = planSendTime({ policy: variant?.sendTime ?? rule.sendTime, transactional: rule.transactional, profile, now, settings: sendTime });
    const overrides = variant ? { ...(variant.subject !== undefined ? { subject: variant.subject } : {}), ...(variant.preheader !== undefined ? { preheader: variant.preheader } : {}) } : {};
    const request: SendRequest = {
      sendId: sendIdFor(profile.customerId, rule.id, event.eventId),
      customerId: profile.customerId,
      ruleId: rule.id,
      templateId: variant?.templateId ?? rule.templateId!, // a rule without startSequence has a template (TriggerRule's refinement)
      category: rule.category,
      email: profile.email!, // sendBlocker found no reason to stop, so the address exists
      decidedAt: now.toISOString(),
      ...(plan.at.getTime() > now.getTime() ? { sendAt: plan.at.toISOString() } : {}),
      trigger: { eventId: event.eventId, type: event.type, occurredAt: event.occurredAt },
      conditions,
      personalization: personalizationFrom(profile, event),
      ...(variant ? { experimentId: rule.experiment!.id, variantId: variant.id, ...(Object.keys(overrides).length > 0 ? { overrides } : {}) } : {}),
    };
    return { type: 'candidate', rule, request, claims, holdout, plan, conditions };
  });
}

/**
 * Why this customer cannot be sent this rule's email right now, if anything: checked when the
 * rule is decided and again when the email leaves (a send scheduled for later must not reach
 * someone who unsubscribed meanwhile).
 */
export function sendBlocker(
  profile: Profile,
  rule: Pick<TriggerRule, 'category' | 'transactional'>,
  categories: readonly SubscriptionCategory[],
): SuppressionReason | undefined {
  if (!profile.email) return 'no_email';
  if (!hasConsent(profile, rule.category, categories)) return 'no_consent';
  // An open support ticket pauses promotional mail until it is resolved; service mail still goes.
  if (!rule.transactional && profile.support.openTickets.length > 0) return 'promotional_pause';
  return undefined;
}

/**
 * Document 001's `stop_active_campaigns`: a subscription cancellation stops the marketing already
 * on its way, i.e. every send whose trigger happened before the cancellation (a delayed rule send,
 * a queued sequence step). What the cancellation itself triggers (the win-back series) and service
 * mail still go. Checked by the dispatcher as the email leaves.
 */
export function stoppedByCancellation(profile: Pick<Profile, 'subscriptionCancelledAt'>, request: Pick<SendRequest, 'trigger'>, transactional: boolean): boolean {
  if (transactional || profile.subscriptionCancelledAt === undefined) return false;
  return Date.parse(request.trigger.occurredAt) < Date.parse(profile.subscriptionCancelledAt);
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

/** The key of an experiment's recorded winner: the rule or step and the experiment. */
export const experimentKey = (scopeId: string, experimentId: string): string => `${scopeId}:${experimentId}`;

/**
 * The global control group: customers who get no marketing email from any rule or sequence, so the
 * programme as a whole can be measured against them (transactional mail still goes). Hashed like a
 * rule's holdout under a key no rule id can take (rule ids are snake_case), so membership is stable
 * and independent of every rule's own holdout.
 */
export function isInGlobalControl(customerId: string, percent: number): boolean {
  return isInHoldout(customerId, GLOBAL_CONTROL_KEY, percent);
}
const GLOBAL_CONTROL_KEY = '*global-control';

/**
 * Deterministic in (customer, rule, trigger event), so a redelivered event produces the same send
 * id and is deduplicated downstream, and two customers' events with equal ids never share one.
 */
export function sendIdFor(customerId: string, ruleId: string, eventId: string): string {
  return deterministicId('send', customerId, ruleId, eventId);
}

/** The profile and event facts a template may use, copied at decision time (also what `nudge preview` renders with). */
export function personalizationFrom(profile: Profile, event: TriggerRef): SendRequest['personalization'] {
  return {
    ...(profile.firstName ? { firstName: profile.firstName } : {}),
    ...(profile.lastName ? { lastName: profile.lastName } : {}),
    ...(profile.lastCart ? { cart: profile.lastCart } : {}),
    eventProperties: event.properties,
    lifetimeValue: profile.commerce.revenue - profile.commerce.refunds,
    ...(profile.engagementLevel ? { engagementLevel: profile.engagementLevel } : {}),
    segments: Object.keys(profile.segments).sort(),
    topCategories: topCategoriesOf(profile),
    recommendedProducts: recommendedProducts(profile),
    ...(profile.commerce.lastPurchaseAt ? { lastPurchaseAt: profile.commerce.lastPurchaseAt } : {}),
    ...(favoriteDevice(profile) ? { favoriteDevice: favoriteDevice(profile)! } : {}),
    contentInterests: (profile.predictions.interests ?? []).map((interest) => interest.category),
    loyaltyMember: loyaltyEnrolledAt(profile) !== undefined,
  };
}

/** The customer's most viewed and bought categories, most first. */
function topCategoriesOf(profile: Profile): string[] {
  return Object.entries(profile.categories)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, 3)
    .map(([category]) => category);
}

/** How many products an email recommends. */
export const RECOMMENDED_PRODUCTS = 3;

/**
 * Document 000's recommended_products, from what Nudge has: products the customer viewed or carted
 * and did not buy (profile.recentProducts), those of their top categories first, then the newest.
 */
export function recommendedProducts(profile: Pick<Profile, 'recentProducts' | 'categories'>): NonNullable<SendRequest['personalization']['recommendedProducts']> {
  const rank = new Map(topCategoriesOf(profile as Profile).map((category, index) => [category, index]));
  const order = (category: string | undefined) => (category !== undefined ? (rank.get(category) ?? rank.size) : rank.size);
  return profile.recentProducts
    .map((product, index) => ({ product, index }))
    .sort((a, b) => order(a.product.category) - order(b.product.category) || a.index - b.index)
    .slice(0, RECOMMENDED_PRODUCTS)
    .map(({ product }) => product);
}

/** Document 000's favorite_device: the device most of the customer's events came from. */
export function favoriteDevice(profile: Pick<Profile, 'devices'>): string | undefined {
  return Object.entries(profile.devices).sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0]?.[0];
}
