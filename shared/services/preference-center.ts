import type { Catalog } from '../catalog/index.ts';
import { engagementEntry, type BehaviorEntry } from '../domain/engagement-events.ts';
import type { LinkClaims } from '../domain/link-tokens.ts';
import type { BehaviorEventBus, Log, ProfileStore } from '../domain/ports.ts';
import type { Profile } from '../domain/profile.ts';
import { explainSegments } from '../domain/segment-explanations.ts';
import { maskAddress } from '../domain/ses-events.ts';
import { hasConsent } from '../domain/subscription-categories.ts';
import { ACTION_FIELD, CATEGORY_FIELD, renderPreferenceCenter, renderPreferenceMessage, type PreferenceCenterView } from '../presentation/preference-center-page.ts';

export type PreferenceCenterDeps = {
  /** Read only: the page shows the live profile; changes go through the bus like every other consent event. */
  profiles: Pick<ProfileStore, 'get'>;
  bus: BehaviorEventBus;
  catalog: Pick<Catalog, 'subscriptionCategories' | 'segments'> & { settings: Pick<Catalog['settings'], 'brandName'> };
  log: Log;
};

export type PageResponse = { statusCode: number; html: string };

/**
 * `GET /p/<token>`: the customer's subscriptions and segments from the live profile. `POST`: the
 * form's choices become at most two behavior events (one subscribe, one unsubscribe, each naming
 * the categories it changes, `via: preference_center`), so ingest applies them exactly as it does
 * an API call, and the dispatcher's send-time consent check stops mail already queued. The
 * confirmation shows the choices as saved (the profile write follows within moments).
 */
export function makePreferenceCenter(deps: PreferenceCenterDeps) {
  const categories = deps.catalog.subscriptionCategories;
  const brandName = deps.catalog.settings.brandName;
  const gone = (): PageResponse => ({
    statusCode: 404,
    html: renderPreferenceMessage('We have no preferences for you', `${brandName} keeps no data about you any more, so there is nothing to change.`),
  });

  return async function preferenceCenter(input: { method: string; body: string; requestId: string; claims: LinkClaims; now: Date }): Promise<PageResponse> {
    const { claims, now } = input;
    const profile = await deps.profiles.get(claims.c);
    if (!profile) return gone();
    if (input.method === 'GET' || input.method === 'HEAD') return { statusCode: 200, html: renderPreferenceCenter(viewOf(profile, (id) => hasConsent(profile, id, categories))) };
    if (input.method !== 'POST') return { statusCode: 405, html: renderPreferenceMessage('Not allowed', 'Use the form on the preferences page.') };

    const form = new URLSearchParams(input.body);
    const leave = form.get(ACTION_FIELD) === 'leave';
    const checked = new Set(form.getAll(CATEGORY_FIELD));
    const unknown = [...checked].filter((id) => !categories.some((c) => c.id === id && c.consent !== 'required'));
    if (unknown.length > 0) {
      deps.log.warn('preference form named unknown categories', { customerId: claims.c, unknown });
      return { statusCode: 400, html: renderPreferenceMessage('We could not read that form', 'It named email types we do not send. Nothing was changed.') };
    }
    const wanted = (id: string) => !leave && checked.has(id);
    const entries: BehaviorEntry[] = [];
    const on = categories.filter((c) => c.consent !== 'required' && wanted(c.id) && !hasConsent(profile, c.id, categories)).map((c) => c.id);
    const off = categories.filter((c) => c.consent !== 'required' && !wanted(c.id) && hasConsent(profile, c.id, categories)).map((c) => c.id);
    const base = { customerId: claims.c, sendId: claims.s, requestId: input.requestId, at: now };
    if (on.length > 0) entries.push(engagementEntry({ kind: 'preference', ...base, status: 'subscribed', categories: on, ...(profile.email ? { email: profile.email } : {}) }));
    if (off.length > 0) entries.push(engagementEntry({ kind: 'preference', ...base, status: 'unsubscribed', categories: off }));
    if (entries.length > 0) await deps.bus.put(entries);
    deps.log.info('preferences changed', { customerId: claims.c, subscribed: on, unsubscribed: off });

    const saved = (id: string) => categories.find((c) => c.id === id)?.consent === 'required' || wanted(id);
    const notice = leave
      ? 'You are unsubscribed from every email you can turn off. Orders and account emails still reach you.'
      : entries.length > 0
        ? 'Your choices are saved.'
        : 'Nothing changed: these were already your choices.';
    return { statusCode: 200, html: renderPreferenceCenter(viewOf(profile, saved), notice) };
  };

  function viewOf(profile: Profile, isOn: (id: string) => boolean): PreferenceCenterView {
    return {
      brandName,
      firstName: profile.firstName,
      // Masked: the link is a bearer token that may be forwarded; the person knows their own address.
      ...(profile.email ? { email: maskAddress(profile.email) } : {}),
      subscriptions: categories.map((c) => ({ id: c.id, name: c.name, description: c.description, on: isOn(c.id), required: c.consent === 'required' })),
      segments: explainSegments(Object.keys(profile.segments).sort(), deps.catalog.segments),
    };
  }
}
