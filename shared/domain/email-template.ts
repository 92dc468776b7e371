import { Liquid } from 'liquidjs';
import * as z from 'zod';
import type { SendRequest } from './send-request.ts';

/** A catalog email template: Liquid source for subject, preheader, HTML and text parts. */
export const EmailTemplate = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/),
    subject: z.string().min(1).max(400),
    preheader: z.string().max(400).optional(),
    html: z.string().min(1),
    text: z.string().min(1),
    /** Variables the template cannot do without (e.g. `cart`): a send that lacks one fails instead of rendering hollow. */
    requires: z.array(z.string()).default([]),
  })
  .strict();
export type EmailTemplate = z.infer<typeof EmailTemplate>;
export type EmailTemplateInput = z.input<typeof EmailTemplate>;

export type RenderedEmail = { subject: string; html: string; text: string };
export type RenderResult = { type: 'rendered'; email: RenderedEmail } | { type: 'failed'; reason: string };

/**
 * Strict engines: an unknown variable or filter is an error (recorded as a failed send), never a
 * half-empty email. HTML output is escaped by default, so event properties cannot inject markup;
 * subject and text are plain text, so they are not HTML-escaped.
 * lenientIf: optional event properties may be tested (`if`/`unless`, `default`) when absent; any other use still fails.
 */
const engineOptions = { strictVariables: true, lenientIf: true, strictFilters: true, ownPropertyOnly: true, cache: true } as const;
/**
 * Made at the first render, not at import: every function imports this module (the catalog's
 * template schema), few render, and building the engines at a cold start costs them all.
 */
let engines: { html: Liquid; text: Liquid } | undefined;
function liquidEngines(): { html: Liquid; text: Liquid } {
  engines ??= { html: withFilters(new Liquid({ ...engineOptions, outputEscape: 'escape' })), text: withFilters(new Liquid({ ...engineOptions })) };
  return engines;
}

function withFilters(engine: Liquid): Liquid {
  engine.registerFilter('money', (value: unknown, currency: unknown) => formatMoney(value, currency));
  return engine;
}

export function formatMoney(value: unknown, currency: unknown): string {
  const amount = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(amount)) return '';
  const code = typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? currency : 'USD';
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: code }).format(amount);
}

/**
 * The personalization an email leaves with: who the person is (first and last name) as the profile
 * has it when the email leaves, like the address, else as decided; why it was sent (cart, event,
 * value, segments) as decided. A name that arrived after the decision (an identify delivered after
 * the subscribe it came with: EventBridge does not keep order) or changed since is used.
 */
export function personalizationAtSend(
  decided: SendRequest['personalization'],
  onFile: { firstName?: string | undefined; lastName?: string | undefined } | undefined,
): SendRequest['personalization'] {
  const firstName = onFile?.firstName || decided.firstName;
  const lastName = onFile?.lastName || decided.lastName;
  const { firstName: _first, lastName: _last, ...why } = decided;
  return { ...why, ...(firstName ? { firstName } : {}), ...(lastName ? { lastName } : {}) };
}

/**
 * The variables a template sees; missing facts are nil (not absent) so `default` works in strict mode.
 *
 * `lifetime_value` (number), `engagement_level` (string), `segment_interests` (the customer's
 * segments) and `recommended_categories` (their top categories) come from optional personalization
 * fields the decision step fills (`lifetimeValue`, `engagementLevel`, `segments`, `topCategories`);
 * so do document 000's campaign data (`recommended_products`, `preferred_categories`,
 * `last_purchase_date` as YYYY-MM-DD, `favorite_device`) and `preferred_content` (the predicted
 * content interests, document 003). Each is nil when absent, malformed or an empty list, so
 * `{% if %}` and `default` work on them; `loyalty_member` is a boolean.
 */
export function templateVariables(request: SendRequest, brandName: string, shopUrl?: string): Record<string, unknown> {
  const { personalization } = request;
  const cart = personalization.cart;
  // Read defensively: older queued sends (and sends decided before the decision step filled these)
  // do not carry them, and the send queue is a boundary, so each is checked at run time.
  const extra = personalization as Record<string, unknown>;
  return {
    first_name: personalization.firstName ?? null,
    last_name: personalization.lastName ?? null,
    cart: cart
      ? {
          value: cart.value,
          currency: cart.currency ?? null,
          item_count: cart.itemCount,
          items: cart.items.map((item) => ({
            productId: item.productId,
            name: item.name ?? null,
            quantity: item.quantity,
            price: item.price ?? null,
            category: item.category ?? null,
          })),
        }
      : null,
    event: personalization.eventProperties,
    brand: { name: brandName, url: shopUrl ?? null },
    lifetime_value: finiteNumberOrNull(extra.lifetimeValue),
    engagement_level: typeof extra.engagementLevel === 'string' && extra.engagementLevel !== '' ? extra.engagementLevel : null,
    segment_interests: stringsOrNull(extra.segments),
    recommended_categories: stringsOrNull(extra.topCategories),
    // Document 000's campaign data and 001's placeholders (preferred_categories = the top categories,
    // preferred_content = the predicted content interests).
    preferred_categories: stringsOrNull(extra.topCategories),
    recommended_products: productsOrNull(extra.recommendedProducts),
    last_purchase_date: typeof extra.lastPurchaseAt === 'string' && !Number.isNaN(Date.parse(extra.lastPurchaseAt)) ? extra.lastPurchaseAt.slice(0, 10) : null,
    favorite_device: typeof extra.favoriteDevice === 'string' && extra.favoriteDevice !== '' ? extra.favoriteDevice : null,
    preferred_content: stringsOrNull(extra.contentInterests),
    loyalty_member: extra.loyaltyMember === true,
  };
}

/** Recommended products as templates see them (snake_case, missing facts nil); nil when there are none. */
function productsOrNull(value: unknown): Array<Record<string, unknown>> | null {
  if (!Array.isArray(value)) return null;
  const products = value.flatMap((entry) => {
    if (typeof entry !== 'object' || entry === null || typeof (entry as { productId?: unknown }).productId !== 'string') return [];
    const product = entry as Record<string, unknown>;
    const text = (key: string) => (typeof product[key] === 'string' && product[key] !== '' ? product[key] : null);
    return [{ product_id: product.productId, name: text('name'), category: text('category'), price: finiteNumberOrNull(product.price), url: text('url') }];
  });
  return products.length > 0 ? products : null;
}

function finiteNumberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The strings of a list (other entries dropped); nil when it is not a list or has none. */
function stringsOrNull(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  const strings = value.filter((entry): entry is string => typeof entry === 'string' && entry !== '');
  return strings.length > 0 ? strings : null;
}

export async function renderEmail(template: EmailTemplate, variables: Record<string, unknown>): Promise<RenderResult> {
  const missing = template.requires.filter((name) => variables[name] === undefined || variables[name] === null);
  if (missing.length > 0) {
    return { type: 'failed', reason: `template ${template.id}: this send has no ${missing.join(', ')}, which the template requires` };
  }
  try {
    const { html: htmlEngine, text: textEngine } = liquidEngines();
    const [subject, html, text] = await Promise.all([
      textEngine.parseAndRender(template.subject, variables),
      htmlEngine.parseAndRender(wrapHtml(template), variables),
      textEngine.parseAndRender(template.text, variables),
    ]);
    return { type: 'rendered', email: { subject: subject.replace(/\s+/g, ' ').trim(), html, text } };
  } catch (error) {
    return { type: 'failed', reason: `template ${template.id}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** A minimal, client-safe HTML document; the preheader is the hidden preview line mail clients show. */
function wrapHtml(template: EmailTemplate): string {
  const preheader = template.preheader
    ? `<div style="display:none;max-height:0;overflow:hidden">${template.preheader}</div>\n`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"></head>
<body style="font-family:Arial,Helvetica,sans-serif;line-height:1.5;color:#1a1a1a;max-width:600px;margin:0 auto;padding:16px">
${preheader}${template.html}
</body></html>`;
}
