import { describe, expect, it } from 'vitest';
import { dailySeriesFor, defaultCatalog, segmentationOf } from '#shared/catalog/index.ts';
import { templateVariables } from '#shared/domain/email-template.ts';
import { evaluateProfile } from '#shared/domain/profile-evaluation.ts';
import { applyEvent, MAX_RECENT_PRODUCTS, type Profile } from '#shared/domain/profile.ts';
import { personalizationFrom } from '#shared/domain/send-decision.ts';
import { buildEvent } from '../support/build-event.ts';
import { welcomeRequest } from '../support/send-requests.ts';

/**
 * Document 000's campaign data (generate_campaign_data): first name, engagement level, recommended
 * products, and as personalization data the preferred categories, lifetime value, last purchase date
 * and favourite device; 001's placeholders where Nudge has data (segment interests, engagement level,
 * preferred content). Built through real events, read as a template sees it.
 */

type EventInput = Parameters<typeof buildEvent>[0];

function customer(steps: EventInput[]): Profile {
  let profile: Profile | undefined;
  for (const step of steps) {
    const event = buildEvent({ customerId: 'c-000', email: 'ana@example.com', ...step });
    const now = new Date(event.occurredAt);
    const change = applyEvent(profile, event, now, { dailySeries: dailySeriesFor(defaultCatalog) });
    if (change.type !== 'applied') throw new Error('duplicate');
    profile = evaluateProfile({ profile: change.profile, previous: profile, catalog: segmentationOf(defaultCatalog), now, triggerId: event.eventId, event }).profile;
  }
  return profile!;
}

function variables(profile: Profile): Record<string, unknown> {
  const personalization = personalizationFrom(profile, { eventId: 'e', type: 'purchase', occurredAt: '2026-11-20T12:00:00Z', properties: {} });
  return templateVariables({ ...welcomeRequest(personalization), personalization }, 'Shop');
}

const view = (minute: number, productId: string, category: string, device = 'mobile'): EventInput => ({
  type: 'product_view',
  occurredAt: `2026-11-20T10:${String(minute).padStart(2, '0')}:00Z`,
  device,
  properties: { productId, name: `Product ${productId}`, category, price: 10, url: `https://shop.example/p/${productId}` },
});

describe('document 000: campaign data given to templates', () => {
  const profile = customer([
    { type: 'identify', occurredAt: '2026-11-20T09:00:00Z', properties: { firstName: 'Ana' } },
    view(1, 'rake', 'garden'),
    view(2, 'hose', 'garden', 'desktop'),
    view(3, 'pan', 'kitchen'),
    { type: 'purchase', occurredAt: '2026-11-20T11:00:00Z', device: 'mobile', properties: { orderId: 'o-1', amount: 120, items: [{ productId: 'pan', quantity: 1, price: 120, category: 'kitchen' }] } },
  ]);
  const vars = variables(profile);

  it('recommended_products: the newest products viewed (two kept) and not bought (the pan was), with their links', () => {
    expect(MAX_RECENT_PRODUCTS).toBe(2);
    expect(vars.recommended_products).toEqual([{ product_id: 'hose', name: 'Product hose', category: 'garden', price: 10, url: 'https://shop.example/p/hose' }]);
    const browsing = customer([view(1, 'pan', 'kitchen'), view(2, 'rake', 'garden'), view(3, 'hose', 'garden')]);
    // Top categories first (garden 2 views, kitchen 1), newest first within them.
    expect((variables(browsing).recommended_products as Array<{ product_id: string }>).map((p) => p.product_id)).toEqual(['hose', 'rake']);
  });

  it('preferred_categories, lifetime_value, last_purchase_date and favorite_device', () => {
    expect(vars.preferred_categories).toEqual(['garden', 'kitchen']);
    expect(vars.lifetime_value).toBe(120);
    expect(vars.last_purchase_date).toBe('2026-11-20');
    expect(vars.favorite_device).toBe('mobile');
  });

  it('first_name, engagement_level, segment_interests and loyalty membership (001 placeholders with data behind them)', () => {
    expect(vars.first_name).toBe('Ana');
    expect(vars.engagement_level).toBe(profile.engagementLevel);
    expect(vars.segment_interests).toEqual(Object.keys(profile.segments).length > 0 ? Object.keys(profile.segments).sort() : null);
    expect(vars.loyalty_member).toBe(true);
  });

  it('preferred_content is the predicted content interests, nil until the scoring has predicted any', () => {
    expect(vars.preferred_content).toBeNull();
    const scored = { ...profile, predictions: { ...profile.predictions, interests: [{ category: 'garden', score: 0.9, source: 'own' as const }] } };
    expect(variables(scored).preferred_content).toEqual(['garden']);
  });

  it('every value is nil for a customer Nudge knows nothing about yet', () => {
    const blank = variables(customer([{ type: 'page_view', occurredAt: '2026-11-20T10:00:00Z', properties: {} }]));
    expect([blank.recommended_products, blank.last_purchase_date, blank.favorite_device, blank.preferred_categories, blank.preferred_content]).toEqual([null, null, null, null, null]);
    expect(blank.loyalty_member).toBe(false);
  });
});
