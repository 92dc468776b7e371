import { describe, expect, it } from 'vitest';
import { contentInterests, fitInterestModel } from '#shared/domain/predictive/content-interests.ts';

// Affinities (count / the profile's largest count):
//   A { running 4, trail 2 }  -> running 1, trail 0.5
//   B { running 3, trail 3 }  -> running 1, trail 1
//   C { running 2 }           -> running 1
//   D { yoga 5, trail 1 }     -> yoga 1, trail 0.2
// Squared norms: running 1+1+1 = 3; trail 0.25+1+0.04 = 1.29; yoga 1.
// Cosines: running·trail = 0.5+1 = 1.5 -> 1.5 / √(3 × 1.29) = 0.7625
//          trail·yoga = 0.2          -> 0.2 / √(1.29 × 1) = 0.1761
//          running·yoga = 0          -> 0 (no runner browses yoga)
// Two of the three runners browse trail; the one trail-browser who does yoga only barely does.
const PROFILES: Array<Record<string, number>> = [{ running: 4, trail: 2 }, { running: 3, trail: 3 }, { running: 2 }, { yoga: 5, trail: 1 }, {}, { yoga: 0 }];
const RUNNING_TRAIL = 0.7625;
const TRAIL_YOGA = 0.1761;

describe('fitting the interest model', () => {
  const model = fitInterestModel(PROFILES);

  it('has the hand-computed cosine similarities, symmetric with a diagonal of 1', () => {
    expect(model.categories).toEqual(['running', 'trail', 'yoga']);
    const [running, trail, yoga] = [0, 1, 2];
    const sim = (a: number, b: number) => model.similarity[a]![b]!;
    expect(sim(running, trail)).toBeCloseTo(RUNNING_TRAIL, 4);
    expect(sim(trail, yoga)).toBeCloseTo(TRAIL_YOGA, 4);
    expect(sim(running, yoga)).toBe(0);
    for (const a of [running, trail, yoga]) {
      expect(sim(a, a)).toBe(1);
      for (const b of [running, trail, yoga]) expect(sim(a, b)).toBe(sim(b, a));
    }
  });

  it('counts only the profiles with a category', () => {
    expect(model.profiles).toBe(4);
  });

  it('keeps the categories most profiles engage with (ties by name), and drops the rare ones', () => {
    // running and trail are in 3 profiles each, yoga in 1.
    expect(fitInterestModel(PROFILES, { maxCategories: 2 }).categories).toEqual(['running', 'trail']);
    expect(fitInterestModel(PROFILES, { maxCategories: 1 }).categories).toEqual(['running']);
    const common = fitInterestModel(PROFILES, { minProfiles: 2 });
    expect(common.categories).toEqual(['running', 'trail']);
    expect(common.similarity[0]![1]!).toBeCloseTo(RUNNING_TRAIL, 4);
  });

  it('is deterministic: the same profiles, in any key order, read once from a generator, give the same model', () => {
    function* reordered() {
      for (const profile of PROFILES) yield Object.fromEntries(Object.entries(profile).reverse());
    }
    expect(fitInterestModel(reordered())).toEqual(model);
    expect(fitInterestModel(PROFILES)).toEqual(model);
  });
});

describe('a customer\'s content interests', () => {
  const model = fitInterestModel(PROFILES);

  it('recommends trail to a customer who only viewed running, since most runners browse trail, and not yoga', () => {
    // trail = similarity 0.7625 × running affinity 1
    expect(contentInterests({ running: 1 }, model)).toEqual([
      { category: 'running', score: 1, source: 'own' },
      { category: 'trail', score: RUNNING_TRAIL, source: 'similar' },
    ]);
  });

  it('scores a similar category by its strongest link: trail from running (1), not from yoga (0.5)', () => {
    // trail = max(0.7625 × 1, 0.1761 × 0.5) = 0.7625; running and yoga are not similar.
    const interests = contentInterests({ running: 2, yoga: 1 }, model, { threshold: 0 });
    expect(interests).toEqual([
      { category: 'running', score: 1, source: 'own' },
      { category: 'trail', score: RUNNING_TRAIL, source: 'similar' },
      { category: 'yoga', score: 0.5, source: 'own' },
    ]);
  });

  it('keeps those at or above the threshold (default 0.7), at most `top` (default 3)', () => {
    const customer = { running: 2, yoga: 1 };
    expect(contentInterests(customer, model).map((i) => i.category)).toEqual(['running', 'trail']);
    expect(contentInterests(customer, model, { threshold: 0.5 }).map((i) => i.category)).toEqual(['running', 'trail', 'yoga']);
    expect(contentInterests(customer, model, { threshold: 0.95 }).map((i) => i.category)).toEqual(['running']);
    expect(contentInterests(customer, model, { threshold: 0, top: 1 }).map((i) => i.category)).toEqual(['running']);
    expect(contentInterests({ running: 9, trail: 8, yoga: 7, hiking: 6 }, undefined, { threshold: 0 })).toHaveLength(3);
  });

  it('takes the larger of the own affinity and the CF score, the own one on a tie', () => {
    // running and trail score 1 of their own, more than either lends the other (0.7625).
    expect(contentInterests({ running: 1, trail: 1 }, model).slice(0, 2)).toEqual([
      { category: 'running', score: 1, source: 'own' },
      { category: 'trail', score: 1, source: 'own' },
    ]);
    // Own trail affinity 0.25; from running (affinity 1) it scores 0.7625.
    expect(contentInterests({ running: 4, trail: 1 }, model)).toContainEqual({ category: 'trail', score: RUNNING_TRAIL, source: 'similar' });
  });

  it('lends little through a faint similarity: yoga from trail is 0.1761 × 1, far below the threshold', () => {
    expect(contentInterests({ running: 1, trail: 1 }, model).map((i) => i.category)).not.toContain('yoga');
    expect(contentInterests({ running: 1, trail: 1 }, model, { threshold: 0 })).toContainEqual({ category: 'yoga', score: TRAIL_YOGA, source: 'similar' });
  });

  it('uses only the own affinity for a category the model does not know', () => {
    // surfing 1 and running 0.5 are own; trail = 0.7625 × 0.5 = 0.3813 from running.
    expect(contentInterests({ surfing: 2, running: 1 }, model, { threshold: 0.3 })).toEqual([
      { category: 'surfing', score: 1, source: 'own' },
      { category: 'running', score: 0.5, source: 'own' },
      { category: 'trail', score: 0.3813, source: 'similar' },
    ]);
  });

  it('uses the own affinities alone without a model', () => {
    // running 4/4 = 1, trail 3/4 = 0.75, yoga 1/4 = 0.25 (below 0.7).
    expect(contentInterests({ running: 4, trail: 3, yoga: 1 }, undefined)).toEqual([
      { category: 'running', score: 1, source: 'own' },
      { category: 'trail', score: 0.75, source: 'own' },
    ]);
  });

  it('is empty for a profile without categories (or only zero counts)', () => {
    expect(contentInterests({}, model)).toEqual([]);
    expect(contentInterests({ running: 0 }, model)).toEqual([]);
    expect(contentInterests({}, undefined)).toEqual([]);
  });

  it('is deterministic, whatever the order of the counters', () => {
    const a = contentInterests({ running: 2, yoga: 1 }, model, { threshold: 0 });
    expect(contentInterests({ yoga: 1, running: 2 }, model, { threshold: 0 })).toEqual(a);
    expect(contentInterests({ running: 2, yoga: 1 }, model, { threshold: 0 })).toEqual(a);
  });
});

describe('content-interest similarities from any counters', () => {
  it('are finite and within [0, 1] whatever the counts: denormals, huge values, zeros (a NaN once failed the weekly training for every customer)', async () => {
    const fc = (await import('fast-check')).default;
    const count = fc.oneof(fc.constantFrom(0, 5e-324, 1e-310, 2.2250738585072014e-308, 1, 1e12, 1e308, Number.MAX_VALUE), fc.double({ min: 0, max: 1e300, noNaN: true }));
    const counters = fc.dictionary(fc.constantFrom('shoes', 'bags', 'hats', 'socks'), count, { minKeys: 1 });
    fc.assert(
      fc.property(fc.array(counters, { minLength: 1, maxLength: 8 }), (profiles) => {
        const model = fitInterestModel(profiles, { minProfiles: 1 });
        for (const row of model.similarity) for (const value of row) expect(Number.isFinite(value) && value >= 0 && value <= 1, String(value)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
