import { describe, expect, it } from 'vitest';
import { previewVariables } from '../../../cli/commands/preview.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { renderEmail } from '#shared/domain/email-template.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { buildEvent } from '../support/build-event.ts';

/**
 * `nudge preview <template> <customer>` renders every template of the catalog for a customer who has
 * what the template needs (a confirmation's signed link and the unsubscribe links are placeholders):
 * `confirm_subscription` failed for want of its confirmation link. A check over all template ids.
 */
const NOW = new Date('2026-11-20T12:00:00Z');

/** Bought once, then left a cart: every template's facts are on file (a purchase clears the cart, so it comes first). */
function customerWithHistory(): Profile {
  const events = [
    buildEvent({ type: 'identify', customerId: 'c1', occurredAt: '2026-11-18T10:00:00Z', properties: { email: 'c1@example.com', firstName: 'Ana', lastName: 'Lopez' } }),
    buildEvent({ type: 'subscribe', customerId: 'c1', email: 'c1@example.com', occurredAt: '2026-11-18T10:01:00Z' }),
    buildEvent({ type: 'purchase', customerId: 'c1', occurredAt: '2026-11-18T12:00:00Z', properties: { orderId: 'o-1', amount: 80 } }),
    buildEvent({ type: 'product_view', customerId: 'c1', occurredAt: '2026-11-19T10:00:00Z', properties: { productId: 'sku-1', category: 'shoes', price: 80 } }),
    buildEvent({ type: 'cart_add', customerId: 'c1', occurredAt: '2026-11-19T10:05:00Z', properties: { productId: 'sku-1', quantity: 1, price: 80, cartValue: 80 } }),
    buildEvent({ type: 'cart_abandon', customerId: 'c1', occurredAt: '2026-11-19T11:00:00Z', properties: { cartValue: 80, items: [{ productId: 'sku-1', quantity: 1, price: 80, name: 'Runner' }] } }),
  ];
  let profile: Profile | undefined;
  for (const event of events) {
    const change = applyEvent(profile, event, new Date(event.occurredAt));
    if (change.type !== 'applied') throw new Error(`${event.type} not applied`);
    profile = change.profile;
  }
  return profile!;
}

describe('nudge preview', () => {
  it.each(defaultCatalog.templates.map((template) => template.id))('renders %s for a customer with a history', async (templateId) => {
    const template = defaultCatalog.templates.find((t) => t.id === templateId)!;
    const rendered = await renderEmail(template, previewVariables(customerWithHistory(), template, { orderId: 'o-1', amount: 80, categories: ['newsletter'] }, NOW));
    expect(rendered).toMatchObject({ type: 'rendered' });
  });
});
