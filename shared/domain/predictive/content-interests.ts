/**
 * Content interests by item-based collaborative filtering over content categories: a customer is
 * interested in the categories they engage with most, and in those that customers who engage with
 * the same categories also engage with. Each profile's counters (views, carts, purchases per
 * category) become affinities, count / the profile's largest count, so a heavy browser and a light
 * one weigh the same.
 */

/** Cosine similarity between categories over the profiles' affinity vectors: symmetric, diagonal 1. */
export type InterestModel = { categories: string[]; similarity: number[][]; profiles: number };

export type ContentInterest = { category: string; score: number; source: 'own' | 'similar' };

const DEFAULT_MAX_CATEGORIES = 200;
const DEFAULT_MIN_PROFILES = 1;
const DEFAULT_THRESHOLD = 0.7;
const DEFAULT_TOP = 3;

/**
 * Fits the similarities in one pass over the profiles (an iterable may be read only once): the
 * affinity dot product of every pair of categories seen together, and each category's norm.
 * `maxCategories` keeps the categories most profiles engage with; `minProfiles` drops those fewer
 * profiles engage with (a similarity from one or two customers is noise). `profiles` counts the
 * profiles with at least one category.
 */
export function fitInterestModel(
  profiles: Iterable<Record<string, number>>,
  options: { maxCategories?: number; minProfiles?: number } = {},
): InterestModel {
  const maxCategories = options.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  const minProfiles = options.minProfiles ?? DEFAULT_MIN_PROFILES;
  const frequency = new Map<string, number>();
  const squaredNorm = new Map<string, number>();
  const dot = new Map<string, Map<string, number>>(); // keyed by the alphabetically smaller category first
  let profileCount = 0;

  for (const counters of profiles) {
    const affinity = [...affinities(counters)];
    if (affinity.length === 0) continue;
    profileCount += 1;
    affinity.forEach(([category, value], i) => {
      frequency.set(category, (frequency.get(category) ?? 0) + 1);
      squaredNorm.set(category, (squaredNorm.get(category) ?? 0) + value * value);
      const row = dot.get(category) ?? new Map<string, number>();
      dot.set(category, row);
      for (const [other, otherValue] of affinity.slice(i + 1)) row.set(other, (row.get(other) ?? 0) + value * otherValue);
    });
  }

  const categories = [...frequency]
    .filter(([, count]) => count >= minProfiles)
    .sort(([a, countA], [b, countB]) => countB - countA || compareNames(a, b))
    .slice(0, maxCategories)
    .map(([category]) => category)
    .sort(compareNames);
  const similarity = categories.map((a, i) =>
    categories.map((b, j) => {
      if (i === j) return 1;
      const [first, second] = i < j ? [a, b] : [b, a];
      const product = dot.get(first)?.get(second) ?? 0;
      // Affinities so small that their squares underflow (a denormal duration or count) leave a zero
      // norm: no evidence of similarity, and never 0/0, which no model store can write.
      const norms = Math.sqrt(squaredNorm.get(a)! * squaredNorm.get(b)!);
      return norms > 0 ? round4(Math.min(1, product / norms)) : 0;
    }),
  );
  return { categories, similarity, profiles: profileCount };
}

/**
 * The customer's interests: per category the larger of their own affinity and the item-based CF
 * score, the strongest link max_j sim(c, j)·affinity(j) over their other categories j. The strongest
 * link rather than a similarity-weighted mean: a mean lends a customer's full affinity to any
 * category similar at all (one trail browser who once looked at yoga made yoga a top interest of
 * every runner). Without a model, or for a category the model does not know, only the own affinity
 * counts. Those scoring at least `threshold`, best first (ties by name), at most `top`, scores
 * rounded to 4 decimals.
 */
export function contentInterests(
  categories: Record<string, number>,
  model: InterestModel | undefined,
  options: { threshold?: number; top?: number } = {},
): ContentInterest[] {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const top = options.top ?? DEFAULT_TOP;
  const own = affinities(categories);
  if (own.size === 0) return [];

  const scored = new Map<string, ContentInterest>();
  for (const [category, affinity] of own) scored.set(category, { category, score: round4(affinity), source: 'own' });
  if (model) {
    model.categories.forEach((category, index) => {
      const cf = collaborativeScore(index, own, model);
      const current = scored.get(category)?.score ?? 0;
      if (cf !== undefined && round4(cf) > current) scored.set(category, { category, score: round4(cf), source: 'similar' });
    });
  }
  return [...scored.values()]
    .filter((interest) => interest.score >= threshold)
    .sort((a, b) => b.score - a.score || compareNames(a.category, b.category))
    .slice(0, top);
}

/** Undefined when none of the customer's other categories is similar to this one. */
function collaborativeScore(index: number, own: ReadonlyMap<string, number>, model: InterestModel): number | undefined {
  const category = model.categories[index]!;
  const similarities = model.similarity[index]!;
  let strongest: number | undefined;
  for (const [other, affinity] of own) {
    if (other === category) continue;
    const otherIndex = indexOf(model).get(other);
    const sim = otherIndex === undefined ? 0 : similarities[otherIndex]!;
    if (sim <= 0) continue;
    strongest = Math.max(strongest ?? 0, sim * affinity);
  }
  return strongest;
}

/** Category → row of the model, built once per model. */
const indexes = new WeakMap<InterestModel, Map<string, number>>();
function indexOf(model: InterestModel): Map<string, number> {
  let index = indexes.get(model);
  if (!index) {
    index = new Map(model.categories.map((category, i) => [category, i]));
    indexes.set(model, index);
  }
  return index;
}

/** count / the largest count, for the categories with a positive count, by name (sums then add up in one order). */
function affinities(counters: Record<string, number>): Map<string, number> {
  const positive = Object.entries(counters)
    .filter(([, count]) => Number.isFinite(count) && count > 0)
    .sort(([a], [b]) => compareNames(a, b));
  const max = Math.max(0, ...positive.map(([, count]) => count));
  return new Map(positive.map(([category, count]) => [category, count / max]));
}

/** By code unit, not locale, so the order is the same on every machine. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Four decimals: enough for a score, and it keeps a 200 × 200 similarity matrix's JSON small. */
function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
