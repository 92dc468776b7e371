import { readFileSync } from 'node:fs';
import { CATALOG_EVENT_TYPES, type CatalogEventType } from '#shared/contract/index.ts';

/** A valid Detail of each catalog type: events/samples/<type>.json (kept valid by samples.test.ts). */
export function sampleDetail(type: CatalogEventType): Record<string, unknown> {
  const [entry] = JSON.parse(readFileSync(new URL(`../../../events/samples/${type}.json`, import.meta.url), 'utf8')) as Array<{ Detail: string }>;
  return JSON.parse(entry!.Detail) as Record<string, unknown>;
}

export const SAMPLE_DETAILS: ReadonlyArray<{ type: CatalogEventType; detail: Record<string, unknown> }> = CATALOG_EVENT_TYPES.map((type) => ({ type, detail: sampleDetail(type) }));

export type Path = ReadonlyArray<string | number>;

/** Every path to a leaf of `value` whose value satisfies `keep` (strings, numbers ...). */
export function leafPaths(value: unknown, keep: (leaf: unknown) => boolean, path: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((element, index) => leafPaths(element, keep, [...path, index]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, child]) => leafPaths(child, keep, [...path, key]));
  return keep(value) ? [path] : [];
}

/** A deep copy of `value` with the leaf at `path` replaced. */
export function withLeaf<T>(value: T, path: Path, leaf: unknown): T {
  const copy = structuredClone(value) as unknown as Record<string | number, unknown>;
  let node = copy;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  node[path.at(-1)!] = leaf;
  return copy as unknown as T;
}

/** The contract's name of the field at `path` (`detail.properties.items.0.productId`). */
export const fieldName = (path: Path): string => ['detail', ...path.map(String)].join('.');

/** Fields that are ids or become part of a key: the envelope ids and every `...Id` / code in properties. */
export function isIdPath(path: Path): boolean {
  const last = String(path.at(-1));
  return ['eventId', 'customerId', 'sessionId', 'device'].includes(last) || /Id$/.test(last) || last === 'referralCode';
}
