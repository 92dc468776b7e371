import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_PATH, SCHEMAS_DIR, renderReadme, renderSchemaFiles } from '../../../events/generate-schemas.ts';
import { CATALOG_EVENT_TYPES } from '../../../shared/contract/index.ts';

const STALE = 'is out of date with shared/contract: run `npm run events:schemas` and commit the result';

describe('events/schemas (generated from the zod contract)', () => {
  const expected = renderSchemaFiles();

  it('has one schema per catalog type plus the custom-event schema', () => {
    expect([...expected.keys()].sort()).toEqual(
      [...CATALOG_EVENT_TYPES.map((type) => `${type}.schema.json`), 'custom-event.schema.json'].sort(),
    );
  });

  it.each([...expected.keys()])('%s matches the zod source', (name) => {
    let committed: string | undefined;
    try {
      committed = readFileSync(`${SCHEMAS_DIR}${name}`, 'utf8');
    } catch {
      committed = undefined;
    }
    expect(committed, `events/schemas/${name} is missing: run \`npm run events:schemas\``).toBeDefined();
    expect(committed === expected.get(name), `events/schemas/${name} ${STALE}`).toBe(true);
  });

  it('has no stray files', () => {
    const stray = readdirSync(SCHEMAS_DIR).filter((name) => !expected.has(name));
    expect(stray, `events/schemas has files the contract does not produce (run \`npm run events:schemas\`)`).toEqual([]);
  });

  it('are draft 2020-12 schemas of the whole Detail', () => {
    const cart = JSON.parse(expected.get('cart_abandon.schema.json') ?? '{}');
    expect(cart.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(cart.required).toEqual(['eventId', 'customerId', 'occurredAt', 'properties']);
    expect(cart.additionalProperties).toBe(false);
    expect(cart.properties.properties.required).toEqual(['cartValue']);
    expect(cart.properties.properties.additionalProperties).toEqual({});
  });

  it('keeps the generated tables of events/README.md up to date', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(readme === renderReadme(readme), `the generated tables of events/README.md ${STALE}`).toBe(true);
  });
});
