import { formatValue, isNumericColumn } from './format-value.ts';
import { checkDocument, type Block, type CellValue, type ReportDocument } from './report-document.ts';

/**
 * A report for the terminal: aligned tables (text left, numbers right), notes as `[severity] text`,
 * and each chart in a few lines of plain text (sparklines, funnel steps with their share of the
 * first, a table of bars, a grid of shades). No colors: the output is often piped. Deterministic.
 */
export function renderText(doc: ReportDocument): string {
  checkDocument(doc);
  const head = [doc.title, ...(doc.subtitle ? [doc.subtitle] : []), `generated ${doc.generatedAt}`].join('\n');
  return [head, ...doc.blocks.map((block) => `${block.title}\n${blockBody(block)}`)].join('\n\n');
}

const EMPTY = '(no data)';
/** Eight heights for sparklines, five shades for heatmaps: lowest first. */
const SPARKS = '▁▂▃▄▅▆▇█';
const SHADES = '·░▒▓█';

function blockBody(block: Block): string {
  switch (block.kind) {
    case 'notes':
      return block.items.length === 0 ? EMPTY : block.items.map((item) => `[${item.severity}] ${item.text}`).join('\n');
    case 'table':
      return tableText(block);
    case 'lines':
      return linesText(block);
    case 'funnel':
      return funnelText(block);
    case 'bars':
      return barsText(block);
    case 'heatmap':
      return heatmapText(block);
    case 'intervals':
      return intervalsText(block);
  }
}

/** Each item's estimate and its interval, aligned. */
function intervalsText(block: Extract<Block, { kind: 'intervals' }>): string {
  if (block.items.length === 0) return EMPTY;
  const rows: GridRow[] = [['', 'estimate', 'low', 'high'], RULE, ...block.items.map((item) => [item.label, ...[item.estimate, item.low, item.high].map((value) => formatValue(value, block.format))])];
  return grid(rows, [false, true, true, true]);
}

function tableText(block: Extract<Block, { kind: 'table' }>): string {
  const all = [...block.rows, ...(block.footer ? [block.footer] : [])];
  const right = block.columns.map((column) => isNumericColumn(column.format, all.map((row) => row[column.key] ?? null)));
  const line = (row: Record<string, CellValue>) => block.columns.map((column) => formatValue(row[column.key] ?? null, column.format));
  const rows: GridRow[] = [block.columns.map((column) => column.label), RULE, ...block.rows.map(line)];
  if (block.footer) rows.push(RULE, line(block.footer));
  const lines = grid(rows, right).split('\n');
  // After the header and its rule, outside the grid: the marker must not widen the first column.
  if (block.rows.length === 0) lines.splice(2, 0, EMPTY);
  return lines.join('\n');
}

/** One sparkline per series, scaled between its own min and max, with those and its last value. */
function linesText(block: Extract<Block, { kind: 'lines' }>): string {
  if (block.x.length === 0 || block.series.length === 0) return EMPTY;
  const range = block.x.length === 1 ? block.x[0]! : `${block.x[0]} to ${block.x.at(-1)}`;
  const rows: GridRow[] = [['', range, 'min', 'max', 'last']];
  for (const series of block.series) {
    const present = series.values.filter((value): value is number => value !== null);
    const min = present.length > 0 ? Math.min(...present) : null;
    const max = present.length > 0 ? Math.max(...present) : null;
    const spark = series.values.map((value) => (value === null ? ' ' : SPARKS[level(value, min!, max!, SPARKS.length)]!)).join('');
    rows.push([series.name, spark, formatValue(min, block.format), formatValue(max, block.format), formatValue(present.at(-1) ?? null, block.format)]);
  }
  return grid(rows, [false, false, true, true, true]);
}

/** Each funnel's name, then its steps: the value and its share of the first step. */
function funnelText(block: Extract<Block, { kind: 'funnel' }>): string {
  if (block.funnels.length === 0) return EMPTY;
  const rows: GridRow[] = block.funnels.flatMap((funnel) => {
    const first = funnel.steps[0]?.value ?? 0;
    return [[funnel.name, '', ''], ...funnel.steps.map((step) => [`  ${step.label}`, formatValue(step.value), formatValue(first > 0 ? step.value / first : null, 'percent')])];
  });
  return grid(rows, [false, true, true]);
}

function barsText(block: Extract<Block, { kind: 'bars' }>): string {
  if (block.categories.length === 0 || block.series.length === 0) return EMPTY;
  const rows: GridRow[] = [['', ...block.series.map((series) => series.name)], RULE];
  block.categories.forEach((category, i) => rows.push([category, ...block.series.map((series) => formatValue(series.values[i]!, block.format))]));
  return grid(rows, [false, ...block.series.map(() => true)]);
}

/**
 * A grid of shades, one per cell, between the smallest and the largest value. Column labels head the
 * grid when they fit a cell (hours, weekdays' initials); longer ones are listed underneath instead.
 */
function heatmapText(block: Extract<Block, { kind: 'heatmap' }>): string {
  if (block.rows.length === 0 || block.columns.length === 0) return EMPTY;
  const values = block.values.flat();
  const min = Math.min(...values);
  const max = Math.max(...values);
  const longest = Math.max(...block.columns.map((label) => label.length));
  const width = longest <= 3 ? Math.max(2, longest) : 2;
  const rowWidth = Math.max(...block.rows.map((label) => label.length));
  const lines = block.rows.map((label, r) => `${label.padEnd(rowWidth)}  ${block.values[r]!.map((value) => SHADES[level(value, min, max, SHADES.length)]!.repeat(width)).join(' ')}`);
  if (longest <= 3) lines.unshift(`${''.padEnd(rowWidth)}  ${block.columns.map((label) => label.padStart(width)).join(' ')}`.trimEnd());
  else lines.push(`columns: ${block.columns.join(', ')}`);
  lines.push(`legend: ${shadeLegend(min, max)}`);
  return lines.join('\n');
}

function shadeLegend(min: number, max: number): string {
  if (min === max) return `${SHADES[0]} ${formatValue(min)}`;
  const step = (max - min) / SHADES.length;
  return [...SHADES].map((shade, i) => `${shade} ${formatValue(min + i * step)} to ${formatValue(min + (i + 1) * step)}`).join('  ');
}

/** Which of `levels` equal bands between min and max a value falls in; the lowest when min = max. */
function level(value: number, min: number, max: number, levels: number): number {
  if (max === min) return 0;
  return Math.min(levels - 1, Math.floor(((value - min) / (max - min)) * levels));
}

const RULE = 'rule';
type GridRow = string[] | typeof RULE;

/** Rows of cells padded to their column's width (right-aligned where `right` says), RULE as dashes. */
function grid(rows: readonly GridRow[], right: readonly boolean[]): string {
  const cells = rows.filter((row): row is string[] => row !== RULE);
  const widths = right.map((_, i) => Math.max(0, ...cells.map((row) => row[i]?.length ?? 0)));
  return rows
    .map((row) =>
      row === RULE
        ? widths.map((width) => '-'.repeat(width)).join('  ')
        : row.map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd(),
    )
    .join('\n');
}
