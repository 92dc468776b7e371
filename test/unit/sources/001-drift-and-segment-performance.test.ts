import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, defaultCatalogInput, loadCatalog } from '#shared/catalog/index.ts';
import { DRIFT_THRESHOLDS, driftPeriods, type DayRange } from '#shared/domain/reports/drift.ts';
import { SEGMENT_PERFORMANCE_THRESHOLDS } from '#shared/domain/reports/segment-recommendations.ts';

/**
 * Document 001's segment performance analysis and drift monitoring: the numbers it gives (lift
 * thresholds, drift thresholds, the 30-day current period against a 90-day baseline) are the ones
 * Nudge ships. Expected values are written from the document, not read back from the code.
 */

const DAY_MS = 86_400_000;
const daysIn = ({ from, to }: DayRange) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

describe('document 001: segment performance against control', () => {
  it('advises below +10% opens, +20% clicks, +50% conversions, +100% revenue per user, and warns above +20% unsubscribes', () => {
    expect(SEGMENT_PERFORMANCE_THRESHOLDS).toEqual({ openLift: 0.1, clickLift: 0.2, conversionLift: 0.5, revenueLift: 1, unsubscribeImpact: 0.2 });
  });
});

describe('document 001: segment drift monitoring', () => {
  it('flags an open-rate change beyond 20% (high beyond 50%) and a conversion-rate change beyond 30% (critical)', () => {
    expect(DRIFT_THRESHOLDS.openRateChange).toEqual({ medium: 0.2, high: 0.5 });
    expect(DRIFT_THRESHOLDS.conversionRateChange).toEqual({ critical: 0.3 });
  });

  it('ships the document’s periods: the last 30 days against a 90-day baseline, composition against 90 days ago', () => {
    expect(defaultCatalog.settings.drift).toEqual({ currentDays: 30, baselineDays: 90, baselineIncludesCurrent: false });
    const periods = driftPeriods('2026-12-07', defaultCatalog.settings.drift);
    expect(periods.current).toEqual({ from: '2026-11-08', to: '2026-12-07' });
    // Nudge's deliberate deviation: the 90 days before the current 30, so the z-test compares independent samples.
    expect(periods.baseline).toEqual({ from: '2026-08-10', to: '2026-11-07' });
    expect(periods.compositionBaselineDay).toBe('2026-09-08');
  });

  it('the document’s own reading (baseline = the last 90 days, current included) is one catalog setting away', () => {
    const catalog = loadCatalog({ ...defaultCatalogInput, settings: { ...defaultCatalogInput.settings, drift: { currentDays: 30, baselineDays: 90, baselineIncludesCurrent: true } } });
    const periods = driftPeriods('2026-12-07', catalog.settings.drift);
    expect(periods.current).toEqual({ from: '2026-11-08', to: '2026-12-07' });
    expect(periods.baseline).toEqual({ from: '2026-09-09', to: '2026-12-07' });
  });

  it('for any day and lengths, each period has exactly its length and ends where the setting says', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 275 }),
        fc.boolean(),
        (date, currentDays, extra, baselineIncludesCurrent) => {
          const today = date.toISOString().slice(0, 10);
          const baselineDays = currentDays + extra;
          const periods = driftPeriods(today, { currentDays, baselineDays, baselineIncludesCurrent });
          expect(periods.current.to).toBe(today);
          expect(daysIn(periods.current)).toBe(currentDays);
          expect(daysIn(periods.baseline)).toBe(baselineDays);
          expect(periods.baseline.to).toBe(baselineIncludesCurrent ? today : addDays(periods.current.from, -1));
          expect(periods.compositionBaselineDay).toBe(addDays(today, -baselineDays));
        },
      ),
    );
  });

  it('refuses periods the check cannot compare, naming the setting', () => {
    const withDrift = (drift: object) => () => loadCatalog({ ...defaultCatalogInput, settings: { ...defaultCatalogInput.settings, drift } as never });
    expect(withDrift({ currentDays: 90, baselineDays: 30, baselineIncludesCurrent: false })).toThrow(/drift\.currentDays must be below drift\.baselineDays/);
    expect(withDrift({ currentDays: 0, baselineDays: 30, baselineIncludesCurrent: false })).toThrow(/settings\.drift\.currentDays/);
    expect(() => driftPeriods('2026-02-30', { currentDays: 7, baselineDays: 28, baselineIncludesCurrent: false })).toThrow(/today must be a yyyy-mm-dd date/);
  });
});
