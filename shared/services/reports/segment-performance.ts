import type { Catalog } from '../../catalog/index.ts';
import { catalogSegments } from './catalog-segments.ts';
import type { Clock } from '../../domain/clock.ts';
import type { RollupStore } from '../../domain/ports.ts';
import { reportPeriod } from '../../domain/reports/period.ts';
import { ALL_SENDS, segmentScope, type RollupIncrement } from '../../domain/reports/rollups.ts';
import { segmentPerformance, type SegmentPerformanceReport } from '../../domain/reports/segment-performance.ts';

export type SegmentReportDeps = { rollups: Pick<RollupStore, 'days' | 'live'>; catalog: Catalog; clock: Clock };

/** Every catalog segment against everyone else mailed: one Query per segment and one for all sends, in parallel. */
export function makeSegmentPerformanceReport(deps: SegmentReportDeps) {
  return async function report(request: { days: number }): Promise<SegmentPerformanceReport> {
    const now = deps.clock.now();
    const period = reportPeriod(now, request.days);
    const scopes = [segmentScope(ALL_SENDS), ...catalogSegments(deps.catalog).map((segment) => segmentScope(segment.id))];
    const rollups = new Map<string, RollupIncrement[]>(await Promise.all(scopes.map(async (scope) => [scope, await deps.rollups.days(scope, period)] as const)));
    return segmentPerformance({
      segments: catalogSegments(deps.catalog),
      rollups,
      allScope: segmentScope(ALL_SENDS),
      scopeOf: segmentScope,
      now,
      days: request.days,
    });
  };
}
