import { describe, expect, it } from 'vitest';
import { defaultCatalog, defaultCatalogInput, InvalidCatalogError, loadCatalog } from '#shared/catalog/index.ts';

describe('catalog validation', () => {
  it('accepts the shipped catalog', () => {
    expect(defaultCatalog.rules.map((r) => r.id)).toEqual(['welcome_new_subscriber', 'cart_abandonment_reminder']);
  });

  it('names the rule and field of a bad rule', () => {
    const bad = { ...defaultCatalogInput, rules: [...defaultCatalogInput.rules, { ...defaultCatalogInput.rules[1]!, id: 'second', cooldownHours: -1 }] };
    expect(() => loadCatalog(bad)).toThrow(InvalidCatalogError);
    expect(() => loadCatalog(bad)).toThrow(/rules\.2\.cooldownHours/);
  });

  it('rejects a rule that names a template the catalog does not have', () => {
    const bad = { ...defaultCatalogInput, rules: [{ ...defaultCatalogInput.rules[0]!, templateId: 'missing' }] };
    expect(() => loadCatalog(bad)).toThrow(/rules\.0\.templateId: rule welcome_new_subscriber uses template "missing"/);
  });

  it('rejects duplicate rule ids and unknown rule keys', () => {
    const duplicate = { ...defaultCatalogInput, rules: [defaultCatalogInput.rules[0]!, defaultCatalogInput.rules[0]!] };
    expect(() => loadCatalog(duplicate)).toThrow(/duplicate rule id "welcome_new_subscriber"/);
    const typo = { ...defaultCatalogInput, rules: [{ ...defaultCatalogInput.rules[0]!, cooldownHour: 5 }] };
    expect(() => loadCatalog(typo)).toThrow(/cooldownHour/);
  });
});
