import { describe, expect, it } from 'vitest';
import type { Block, ReportDocument } from '#shared/presentation/report-document.ts';
import { renderHtml } from '#shared/presentation/render-html.ts';

const doc = (...blocks: Block[]): ReportDocument => ({ title: 'weekly report', subtitle: 'last 7 days', generatedAt: '2026-11-23T12:00:00.000Z', blocks });

/** Each chart figure's kind and markup, in page order. */
function figures(html: string): Array<{ kind: string; markup: string }> {
  return [...html.matchAll(/<figure class="block" data-chart="(\w+)">[\s\S]*?<\/figure>/g)].map((m) => ({ kind: m[1]!, markup: m[0] }));
}

/** The data-value of every data mark, in order. */
function marks(markup: string): string[] {
  return [...markup.matchAll(/data-value="([^"]*)"/g)].map((m) => m[1]!);
}

/** An attribute of every data mark, as numbers. */
function markAttribute(markup: string, attribute: string): number[] {
  return [...markup.matchAll(new RegExp(`<(?:rect|circle) class="mark"[^>]*? ${attribute}="([^"]*)"`, 'g'))].map((m) => Number(m[1]));
}

const lines: Block = { kind: 'lines', title: 'Opens', x: ['d1', 'd2', 'd3', 'd4'], series: [{ name: 'opened', values: [1, null, 3, 4] }, { name: 'clicked', values: [0, 2, 2, 1] }], format: 'int' };
const funnel: Block = {
  kind: 'funnel',
  title: 'Funnel',
  funnels: [
    { name: 'welcome', steps: [{ label: 'sent', value: 100 }, { label: 'delivered', value: 50 }, { label: 'opened', value: 0 }] },
    { name: 'idle', steps: [{ label: 'sent', value: 0 }, { label: 'delivered', value: 0 }] },
  ],
};
const bars: Block = { kind: 'bars', title: 'Attribution', categories: ['welcome', 'cart', 'winback'], series: [{ name: 'first_touch', values: [10, 5, 0] }, { name: 'last_touch', values: [8, 7, 1.5] }], format: 'money' };
const heatmap: Block = { kind: 'heatmap', title: 'Opens by hour', rows: ['Mon', 'Tue'], columns: ['0', '1', '2'], values: [[0, 5, 10], [10, 2, 8]] };

describe('renderHtml', () => {
  it('is one self-contained HTML5 page: inline style, no script, no external URL', () => {
    const html = renderHtml(doc({ kind: 'notes', title: 'Advice', items: [{ severity: 'info', text: 'fine' }] }, lines, funnel, bars, heatmap));
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html.match(/<style>/g)).toHaveLength(1);
    expect(html).not.toMatch(/https?:|<script|<link|<img|\bsrc=|\bhref=|url\(|@import/i);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('escapes every text from the document, in content and in attributes', () => {
    const evil = `<script>alert("x")</script>&'`;
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;';
    const html = renderHtml({
      title: evil,
      subtitle: evil,
      generatedAt: evil,
      blocks: [
        { kind: 'notes', title: evil, items: [{ severity: 'warning', text: evil }] },
        { kind: 'table', title: evil, columns: [{ key: 'k', label: evil }], rows: [{ k: evil }], footer: { k: evil } },
        { kind: 'lines', title: evil, x: [evil], series: [{ name: evil, values: [1] }, { name: 'b', values: [2] }] },
        { kind: 'funnel', title: evil, funnels: [{ name: evil, steps: [{ label: evil, value: 1 }] }] },
        { kind: 'bars', title: evil, categories: [evil], series: [{ name: evil, values: [1] }] },
        { kind: 'heatmap', title: evil, rows: [evil], columns: [evil], values: [[1]] },
      ],
    });
    expect(html).not.toContain('<script');
    expect(html).not.toContain('alert("x")');
    for (const context of [`<title>${escaped}</title>`, `<h1>${escaped}</h1>`, `<th scope="col">${escaped}</th>`, `<th scope="row">${escaped}</th>`, `<figcaption>${escaped}</figcaption>`, `data-series="${escaped}"`, `data-funnel="${escaped}"`, `data-category="${escaped}"`, `data-row="${escaped}"`, `datetime="${escaped}"`]) {
      expect(html).toContain(context);
    }
  });

  it('draws one figure per chart block, in order, each an SVG image with a title and a caption', () => {
    const html = renderHtml(doc({ kind: 'notes', title: 'N', items: [] }, lines, funnel, { kind: 'table', title: 'T', columns: [], rows: [] }, bars, heatmap));
    const found = figures(html);
    expect(found.map((f) => f.kind)).toEqual(['lines', 'funnel', 'bars', 'heatmap']);
    for (const [i, { markup }] of found.entries()) {
      const title = ['Opens', 'Funnel', 'Attribution', 'Opens by hour'][i]!;
      expect(markup).toContain(`<figcaption>${title}</figcaption>`);
      expect(markup).toMatch(new RegExp(`<svg viewBox="0 0 [\\d.]+ [\\d.]+" [^>]*role="img"[^>]*><title id="[\\w-]+">${title}</title><desc`));
    }
    expect(html.match(/<svg/g)).toHaveLength(4);
  });

  it('marks every data point with its value: non-null line points, funnel steps, bars, heatmap cells', () => {
    const [linesFigure, funnelFigure, barsFigure, heatmapFigure] = figures(renderHtml(doc(lines, funnel, bars, heatmap)));
    expect(marks(linesFigure!.markup)).toEqual(['1', '3', '4', '0', '2', '2', '1']);
    expect(marks(funnelFigure!.markup)).toEqual(['100', '50', '0', '0', '0']);
    expect(marks(barsFigure!.markup)).toEqual(['10', '8', '5', '7', '0', '1.5']);
    expect(marks(heatmapFigure!.markup)).toEqual(['0', '5', '10', '10', '2', '8']);
  });

  it('places marks by value: higher line points sit higher, funnel bars scale to the largest step, zero funnels stay flat', () => {
    const [linesFigure, funnelFigure] = figures(renderHtml(doc(lines, funnel)));
    const cy = markAttribute(linesFigure!.markup, 'cy');
    // opened: 1, 3, 4; clicked: 0, 2, 2, 1 (SVG y grows downwards)
    expect(cy[0]).toBeGreaterThan(cy[1]!);
    expect(cy[1]).toBeGreaterThan(cy[2]!);
    expect(cy[3]).toBeGreaterThan(cy[0]!);
    expect(cy[4]).toBe(cy[5]);
    const widths = markAttribute(funnelFigure!.markup, 'width');
    expect(widths[0]).toBeGreaterThan(0);
    expect(widths[1]).toBeCloseTo(widths[0]! / 2, 1);
    expect(widths.slice(2)).toEqual([0, 0, 0]);
  });

  it('leaves a gap in a line where a value is null', () => {
    const [linesFigure] = figures(renderHtml(doc(lines)));
    const paths = [...linesFigure!.markup.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]!);
    expect(paths.map((d) => d.match(/M/g)?.length)).toEqual([2, 1]);
    expect(paths.map((d) => d.match(/L/g)?.length ?? 0)).toEqual([1, 3]);
  });

  it('colors heatmap cells from light (min) to dark (max), equal values alike', () => {
    const [figure] = figures(renderHtml(doc(heatmap)));
    const fill = (value: string) => [...figure!.markup.matchAll(new RegExp(`fill="(#[0-9a-f]{6})" data-value="${value}"`, 'g'))].map((m) => m[1]);
    expect(fill('0')).toEqual(['#deebf7']);
    expect(fill('10')).toEqual(['#08306b', '#08306b']);
  });

  it('draws empty and all-zero charts without NaN or Infinity, saying there is no data', () => {
    const empty: Block[] = [
      { kind: 'lines', title: 'L', x: [], series: [] },
      { kind: 'lines', title: 'L', x: ['d1'], series: [{ name: 'a', values: [null] }] },
      { kind: 'funnel', title: 'F', funnels: [] },
      { kind: 'funnel', title: 'F', funnels: [{ name: 'f', steps: [] }] },
      { kind: 'bars', title: 'B', categories: [], series: [] },
      { kind: 'heatmap', title: 'H', rows: [], columns: [], values: [] },
    ];
    const zeros: Block[] = [
      { kind: 'lines', title: 'L', x: ['d1'], series: [{ name: 'a', values: [0] }], format: 'percent' },
      { kind: 'lines', title: 'L', x: ['d1', 'd2'], series: [{ name: 'a', values: [0, 0] }, { name: 'b', values: [0, 0] }], format: 'int' },
      { kind: 'funnel', title: 'F', funnels: [{ name: 'f', steps: [{ label: 'sent', value: 0 }] }] },
      { kind: 'bars', title: 'B', categories: ['c'], series: [{ name: 'a', values: [0] }] },
      { kind: 'heatmap', title: 'H', rows: ['r'], columns: ['c', 'd'], values: [[0, 0]] },
    ];
    const emptyHtml = renderHtml(doc(...empty));
    const zerosHtml = renderHtml(doc(...zeros));
    for (const html of [emptyHtml, zerosHtml]) {
      expect(html).not.toMatch(/NaN|Infinity|undefined/);
      for (const [, box] of html.matchAll(/viewBox="([^"]*)"/g)) expect(box).toMatch(/^0 0 \d+(\.\d+)? \d+(\.\d+)?$/);
    }
    expect(figures(emptyHtml).map((f) => f.markup.includes('>No data</text>'))).toEqual([true, true, true, false, true, true]);
    expect(figures(zerosHtml).map((f) => marks(f.markup).length)).toEqual([1, 4, 1, 1, 2]);
  });

  it('renders tables as real tables: scoped headers, formats applied, nulls as "-", totals in tfoot, inside a scrolling box', () => {
    const html = renderHtml(
      doc({
        kind: 'table',
        title: 'Rules',
        columns: [{ key: 'id', label: 'rule' }, { key: 'open', label: 'open', format: 'percent' }, { key: 'revenue', label: 'revenue', format: 'money' }, { key: 'lift', label: 'lift', format: 'signed_percent' }],
        rows: [{ id: 'welcome', open: 0.125, revenue: 12, lift: -0.03 }, { id: 'cart', open: null, revenue: 1.5, lift: 0.2 }],
        footer: { id: 'total', open: 0.1, revenue: 13.5, lift: null },
      }),
    );
    expect(html).toContain('<div class="table-scroll" role="region" aria-labelledby="block-1-title" tabindex="0">');
    expect(html).toContain('<thead><tr><th scope="col">rule</th><th scope="col" class="num">open</th><th scope="col" class="num">revenue</th><th scope="col" class="num">lift</th></tr></thead>');
    expect(html).toContain('<tr><th scope="row">welcome</th><td class="num">12.5%</td><td class="num">12.00</td><td class="num">-3.0%</td></tr>');
    expect(html).toContain('<tr><th scope="row">cart</th><td class="num">-</td><td class="num">1.50</td><td class="num">+20.0%</td></tr>');
    expect(html).toContain('<tfoot><tr><th scope="row">total</th><td class="num">10.0%</td><td class="num">13.50</td><td class="num">-</td></tr></tfoot>');
  });

  it('gives multi-series charts a legend, single-series charts none', () => {
    const [two, one] = figures(renderHtml(doc(bars, { ...bars, series: [bars.series[0]!] })));
    expect(two!.markup).toMatch(/<ul class="legend"><li><span class="swatch" style="background:#[0-9a-f]{6}"><\/span>first_touch<\/li><li>.*last_touch<\/li><\/ul>/);
    expect(one!.markup).not.toContain('class="legend"');
  });

  it('shows notes with their severity', () => {
    const html = renderHtml(doc({ kind: 'notes', title: 'Advice', items: [{ severity: 'critical', text: 'unsubscribes are up' }] }, { kind: 'notes', title: 'None', items: [] }));
    expect(html).toContain('<li class="note note-critical"><span class="severity">critical</span> unsubscribes are up</li>');
    expect(html).toContain('<p class="empty">Nothing to note.</p>');
  });

  it('rejects data that does not fit the chart, naming the block and the series', () => {
    expect(() => renderHtml(doc({ ...bars, series: [{ name: 'short', values: [1] }] }))).toThrow(new RangeError('bars block "Attribution": series "short" has 1 values for 3 categories'));
    expect(() => renderHtml(doc({ ...funnel, funnels: [{ name: 'f', steps: [{ label: 'sent', value: -1 }] }] }))).toThrow(
      new RangeError('funnel block "Funnel": funnel "f" step "sent" must be a finite count ≥ 0, got -1'),
    );
    expect(() => renderHtml(doc({ kind: 'table', title: 'T', columns: [], rows: [{ n: Number.POSITIVE_INFINITY }] }))).toThrow(new RangeError('table block "T": row 0 n must be finite, got Infinity'));
  });
});
