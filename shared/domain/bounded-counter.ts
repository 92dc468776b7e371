/**
 * Counters keyed by producer-chosen strings (devices, page types, categories, custom event types).
 * Every read and write goes through own properties only, so a key named like an Object.prototype
 * member ("toString", "constructor", "hasOwnProperty" ...) is just a key: a plain `counts[key]`
 * would read the inherited function and store "function toString() { [native code] }1".
 */

/** The count under `key`, or undefined: never an inherited member. */
export function countOf(counts: Readonly<Record<string, number>>, key: string): number | undefined {
  return Object.hasOwn(counts, key) ? counts[key] : undefined;
}

/**
 * A copy of `counts` with `key` set to `value`. Built with Object.fromEntries, which defines own
 * properties: no inherited setter (`__proto__`) is ever invoked. Key order is kept; a new key goes last.
 */
export function withCount(counts: Readonly<Record<string, number>>, key: string, value: number): Record<string, number> {
  const entries = Object.entries(counts);
  const at = entries.findIndex(([candidate]) => candidate === key);
  if (at >= 0) entries[at] = [key, value];
  else entries.push([key, value]);
  return Object.fromEntries(entries);
}

/** A copy of `counts` with `by` added under `key` (unbounded: for keys bounded elsewhere). */
export function addCount(counts: Readonly<Record<string, number>>, key: string, by = 1): Record<string, number> {
  return withCount(counts, key, (countOf(counts, key) ?? 0) + by);
}

/**
 * A bounded frequency counter (the Space-Saving algorithm): at most `capacity` keys; a new key
 * when full replaces the least-counted one and inherits its count + 1. Counts of the top keys are
 * exact or slight overestimates, never underestimates, which is what "top categories" and
 * "device preference" need, at a fixed size whatever the customer's history.
 */
export function countBounded(counts: Readonly<Record<string, number>>, key: string, capacity: number, by = 1): Record<string, number> {
  const entries = Object.entries(counts);
  if (countOf(counts, key) !== undefined || entries.length < capacity) return addCount(counts, key, by);
  let minKey: string | undefined;
  let minCount = Infinity;
  for (const [candidate, count] of entries) {
    if (count < minCount || (count === minCount && minKey !== undefined && candidate < minKey)) {
      minKey = candidate;
      minCount = count;
    }
  }
  return Object.fromEntries([...entries.filter(([candidate]) => candidate !== minKey), [key, minCount + by]]);
}

export function topKeys(counts: Record<string, number>, n: number): Array<{ key: string; count: number }> {
  return Object.entries(counts)
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, n);
}
