import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultCatalogInput, loadCatalog } from '#shared/catalog/index.ts';
import { HOUR_MS } from '#shared/domain/clock.ts';
import { addPurchase, exposureFieldsOf, exposureSearchRange, exposuresConvertedBy, longestWindowHours, type ExposureConversion, type ExposurePurchase, type StoredExposure } from '#shared/domain/exposures.ts';

const PURCHASE = Date.parse('2027-01-10T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A decision `minutesBefore` the purchase (negative: after it), with a window, maybe a repeat, maybe no exposure. */
const decisionArb = fc.record({
  minutesBefore: fc.integer({ min: -3 * 24 * 60, max: 10 * 24 * 60 }),
  windowHours: fc.constantFrom(1, 24, 72, 168),
  exposure: fc.constantFrom('treated' as const, 'control' as const, undefined),
  repeat: fc.boolean(),
});

describe('which exposures a purchase converts', () => {
  it('exactly the exposures (not repeats, not other decisions) triggered before the purchase whose window reaches it, all inside the one Query range', () => {
    fc.assert(
      fc.property(fc.array(decisionArb, { maxLength: 30 }), (specs) => {
        const decisions: StoredExposure[] = specs.map((spec, i) => ({ key: `k${i}`, ruleId: `r${i % 3}`, occurredAt: iso(PURCHASE - spec.minutesBefore * 60_000), exposure: spec.exposure, windowHours: spec.windowHours, repeat: spec.repeat }));
        const converted = exposuresConvertedBy(decisions, iso(PURCHASE)).map((d) => d.key);
        const expected = specs.flatMap((spec, i) => (spec.exposure !== undefined && !spec.repeat && spec.minutesBefore > 0 && spec.minutesBefore <= spec.windowHours * 60 ? [`k${i}`] : []));
        expect(converted).toEqual(expected);
        // The Query over the longest window holds every one of them.
        const range = exposureSearchRange(iso(PURCHASE), Math.max(0, ...specs.map((s) => s.windowHours)));
        for (const key of converted) {
          const at = decisions.find((d) => d.key === key)!.occurredAt;
          expect(at >= range.from && at <= range.to).toBe(true);
        }
      }),
    );
  });

  it('a purchase never converts the decision it triggered itself (same instant), and the window end is inclusive', () => {
    const at = iso(PURCHASE);
    const same: StoredExposure = { key: 'same', ruleId: 'r', occurredAt: at, exposure: 'treated', windowHours: 24 };
    const edge: StoredExposure = { key: 'edge', ruleId: 'r', occurredAt: iso(PURCHASE - 24 * HOUR_MS), exposure: 'control', windowHours: 24 };
    const past: StoredExposure = { key: 'past', ruleId: 'r', occurredAt: iso(PURCHASE - 24 * HOUR_MS - 1), exposure: 'control', windowHours: 24 };
    expect(exposuresConvertedBy([same, edge, past], at).map((d) => d.key)).toEqual(['edge']);
  });

  it('a redelivered purchase adds nothing: any order of purchases with repeats gives the state of each distinct one once', () => {
    const purchaseArb = fc.record({ id: fc.integer({ min: 0, max: 5 }), revenue: fc.integer({ min: 0, max: 50_000 }).map((cents) => cents / 100) });
    fc.assert(
      fc.property(fc.array(purchaseArb, { maxLength: 20 }), (raw) => {
        // One revenue per purchase id (a redelivery carries the same event).
        const byId = new Map<number, number>();
        for (const p of raw) if (!byId.has(p.id)) byId.set(p.id, p.revenue);
        const purchases: ExposurePurchase[] = raw.map((p, i) => ({ purchaseId: `p${p.id}`, purchasedAt: iso(PURCHASE + i * 60_000), revenue: byId.get(p.id)! }));
        const state = purchases.reduce<ExposureConversion>((s, p) => addPurchase(s, p), { orders: 0, revenue: 0, purchaseIds: [] });
        expect(state.orders).toBe(byId.size);
        expect(state.revenue).toBeCloseTo([...byId.values()].reduce((a, b) => a + b, 0), 6);
        expect(state.convertedAt).toBe(purchases[0]?.purchasedAt);
        // Applying everything again changes nothing.
        expect(purchases.reduce((s, p) => addPurchase(s, p), state)).toEqual(state);
      }),
    );
  });
});

describe('which decisions are exposures', () => {
  it('only decisions of a rule with a holdout that sent or held out, never a repeat, with the rule\'s window or the default', () => {
    const outcomes = ['queued', 'holdout', 'suppressed', 'dropped_priority', 'deferred', 'goal_met', 'sequence_started'] as const;
    for (const outcome of outcomes) {
      const group = outcome === 'queued' || outcome === 'sequence_started' ? 'treated' : outcome === 'holdout' ? 'control' : undefined;
      expect(exposureFieldsOf({ holdoutPercent: 10 }, outcome, false, 168)).toEqual(group ? { exposure: group, windowHours: 168 } : undefined);
      expect(exposureFieldsOf({ holdoutPercent: 10, conversionWindowHours: 48 }, outcome, false, 168)?.windowHours).toBe(group ? 48 : undefined);
      expect(exposureFieldsOf({ holdoutPercent: 0 }, outcome, false, 168)).toBeUndefined();
      expect(exposureFieldsOf({ holdoutPercent: 10 }, outcome, true, 168)).toBeUndefined();
      // The global control group (no marketing at all) is no control for one rule: its holdouts are a group of their own.
      expect(exposureFieldsOf({ holdoutPercent: 10 }, outcome, false, 168, 'global_control')).toEqual(group ? { exposure: outcome === 'holdout' ? 'global_control' : group, windowHours: 168 } : undefined);
    }
  });

  it('with the global control group on, every marketing rule\'s sends and global holdouts are exposures, transactional rules\' never', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('queued', 'holdout', 'suppressed', 'dropped_priority', 'deferred', 'goal_met', 'sequence_started'),
        fc.constantFrom(0, 10),
        fc.boolean(),
        fc.constantFrom('rule', 'global_control'),
        fc.constantFrom(0, 5),
        (outcome, holdoutPercent, transactional, heldOutBy, globalControlPercent) => {
          const fields = exposureFieldsOf({ holdoutPercent, transactional }, outcome, false, 168, heldOutBy, globalControlPercent);
          const measured = holdoutPercent > 0 || (globalControlPercent > 0 && !transactional);
          const expected = !measured
            ? undefined
            : outcome === 'queued' || outcome === 'sequence_started'
              ? 'treated'
              : outcome === 'holdout'
                ? heldOutBy === 'global_control' ? 'global_control' : 'control'
                : undefined;
          expect(fields?.exposure).toBe(expected);
        },
      ),
    );
    const catalog = loadCatalog({ ...defaultCatalogInput, settings: { ...defaultCatalogInput.settings, globalControlPercent: 5 } });
    // Every marketing rule is measured, so a purchase looks back over the default window at least.
    expect(longestWindowHours(catalog)).toBe(168);
  });
});

describe('the catalog\'s conversion windows', () => {
  const rule = { id: 'cart_holdout', description: 'x', priority: 50, trigger: { type: 'behavioral' as const, eventType: 'cart_abandon' }, templateId: 'welcome', category: 'marketing', holdoutPercent: 20 };

  it('default to 7 days, and the longest window is that of the rules with a holdout', () => {
    const catalog = loadCatalog({ ...defaultCatalogInput, rules: [rule, { ...rule, id: 'other', holdoutPercent: 0, conversionWindowHours: 2000 }, { ...rule, id: 'long', conversionWindowHours: 240 }] });
    expect(catalog.settings.incrementalityWindowHours).toBe(168);
    expect(longestWindowHours(catalog)).toBe(240);
    expect(longestWindowHours(loadCatalog({ ...defaultCatalogInput, rules: [] }))).toBe(0);
  });

  it('may not outlast the decision retention: the error names the setting, or the rule and its field', () => {
    const settings = { ...defaultCatalogInput.settings, decisionRetentionDays: 5 };
    expect(() => loadCatalog({ ...defaultCatalogInput, settings, rules: [] })).toThrow(/settings\.incrementalityWindowHours: .*decisionRetentionDays 5 = 120 hours/);
    expect(() => loadCatalog({ ...defaultCatalogInput, settings: { ...settings, incrementalityWindowHours: 72 }, rules: [{ ...rule, conversionWindowHours: 121 }] })).toThrow(/rules\.0\.conversionWindowHours: rule cart_holdout: conversionWindowHours \(121\)/);
    expect(() => loadCatalog({ ...defaultCatalogInput, settings: { ...settings, incrementalityWindowHours: 72 }, rules: [{ ...rule, conversionWindowHours: 120 }] })).not.toThrow();
  });
});
