import { describe, expect, it } from 'vitest';
import { defaultCatalog, defaultCatalogInput, InvalidCatalogError, loadCatalog } from '#shared/catalog/index.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { sendBlocker } from '#shared/domain/send-decision.ts';
import { consentProblems, hasConsent, optionalCategories, subscriptionsOf } from '#shared/domain/subscription-categories.ts';
import { buildEvent } from '../support/build-event.ts';

const NOW = new Date('2026-11-20T12:00:00Z');
const categories = defaultCatalog.subscriptionCategories;

function profileAfter(...events: Array<Parameters<typeof buildEvent>[0]>): Profile {
  let profile: Profile | undefined;
  for (const event of events) {
    const change = applyEvent(profile, buildEvent(event), NOW);
    if (change.type !== 'applied') throw new Error('expected applied');
    profile = change.profile;
  }
  return profile!;
}

describe('consent per subscription category', () => {
  const identified = profileAfter({ type: 'identify', email: 'a@example.com', properties: { email: 'a@example.com' } });

  it('opt-in categories send nothing until a subscribe; transactional (required) always sends', () => {
    expect(hasConsent(identified, 'marketing', categories)).toBe(false);
    expect(hasConsent(identified, 'product_updates', categories)).toBe(false);
    expect(hasConsent(identified, 'transactional', categories)).toBe(true);
    expect(sendBlocker(identified, { category: 'marketing', transactional: false }, categories)).toBe('no_consent');
    expect(sendBlocker(identified, { category: 'transactional', transactional: true }, categories)).toBeUndefined();
  });

  it('a subscribe to one category leaves the others as they were; an unsubscribe wins over an earlier subscribe', () => {
    const subscribed = profileAfter(
      { type: 'subscribe', email: 'a@example.com', properties: { categories: ['marketing'] } },
      { type: 'subscribe', email: 'a@example.com', properties: { categories: ['product_updates'] } },
      { type: 'unsubscribe', properties: { categories: ['marketing'] } },
    );
    expect(subscriptionsOf(subscribed, categories).map(({ id, on }) => [id, on])).toEqual([
      ['marketing', false],
      ['product_updates', true],
      ['transactional', true],
    ]);
  });

  it('an opt_out category sends until an explicit unsubscribe', () => {
    const optOut = categories.map((c) => (c.id === 'product_updates' ? { ...c, consent: 'opt_out' as const } : c));
    expect(hasConsent(identified, 'product_updates', optOut)).toBe(true);
    expect(hasConsent(profileAfter({ type: 'unsubscribe', properties: { categories: ['product_updates'] } }), 'product_updates', optOut)).toBe(false);
  });

  it('a category the catalog does not define gets no mail (a send queued under an older catalog)', () => {
    expect(hasConsent({ consent: { newsletter: 'subscribed' } }, 'newsletter', categories)).toBe(false);
  });

  it('"leave everything" covers exactly the optional categories', () => {
    expect(optionalCategories(categories).map((c) => c.id)).toEqual(['marketing', 'product_updates']);
  });
});

describe('consentProblems: what ingest rejects', () => {
  it('names an unknown category with its field and the known ones', () => {
    expect(consentProblems({ type: 'unsubscribe', properties: { categories: ['marketing', 'marketting'] } }, categories)).toEqual([
      { field: 'properties.categories.1', message: '"marketting" is not a subscription category of this catalog (known: marketing, product_updates, transactional)' },
    ]);
    expect(consentProblems({ type: 'identify', properties: { consent: { newsletter: 'subscribed' } } }, categories)).toMatchObject([{ field: 'properties.consent.newsletter' }]);
  });

  it('refuses turning off the required category, by unsubscribe or identify, but accepts subscribing to it', () => {
    expect(consentProblems({ type: 'unsubscribe', properties: { categories: ['transactional'] } }, categories)).toMatchObject([
      { field: 'properties.categories.0', message: expect.stringContaining('cannot be unsubscribed') },
    ]);
    expect(consentProblems({ type: 'identify', properties: { consent: { transactional: 'unsubscribed' } } }, categories)).toHaveLength(1);
    expect(consentProblems({ type: 'subscribe', properties: { categories: ['transactional', 'marketing'] } }, categories)).toEqual([]);
  });

  it('finds nothing in events without categories (the default is marketing) or of other types', () => {
    expect(consentProblems({ type: 'unsubscribe', properties: {} }, categories)).toEqual([]);
    expect(consentProblems({ type: 'page_view', properties: { category: 'shoes' } }, categories)).toEqual([]);
  });
});

describe('catalog validation of categories', () => {
  it('rejects a rule and a sequence that send under an undefined category, naming the path', () => {
    const rules = defaultCatalogInput.rules.map((r, i) => (i === 0 ? { ...r, category: 'newsletter' } : r));
    const sequences = defaultCatalogInput.sequences.map((s, i) => (i === 0 ? { ...s, category: 'promos' } : s));
    const attempt = () => loadCatalog({ ...defaultCatalogInput, rules, sequences });
    expect(attempt).toThrow(InvalidCatalogError);
    expect(attempt).toThrow(/rules\.0\.category: rule \S+ sends under category "newsletter", which is not a subscription category \(known: marketing, product_updates, transactional\)/);
    expect(attempt).toThrow(/sequences\.0\.category: sequence \S+ sends under category "promos"/);
  });

  it('rejects duplicate category ids and an unknown consent default', () => {
    const twice = [...defaultCatalogInput.subscriptionCategories, { id: 'marketing', name: 'Again', description: 'Again.', consent: 'opt_in' as const }];
    expect(() => loadCatalog({ ...defaultCatalogInput, subscriptionCategories: twice })).toThrow(/duplicate subscription category id "marketing"/);
    const bad = [{ id: 'marketing', name: 'M', description: 'M.', consent: 'maybe' }] as unknown as typeof twice;
    expect(() => loadCatalog({ ...defaultCatalogInput, subscriptionCategories: bad })).toThrow(/subscriptionCategories\.0\.consent/);
  });

  it('the shipped catalog is valid: marketing opt-in (GDPR), transactional required', () => {
    expect(Object.fromEntries(categories.map((c) => [c.id, c.consent]))).toEqual({ marketing: 'opt_in', product_updates: 'opt_in', transactional: 'required' });
  });
});
