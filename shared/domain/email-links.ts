import { CONSENT_CONFIRMATION_REQUESTED } from './engagement-events.ts';
import { escapeHtml } from './html.ts';
import type { SigningKey } from './link-keyring.ts';
import { CONFIRMATION_LIFETIME_HOURS, signLink } from './link-tokens.ts';
import type { SendRequest } from './send-request.ts';
import type { SubscriptionCategory } from './subscription-categories.ts';

/** Where the link endpoints live, the key that signs (the keyring's current one), what the mailto unsubscribe goes to. */
export type LinkSettings = { baseUrl: string; key: SigningKey; unsubscribeMailbox?: string | undefined };

export type EmailLinks = { unsubscribeUrl: string; preferencesUrl: string; openPixelUrl: string; mailto?: string };

/** The signed links of one send. */
export function linksFor(request: SendRequest, settings: LinkSettings, now: Date): EmailLinks {
  const base = settings.baseUrl.replace(/\/+$/, '');
  const ids = { c: request.customerId, s: request.sendId, r: request.ruleId };
  const unsubscribe = signLink({ a: 'unsubscribe', ...ids, k: request.category }, settings.key, now);
  return {
    unsubscribeUrl: `${base}/u/${unsubscribe}`,
    preferencesUrl: `${base}/p/${signLink({ a: 'preferences', ...ids }, settings.key, now)}`,
    openPixelUrl: `${base}/o/${signLink({ a: 'open', ...ids }, settings.key, now)}`,
    ...(settings.unsubscribeMailbox ? { mailto: `mailto:${settings.unsubscribeMailbox}?subject=unsubscribe%20${unsubscribe}` } : {}),
  };
}

/** What a confirmation email shows (the template variable `confirm`): the link, how long it works, what it subscribes to. */
export type ConfirmationVariables = { url: string; hours: number; categories: Array<{ name: string; description: string }> };

/**
 * The opt-in categories a confirmation request asked for that the catalog still defines as opt-in
 * (`categories` of a `consent_confirmation_requested` event; anything else is not ours to confirm).
 */
export function categoriesToConfirm(asked: unknown, categories: readonly SubscriptionCategory[]): SubscriptionCategory[] {
  return Array.isArray(asked) ? categories.filter((c) => c.consent === 'opt_in' && asked.includes(c.id)) : [];
}

/**
 * The signed `/s/<token>` link of a confirmation email, sent for a `consent_confirmation_requested`
 * event: it names the customer and the categories and works for 48 hours. Undefined for any other
 * send, or when nothing asked for is an opt-in category (the template then fails instead of
 * mailing a link that would confirm nothing).
 */
export function confirmationFor(request: SendRequest, categories: readonly SubscriptionCategory[], settings: LinkSettings, now: Date): ConfirmationVariables | undefined {
  if (request.trigger.type !== CONSENT_CONFIRMATION_REQUESTED) return undefined;
  const chosen = categoriesToConfirm(request.personalization.eventProperties.categories, categories);
  if (chosen.length === 0) return undefined;
  const token = signLink({ a: 'confirm_subscription', c: request.customerId, s: request.sendId, r: request.ruleId, g: chosen.map((c) => c.id) }, settings.key, now);
  return {
    url: `${settings.baseUrl.replace(/\/+$/, '')}/s/${token}`,
    hours: CONFIRMATION_LIFETIME_HOURS,
    categories: chosen.map(({ name, description }) => ({ name, description })),
  };
}

/**
 * RFC 8058 one-click unsubscribe (what Gmail and Yahoo require of bulk senders): the https URL
 * that takes a POST, and a mailto alternative for clients without one-click support.
 */
export function unsubscribeHeaders(links: EmailLinks): Array<{ name: string; value: string }> {
  return [
    { name: 'List-Unsubscribe', value: [`<${links.unsubscribeUrl}>`, ...(links.mailto ? [`<${links.mailto}>`] : [])].join(', ') },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ];
}

/**
 * Every absolute http(s) link of the HTML part goes through the click endpoint with a signed
 * token that carries the destination (the endpoint redirects only to URLs it signed, so it cannot
 * be used as an open redirect). Links in the text part stay as written: readers copy them. Links
 * to the link endpoint itself (a confirmation link) are already signed and stay as they are.
 */
export function trackClicks(html: string, request: SendRequest, settings: LinkSettings, now: Date): string {
  const base = settings.baseUrl.replace(/\/+$/, '');
  // A link's `data-category` (a recommended product's category) is signed into its token, so the
  // click tells ingest which interest it shows (document 001: a click updates the interest profile).
  return html.replace(/<a\b[^>]*>/g, (tag) =>
    tag.replace(/href="(https?:\/\/[^"]+)"/, (match, url: string) => {
      if (url.startsWith(`${base}/`)) return match;
      const target = url.replaceAll('&amp;', '&');
      const category = /\sdata-category="([^"]{1,64})"/.exec(tag)?.[1];
      const claims = { a: 'click' as const, c: request.customerId, s: request.sendId, r: request.ruleId, u: target, ...(category ? { t: category.replaceAll('&amp;', '&') } : {}) };
      return `href="${base}/c/${signLink(claims, settings.key, now)}"`;
    }),
  );
}

/**
 * The footer: every email links to the preference center (service mail too, so a customer can
 * always reach their choices); marketing also says why it comes and offers one-click unsubscribe.
 */
export function withFooter(
  email: { html: string; text: string },
  input: { links: EmailLinks; brandName: string; category: string; transactional: boolean },
): { html: string; text: string } {
  const { links, brandName, category } = input;
  const pixel = `<img src="${links.openPixelUrl}" width="1" height="1" alt="">`;
  if (input.transactional) {
    return {
      html: `${email.html}
<hr>
<p style="font-size:12px;color:#555">This is a service email about your account or order. <a href="${links.preferencesUrl}" ses:no-track>Email preferences</a></p>
${pixel}`,
      text: `${email.text}

--
This is a service email about your account or order. Email preferences: ${links.preferencesUrl}`,
    };
  }
  const what = category.replaceAll('_', ' ');
  const html = `${email.html}
<hr>
<p style="font-size:12px;color:#555">You are receiving ${escapeHtml(what)} emails from ${escapeHtml(brandName)}.
<a href="${links.unsubscribeUrl}" ses:no-track>Unsubscribe</a> with one click, or choose which emails you get in your <a href="${links.preferencesUrl}" ses:no-track>email preferences</a>.</p>
${pixel}`;
  const text = `${email.text}

--
You are receiving ${what} emails from ${brandName}. Unsubscribe: ${links.unsubscribeUrl}
Email preferences: ${links.preferencesUrl}`;
  return { html, text };
}
