import type { Catalog } from '../catalog/index.ts';
import { categoriesToConfirm } from '../domain/email-links.ts';
import { engagementEntry } from '../domain/engagement-events.ts';
import type { LinkClaims } from '../domain/link-tokens.ts';
import type { BehaviorEventBus, Log, ProfileStore } from '../domain/ports.ts';
import { renderConfirmSubscription, renderPreferenceMessage } from '../presentation/preference-center-page.ts';
import type { PageResponse } from './preference-center.ts';

export type ConfirmSubscriptionDeps = {
  /** Read only: the subscribe carries the address on file; the change goes through the bus. */
  profiles: Pick<ProfileStore, 'get'>;
  bus: BehaviorEventBus;
  catalog: Pick<Catalog, 'subscriptionCategories'> & { settings: Pick<Catalog['settings'], 'brandName'> };
  log: Log;
};

/**
 * `/s/<token>`: the link of a subscription confirmation email (48 hours, mailed to the address on
 * file after opt-in categories were chosen on the preference page). GET only asks, with a button
 * (mail scanners prefetch links); POST puts the `subscribe` (`via: preference_center_confirmed`)
 * for the token's categories that are still opt-in categories of the catalog. One event per
 * request, so confirming again after an unsubscribe subscribes again (the link is still short-lived).
 */
export function makeConfirmSubscription(deps: ConfirmSubscriptionDeps) {
  const brandName = deps.catalog.settings.brandName;
  return async function confirmSubscription(input: { method: string; requestId: string; claims: LinkClaims; now: Date }): Promise<PageResponse> {
    const { claims } = input;
    const chosen = categoriesToConfirm(claims.g, deps.catalog.subscriptionCategories);
    if (chosen.length === 0) {
      return { statusCode: 400, html: renderPreferenceMessage('This link is not valid', 'It names no emails we ask you to confirm. Nothing was changed.') };
    }
    const profile = await deps.profiles.get(claims.c);
    if (!profile?.email) {
      return { statusCode: 404, html: renderPreferenceMessage('We cannot subscribe you', `${brandName} has no email address for you any more, so there is nothing to confirm.`) };
    }
    const names = chosen.map((c) => c.name);
    if (input.method === 'GET' || input.method === 'HEAD') return { statusCode: 200, html: renderConfirmSubscription({ brandName, categories: names }) };
    if (input.method !== 'POST') return { statusCode: 405, html: renderPreferenceMessage('Not allowed', 'Use the button on the confirmation page.') };

    const categories = chosen.map((c) => c.id);
    await deps.bus.put([
      engagementEntry({ kind: 'preference', customerId: claims.c, sendId: claims.s, status: 'subscribed', categories, email: profile.email, confirmed: true, requestId: input.requestId, at: input.now }),
    ]);
    deps.log.info('subscription confirmed', { customerId: claims.c, sendId: claims.s, categories });
    return {
      statusCode: 200,
      html: renderPreferenceMessage('You are subscribed', `Thank you: you will receive ${names.join(' and ')} from ${brandName}. You can change this at any time with the preferences link in our emails.`),
    };
  };
}
