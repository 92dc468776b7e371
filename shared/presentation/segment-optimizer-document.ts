import type { SegmentOptimizerReport } from '../domain/reports/segment-optimizer.ts';
import type { ReportDocument } from './report-document.ts';

/**
 * The segment-optimizer report for people: the advice first (each message names its segment), then
 * every segment's size and engagement in catalog order, and their sizes side by side.
 */
export function segmentOptimizerDocument(report: SegmentOptimizerReport): ReportDocument {
  return {
    title: 'segment optimizer',
    subtitle: `${report.totalUsers} users in all`,
    generatedAt: report.generatedAt,
    blocks: [
      { kind: 'notes', title: 'Recommendations', items: report.recommendations.map(({ severity, message }) => ({ severity, text: message })) },
      {
        kind: 'table',
        title: 'Segments',
        columns: [
          { key: 'segment', label: 'segment', format: 'text' },
          { key: 'description', label: 'description', format: 'text' },
          { key: 'members', label: 'members', format: 'int' },
          { key: 'share', label: 'share of users', format: 'percent' },
          { key: 'engagement', label: 'average engagement', format: 'number' },
        ],
        rows: report.segments.map((s) => ({ segment: s.segmentId, description: s.description, members: s.members, share: s.share, engagement: s.averageEngagement })),
      },
      {
        kind: 'bars',
        title: 'Members per segment',
        categories: report.segments.map((s) => s.segmentId),
        series: [{ name: 'members', values: report.segments.map((s) => s.members) }],
        format: 'int',
      },
    ],
  };
}
