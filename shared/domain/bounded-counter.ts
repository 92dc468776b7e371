/**
 * A bounded frequency counter (the Space-Saving algorithm): at most `capacity` keys; a new key
 * when full replaces the least-counted one and inherits its count + 1. Counts of the top keys are
 * exact or slight overestimates, never underestimates, which is what "top categories" and
 * "device preference" need, at a fixed size whatever the customer's history.
 */
export function countBounded(counts: Record<string, number>, key: string, capacity: number, by = 1): Record<string, number> {
  const next = { ...counts };
  if (next[key] !== undefined || Object.keys(next).length < capacity) {
    next[key] = (next[key] ?? 0) + by;
    return next;
  }
  let minKey: string | undefined;
  let minCount = Infinity;
  for (const [candidate, count] of Object.entries(next)) {
    if (count < minCount || (count === minCount && minKey !== undefined && candidate < minKey)) {
      minKey = candidate;
      minCount = count;
    }
  }
  if (minKey !== undefined) delete next[minKey];
  next[key] = minCount + by;
  return next;
}

export function topKeys(counts: Record<string, number>, n: number): Array<{ key: string; count: number }> {
  return Object.entries(counts)
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    .slice(0, n);
}
