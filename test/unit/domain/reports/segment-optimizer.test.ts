import { describe, expect, it } from 'vitest';
import { segmentOptimizer } from '#shared/domain/reports/segment-optimizer.ts';
import { emptySegmentStats, type SegmentStats } from '#shared/domain/reports/segment-stats.ts';

const now = new Date('2026-11-20T12:00:00Z');

function stats(segmentId: string, members: number, engagementSum: number): SegmentStats {
  return { ...emptySegmentStats(segmentId), members, engagementSum };
}

describe('segmentOptimizer', () => {
  it("lists each segment's size and engagement against all users, with advice", () => {
    const report = segmentOptimizer({
      now,
      population: stats('*', 1000, 500),
      segments: [
        // 5 of 1000 = 0.5% (too small); 1 / 5 = 0.2 (low engagement).
        { segmentId: 'tiny', description: 'Tiny', stats: stats('tiny', 5, 1) },
        // 300 of 1000 = 30%; 150 / 300 = 0.5: no advice.
        { segmentId: 'mid', description: 'Mid', stats: stats('mid', 300, 150) },
        // Counters ahead of the population's: 1200 capped at 1000 = 100% (too broad); 1020 / 1200 = 0.85 (VIP).
        { segmentId: 'huge', description: 'Huge', stats: stats('huge', 1200, 1020) },
      ],
    });
    expect(report).toMatchObject({ report: 'segment-optimizer', generatedAt: '2026-11-20T12:00:00.000Z', totalUsers: 1000 });
    expect(report.segments).toEqual([
      { segmentId: 'tiny', description: 'Tiny', members: 5, share: 0.005, averageEngagement: 0.2 },
      { segmentId: 'mid', description: 'Mid', members: 300, share: 0.3, averageEngagement: 0.5 },
      { segmentId: 'huge', description: 'Huge', members: 1000, share: 1, averageEngagement: 0.85 },
    ]);
    expect(report.recommendations.map(({ segmentId, metric, severity }) => [segmentId, metric, severity])).toEqual([
      ['tiny', 'size', 'info'],
      ['tiny', 'engagement', 'warning'],
      ['huge', 'size', 'info'],
      ['huge', 'engagement', 'info'],
    ]);
    expect(report.recommendations[0]!.message).toBe('tiny holds 0.5% of users (5 of 1000): too small to measure reliably. Merge it with a similar segment or broaden its conditions.');
    expect(report.recommendations[2]!.message).toMatch(/^huge holds 100% of users \(1000 of 1000\): too broad/);
  });

  it('rounds shares and averages to 4 decimals', () => {
    // 1 / 3 = 0.3333…; 0.1 + 0.2 = 0.30000000000000004 over 1 member.
    const report = segmentOptimizer({ now, population: stats('*', 3, 1), segments: [{ segmentId: 's', description: '', stats: stats('s', 1, 0.1 + 0.2) }] });
    expect(report.segments[0]).toMatchObject({ share: 0.3333, averageEngagement: 0.3 });
  });

  it('reports zeros and no advice without users or segments', () => {
    expect(segmentOptimizer({ now, population: emptySegmentStats('*'), segments: [] })).toEqual({
      report: 'segment-optimizer',
      generatedAt: '2026-11-20T12:00:00.000Z',
      totalUsers: 0,
      segments: [],
      recommendations: [],
    });
    // A segment counted before the population caught up: capped to 0 members, so neither size nor engagement advice.
    const report = segmentOptimizer({ now, population: emptySegmentStats('*'), segments: [{ segmentId: 's', description: 'S', stats: stats('s', 2, 1.8) }] });
    expect(report.segments).toEqual([{ segmentId: 's', description: 'S', members: 0, share: 0, averageEngagement: 0.9 }]);
    expect(report.recommendations).toEqual([]);
  });
});
