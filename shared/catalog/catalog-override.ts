import { readFileSync } from 'node:fs';

/** The environment variable that names a catalog file to run with instead of the shipped one. */
export const CATALOG_OVERRIDE_ENV = 'NUDGE_CATALOG';

/**
 * The catalog input named by NUDGE_CATALOG (a JSON file), or undefined when it is not set.
 *
 * It is how a backtest runs the whole local system (the synthesized stack's event patterns and
 * every handler) with another catalog: both read `defaultCatalog`, so one variable read here
 * switches both. `nudge replay --catalog` writes the JSON from a TypeScript or JSON module. Deploys
 * refuse it (infra/app.ts): a deployed Lambda bundles the shipped catalog, not this file.
 */
export function readCatalogOverride(env: Record<string, string | undefined> = process.env): unknown {
  const path = env[CATALOG_OVERRIDE_ENV];
  if (path === undefined || path === '') return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${CATALOG_OVERRIDE_ENV}=${path}: cannot read the catalog file (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${CATALOG_OVERRIDE_ENV}=${path}: not JSON (${(error as Error).message})`);
  }
}
