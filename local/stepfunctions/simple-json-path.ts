/**
 * The JSONPaths the local runner evaluates itself (a Wait state's TimestampPath or SecondsPath): `$`
 * or `$.field.field...`. aws-local-stepfunctions evaluates every other path of the definition.
 */
export function parseSimplePath(path: string): string[] | undefined {
  if (path === '$') return [];
  if (!/^\$(\.[A-Za-z_][A-Za-z0-9_-]*)+$/.test(path)) return undefined;
  return path.slice(2).split('.');
}

/** The value at `fields` inside `value`, or undefined when a step along the way is missing. */
export function readPath(value: unknown, fields: readonly string[]): unknown {
  let current = value;
  for (const field of fields) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[field];
  }
  return current;
}
