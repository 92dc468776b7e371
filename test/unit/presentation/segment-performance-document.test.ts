import { describe, expect, it } from 'vitest';
import type { RollupIncrement } from '#shared/domain/reports/rollups.ts';
import { segmentPerformance } from '#shared/domain/reports/segment-performance.ts';
import { renderHtml } from '#shared/presentation/render-html.ts';
import { renderText } from '#shared/presentation/render-text.ts';
import { checkDocument, type Block } from '#shared/presentation/report-document.ts';
import { segmentPerformanceDocument } from '#shared/presentation/segment-performance-document.ts';

const now = new Date('2026-11-23T12:00:00Z');
const day = (scope: string, date: string, counters: Record<string, number>): RollupIncrement => ({ scope, day: date, counters });

// As in the domain test: all sends 1,000 delivered, 250 opened, 50 clicked, 20 converted, 5 unsubscribed, 1,000.00 revenue.
const rollups = new Map<string, RollupIncrement[]>([
  [
    'segment:*',
    [
      day('segment:*', '2026-11-01', { sent: 510, delivered: 500, opened: 125, clicked: 25, converted: 10, unsubscribed: 5, revenue: 500, revenue_sq: 26_000 }),
      day('segment:*', '2026-11-23', { sent: 500, delivered: 500, opened: 125, clicked: 25, converted: 10, revenue: 500, revenue_sq: 26_000 }),
    ],
  ],
  ['segment:vip', [day('segment:vip', '2026-11-01', { sent: 202, delivered: 200, opened: 80, clicked: 20, converted: 10, unsubscribed: 4, revenue: 600, revenue_sq: 36_000 })]],
  ['segment:bargain', [day('segment:bargain', '2026-11-23', { sent: 100, delivered: 100, opened: 22, clicked: 4, converted: 1, revenue: 50, revenue_sq: 2_500 })]],
  ['segment:tiny', [day('segment:tiny', '2026-11-23', { sent: 10, delivered: 10, opened: 5 })]],
]);
const segments = [
  { id: 'tiny', description: 'Ten emails' },
  { id: 'bargain', description: 'Bargain hunters' },
  { id: 'vip', description: 'Big spenders' },
  { id: 'never', description: 'Nobody yet' },
];
const run = (input: ReadonlyMap<string, RollupIncrement[]>, list = segments) =>
  segmentPerformance({ segments: list, rollups: input, allScope: 'segment:*', scopeOf: (id) => `segment:${id}`, now, days: 30 });
const document = segmentPerformanceDocument(run(rollups));

function block<K extends Block['kind']>(index: number, kind: K): Extract<Block, { kind: K }> {
  const found = document.blocks[index];
  if (found?.kind !== kind) throw new Error(`expected block ${index} to be a ${kind}`);
  return found as Extract<Block, { kind: K }>;
}

describe('segmentPerformanceDocument', () => {
  it('ends with each segment’s priority and recommended actions from the catalog, for segments that have any', () => {
    const withActions = segments.map((s) => (s.id === 'vip' ? { ...s, priority: 'high', recommendedActions: ['loyalty_rewards', 'beta_access'] } : s));
    const last = segmentPerformanceDocument(run(rollups, withActions)).blocks.at(-1)!;
    expect(last).toMatchObject({
      kind: 'table',
      title: "What to send each segment (the catalog's recommended actions)",
      rows: [{ segment: 'vip', priority: 'high', actions: 'loyalty_rewards, beta_access' }],
    });
    expect(document.blocks.at(-1)!.title).toBe('Conversion rate: segment vs control');
  });

  it('names the period and the control group, and leads with every segment’s advice, then why some got none', () => {
    expect(document).toMatchObject({
      title: 'segment performance, last 30 days',
      subtitle: '2026-10-25 – 2026-11-23; each segment against its control group: everyone else mailed in the period',
      generatedAt: '2026-11-23T12:00:00.000Z',
    });
    expect(document.blocks.map((b) => [b.kind, b.title])).toEqual([
      ['notes', 'Recommendations'],
      ['table', 'Segments against their control group (segment / control / lift)'],
      ['table', 'Tests of the lifts'],
      ['bars', 'Open rate: segment vs control'],
      ['bars', 'Conversion rate: segment vs control'],
    ]);
    const items = block(0, 'notes').items;
    // vip: unsubscribes 4/200 against 1/800, +1,500 %. bargain: every lift below target (opens −13.16 %, clicks −21.74 %, ...).
    expect(items.map((item) => [item.severity, item.text.slice(0, item.text.indexOf(' '))])).toEqual([
      ['critical', 'vip:'],
      ['info', 'bargain:'],
      ['info', 'bargain:'],
      ['warning', 'bargain:'],
      ['warning', 'bargain:'],
      ['info', 'tiny:'],
      ['info', 'never:'],
    ]);
    expect(items[1]!.text).toBe('bargain: Opens are 13.16% below the control; aim for at least 10% above. Test more specific subject lines and preview text.');
    expect(items[5]!.text).toBe('tiny: too few emails to judge (10 delivered in the segment, 990 outside it; at least 30 each)');
    expect(items[6]!.text).toBe('never: too few emails to judge (0 delivered in the segment, 1000 outside it; at least 30 each)');
  });

  it('tables each segment’s rates against its control’s with the lift, most delivered first', () => {
    const table = block(1, 'table');
    expect(table.columns.map((c) => [c.label, c.format])).toEqual([
      ['segment', 'text'],
      ['delivered', 'int'],
      ['control delivered', 'int'],
      ['open', 'number'],
      ['click', 'number'],
      ['conversion', 'number'],
      ['revenue per email', 'number'],
      ['unsubscribe', 'number'],
    ]);
    // vip (200) against the other 800: opens 80 vs 170, lift 0.1875 / 0.2125; revenue 3.00 vs 400 / 800, lift 5; unsubscribes 4/200 vs 1/800, lift 15.
    // bargain (100) against 900: opens 22 vs 228 (25.3 %, lift −13.2 %), revenue 0.50 vs 950 / 900 = 1.06 (lift −52.6 %), no unsubscribes vs 5/900.
    // tiny (10) against 990: opens 245 / 990, which the report rounds to 0.2475 (24.8 %); the lift is from the counts, 0.25253 / 0.24747.
    // never: nothing delivered, so no rate and no lift; its control is everyone.
    expect(table.rows).toEqual([
      { segment: 'vip', delivered: 200, controlDelivered: 800, open: '40.0% / 21.3% / +88.2%', click: '10.0% / 3.8% / +166.7%', conversion: '5.0% / 1.3% / +300.0%', revenuePerRecipient: '3.00 / 0.50 / +500.0%', unsubscribe: '2.0% / 0.1% / +1500.0%' },
      { segment: 'bargain', delivered: 100, controlDelivered: 900, open: '22.0% / 25.3% / -13.2%', click: '4.0% / 5.1% / -21.7%', conversion: '1.0% / 2.1% / -52.6%', revenuePerRecipient: '0.50 / 1.06 / -52.6%', unsubscribe: '0.0% / 0.6% / -100.0%' },
      { segment: 'tiny', delivered: 10, controlDelivered: 990, open: '50.0% / 24.8% / +102.0%', click: '0.0% / 5.1% / -100.0%', conversion: '0.0% / 2.0% / -100.0%', revenuePerRecipient: '0.00 / 1.01 / -100.0%', unsubscribe: '0.0% / 0.5% / -100.0%' },
      { segment: 'never', delivered: 0, controlDelivered: 1000, open: '- / 25.0% / -', click: '- / 5.0% / -', conversion: '- / 2.0% / -', revenuePerRecipient: '- / 1.00 / -', unsubscribe: '- / 0.5% / -' },
    ]);
  });

  it('tables the test of every lift of the segments with deliveries on both sides', () => {
    const table = block(2, 'table');
    expect(table.columns.map((c) => c.label)).toEqual(['segment', 'metric', 'lift', 'p-value', 'confidence interval (difference)', 'significant']);
    expect(table.rows).toHaveLength(15);
    expect(table.rows.map((row) => `${row.segment} ${row.metric}`).slice(0, 6)).toEqual(['vip open', 'vip click', 'vip conversion', 'vip revenue per email', 'vip unsubscribe', 'bargain open']);
    // vip opens: z = 5.477 (p ≈ 4e-8); difference 0.1875 ± 1.96 · √(0.4·0.6/200 + 0.2125·0.7875/800) = 0.1875 ± 0.0736.
    expect(table.rows[0]).toEqual({ segment: 'vip', metric: 'open', lift: expect.closeTo(0.88235, 5), pValue: '< 0.001', interval: '+11.4% to +26.1%', significant: 'yes' });
    // vip revenue per email: Welch t = 2.5 / 0.94022 = 2.659 on 210.6 degrees of freedom, p = 0.008; 2.5 ± 1.971 · 0.94022, in money.
    expect(table.rows[3]).toEqual({ segment: 'vip', metric: 'revenue per email', lift: expect.closeTo(5, 9), pValue: '0.008', interval: '0.65 to 4.35', significant: 'yes' });
    // tiny opens, 5/10 against 245/990: pooled 0.25, z = 0.25253 / 0.13762 = 1.835, p = 0.067; 0.25253 ± 1.96 · 0.15871.
    expect(table.rows[10]).toEqual({ segment: 'tiny', metric: 'open', lift: expect.closeTo(1.020408, 5), pValue: '0.067', interval: '-5.9% to +56.4%', significant: 'no' });
  });

  it('draws the open and conversion rates of the segments with deliveries against their controls', () => {
    expect(document.blocks[3]).toEqual({
      kind: 'bars',
      title: 'Open rate: segment vs control',
      categories: ['vip', 'bargain', 'tiny'],
      series: [
        { name: 'segment', values: [0.4, 0.22, 0.5] },
        { name: 'control', values: [0.2125, 0.2533, 0.2475] },
      ],
      format: 'percent',
    });
    expect(block(4, 'bars').series).toEqual([
      { name: 'segment', values: [0.05, 0.01, 0] },
      { name: 'control', values: [0.0125, 0.0211, 0.0202] },
    ]);
  });

  it('renders as text and HTML', () => {
    expect(() => checkDocument(document)).not.toThrow();
    const text = renderText(document);
    expect(text).toContain('\n[critical] vip: Unsubscribes are 1500% higher than in the control');
    const vip = text.split('\n').find((line) => line.startsWith('vip  ') && line.includes(' / '));
    expect(vip?.split(/ {2,}/)).toEqual(['vip', '200', '800', '40.0% / 21.3% / +88.2%', '10.0% / 3.8% / +166.7%', '5.0% / 1.3% / +300.0%', '3.00 / 0.50 / +500.0%', '2.0% / 0.1% / +1500.0%']);
    expect(text).not.toContain('NaN');
    expect(renderHtml(document)).toContain('<figcaption>Open rate: segment vs control</figcaption>');
  });

  it('says plainly that there is nothing yet without deliveries or without segments, and that there is nothing to recommend', () => {
    const empty = segmentPerformanceDocument(run(new Map()));
    expect(empty.blocks).toEqual([{ kind: 'notes', title: 'Recommendations', items: [{ severity: 'info', text: 'No emails delivered in the period yet: nothing to compare.' }] }]);
    expect(renderText(empty)).toContain('\nRecommendations\n[info] No emails delivered in the period yet: nothing to compare.');
    expect(renderHtml(empty)).not.toContain('NaN');
    expect(segmentPerformanceDocument(run(rollups, [])).blocks[0]).toMatchObject({ items: [{ text: 'No segments yet: nothing to compare.' }] });
    // One segment whose every lift meets its target and whose unsubscribes do not rise: no advice.
    const good = new Map([
      ['segment:*', [day('segment:*', '2026-11-23', { delivered: 200, opened: 60, clicked: 20, converted: 6, unsubscribed: 2, revenue: 120, revenue_sq: 2_400 })]],
      ['segment:fans', [day('segment:fans', '2026-11-23', { delivered: 100, opened: 40, clicked: 15, converted: 5, unsubscribed: 1, revenue: 100, revenue_sq: 2_000 })]],
    ]);
    expect(segmentPerformanceDocument(run(good, [{ id: 'fans', description: 'Fans' }])).blocks[0]).toMatchObject({ items: [{ severity: 'info', text: 'No recommendations (segments compared: 1).' }] });
  });
});
