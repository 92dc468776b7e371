import { escapeHtml as e } from '../domain/html.ts';
import { heatColor, linearScale, seriesColor, type LinearScale } from './chart-scale.ts';
import { formatValue } from './format-value.ts';
import type { Block, ColumnFormat } from './report-document.ts';

/**
 * The charts of the HTML page as inline SVG, laid out here rather than by a script so the page needs
 * no JavaScript. Each data mark carries `data-value` (and a `<title>` tooltip); layout is in viewBox
 * units, so the page scales a chart down to a phone's width and never above its natural size.
 */

export type ChartBlock = Extract<Block, { kind: 'lines' | 'funnel' | 'bars' | 'heatmap' | 'intervals' }>;

/** `id` makes the chart's element ids unique on the page. */
export function chartSvg(block: ChartBlock, id: string): string {
  switch (block.kind) {
    case 'lines':
      return linesSvg(block, id);
    case 'funnel':
      return funnelSvg(block, id);
    case 'bars':
      return barsSvg(block, id);
    case 'heatmap':
      return heatmapSvg(block, id);
    case 'intervals':
      return intervalsSvg(block, id);
  }
}

const WIDTH = 520;
const FONT = 13;
/** A generous average glyph width at FONT px: labels are measured with it, since nothing here can measure text. */
const CHAR = 7.5;
const NO_DATA = 'No data';

function linesSvg(block: Extract<ChartBlock, { kind: 'lines' }>, id: string): string {
  const values = block.series.flatMap((series) => series.values.filter((value): value is number => value !== null));
  const scale = linearScale(values, { integer: block.format === 'int' });
  const tickLabels = scale.ticks.map((tick) => formatValue(tick, tickFormat(block.format)));
  const count = block.x.length;
  const top = 12;
  const bottom = top + 200;
  const left = Math.max(longest(tickLabels) * CHAR + 12, ((block.x[0]?.length ?? 0) * CHAR) / 2 + 4);
  const right = Math.max(16, ((block.x.at(-1)?.length ?? 0) * CHAR) / 2 + 4);
  const plotWidth = WIDTH - left - right;
  const x = (i: number) => left + (count === 1 ? plotWidth / 2 : (i * plotWidth) / (count - 1));
  const y = (value: number) => scale.at(value, bottom, top);
  // As many x labels as fit side by side, evenly spaced.
  const every = Math.ceil(count / Math.max(1, Math.floor(plotWidth / (longest(block.x) * CHAR + 12))));
  const parts = [
    ...scale.ticks.map((tick, i) => `<line class="grid${tick === 0 ? ' zero' : ''}" x1="${n(left)}" x2="${n(WIDTH - right)}" y1="${n(y(tick))}" y2="${n(y(tick))}"/><text x="${n(left - 8)}" y="${n(y(tick))}" text-anchor="end" dominant-baseline="middle">${e(tickLabels[i]!)}</text>`),
    ...block.x.flatMap((label, i) => (i % every === 0 ? [`<text x="${n(x(i))}" y="${n(bottom + 20)}" text-anchor="middle">${e(label)}</text>`] : [])),
    ...block.series.map((series, s) => {
      const color = seriesColor(s);
      let path = '';
      const points = series.values.map((value, i) => {
        if (value === null) return '';
        // After a null the line moves on without drawing: a gap where there is no value.
        path += `${i === 0 || series.values[i - 1] === null ? 'M' : 'L'}${n(x(i))} ${n(y(value))}`;
        return `<circle class="mark" cx="${n(x(i))}" cy="${n(y(value))}" r="3" fill="${color}" data-value="${value}"><title>${e(`${series.name}, ${block.x[i]}: ${formatValue(value, block.format)}`)}</title></circle>`;
      });
      return `<g data-series="${e(series.name)}">${path ? `<path d="${path}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"/>` : ''}${points.join('')}</g>`;
    }),
    values.length === 0 ? noData(left + plotWidth / 2, (top + bottom) / 2) : '',
  ];
  const description = `Line chart: ${block.series.map((series) => series.name).join(', ') || 'no series'} over ${count} points${count > 0 ? `, ${block.x[0]} to ${block.x.at(-1)}` : ''}.`;
  return svg(id, WIDTH, bottom + 32, block.title, description, parts.join(''));
}

/** Each funnel's name above its steps; bars against the funnel's largest step, labelled with the value and the share of the first step. */
function funnelSvg(block: Extract<ChartBlock, { kind: 'funnel' }>, id: string): string {
  const steps = block.funnels.flatMap((funnel) => funnel.steps);
  const stepText = (value: number, first: number) => `${formatValue(value)} (${formatValue(first > 0 ? value / first : null, 'percent')})`;
  const labelWidth = Math.min(180, longest(steps.map((step) => step.label)) * CHAR + 12);
  const textWidth = longest(block.funnels.flatMap((funnel) => funnel.steps.map((step) => stepText(step.value, funnel.steps[0]!.value)))) * CHAR + 8;
  const barWidth = Math.max(40, WIDTH - labelWidth - textWidth);
  const rowHeight = 24;
  let y = 4;
  const parts = block.funnels.map((funnel) => {
    const first = funnel.steps[0]?.value ?? 0;
    const largest = Math.max(0, ...funnel.steps.map((step) => step.value));
    const name = `<text class="heading" x="0" y="${n(y + 16)}">${fitted(funnel.name, Math.floor(WIDTH / CHAR))}</text>`;
    y += 24;
    const rows = funnel.steps.map((step) => {
      const width = largest > 0 ? (step.value / largest) * barWidth : 0;
      const row = [
        `<text x="${n(labelWidth - 8)}" y="${n(y + rowHeight / 2)}" text-anchor="end" dominant-baseline="middle">${fitted(step.label, Math.floor((labelWidth - 12) / CHAR))}</text>`,
        `<rect class="mark" x="${n(labelWidth)}" y="${n(y + 3)}" width="${n(width)}" height="${n(rowHeight - 6)}" rx="2" fill="${seriesColor(0)}" data-value="${step.value}"><title>${e(`${funnel.name}, ${step.label}: ${stepText(step.value, first)}`)}</title></rect>`,
        `<text x="${n(labelWidth + width + 6)}" y="${n(y + rowHeight / 2)}" dominant-baseline="middle">${e(stepText(step.value, first))}</text>`,
      ].join('');
      y += rowHeight;
      return row;
    });
    y += 12;
    return `<g data-funnel="${e(funnel.name)}">${name}${rows.join('')}</g>`;
  });
  if (block.funnels.length === 0) {
    parts.push(noData(WIDTH / 2, 24));
    y = 48;
  }
  const description = `Funnels: ${block.funnels.map((funnel) => `${funnel.name} (${funnel.steps.map((step) => `${step.label} ${formatValue(step.value)}`).join(', ')})`).join('; ') || 'none'}.`;
  return svg(id, WIDTH, y, block.title, description, parts.join(''));
}

/** Horizontal grouped bars: a group per category (long labels fit on the left), a bar per series, read from zero. */
function barsSvg(block: Extract<ChartBlock, { kind: 'bars' }>, id: string): string {
  const values = block.series.flatMap((series) => series.values);
  const labelWidth = Math.min(180, longest(block.categories) * CHAR + 12);
  const valueWidth = longest(values.map((value) => formatValue(value, block.format))) * CHAR + 8;
  const { scale, tickLabels } = sideBySideTicks(values, WIDTH - labelWidth - valueWidth, block.format);
  const left = Math.max(labelWidth, ((tickLabels[0]?.length ?? 0) * CHAR) / 2);
  const right = WIDTH - Math.max(valueWidth, (longest(tickLabels) * CHAR) / 2 + 2);
  const barHeight = block.series.length > 1 ? 16 : 22;
  const groupHeight = block.series.length * barHeight + 12;
  const top = 4;
  const bottom = top + Math.max(40, block.categories.length * groupHeight);
  const x = (value: number) => scale.at(value, left, right);
  const parts = [
    ...scale.ticks.map((tick, i) => `<line class="grid${tick === 0 ? ' zero' : ''}" x1="${n(x(tick))}" x2="${n(x(tick))}" y1="${n(top)}" y2="${n(bottom)}"/><text x="${n(x(tick))}" y="${n(bottom + 16)}" text-anchor="middle">${e(tickLabels[i]!)}</text>`),
    ...block.categories.map((category, c) => {
      const groupTop = top + c * groupHeight;
      const label = `<text x="${n(labelWidth - 8)}" y="${n(groupTop + (groupHeight - 12) / 2)}" text-anchor="end" dominant-baseline="middle">${fitted(category, Math.floor((labelWidth - 12) / CHAR))}</text>`;
      const bars = block.series.map((series, s) => {
        const value = series.values[c]!;
        const barTop = groupTop + s * barHeight;
        const [from, to] = [x(Math.min(0, value)), x(Math.max(0, value))];
        const shown = formatValue(value, block.format);
        return `<rect class="mark" x="${n(from)}" y="${n(barTop + 1)}" width="${n(to - from)}" height="${n(barHeight - 2)}" fill="${seriesColor(s)}" data-value="${value}"><title>${e(`${category}, ${series.name}: ${shown}`)}</title></rect><text class="value" x="${n(to + 4)}" y="${n(barTop + barHeight / 2)}" dominant-baseline="middle">${e(shown)}</text>`;
      });
      return `<g data-category="${e(category)}">${label}${bars.join('')}</g>`;
    }),
    values.length === 0 ? noData((left + right) / 2, (top + bottom) / 2) : '',
  ];
  const description = `Bar chart: ${block.series.map((series) => series.name).join(', ') || 'no series'} for ${block.categories.join(', ') || 'no categories'}.`;
  return svg(id, WIDTH, bottom + 24, block.title, description, parts.join(''));
}

/** A cell per row and column, darker for larger values, with a legend of five steps from the smallest value to the largest. */
function heatmapSvg(block: Extract<ChartBlock, { kind: 'heatmap' }>, id: string): string {
  const values = block.values.flat();
  const min = values.length > 0 ? Math.min(...values) : 0;
  const max = values.length > 0 ? Math.max(...values) : 0;
  const position = (value: number) => (max === min ? 0 : (value - min) / (max - min));
  const labelWidth = Math.min(160, longest(block.rows) * CHAR + 12);
  const columns = Math.max(1, block.columns.length);
  const cellWidth = Math.min(40, Math.max(14, (WIDTH - labelWidth) / columns));
  const cellHeight = 24;
  const top = 20;
  // Label every column whose label fits beside its neighbours; hours 0..23 need every other one.
  const every = Math.ceil((longest(block.columns) * CHAR + 6) / cellWidth);
  const parts = [
    ...block.columns.flatMap((label, c) => (c % every === 0 ? [`<text x="${n(labelWidth + (c + 0.5) * cellWidth)}" y="${n(top - 6)}" text-anchor="middle">${e(label)}</text>`] : [])),
    ...block.rows.map((label, r) => {
      const y = top + r * cellHeight;
      const cells = block.values[r]!.map(
        (value, c) =>
          `<rect class="mark" x="${n(labelWidth + c * cellWidth + 1)}" y="${n(y + 1)}" width="${n(cellWidth - 2)}" height="${n(cellHeight - 2)}" fill="${heatColor(position(value))}" data-value="${value}"><title>${e(`${label}, ${block.columns[c]}: ${formatValue(value)}`)}</title></rect>`,
      );
      return `<g data-row="${e(label)}"><text x="${n(labelWidth - 8)}" y="${n(y + cellHeight / 2)}" text-anchor="end" dominant-baseline="middle">${fitted(label, Math.floor((labelWidth - 12) / CHAR))}</text>${cells.join('')}</g>`;
    }),
  ];
  let legendTop = top + block.rows.length * cellHeight + 12;
  if (values.length === 0) {
    parts.push(noData(WIDTH / 2, legendTop + 12));
    legendTop += 32;
  }
  const legendStep = 72;
  // Legend swatches carry no data-value: they are not data marks.
  parts.push(
    ...[0, 0.25, 0.5, 0.75, 1].map((at, i) => {
      const x = labelWidth + i * legendStep;
      return `<rect x="${n(x)}" y="${n(legendTop)}" width="${n(legendStep - 4)}" height="10" fill="${heatColor(at)}"/><text x="${n(x + (legendStep - 4) / 2)}" y="${n(legendTop + 24)}" text-anchor="middle">${e(formatValue(min + at * (max - min)))}</text>`;
    }),
  );
  const width = Math.max(labelWidth + columns * cellWidth, labelWidth + 5 * legendStep) + 4;
  const description = `Heatmap of ${block.rows.length} rows (${block.rows.join(', ')}) by ${block.columns.length} columns (${block.columns.join(', ')}), values ${formatValue(min)} to ${formatValue(max)}.`;
  return svg(id, width, legendTop + 32, block.title, description, parts.join(''));
}

/** A row per item: its interval as a whisker with end caps, its estimate as a dot, on an axis through zero. */
function intervalsSvg(block: Extract<ChartBlock, { kind: 'intervals' }>, id: string): string {
  const values = block.items.flatMap((item) => [item.low, item.estimate, item.high]);
  const labelWidth = Math.min(180, longest(block.items.map((item) => item.label)) * CHAR + 12);
  const text = (item: (typeof block.items)[number]) => `${formatValue(item.estimate, block.format)} [${formatValue(item.low, block.format)}, ${formatValue(item.high, block.format)}]`;
  const valueWidth = longest(block.items.map(text)) * CHAR + 8;
  const { scale, tickLabels } = sideBySideTicks(values, WIDTH - labelWidth - valueWidth, block.format);
  const left = Math.max(labelWidth, ((tickLabels[0]?.length ?? 0) * CHAR) / 2);
  const right = WIDTH - Math.max(valueWidth, (longest(tickLabels) * CHAR) / 2 + 2);
  const rowHeight = 28;
  const top = 4;
  const bottom = top + Math.max(40, block.items.length * rowHeight);
  const x = (value: number) => scale.at(value, left, right);
  const color = seriesColor(0);
  const parts = [
    ...scale.ticks.map((tick, i) => `<line class="grid${tick === 0 ? ' zero' : ''}" x1="${n(x(tick))}" x2="${n(x(tick))}" y1="${n(top)}" y2="${n(bottom)}"/><text x="${n(x(tick))}" y="${n(bottom + 16)}" text-anchor="middle">${e(tickLabels[i]!)}</text>`),
    ...block.items.map((item, r) => {
      const y = top + r * rowHeight + rowHeight / 2;
      const [low, high] = [x(item.low), x(item.high)];
      return (
        `<g data-category="${e(item.label)}"><text x="${n(labelWidth - 8)}" y="${n(y)}" text-anchor="end" dominant-baseline="middle">${fitted(item.label, Math.floor((labelWidth - 12) / CHAR))}</text>` +
        `<line x1="${n(low)}" x2="${n(high)}" y1="${n(y)}" y2="${n(y)}" stroke="${color}" stroke-width="2"/>` +
        `<line x1="${n(low)}" x2="${n(low)}" y1="${n(y - 6)}" y2="${n(y + 6)}" stroke="${color}" stroke-width="2"/><line x1="${n(high)}" x2="${n(high)}" y1="${n(y - 6)}" y2="${n(y + 6)}" stroke="${color}" stroke-width="2"/>` +
        `<circle class="mark" cx="${n(x(item.estimate))}" cy="${n(y)}" r="4" fill="${color}" data-value="${item.estimate}" data-low="${item.low}" data-high="${item.high}"><title>${e(`${item.label}: ${text(item)}`)}</title></circle>` +
        `<text class="value" x="${n(Math.max(high, x(item.estimate)) + 6)}" y="${n(y)}" dominant-baseline="middle">${e(text(item))}</text></g>`
      );
    }),
    block.items.length === 0 ? noData((left + right) / 2, (top + bottom) / 2) : '',
  ];
  const description = `Estimates with intervals: ${block.items.map((item) => `${item.label} ${text(item)}`).join('; ') || 'none'}.`;
  return svg(id, WIDTH, bottom + 24, block.title, description, parts.join(''));
}

/** The most ticks (up to five) whose labels fit side by side along a horizontal axis `width` long. */
function sideBySideTicks(values: readonly number[], width: number, format: ColumnFormat | undefined): { scale: LinearScale; tickLabels: string[] } {
  for (let count = 5; ; count--) {
    const scale = linearScale(values, { count, integer: format === 'int' });
    const tickLabels = scale.ticks.map((tick) => formatValue(tick, tickFormat(format)));
    if (count === 1 || scale.ticks.length * (longest(tickLabels) * CHAR + 12) <= width) return { scale, tickLabels };
  }
}

/** Axis labels drop the cents: "200" reads faster than "200.00" and the marks carry the exact values. */
function tickFormat(format: ColumnFormat | undefined): ColumnFormat | undefined {
  return format === 'money' ? 'number' : format;
}

function svg(id: string, width: number, height: number, title: string, description: string, content: string): string {
  return (
    `<svg viewBox="0 0 ${n(width)} ${n(height)}" style="max-width:${n(width)}px" font-size="${FONT}" role="img" aria-labelledby="${id}-title ${id}-desc">` +
    `<title id="${id}-title">${e(title)}</title><desc id="${id}-desc">${e(description)}</desc>${content}</svg>`
  );
}

function noData(x: number, y: number): string {
  return `<text class="no-data" x="${n(x)}" y="${n(y)}" text-anchor="middle" dominant-baseline="middle">${NO_DATA}</text>`;
}

/** Escaped text cut to `chars` with an ellipsis; the full text stays readable as its tooltip. */
function fitted(text: string, chars: number): string {
  if (text.length <= chars) return e(text);
  return `${e(text.slice(0, Math.max(1, chars - 1)))}…<title>${e(text)}</title>`;
}

function longest(labels: readonly string[]): number {
  return Math.max(0, ...labels.map((label) => label.length));
}

/**
 * A coordinate for an SVG attribute, to 2 decimals. Throws on NaN or Infinity: a layout bug must fail
 * loudly, not draw a chart the browser silently drops.
 */
function n(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`chart layout produced ${value}`);
  return String(Math.round(value * 100) / 100);
}
