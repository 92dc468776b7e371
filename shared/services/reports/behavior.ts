import type { Catalog } from '../../catalog/index.ts';
import { catalogSegments } from './catalog-segments.ts';
import type { Clock } from '../../domain/clock.ts';
import type { RollupStore } from '../../domain/ports.ts';
import { behaviorPatterns, type BehaviorPatternsReport } from '../../domain/reports/behavior-patterns.ts';
import { reportPeriod, type ReportPeriod } from '../../domain/reports/period.ts';
import { round2 } from '../../domain/reports/numbers.ts';
import { BEHAVIOR_SCOPE, segmentStatsFromItem, segmentStatsScope } from '../../domain/reports/profile-aggregates.ts';
import { segmentScope } from '../../domain/reports/rollups.ts';
import { ALL_PROFILES } from '../../domain/reports/segment-stats.ts';
import { segmentOptimizer, type SegmentOptimizerReport } from '../../domain/reports/segment-optimizer.ts';
import { stepRule } from '../run-sequence-step.ts';

export type BehaviorReportDeps = { rollups: Pick<RollupStore, 'days' | 'live'>; catalog: Catalog; clock: Clock };

/** A scope's counters summed over the period. */
async function periodSums(rollups: BehaviorReportDeps['rollups'], scope: string, period: ReportPeriod): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  for (const day of await rollups.days(scope, period)) for (const [name, value] of Object.entries(day.counters)) sums[name] = (sums[name] ?? 0) + value;
  return sums;
}

/**
 * Behavior patterns: the daily behavior rollups of the window, the population's live statistics,
 * each sequence's sends and conversions (its steps' rollups) and each segment's (for the insights).
 */
export function makeBehaviorPatternsReport(deps: BehaviorReportDeps) {
  return async function report(request: { days: number }): Promise<BehaviorPatternsReport> {
    const now = deps.clock.now();
    const period = reportPeriod(now, request.days);
    const [behaviorDays, population, sequences, segments] = await Promise.all([
      deps.rollups.days(BEHAVIOR_SCOPE, period),
      deps.rollups.live(segmentStatsScope(ALL_PROFILES)).then((item) => segmentStatsFromItem(ALL_PROFILES, item)),
      Promise.all(
        deps.catalog.sequences.map(async (sequence) => {
          const steps = await Promise.all(sequence.steps.map((_, index) => periodSums(deps.rollups, stepRule(sequence, index).id, period)));
          const total = (name: string) => steps.reduce((sum, step) => sum + (step[name] ?? 0), 0);
          return { sequenceId: sequence.id, sent: total('sent'), converted: total('converted'), revenue: round2(total('revenue')) };
        }),
      ),
      Promise.all(
        catalogSegments(deps.catalog).map(async (segment) => {
          const sums = await periodSums(deps.rollups, segmentScope(segment.id), period);
          return { segmentId: segment.id, delivered: sums.delivered ?? 0, converted: sums.converted ?? 0 };
        }),
      ),
    ]);
    return behaviorPatterns({ now, periodDays: request.days, behaviorDays, population, sequences, segments });
  };
}

/** The segment optimizer: each catalog segment's live statistics against the population's (one GetItem each). */
export function makeSegmentOptimizerReport(deps: BehaviorReportDeps) {
  return async function report(): Promise<SegmentOptimizerReport> {
    const [population, segments] = await Promise.all([
      deps.rollups.live(segmentStatsScope(ALL_PROFILES)).then((item) => segmentStatsFromItem(ALL_PROFILES, item)),
      Promise.all(
        catalogSegments(deps.catalog).map(async ({ id, description }) => ({ segmentId: id, description, stats: segmentStatsFromItem(id, await deps.rollups.live(segmentStatsScope(id))) })),
      ),
    ]);
    return segmentOptimizer({ now: deps.clock.now(), segments, population });
  };
}
