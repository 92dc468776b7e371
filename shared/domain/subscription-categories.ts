import * as z from 'zod';
import type { BehaviorEvent, FieldError } from '../contract/index.ts';
import type { Profile } from './profile.ts';

const SnakeId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case');

/**
 * How a category's consent works when the customer has said nothing about it:
 * - `opt_in`: nothing is sent until they subscribe (GDPR art. 6/7 and ePrivacy art. 13: promotional
 *   email needs prior, explicit consent; silence is not consent). The safe default for marketing.
 * - `opt_out`: sent until they unsubscribe (only lawful where a soft opt-in applies, e.g. existing
 *   customers about similar products; the catalog owner decides and this name makes it visible).
 * - `required`: service mail (receipts, password resets, security notices) that the customer needs
 *   to use what they bought. It is not marketing, needs no consent, and cannot be turned off: the
 *   preference center shows it as always on and says why; an event that unsubscribes from it is
 *   rejected at ingest rather than silently leaving a customer without their receipts.
 */
export const ConsentDefault = z.enum(['opt_in', 'opt_out', 'required']);
export type ConsentDefault = z.infer<typeof ConsentDefault>;

export const SubscriptionCategory = z
  .object({
    id: SnakeId,
    /** What the preference center shows, e.g. "Offers and news". */
    name: z.string().min(1).max(60),
    /** One plain sentence: what mail of this category is. */
    description: z.string().min(1).max(300),
    consent: ConsentDefault,
  })
  .strict();
export type SubscriptionCategory = z.infer<typeof SubscriptionCategory>;
export type SubscriptionCategoryInput = z.input<typeof SubscriptionCategory>;

/**
 * Whether mail of `category` may go to this customer now. An explicit status wins for optional
 * categories (subscribed or unsubscribed); otherwise the category's default decides. A category the
 * catalog does not define gets no mail: the catalog validation keeps rules and sequences to defined
 * ones, so this only happens for a send queued under an older catalog, and not sending is the safe side.
 */
export function hasConsent(profile: Pick<Profile, 'consent'>, category: string, categories: readonly SubscriptionCategory[]): boolean {
  const defined = categories.find((c) => c.id === category);
  if (!defined) return false;
  if (defined.consent === 'required') return true;
  // Own keys only: a catalog category named like an Object.prototype member must not read the inherited one.
  const status = Object.hasOwn(profile.consent, category) ? profile.consent[category] : undefined;
  if (status !== undefined) return status === 'subscribed';
  return defined.consent === 'opt_out';
}

/** Each category with whether it is on for this customer now (what the preference center shows). */
export function subscriptionsOf(profile: Pick<Profile, 'consent'>, categories: readonly SubscriptionCategory[]): Array<SubscriptionCategory & { on: boolean }> {
  return categories.map((category) => ({ ...category, on: hasConsent(profile, category.id, categories) }));
}

/** The categories a customer can turn off ("leave everything" unsubscribes exactly these). */
export function optionalCategories(categories: readonly SubscriptionCategory[]): SubscriptionCategory[] {
  return categories.filter((c) => c.consent !== 'required');
}

/**
 * Consent an event asks for that the catalog cannot honour: a category it does not define (a typo
 * such as `marketting` would otherwise leave the customer subscribed while their request looks
 * obeyed), or turning off a required category. Ingest rejects such an event as a whole, with these
 * reasons, to the rejected-events queue: half-applying a consent change is worse than none.
 */
export function consentProblems(event: Pick<BehaviorEvent, 'type' | 'properties'>, categories: readonly SubscriptionCategory[]): FieldError[] {
  const known = new Map(categories.map((c) => [c.id, c]));
  const list = [...known.keys()].join(', ');
  const problems: FieldError[] = [];
  const check = (field: string, category: string, turningOff: boolean) => {
    const defined = known.get(category);
    if (!defined) problems.push({ field, message: `"${category}" is not a subscription category of this catalog (known: ${list})` });
    else if (turningOff && defined.consent === 'required') {
      problems.push({ field, message: `"${category}" carries service mail (receipts, security notices) and cannot be unsubscribed` });
    }
  };
  const props = event.properties;
  if (event.type === 'subscribe' || event.type === 'unsubscribe') {
    if (Array.isArray(props.categories)) {
      props.categories.forEach((c, i) => typeof c === 'string' && check(`properties.categories.${i}`, c, event.type === 'unsubscribe'));
    } else if (typeof props.category === 'string') {
      check('properties.category', props.category, event.type === 'unsubscribe');
    }
  }
  if (event.type === 'identify' && typeof props.consent === 'object' && props.consent !== null && !Array.isArray(props.consent)) {
    for (const [category, status] of Object.entries(props.consent)) check(`properties.consent.${category}`, category, status === 'unsubscribed');
  }
  return problems;
}
