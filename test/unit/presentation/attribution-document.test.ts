import { describe, expect, it } from 'vitest';
import type { AttributionModel, TimeDecay } from '#shared/domain/reports/attribution.ts';
import { attributionReport } from '#shared/domain/reports/attribution-report.ts';
import type { ConversionLogEntry } from '#shared/domain/reports/rollups.ts';
import { attributionDocument } from '#shared/presentation/attribution-document.ts';
import { renderHtml } from '#shared/presentation/render-html.ts';
import { renderText } from '#shared/presentation/render-text.ts';
import { checkDocument, type Block, type ReportDocument } from '#shared/presentation/report-document.ts';

const now = new Date('2026-11-23T12:00:00Z');
const entry = (id: string, convertedAt: string, revenue: number, touches: ConversionLogEntry['touches']): ConversionLogEntry => ({
  day: convertedAt.slice(0, 10),
  id,
  customerId: `customer-${id}`,
  sendId: touches.at(-1)?.sendId ?? 's0',
  ruleId: touches.at(-1)?.ruleId ?? 'r0',
  convertedAt,
  revenue,
  touches,
});
// As in the domain test: three campaigns touched 48 h, 24 h and 6 h before a purchase of 100; two emails of one campaign before 50.
const conversions = [
  entry('k1', '2026-11-20T12:00:00Z', 100, [
    { sendId: 's1', ruleId: 'welcome', kind: 'open', at: '2026-11-18T12:00:00Z' },
    { sendId: 's2', ruleId: 'seq_cart_recovery__reminder', kind: 'open', at: '2026-11-19T12:00:00Z' },
    { sendId: 's3', ruleId: 'cart', kind: 'click', at: '2026-11-20T06:00:00Z' },
  ]),
  entry('k2', '2026-11-21T12:00:00Z', 50, [
    { sendId: 's4', ruleId: 'cart', kind: 'click', at: '2026-11-21T10:00:00Z' },
    { sendId: 's5', ruleId: 'cart', kind: 'open', at: '2026-11-21T11:00:00Z' },
  ]),
];
const sentByRule = new Map([
  ['welcome', 1000],
  ['cart', 500],
  ['seq_cart_recovery__reminder', 300],
  ['seq_cart_recovery__last_call', 200],
]);
const run = (input: { conversions?: ConversionLogEntry[]; sentByRule?: ReadonlyMap<string, number>; model?: AttributionModel; timeDecay?: TimeDecay } = {}) =>
  attributionDocument(
    attributionReport({
      conversions: input.conversions ?? conversions,
      sentByRule: input.sentByRule ?? sentByRule,
      windowHours: 72,
      costPerThousandSends: 0.1,
      now,
      days: 30,
      ...(input.model ? { model: input.model } : {}),
      ...(input.timeDecay ? { timeDecay: input.timeDecay } : {}),
    }),
  );
const document = run();

function block<K extends Block['kind']>(doc: ReportDocument, index: number, kind: K): Extract<Block, { kind: K }> {
  const found = doc.blocks[index];
  if (found?.kind !== kind) throw new Error(`expected block ${index} to be a ${kind}`);
  return found as Extract<Block, { kind: K }>;
}

describe('attributionDocument', () => {
  it('is titled with its period and sums up the conversions, the window and the ROI model', () => {
    expect(document).toMatchObject({ title: 'attribution, last 30 days (2026-10-25 to 2026-11-23)', generatedAt: '2026-11-23T12:00:00.000Z' });
    expect(document.blocks.map((b) => [b.kind, b.title])).toEqual([
      ['notes', 'Summary'],
      ['bars', 'Revenue by model'],
      ['table', 'Revenue (conversions) by campaign and model'],
      ['table', 'Return on sending cost (time decay)'],
      ['table', 'Newest conversions (2 of 2), credited by time decay'],
      ['table', 'Per model, per conversion'],
    ]);
    expect(block(document, 0, 'notes').items).toEqual([
      { severity: 'info', text: 'Conversions: 2, revenue 150.00.' },
      { severity: 'info', text: 'Lookback: 3 days; every email sent within it is a touch, an open or click a stronger one. 0 of the conversions had no email within it and are credited to no campaign.' },
      { severity: 'info', text: 'Time decay weighs a touch by a 7-day half-life (half the weight for each 7 days) before the conversion, twice for an open and four times for a click.' },
      { severity: 'info', text: 'ROI under the time decay model, at 0.10 per 1,000 sends.' },
    ]);
  });

  it("names document 000's curve when the catalog chooses it", () => {
    const texts = block(run({ timeDecay: { curve: 'exponential', days: 7 } }), 0, 'notes').items.map((item) => item.text);
    expect(texts).toContain("Time decay weighs a touch by e^(−days/7) (document 000's curve: half the weight every 4.85 days) before the conversion, twice for an open and four times for a click.");
  });

  it('compares the campaigns’ revenue under the five models in grouped bars', () => {
    // First touch: welcome 100, cart 50. Last touch: cart both. Linear: a third of 100 each, plus cart's 50.
    // Time decay (half-life 7 days) weighs 2 × 2^(−2/7), 2 × 2^(−1/7), 4 × 2^(−0.25/7) (open 2, click 4): 22.31, 24.63, 53.06 (+ 50).
    // Position based 40 / 20 / 40 (+ 50).
    expect(document.blocks[1]).toEqual({
      kind: 'bars',
      title: 'Revenue by model',
      categories: ['cart', 'seq_cart_recovery', 'welcome'],
      series: [
        { name: 'first touch', values: [50, 0, 100] },
        { name: 'last touch', values: [150, 0, 0] },
        { name: 'linear', values: [83.33, 33.33, 33.33] },
        { name: 'time decay', values: [103.06, 24.63, 22.31] },
        { name: 'position based', values: [90, 20, 40] },
      ],
      format: 'money',
    });
  });

  it('tables each campaign’s revenue and credited conversions per model', () => {
    const table = block(document, 2, 'table');
    expect(table.columns.map((c) => c.label)).toEqual(['campaign', 'first touch', 'last touch', 'linear', 'time decay', 'position based']);
    expect(table.rows).toEqual([
      { campaign: 'cart', first_touch: '50.00 (1)', last_touch: '150.00 (2)', linear: '83.33 (1.33)', time_decay: '103.06 (1.53)', position_based: '90.00 (1.4)' },
      { campaign: 'seq_cart_recovery', first_touch: '0.00 (0)', last_touch: '0.00 (0)', linear: '33.33 (0.33)', time_decay: '24.63 (0.25)', position_based: '20.00 (0.2)' },
      { campaign: 'welcome', first_touch: '100.00 (1)', last_touch: '0.00 (0)', linear: '33.33 (0.33)', time_decay: '22.31 (0.22)', position_based: '40.00 (0.4)' },
    ]);
  });

  it('tables the ROI of the chosen model with the totals, and the newest conversions with its credits', () => {
    const lastTouch = run({ model: 'last_touch' });
    const roi = block(lastTouch, 3, 'table');
    expect(roi.columns.map((c) => [c.label, c.format])).toEqual([
      ['campaign', 'text'],
      ['sends', 'int'],
      ['revenue', 'money'],
      ['cost', 'money'],
      ['ROI', 'signed_percent'],
    ]);
    // cart: 500 sends at 0.1 per 1,000 cost 0.05, earned 150: (150 − 0.05) / 0.05 = 2,999. The others earned nothing under last touch.
    expect(roi.rows).toEqual([
      { campaign: 'cart', sends: 500, revenue: 150, cost: 0.05, roi: 2999 },
      { campaign: 'seq_cart_recovery', sends: 500, revenue: 0, cost: 0.05, roi: -1 },
      { campaign: 'welcome', sends: 1000, revenue: 0, cost: 0.1, roi: -1 },
    ]);
    expect(roi.footer).toEqual({ campaign: 'total', sends: 2000, revenue: 150, cost: 0.2, roi: 749 });
    expect(block(lastTouch, 4, 'table').rows).toEqual([
      { time: '2026-11-21T12:00:00Z', customer: 'customer-k2', revenue: 50, touches: 2, credited: 'cart 100.0%' },
      { time: '2026-11-20T12:00:00Z', customer: 'customer-k1', revenue: 100, touches: 3, credited: 'cart 100.0%' },
    ]);
  });

  it('credits under the chosen model, shows "-" for an ROI without cost and counts conversions without touches', () => {
    // Welcome sent nothing in the period but earns a third of 100 under linear: revenue without cost, no ROI.
    const linear = run({ conversions: [...conversions, entry('k4', '2026-11-22T12:00:00Z', 20, [])], sentByRule: new Map([['cart', 500]]), model: 'linear' });
    expect(block(linear, 0, 'notes').items.map((item) => item.text)).toEqual([
      'Conversions: 3, revenue 170.00.',
      'Lookback: 3 days; every email sent within it is a touch, an open or click a stronger one. 1 of the conversions had no email within it and are credited to no campaign.',
      'Time decay weighs a touch by a 7-day half-life (half the weight for each 7 days) before the conversion, twice for an open and four times for a click.',
      'ROI under the linear model, at 0.10 per 1,000 sends.',
    ]);
    expect(block(linear, 3, 'table').rows.find((row) => row.campaign === 'welcome')).toEqual({ campaign: 'welcome', sends: 0, revenue: 33.33, cost: 0, roi: null });
    expect(block(linear, 4, 'table').rows.map((row) => [row.customer, row.credited])).toEqual([
      ['customer-k4', null],
      ['customer-k2', 'cart 100.0%'],
      ['customer-k1', 'welcome 33.3%, seq_cart_recovery 33.3%, cart 33.3%'],
    ]);
    const text = renderText(linear);
    expect(text.split('\n').find((line) => line.startsWith('welcome  ') && line.endsWith('-'))?.split(/ {2,}/)).toEqual(['welcome', '0', '33.33', '0.00', '-']);
    expect(text.split('\n').find((line) => line.startsWith('2026-11-22T12:00:00Z'))?.split(/ {2,}/)).toEqual(['2026-11-22T12:00:00Z', 'customer-k4', '20.00', '0', '-']);
  });

  it('tables each model’s conversions, revenue and averages per conversion, with the share of conversions without a touch', () => {
    const withUntouched = run({ conversions: [...conversions, entry('k4', '2026-11-22T12:00:00Z', 20, [])] });
    const table = block(withUntouched, 5, 'table');
    expect(table.columns.map((c) => c.label)).toEqual(['model', 'conversions credited', 'revenue credited', 'revenue per conversion', 'campaigns per conversion']);
    // Two conversions with touches (100 and 50): 75 each under every model; k1 is shared by 3 campaigns, k2 by 1.
    expect(table.rows).toEqual([
      { model: 'first touch', conversions: 2, revenue: 150, averageRevenue: 75, averageTouches: 1 },
      { model: 'last touch', conversions: 2, revenue: 150, averageRevenue: 75, averageTouches: 1 },
      { model: 'linear', conversions: 2, revenue: 150, averageRevenue: 75, averageTouches: 2 },
      { model: 'time decay', conversions: 2, revenue: 150, averageRevenue: 75, averageTouches: 2 },
      { model: 'position based', conversions: 2, revenue: 150, averageRevenue: 75, averageTouches: 2 },
    ]);
    expect(table.footer).toEqual({ model: 'no touch', conversions: 1, revenue: null, averageRevenue: null, averageTouches: '33.3% of conversions' });
    const text = renderText(withUntouched);
    expect(text).toContain('\nPer model, per conversion\n');
    expect(renderHtml(withUntouched)).toContain('revenue per conversion');
  });

  it('renders as text and HTML', () => {
    expect(() => checkDocument(document)).not.toThrow();
    const text = renderText(document);
    expect(text).toContain('\nRevenue by model\n');
    expect(text.split('\n').find((line) => line.startsWith('total  '))?.split(/ {2,}/)).toEqual(['total', '2000', '150.00', '0.20', '+74900.0%']);
    expect(text).not.toContain('NaN');
    expect(renderHtml(document)).toContain('<figcaption>Revenue by model</figcaption>');
  });

  it('says plainly that there is nothing yet without conversions', () => {
    const empty = run({ conversions: [] });
    expect(empty.blocks).toEqual([{ kind: 'notes', title: 'Summary', items: [{ severity: 'info', text: 'No conversions in the period yet: nothing to attribute.' }] }]);
    expect(renderText(empty)).toContain('\nSummary\n[info] No conversions in the period yet: nothing to attribute.');
    expect(renderHtml(empty)).not.toContain('NaN');
  });
});
