import type { Catalog } from '../../catalog/index.ts';
import { catalogSegments } from './catalog-segments.ts';
import { DAY_MS, type Clock } from '../../domain/clock.ts';
import type { DriftReportStore, InternalEventBus, Log, RollupStore } from '../../domain/ports.ts';
import { checkDrift, driftEventDetail, driftPeriods, type DriftReport, type SegmentDriftInput, type SegmentPeriodPerformance } from '../../domain/reports/drift.ts';
import { segmentStatsFromItem, segmentStatsScope } from '../../domain/reports/profile-aggregates.ts';
import { segmentScope, type RollupIncrement } from '../../domain/reports/rollups.ts';

/** Without a snapshot as old as the baseline period (a young deployment), the oldest one at least this old will do. */
export const MIN_BASELINE_AGE_DAYS = 7;
/** Snapshots are read from this many days before the composition baseline day, so a few missed daily runs still find one near it. */
const SNAPSHOT_SEARCH_DAYS = 28;

export type DriftDeps = { rollups: Pick<RollupStore, 'days' | 'live' | 'snapshot'>; reports: DriftReportStore; bus: InternalEventBus; catalog: Catalog; clock: Clock; log: Log };

const dayBefore = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);

/**
 * The daily drift check: snapshots every segment's live statistics for today, compares each with
 * its baseline snapshot and its recent email results with a baseline period (catalog
 * `settings.drift`, document 001's 30 and 90 days: see driftPeriods), stores the
 * report (the latest is what `nudge report drift` shows) and puts SegmentDriftDetected on the bus
 * for each segment that drifted. Running it twice on a day rewrites the same snapshot and report.
 */
export function makeDriftCheck(deps: DriftDeps) {
  return async function checkSegmentDrift(): Promise<DriftReport> {
    const now = deps.clock.now();
    const today = now.toISOString().slice(0, 10);
    const periods = driftPeriods(today, deps.catalog.settings.drift);
    const resultsFrom = periods.baseline.from < periods.current.from ? periods.baseline.from : periods.current.from;
    const inputs = await Promise.all(
      catalogSegments(deps.catalog).map(async ({ id }): Promise<SegmentDriftInput> => {
        const scope = segmentStatsScope(id);
        const live = await deps.rollups.live(scope);
        await deps.rollups.snapshot(scope, today, live);
        // Bounded below, so the check reads a few weeks of snapshots however old the deployment is.
        const snapshots = await deps.rollups.days(scope, { from: dayBefore(periods.compositionBaselineDay, SNAPSHOT_SEARCH_DAYS), to: dayBefore(today, MIN_BASELINE_AGE_DAYS) });
        const baseline = [...snapshots].reverse().find((s) => s.day <= periods.compositionBaselineDay) ?? snapshots[0];
        const results = await deps.rollups.days(segmentScope(id), { from: resultsFrom, to: today });
        return {
          segmentId: id,
          baseline: baseline ? { stats: segmentStatsFromItem(id, baseline.counters), day: baseline.day } : null,
          current: { stats: segmentStatsFromItem(id, live), day: today },
          performance: {
            baseline: performanceOf(results, periods.baseline.from, periods.baseline.to),
            current: performanceOf(results, periods.current.from, periods.current.to),
          },
        };
      }),
    );
    const report = checkDrift(inputs, now);
    await deps.reports.save(report, today);
    const drifted = report.segments.filter((segment) => segment.severity !== 'none');
    if (drifted.length > 0) {
      await deps.bus.publish(drifted.map((segment) => ({ detailType: 'SegmentDriftDetected' as const, detail: { ...driftEventDetail(segment), at: now.toISOString() } })));
    }
    deps.log.info('drift check done', { segments: report.segments.length, drifted: report.drifted });
    return report;
  };
}

function performanceOf(days: readonly RollupIncrement[], from: string, to: string): SegmentPeriodPerformance {
  const sum = (name: string) => days.filter((d) => d.day >= from && d.day <= to).reduce((total, d) => total + (d.counters[name] ?? 0), 0);
  const delivered = sum('delivered');
  // Opens and the like can arrive before their delivery notice: never more than delivered.
  const capped = (name: string) => Math.min(sum(name), delivered);
  return { from, to, delivered, opened: capped('opened'), clicked: capped('clicked'), converted: capped('converted') };
}

/** The latest drift report, for `nudge report drift`. */
export function makeDriftReport(deps: { reports: DriftReportStore }) {
  return async function report(): Promise<DriftReport> {
    const latest = await deps.reports.latest();
    if (!latest) throw new Error('no drift check has run yet: it runs daily at 05:00 UTC (locally: npx nudge drift runs it now)');
    return latest;
  };
}
