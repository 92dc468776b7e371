import { describe, expect, it } from 'vitest';
import type { RollupIncrement } from '#shared/domain/reports/rollups.ts';
import { triggerPerformance } from '#shared/domain/reports/trigger-performance.ts';
import { renderHtml } from '#shared/presentation/render-html.ts';
import { renderText } from '#shared/presentation/render-text.ts';
import { triggerPerformanceDocument } from '#shared/presentation/trigger-performance-document.ts';
import { TriggerRule } from '#shared/domain/trigger-rules.ts';

const now = new Date('2026-11-23T12:00:00Z');
const rollups = new Map<string, RollupIncrement[]>([
  [
    'welcome',
    [
      // Before the 30-day window (2026-10-25 to 2026-11-23): all time only.
      { scope: 'welcome', day: '2026-09-01', counters: { matched: 10, fired: 10, sent: 10, delivered: 9, opened: 5, revenue: 100 } },
      { scope: 'welcome', day: '2026-10-25', counters: { matched: 12, fired: 10, suppressed: 2, sent: 10, delivered: 8, opened: 4, clicked: 2, converted: 1, revenue: 40 } },
      { scope: 'welcome', day: '2026-11-23', counters: { matched: 8, fired: 8, sent: 8, delivered: 8, opened: 2, clicked: 1, converted: 1, revenue: 25.5 } },
    ],
  ],
  // Sent long ago, silent for 30 days: in the table (it has a history), without a funnel of zeros.
  ['old', [{ scope: 'old', day: '2026-01-10', counters: { matched: 3, fired: 3, sent: 3, delivered: 3 } }]],
]);
const report = triggerPerformance({
  triggers: [
    { id: 'welcome', kind: 'rule', description: 'welcome', active: true },
    { id: 'old', kind: 'rule', description: 'old', active: true },
    { id: 'never', kind: 'rule', description: 'never matched', active: true },
    { id: 'seq_x__s1', kind: 'sequence_step', description: 'step', active: false },
  ],
  rollups,
  now,
});
const document = triggerPerformanceDocument(report);

describe('triggerPerformanceDocument', () => {
  it('is titled with the 30-day window and dated by the report', () => {
    expect(document.title).toBe('trigger performance, last 30 days (2026-10-25 to 2026-11-23) and all time');
    expect(document.generatedAt).toBe('2026-11-23T12:00:00.000Z');
    expect(document.blocks.map((block) => block.kind)).toEqual(['lines', 'table', 'funnel', 'notes']);
  });

  it('draws the last 30 days of all triggers together, a point per day, sent to converted', () => {
    const lines = document.blocks[0]!;
    if (lines.kind !== 'lines') throw new Error('expected lines');
    expect(lines.title).toBe('Last 30 days');
    expect(lines.format).toBe('int');
    expect(lines.x).toHaveLength(30);
    expect([lines.x[0], lines.x[1], lines.x[29]]).toEqual(['2026-10-25', '2026-10-26', '2026-11-23']);
    // welcome on the first and the last day of the window, nothing in between ('old' sent before it).
    const between = Array.from({ length: 28 }, () => 0);
    expect(lines.series).toEqual([
      { name: 'sent', values: [10, ...between, 8] },
      { name: 'delivered', values: [8, ...between, 8] },
      { name: 'opened', values: [4, ...between, 2] },
      { name: 'clicked', values: [2, ...between, 1] },
      { name: 'converted', values: [1, ...between, 1] },
    ]);
  });

  it('has a row per trigger that ever matched or sent, with the last 30 days and all time, and the totals', () => {
    const table = document.blocks[1]!;
    if (table.kind !== 'table') throw new Error('expected a table');
    expect(table.columns.map((column) => column.label)).toEqual(['trigger', 'matched', 'fired', 'suppressed', 'sent', 'delivered', 'open', 'click', 'converted', 'revenue', 'all-time sent', 'all-time revenue']);
    // welcome, last 30 days: open 6/16, click 3/16; all time sent 28, revenue 165.5
    expect(table.rows).toEqual([
      { trigger: 'welcome', matched: 20, fired: 18, suppressed: 2, sent: 18, delivered: 16, open: 0.375, click: 0.1875, converted: 2, revenue: 65.5, allTimeSent: 28, allTimeRevenue: 165.5 },
      { trigger: 'old', matched: 0, fired: 0, suppressed: 0, sent: 0, delivered: 0, open: null, click: null, converted: 0, revenue: 0, allTimeSent: 3, allTimeRevenue: 0 },
    ]);
    expect(table.footer).toEqual({ trigger: 'total', matched: 20, fired: 18, suppressed: 2, sent: 18, delivered: 16, open: 0.375, click: 0.1875, converted: 2, revenue: 65.5, allTimeSent: 31, allTimeRevenue: 165.5 });
  });

  it('draws a funnel, sent to converted over the last 30 days, for each trigger that sent in them', () => {
    expect(document.blocks[2]).toEqual({
      kind: 'funnel',
      title: 'Last 30 days, from sent to converted',
      funnels: [
        {
          name: 'welcome',
          steps: [
            { label: 'sent', value: 18 },
            { label: 'delivered', value: 16 },
            { label: 'opened', value: 6 },
            { label: 'clicked', value: 3 },
            { label: 'converted', value: 2 },
          ],
        },
      ],
    });
  });

  it('names the triggers with no activity yet in a note, and leaves the note out when there are none', () => {
    expect(document.blocks[3]).toEqual({ kind: 'notes', title: 'Quiet triggers', items: [{ severity: 'info', text: 'no activity yet: never, seq_x__s1' }] });
    const busy = triggerPerformanceDocument({ ...report, rows: report.rows.filter((row) => row.id === 'welcome') });
    expect(busy.blocks.map((block) => block.kind)).toEqual(['lines', 'table', 'funnel']);
  });

  it('prints, for people, the title first and a line per active trigger starting with its id', () => {
    const text = renderText(document);
    expect(text).toMatch(/^trigger performance, last 30 days \(2026-10-25 to 2026-11-23\) and all time\n/);
    expect(text).toContain('\nwelcome       20     18           2    18         16  37.5%  18.8%          2    65.50             28            165.50\n');
    expect(text).toContain('\n[info] no activity yet: never, seq_x__s1');
    // Sparklines scaled 0..10 for sent: 10 at the top, 8 two steps of eight below it.
    expect(text).toContain(`\nsent       █${'▁'.repeat(28)}▇    0   10     8\n`);
  });

  it('renders as a page with the trend lines and the funnel as charts', () => {
    const html = renderHtml(document);
    expect(html).toContain('<figure class="block" data-chart="lines">\n<figcaption>Last 30 days</figcaption>');
    expect(html).toContain('data-chart="funnel"');
  });
});

describe("each rule's success metrics (the catalog's successMetrics, read by the report)", () => {
  const measured = triggerPerformance({
    triggers: [
      { id: 'welcome', kind: 'rule', description: 'welcome', active: true, successMetrics: ['email_open', 'email_click', 'purchase'] },
      { id: 'old', kind: 'rule', description: 'old', active: true, successMetrics: ['purchase'] },
      { id: 'never', kind: 'rule', description: 'never matched', active: true, successMetrics: ['email_open'] },
    ],
    rollups,
    now,
  });

  it('counts each named metric over the last 30 days, as a rate of delivered emails', () => {
    // welcome, last 30 days: delivered 16, opened 6, clicked 3, converted 2.
    const plain = { target: null, interval: null, verdict: null };
    expect(measured.rows.map((row) => [row.id, row.success])).toEqual([
      [
        'welcome',
        [
          { metric: 'email_open', count: 6, delivered: 16, rate: 0.375, ...plain },
          { metric: 'email_click', count: 3, delivered: 16, rate: 0.1875, ...plain },
          { metric: 'purchase', count: 2, delivered: 16, rate: 0.125, ...plain },
        ],
      ],
      ['old', [{ metric: 'purchase', count: 0, delivered: 0, rate: null, ...plain }]],
      ['never', [{ metric: 'email_open', count: 0, delivered: 0, rate: null, ...plain }]],
    ]);
    expect(measured.successCriteria).toEqual({ interval: 'wilson', confidence: 0.95, minDelivered: 100 });
  });

  it('shows them in their own table for the rules with activity', () => {
    const blocks = triggerPerformanceDocument(measured).blocks;
    const table = blocks.find((block) => block.kind === 'table' && block.title.startsWith("Each rule's success metrics"));
    if (table?.kind !== 'table') throw new Error('expected the success metrics table');
    const plain = { target: null, interval: '-', verdict: '-' };
    expect(table.rows).toEqual([
      { trigger: 'welcome', metric: 'email_open', count: 6, delivered: 16, rate: 0.375, ...plain },
      { trigger: 'welcome', metric: 'email_click', count: 3, delivered: 16, rate: 0.1875, ...plain },
      { trigger: 'welcome', metric: 'purchase', count: 2, delivered: 16, rate: 0.125, ...plain },
      { trigger: 'old', metric: 'purchase', count: 0, delivered: 0, rate: null, ...plain },
    ]);
    // No target anywhere: no verdicts to explain.
    expect(blocks.some((block) => block.title === 'Success metrics against their targets')).toBe(false);
  });

  it('a rule may name only what Nudge attributes to a send', () => {
    const rule = (successMetrics: string[]) => TriggerRule.safeParse({ id: 'r', description: 'r', priority: 1, templateId: 'welcome', trigger: { type: 'behavioral', eventType: 'purchase' }, successMetrics });
    expect(rule(['email_open', 'email_click', 'purchase']).success).toBe(true);
    expect(rule(['app_session']).success).toBe(false);
  });
});

describe('success metrics against their targets (rules and sequence steps)', () => {
  // Last 30 days: the rule delivered 400 (120 opens, 2 purchases), the step 50 (40 opens).
  const targeted = triggerPerformance({
    triggers: [
      { id: 'cart', kind: 'rule', description: 'cart', active: true, successMetrics: [{ metric: 'email_open', target: 0.4 }, { metric: 'purchase', target: 0.004 }, 'email_click'] },
      { id: 'seq_s__one', kind: 'sequence_step', description: 'step', active: true, successMetrics: [{ metric: 'email_open', target: 0.4 }] },
    ],
    rollups: new Map([
      ['cart', [{ scope: 'cart', day: '2026-11-20', counters: { matched: 400, fired: 400, sent: 400, delivered: 400, opened: 120, clicked: 40, converted: 2 } }]],
      ['seq_s__one', [{ scope: 'seq_s__one', day: '2026-11-20', counters: { matched: 50, fired: 50, sent: 50, delivered: 50, opened: 40 } }]],
    ]),
    now,
  });

  it('each metric with a target has its interval and verdict; one without has none', () => {
    const [cart, step] = targeted.rows;
    // 120 of 400 = 30 %: the 95 % Wilson interval (25.72 %, 34.66 %) is below 40 %.
    expect(cart!.success[0]).toEqual({ metric: 'email_open', count: 120, delivered: 400, rate: 0.3, target: 0.4, interval: { low: 0.2572, high: 0.3466 }, verdict: 'fail' });
    // 2 of 400 = 0.5 %: the interval (0.14 %, 1.8 %) holds the 0.4 % target.
    expect(cart!.success[1]).toMatchObject({ metric: 'purchase', rate: 0.005, target: 0.004, verdict: 'insufficient_data' });
    expect(cart!.success[2]).toMatchObject({ metric: 'email_click', rate: 0.1, target: null, interval: null, verdict: null });
    // The step: 80 % of 50 is far above 40 %, but 50 delivered are too few for a verdict.
    expect(step!.success).toEqual([{ metric: 'email_open', count: 40, delivered: 50, rate: 0.8, target: 0.4, interval: { low: 0.6696, high: 0.8876 }, verdict: 'insufficient_data' }]);
  });

  it('the document shows target, interval and verdict, warns of each failing metric and says how verdicts are read', () => {
    const document = triggerPerformanceDocument(targeted);
    const table = document.blocks.find((block) => block.kind === 'table' && block.title.startsWith("Each rule's success metrics"));
    if (table?.kind !== 'table') throw new Error('expected the success metrics table');
    expect(table.columns.map((column) => column.label)).toEqual(['trigger', 'success metric', 'count', 'delivered', 'rate', 'target', '95% interval', 'verdict']);
    expect(table.rows.map((row) => [row.trigger, row.metric, row.interval, row.verdict])).toEqual([
      ['cart', 'email_open', '25.72%–34.66%', 'fail'],
      ['cart', 'purchase', '0.14%–1.8%', 'insufficient data'],
      ['cart', 'email_click', '-', '-'],
      ['seq_s__one', 'email_open', '66.96%–88.76%', 'insufficient data'],
    ]);
    const notes = document.blocks.find((block) => block.title === 'Success metrics against their targets');
    if (notes?.kind !== 'notes') throw new Error('expected the verdict notes');
    expect(notes.items.filter((item) => item.severity === 'warning').map((item) => item.text)).toEqual(['cart email_open: 30% of 400 delivered (interval 25.72%–34.66%) is below its 40% target']);
    expect(notes.items.at(-1)!.text).toMatch(/95% Wilson score interval.*fewer than 100 emails were delivered/);
    const text = renderText(document);
    expect(text).toMatch(/cart +email_open +120 +400 +30(\.0)?% +40(\.0)?% +25\.72%–34\.66% +fail/);
    expect(renderHtml(document)).toContain('insufficient data');
  });

  it('a rule that starts a sequence and sent nothing itself is left out of the table: its steps are the rows to read', () => {
    const viaSteps = triggerPerformance({
      triggers: [
        { id: 'cart', kind: 'rule', description: 'cart', active: true, startsSequence: 'cart_recovery', successMetrics: ['purchase'] },
        { id: 'seq_cart_recovery__reminder', kind: 'sequence_step', description: 'step', active: true, successMetrics: ['purchase'] },
      ],
      rollups: new Map([
        ['cart', [{ scope: 'cart', day: '2026-11-20', counters: { matched: 10, fired: 10, sequences_started: 10 } }]],
        ['seq_cart_recovery__reminder', [{ scope: 'seq_cart_recovery__reminder', day: '2026-11-20', counters: { matched: 10, fired: 10, sent: 10, delivered: 10, converted: 1 } }]],
      ]),
      now,
    });
    expect(viaSteps.rows[0]!.startsSequence).toBe('cart_recovery');
    const blocks = triggerPerformanceDocument(viaSteps).blocks;
    const table = blocks.find((block) => block.kind === 'table' && block.title.startsWith("Each rule's success metrics"));
    if (table?.kind !== 'table') throw new Error('expected the success metrics table');
    expect(table.rows.map((row) => row.trigger)).toEqual(['seq_cart_recovery__reminder']);
    const notes = blocks.find((block) => block.title === 'Success metrics against their targets');
    if (notes?.kind !== 'notes') throw new Error('expected the notes');
    expect(notes.items).toEqual([{ severity: 'info', text: 'cart starts sequence cart_recovery: its emails and their metrics are the rows seq_cart_recovery__<step>' }]);
  });
});
