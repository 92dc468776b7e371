import { segmentOptimizerRecommendations, type SegmentOptimizerRecommendation } from './segment-recommendations.ts';
import { averageEngagement, type SegmentStats } from './segment-stats.ts';
import { round4 } from './numbers.ts';

/** The segment optimizer: each segment's size and engagement against all users, with advice. Pure. */

export type SegmentOptimizerRow = {
  segmentId: string;
  description: string;
  members: number;
  /** members / totalUsers, 0..1 (0 without users). */
  share: number;
  /** Mean engagement of the members, 0..1. */
  averageEngagement: number;
};

export type SegmentOptimizerReport = {
  report: 'segment-optimizer';
  generatedAt: string;
  totalUsers: number;
  /** In the order given (the catalog's). */
  segments: SegmentOptimizerRow[];
  recommendations: SegmentOptimizerRecommendation[];
};

/**
 * The segment-optimizer report from live segment statistics. A segment's members are capped at the
 * population's: the live counters are updated item by item, so one can briefly run ahead of the
 * other. The advice judges the engagement the report shows (rounded to 4 decimals).
 */
export function segmentOptimizer(input: {
  now: Date;
  segments: ReadonlyArray<{ segmentId: string; description: string; stats: SegmentStats }>;
  population: SegmentStats;
}): SegmentOptimizerReport {
  const totalUsers = Math.max(0, input.population.members);
  const segments = input.segments.map(({ segmentId, description, stats }): SegmentOptimizerRow => {
    const members = Math.min(Math.max(0, stats.members), totalUsers);
    return { segmentId, description, members, share: totalUsers > 0 ? round4(members / totalUsers) : 0, averageEngagement: round4(averageEngagement(stats)) };
  });
  return {
    report: 'segment-optimizer',
    generatedAt: input.now.toISOString(),
    totalUsers,
    segments,
    recommendations: segmentOptimizerRecommendations(segments.map(({ segmentId, members, averageEngagement }) => ({ segmentId, members, totalUsers, averageEngagement }))),
  };
}
