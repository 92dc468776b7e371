import { describe, expect, it } from 'vitest';
import { checkDrift, type SegmentDriftInput, type SegmentPeriodPerformance } from '#shared/domain/reports/drift.ts';
import type { SegmentStats } from '#shared/domain/reports/segment-stats.ts';
import { driftDocument } from '#shared/presentation/drift-document.ts';
import { renderHtml } from '#shared/presentation/render-html.ts';
import { renderText } from '#shared/presentation/render-text.ts';

const NOW = new Date('2025-03-29T06:00:00Z');

/** `scale` × 100 members, average engagement `engagementSum` / members, every histogram `scale` × the same shape (so no PSI). */
function stats(segmentId: string, scale = 1, engagementSum = 50 * scale): SegmentStats {
  const times = (counts: number[]) => counts.map((count) => count * scale);
  return {
    segmentId,
    members: 100 * scale,
    engagementSum,
    engagementSumSquares: 30 * scale,
    histograms: {
      engagement: times([0, 0, 10, 20, 40, 20, 10, 0, 0, 0]),
      revenue: times([20, 20, 20, 20, 10, 10]),
      purchases: times([30, 20, 20, 10, 10, 10]),
      churn_risk: times([40, 30, 20, 5, 5]),
    },
  };
}

function period(from: string, to: string, counts: Partial<SegmentPeriodPerformance> = {}): SegmentPeriodPerformance {
  return { from, to, delivered: 1000, opened: 250, clicked: 40, converted: 50, ...counts };
}

/** Unchanged composition and email results unless overridden. */
function input(segmentId: string, overrides: { current?: SegmentStats; baseline?: null; emails?: Partial<SegmentPeriodPerformance>; baselineEmails?: Partial<SegmentPeriodPerformance> } = {}): SegmentDriftInput {
  return {
    segmentId,
    baseline: overrides.baseline === null ? null : { stats: stats(segmentId), day: '2025-03-01' },
    current: { stats: overrides.current ?? stats(segmentId), day: '2025-03-29' },
    performance: { baseline: period('2025-02-22', '2025-03-01', overrides.baselineEmails), current: period('2025-03-22', '2025-03-28', overrides.emails) },
  };
}

const report = checkDrift(
  [
    // Twice the members, average engagement 0.5 → 140 / 200 = 0.7: two medium findings.
    input('growing', { current: stats('growing', 2, 140) }),
    // Conversion 5% → 2% (−60%, critical) and opens 25% → 10% (−60%, high).
    input('failing', { emails: { converted: 20, opened: 100 } }),
    // Opens 25% → 10% only: high.
    input('tiring', { emails: { opened: 100 } }),
    // New, and 10 emails a period: nothing judged.
    input('new', { baseline: null, emails: { delivered: 10, opened: 2, clicked: 0, converted: 0 }, baselineEmails: { delivered: 10, opened: 2, clicked: 0, converted: 0 } }),
    input('steady'),
  ],
  NOW,
);
const document = driftDocument(report);

describe('driftDocument', () => {
  it('counts the drifted segments and lists them, most severe first, critical as critical, high as a warning', () => {
    expect(document).toMatchObject({ title: 'segment drift', subtitle: '3 of 5 segments drifted', generatedAt: '2025-03-29T06:00:00.000Z' });
    expect(document.blocks.map((b) => [b.kind, b.title])).toEqual([
      ['notes', 'Drifted segments'],
      ['table', 'Findings'],
      ['notes', 'Not judged'],
    ]);
    expect(document.blocks[0]).toMatchObject({
      items: [
        { severity: 'critical', text: 'failing, critical: conversion rate fell from 5.0% to 2.0% (−60%); open rate fell from 25.0% to 10.0% (−60%)' },
        { severity: 'warning', text: 'tiring, high: open rate fell from 25.0% to 10.0% (−60%)' },
        { severity: 'info', text: 'growing, medium: members rose from 100 to 200 (+100%); average engagement rose from 0.50 to 0.70 (+0.20)' },
      ],
    });
  });

  it('tables every finding, its values formatted by metric: counts, scores, rates, and relative or absolute changes', () => {
    const table = document.blocks[1]!;
    if (table.kind !== 'table') throw new Error('expected a table');
    expect(table.columns.map((c) => c.label)).toEqual(['segment', 'kind', 'metric', 'baseline', 'current', 'change', 'severity', 'message']);
    expect(table.rows.map(({ message, ...cells }) => cells)).toEqual([
      { segment: 'failing', kind: 'performance', metric: 'conversion_rate', baseline: '5.0%', current: '2.0%', change: '-60.0%', severity: 'critical' },
      { segment: 'failing', kind: 'performance', metric: 'open_rate', baseline: '25.0%', current: '10.0%', change: '-60.0%', severity: 'high' },
      { segment: 'tiring', kind: 'performance', metric: 'open_rate', baseline: '25.0%', current: '10.0%', change: '-60.0%', severity: 'high' },
      { segment: 'growing', kind: 'composition', metric: 'members', baseline: '100', current: '200', change: '+100.0%', severity: 'medium' },
      { segment: 'growing', kind: 'composition', metric: 'average_engagement', baseline: '0.5', current: '0.7', change: '+0.2', severity: 'medium' },
    ]);
    expect(table.rows[3]!.message).toBe('members rose from 100 to 200 (+100%)');
  });

  it('shows what could not be judged as info notes, by segment', () => {
    expect(document.blocks[2]).toMatchObject({
      items: [
        { severity: 'info', text: 'new: no baseline snapshot yet (a new segment?): composition not compared' },
        { severity: 'info', text: 'new: insufficient data: open and conversion rates need at least 50 delivered emails in both periods (baseline 10, current 10)' },
      ],
    });
  });

  it('says plainly when no segment drifted, or there was none to check', () => {
    const steady = driftDocument(checkDrift([input('steady'), input('calm')], NOW));
    expect(steady.subtitle).toBe('0 of 2 segments drifted');
    expect(steady.blocks.map((b) => b.kind)).toEqual(['notes', 'table']);
    expect(renderText(steady)).toContain('\nDrifted segments\n[info] No segment drifted (2 checked).\n');
    expect(renderText(driftDocument(checkDrift([], NOW)))).toContain('\nDrifted segments\n[info] No segments to check.\n');
  });

  it('renders as text and HTML', () => {
    const text = renderText(document);
    expect(text).toContain('\n[critical] failing, critical: conversion rate fell');
    const row = text.split('\n').find((line) => line.startsWith('growing  composition  average_engagement'));
    expect(row?.split(/ {2,}/)).toEqual(['growing', 'composition', 'average_engagement', '0.5', '0.7', '+0.2', 'medium', 'average engagement rose from 0.50 to 0.70 (+0.20)']);
    expect(renderHtml(document)).toContain('<li class="note note-critical"><span class="severity">critical</span> failing, critical:');
  });
});
