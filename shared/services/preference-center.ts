import type { Catalog } from '../catalog/index.ts';
import { engagementEntry, type BehaviorEntry } from '../domain/engagement-events.ts';
import type { LinkClaims } from '../domain/link-tokens.ts';
import type { BehaviorEventBus, Log, ProfileStore } from '../domain/ports.ts';
import type { Profile } from '../domain/profile.ts';
import { explainSegments } from '../domain/segment-explanations.ts';
import { maskAddress } from '../domain/ses-events.ts';
import { hasConsent } from '../domain/subscription-categories.ts';
import { CONFIRMATION_LIFETIME_HOURS } from '../domain/link-tokens.ts';
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
 * form's choices become behavior events, each naming the categories it changes: an unsubscribe
 * (applied at once; the dispatcher's send-time consent check stops mail already queued), a
 * subscribe for opt-out categories turned back on, and for opt-in categories a
 * `consent_confirmation_requested` (nothing changes until the person confirms from their mailbox:
 * the link is a year-long bearer token that may have been forwarded). Ingest applies them exactly
 * as it does an API call. The page shows the choices as saved, pending opt-ins still off.
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
    const isOn = (id: string) => hasConsent(profile, id, categories);
    const optional = categories.filter((c) => c.consent !== 'required');
    const off = optional.filter((c) => !wanted(c.id) && isOn(c.id)).map((c) => c.id);
    // Turning something on: an opt-out category was on by default, so re-subscribing restores the
    // default at once; an opt-in one needs consent the link cannot prove (whoever holds a forwarded
    // link could give it), so it is only asked for, and a confirmation goes to the address on file.
    const on = optional.filter((c) => wanted(c.id) && !isOn(c.id));
    const restored = on.filter((c) => c.consent === 'opt_out').map((c) => c.id);
    const toConfirm = profile.email ? on.filter((c) => c.consent === 'opt_in').map((c) => c.id) : [];
    const unconfirmable = profile.email ? [] : on.filter((c) => c.consent === 'opt_in').map((c) => c.id);

    const base = { customerId: claims.c, sendId: claims.s, requestId: input.requestId, at: now };
    const entries: BehaviorEntry[] = [];
    if (restored.length > 0) entries.push(engagementEntry({ kind: 'preference', ...base, status: 'subscribed', categories: restored, ...(profile.email ? { email: profile.email } : {}) }));
    if (off.length > 0) entries.push(engagementEntry({ kind: 'preference', ...base, status: 'unsubscribed', categories: off }));
    if (toConfirm.length > 0) entries.push(engagementEntry({ kind: 'confirmation_request', ...base, categories: toConfirm }));
    if (entries.length > 0) await deps.bus.put(entries);
    deps.log.info('preferences changed', { customerId: claims.c, subscribed: restored, unsubscribed: off, confirmationRequested: toConfirm, unconfirmable });

    const pending = new Set([...toConfirm, ...unconfirmable]);
    const saved = (id: string) => categories.find((c) => c.id === id)?.consent === 'required' || (wanted(id) && !pending.has(id));
    const notices = [
      leave
        ? 'You are unsubscribed from every email you can turn off. Orders and account emails still reach you.'
        : restored.length > 0 || off.length > 0
          ? 'Your choices are saved.'
          : pending.size === 0
            ? 'Nothing changed: these were already your choices.'
            : '',
      toConfirm.length > 0
        ? `We sent a confirmation to ${maskAddress(profile.email!)}: ${namesOf(toConfirm)} start${toConfirm.length === 1 ? 's' : ''} once you use the link in it (it works for ${CONFIRMATION_LIFETIME_HOURS} hours).`
        : '',
      unconfirmable.length > 0 ? `We could not turn on ${namesOf(unconfirmable)}: we have no email address for you to confirm it with.` : '',
    ];
    return { statusCode: 200, html: renderPreferenceCenter(viewOf(profile, saved), notices.filter(Boolean).join(' ')) };
  };

  function namesOf(ids: string[]): string {
    return ids.map((id) => `"${categories.find((c) => c.id === id)?.name ?? id}"`).join(' and ');
  }

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
