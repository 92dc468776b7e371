import { describe, expect, it } from 'vitest';
import { behaviorPatterns } from '#shared/domain/reports/behavior-patterns.ts';
import { emptySegmentStats } from '#shared/domain/reports/segment-stats.ts';
import { behaviorPatternsDocument } from '#shared/presentation/behavior-patterns-document.ts';
import type { Block } from '#shared/presentation/report-document.ts';
import { renderHtml } from '#shared/presentation/render-html.ts';
import { renderText } from '#shared/presentation/render-text.ts';

const now = new Date('2026-11-20T12:00:00Z');
const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

/** Ten customers by engagement tenths; sum 5 and squares 3.4: mean 0.5, std √(0.34 − 0.25) = 0.3. */
const population = {
  ...emptySegmentStats('*'),
  members: 10,
  engagementSum: 5,
  engagementSumSquares: 3.4,
  histograms: { ...emptySegmentStats('*').histograms, engagement: [2, 1, 1, 0, 1, 1, 0, 1, 2, 1] },
};

const report = behaviorPatterns({
  now,
  periodDays: 30,
  behaviorDays: [
    {
      scope: 'behavior',
      day: '2026-11-19',
      counters: {
        'event:page_view': 8,
        'event:cart_add': 2,
        'category:shoes': 3,
        'category:hats': 1,
        'hour:9': 6,
        'hour:14': 4,
        // Monday at 9, Thursday at 14.
        'hour_weekday:0:9': 6,
        'hour_weekday:3:14': 4,
        'transition:page_view>cart_add': 2,
        'transition:cart_add>page_view': 1,
      },
    },
  ],
  population,
  sequences: [],
  segments: [],
});
const document = behaviorPatternsDocument(report);

function block<K extends Block['kind']>(title: string, kind: K): Extract<Block, { kind: K }> {
  const found = document.blocks.find((b) => b.title === title);
  if (found?.kind !== kind) throw new Error(`expected a ${kind} block "${title}"`);
  return found as Extract<Block, { kind: K }>;
}

describe('behaviorPatternsDocument', () => {
  it('is titled with the period, and shows the insights first', () => {
    expect(document.title).toBe('behavior patterns, last 30 days (2026-10-22 to 2026-11-20)');
    expect(document.generatedAt).toBe('2026-11-20T12:00:00.000Z');
    expect(document.blocks.map((b) => b.kind)).toEqual(['notes', 'table', 'bars', 'table', 'table', 'bars', 'table', 'heatmap', 'bars']);
    // Low band: 2 + 1 + 1 of 10; above 0.7: 1 + 2 + 1 (40% > 30%); 6 of the 10 events at 9; page_view -> cart_add twice.
    expect(block('Insights', 'notes').items).toEqual([
      { severity: 'info', text: '40% of customers (4 of 10) have low engagement (0.3 or less). Move them to a re-engagement sequence.' },
      { severity: 'info', text: '40% of customers (4 of 10) are highly engaged (above 0.7). Create a VIP segment for them: early access, loyalty rewards or upsell offers.' },
      { severity: 'info', text: "Activity peaks at 09:00 in customers' local time (60% of events). Schedule sends around 09:00." },
      { severity: 'info', text: 'The most common step is page_view followed by cart_add (2 times). Automate a flow for customers who take it.' },
    ]);
  });

  it('summarises engagement in a row and draws its distribution by tenths', () => {
    const summary = block('Engagement now', 'table');
    expect(summary.columns.map((c) => [c.label, c.format])).toEqual([
      ['customers', 'int'],
      ['mean', 'number'],
      ['median', 'number'],
      ['std', 'number'],
      ['high (> 0.7)', 'int'],
      ['low (≤ 0.3)', 'int'],
    ]);
    // Median: the 5th customer is the one in 0.4–0.5, 4 below it: 0.4 + (5 − 4) / 1 · 0.1.
    expect(summary.rows).toEqual([{ customers: 10, mean: 0.5, median: 0.5, std: 0.3, high: 4, low: 4 }]);
    const histogram = block('Customers by engagement score', 'bars');
    expect(histogram.categories).toEqual(['0–0.1', '0.1–0.2', '0.2–0.3', '0.3–0.4', '0.4–0.5', '0.5–0.6', '0.6–0.7', '0.7–0.8', '0.8–0.9', '0.9–1']);
    expect(histogram.series).toEqual([{ name: 'customers', values: [2, 1, 1, 0, 1, 1, 0, 1, 2, 1] }]);
  });

  it('tables events by type and the top transitions, most frequent first', () => {
    const events = block('Events by type', 'table');
    expect(events.columns.map((c) => c.label)).toEqual(['type', 'count']);
    expect(events.rows).toEqual([
      { type: 'page_view', count: 8 },
      { type: 'cart_add', count: 2 },
    ]);
    const transitions = block('Top transitions within a session', 'table');
    expect(transitions.columns.map((c) => c.label)).toEqual(['from → to', 'count']);
    expect(transitions.rows).toEqual([
      { transition: 'page_view → cart_add', count: 2 },
      { transition: 'cart_add → page_view', count: 1 },
    ]);
  });

  it('draws the categories as bars and tables their shares', () => {
    expect(block('Events by category', 'bars')).toMatchObject({ categories: ['shoes', 'hats'], series: [{ name: 'events', values: [3, 1] }], format: 'int' });
    const categories = block('Categories', 'table');
    expect(categories.columns.map((c) => [c.label, c.format])).toEqual([
      ['category', 'text'],
      ['events', 'int'],
      ['share', 'percent'],
    ]);
    expect(categories.rows).toEqual([
      { category: 'shoes', count: 3, share: 0.75 },
      { category: 'hats', count: 1, share: 0.25 },
    ]);
  });

  it('maps activity by local hour, Monday to Sunday by 0 to 23, and by hour alone', () => {
    const heatmap = block("Events by customers' local hour and weekday", 'heatmap');
    expect(heatmap.rows).toEqual(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']);
    expect(heatmap.columns).toHaveLength(24);
    expect([heatmap.columns[0], heatmap.columns[23]]).toEqual(['0', '23']);
    expect(heatmap.values[0]![9]).toBe(6);
    expect(heatmap.values[3]![14]).toBe(4);
    expect(heatmap.values.flat().reduce((a, b) => a + b, 0)).toBe(10);
    const byHour = block("Events by customers' local hour", 'bars');
    expect(byHour.categories).toEqual(heatmap.columns);
    expect(byHour.series[0]!.values.map((count, hour) => [hour, count]).filter(([, count]) => count! > 0)).toEqual([
      [9, 6],
      [14, 4],
    ]);
  });

  it('renders as text and HTML, and so does a report of an empty period', () => {
    const text = renderText(document);
    expect(text).toContain('\npage_view → cart_add      2\n');
    // Shades from 0 to 6 in five bands: 6 the darkest, 4 the fourth.
    const row = (label: string, hour: number, shade: string) => `\n${label}  ${HOURS.map((h) => (h === hour ? shade : '·').repeat(2)).join(' ')}\n`;
    expect(text).toContain(row('Monday   ', 9, '█'));
    expect(text).toContain(row('Thursday ', 14, '▓'));
    expect(renderHtml(document)).toContain('data-chart="heatmap"');
    const empty = behaviorPatternsDocument(behaviorPatterns({ now, periodDays: 7, behaviorDays: [], population: emptySegmentStats('*'), sequences: [], segments: [] }));
    expect(empty.blocks.filter((b) => b.kind === 'table').map((b) => b.rows.length)).toEqual([1, 0, 0, 0]);
    expect(renderText(empty)).toContain('Insights\n(no data)');
    expect(() => renderHtml(empty)).not.toThrow();
  });
});
