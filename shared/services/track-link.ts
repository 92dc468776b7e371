import type { Clock } from '../domain/clock.ts';
import { engagementEntry } from '../domain/engagement-events.ts';
import { escapeHtml } from '../domain/html.ts';
import type { LinkKeyring } from '../domain/link-keyring.ts';
import { verifyLink, type LinkAction, type LinkClaims } from '../domain/link-tokens.ts';
import type { BehaviorEventBus, ErasureTombstones, Log } from '../domain/ports.ts';
import type { makeConfirmSubscription } from './confirm-subscription.ts';
import type { makePreferenceCenter } from './preference-center.ts';

export type TrackLinkDeps = {
  /** The link keyring; `fresh` re-reads it (a token names `keyId`, a key the cached keyring does not hold). */
  keyring: (options?: { fresh?: boolean; keyId?: string }) => Promise<LinkKeyring>;
  bus: BehaviorEventBus;
  /** Links in old emails of an erased customer still answer, but record nothing. */
  erasures: Pick<ErasureTombstones, 'isErased'>;
  brandName: string;
  clock: Clock;
  log: Log;
  /** `/p/<token>`: the preference center (preference-center.ts). */
  preferences: ReturnType<typeof makePreferenceCenter>;
  /** `/s/<token>`: a subscription confirmation (confirm-subscription.ts). */
  confirmSubscription: ReturnType<typeof makeConfirmSubscription>;
};

/**
 * `body`: the request body as text (the preference form posts `application/x-www-form-urlencoded`).
 * `requestId`: unique per HTTP request (the Function URL's request id): a consent request's event id
 * comes from it, so using a link again is a new request (engagement-events.ts).
 */
export type LinkRequest = { method: string; path: string; body?: string; requestId: string };
export type LinkResponse = { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded?: boolean };

const ROUTES: Record<string, LinkAction> = { u: 'unsubscribe', o: 'open', c: 'click', p: 'preferences', s: 'confirm_subscription' };
/** A transparent 1x1 GIF. */
const PIXEL = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
const NO_STORE = { 'cache-control': 'no-store, private', 'referrer-policy': 'no-referrer' };

/**
 * The link endpoints of every email (a Lambda Function URL in AWS, served by the local runtime
 * locally): `/u/<token>` one-click unsubscribe (POST, RFC 8058; GET shows a confirmation page, so
 * mail scanners that prefetch links unsubscribe nobody), `/o/<token>` the open pixel, `/c/<token>`
 * a click redirect, `/p/<token>` the preference center, `/s/<token>` a subscription confirmation. Tokens are signed and expiring; a forged or expired one changes nothing and
 * gets a 4xx page. What happened goes on the bus as a behavior event, and ingest does the rest
 * (consent, engagement, conversions), exactly as for SES's own open and click notifications.
 */
export function makeTrackLink(deps: TrackLinkDeps) {
  return async function trackLink(request: LinkRequest): Promise<LinkResponse> {
    const match = /^\/([uocps])\/([A-Za-z0-9_.-]+)$/.exec(request.path);
    if (!match) return page(404, 'Not found', 'This link is not one of ours.');
    const action = ROUTES[match[1]!]!;
    const now = deps.clock.now();
    let check = verifyLink(match[2]!, await deps.keyring(), now);
    // Just after a rotation the dispatcher may sign with a key this container has not read yet.
    if (!check.ok && check.problem === 'unknown_key') check = verifyLink(match[2]!, await deps.keyring({ fresh: true, keyId: match[2]!.split('.')[0] }), now);
    if (!check.ok || check.claims.a !== action) {
      const problem = check.ok ? 'malformed' : check.problem;
      deps.log.warn('link token refused', { action, problem });
      if (problem === 'expired') return page(410, 'This link has expired', `Links in ${deps.brandName} emails stop working after a while. Use the link in a newer email, or contact us.`);
      return page(400, 'This link is not valid', 'It may have been altered or copied incompletely. Nothing was changed.');
    }
    const { claims } = check;
    if (await deps.erasures.isErased(claims.c)) return erasedAnswer(deps, action, claims);
    switch (action) {
      case 'unsubscribe':
        return unsubscribe(deps, request, claims, now);
      case 'open':
        await deps.bus.put([engagementEntry({ kind: 'open', customerId: claims.c, sendId: claims.s, ...(claims.r ? { ruleId: claims.r } : {}), at: now })]);
        return pixel();
      case 'click': {
        if (!claims.u) return page(400, 'This link is not valid', 'Nothing was changed.');
        await deps.bus.put([engagementEntry({ kind: 'click', customerId: claims.c, sendId: claims.s, url: claims.u, ...(claims.r ? { ruleId: claims.r } : {}), ...(claims.t ? { category: claims.t } : {}), at: now })]);
        return redirect(claims.u);
      }
      case 'preferences': {
        const result = await deps.preferences({ method: request.method, body: request.body ?? '', requestId: request.requestId, claims, now });
        return { statusCode: result.statusCode, headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE }, body: result.html };
      }
      case 'confirm_subscription': {
        const result = await deps.confirmSubscription({ method: request.method, requestId: request.requestId, claims, now });
        return { statusCode: result.statusCode, headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE }, body: result.html };
      }
      default:
        return page(404, 'Not found', 'This link is not one of ours.');
    }
  };
}

const pixel = (): LinkResponse => ({ statusCode: 200, headers: { 'content-type': 'image/gif', ...NO_STORE }, body: PIXEL, isBase64Encoded: true });
const redirect = (location: string): LinkResponse => ({ statusCode: 302, headers: { location, ...NO_STORE }, body: '' });

/**
 * A link of an erased customer (the tombstone, erasure-tombstone-repository.ts): the pixel and the
 * redirect work as ever, so the email still looks right, but nothing goes on the bus; the
 * unsubscribe and preference pages say there is nothing left to manage.
 */
function erasedAnswer(deps: TrackLinkDeps, action: LinkAction, claims: LinkClaims): LinkResponse {
  deps.log.info('link of an erased customer answered, nothing recorded', { action, reason: 'customer_erased' });
  if (action === 'open') return pixel();
  if (action === 'click' && claims.u) return redirect(claims.u);
  return page(200, 'Your data was erased', `${deps.brandName} erased the data it held about you on request and sends you no more emails. There is nothing to manage.`);
}

async function unsubscribe(deps: TrackLinkDeps, { method, requestId }: LinkRequest, claims: LinkClaims, now: Date): Promise<LinkResponse> {
  const category = (claims.k ?? 'marketing').replaceAll('_', ' ');
  if (method === 'GET' || method === 'HEAD') {
    return page(
      200,
      `Unsubscribe from ${category} emails?`,
      `You will stop receiving ${category} emails from ${deps.brandName}.`,
      `<form method="post"><button type="submit" style="font-size:1rem;padding:.6rem 1.2rem">Unsubscribe</button></form>`,
    );
  }
  if (method !== 'POST') return page(405, 'Not allowed', 'Use the button on the unsubscribe page.');
  await deps.bus.put([engagementEntry({ kind: 'unsubscribe', customerId: claims.c, sendId: claims.s, category: claims.k ?? 'marketing', via: 'one_click', requestId, at: now })]);
  deps.log.info('unsubscribed by link', { customerId: claims.c, sendId: claims.s, category: claims.k ?? 'marketing' });
  return page(200, 'You are unsubscribed', `You will not receive ${category} emails from ${deps.brandName} any more. It can take a minute to take effect.`);
}

/** A small, accessible page (the same on a phone). */
function page(statusCode: number, title: string, message: string, extra = ''): LinkResponse {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#111">
<h1 style="font-size:1.4rem">${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${extra}</body></html>`;
  return { statusCode, headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE }, body: html };
}
