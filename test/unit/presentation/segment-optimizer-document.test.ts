import { describe, expect, it } from 'vitest';
import { segmentOptimizer } from '#shared/domain/reports/segment-optimizer.ts';
import { emptySegmentStats, type SegmentStats } from '#shared/domain/reports/segment-stats.ts';
import { renderHtml } from '#shared/presentation/render-html.ts';
import { renderText } from '#shared/presentation/render-text.ts';
import { segmentOptimizerDocument } from '#shared/presentation/segment-optimizer-document.ts';

const now = new Date('2026-11-20T12:00:00Z');

function stats(segmentId: string, members: number, engagementSum: number): SegmentStats {
  return { ...emptySegmentStats(segmentId), members, engagementSum };
}

const report = segmentOptimizer({
  now,
  population: stats('*', 1000, 500),
  segments: [
    // 5 of 1000 = 0.5%, too small; 1 / 5 = 0.2, low engagement.
    { segmentId: 'tiny', description: 'Tiny', stats: stats('tiny', 5, 1) },
    // 300 of 1000 = 30%, engagement 0.5: no advice.
    { segmentId: 'mid', description: 'Mid', stats: stats('mid', 300, 150) },
    // 600 of 1000 = 60%, too broad; 510 / 600 = 0.85, highly engaged.
    { segmentId: 'big', description: 'Big', stats: stats('big', 600, 510) },
  ],
});
const document = segmentOptimizerDocument(report);

describe('segmentOptimizerDocument', () => {
  it('is titled with all users and shows the advice first, each with its severity', () => {
    expect(document).toMatchObject({ title: 'segment optimizer', subtitle: '1000 users in all', generatedAt: '2026-11-20T12:00:00.000Z' });
    expect(document.blocks.map((b) => b.kind)).toEqual(['notes', 'table', 'bars']);
    const notes = document.blocks[0]!;
    if (notes.kind !== 'notes') throw new Error('expected notes');
    expect(notes.title).toBe('Recommendations');
    expect(notes.items.map((item) => item.severity)).toEqual(['info', 'warning', 'info', 'info']);
    expect(notes.items[0]!.text).toBe('tiny holds 0.5% of users (5 of 1000): too small to measure reliably. Merge it with a similar segment or broaden its conditions.');
    expect(notes.items[1]!.text).toBe('tiny has low engagement (average 0.20). Move its members to a re-engagement sequence before sending them regular campaigns.');
  });

  it('tables every segment in catalog order with its share of users and average engagement', () => {
    const table = document.blocks[1]!;
    if (table.kind !== 'table') throw new Error('expected a table');
    expect(table.columns.map((c) => [c.label, c.format])).toEqual([
      ['segment', 'text'],
      ['description', 'text'],
      ['members', 'int'],
      ['share of users', 'percent'],
      ['average engagement', 'number'],
    ]);
    expect(table.rows).toEqual([
      { segment: 'tiny', description: 'Tiny', members: 5, share: 0.005, engagement: 0.2 },
      { segment: 'mid', description: 'Mid', members: 300, share: 0.3, engagement: 0.5 },
      { segment: 'big', description: 'Big', members: 600, share: 0.6, engagement: 0.85 },
    ]);
  });

  it('draws the members per segment as bars', () => {
    expect(document.blocks[2]).toEqual({ kind: 'bars', title: 'Members per segment', categories: ['tiny', 'mid', 'big'], series: [{ name: 'members', values: [5, 300, 600] }], format: 'int' });
  });

  it('renders as text and HTML, and without segments says there is nothing', () => {
    const text = renderText(document);
    expect(text).toContain('\n[warning] tiny has low engagement (average 0.20).');
    expect(text).toContain('\nbig      Big              600           60.0%                0.85\n');
    expect(renderHtml(document)).toContain('data-chart="bars"');
    const none = segmentOptimizerDocument(segmentOptimizer({ now, population: stats('*', 0, 0), segments: [] }));
    expect(renderText(none)).toContain('Recommendations\n(no data)');
    expect(renderText(none)).toContain('Members per segment\n(no data)');
  });
});
