/**
 * What a report shows, apart from how: reports build a ReportDocument, and one renderer per medium
 * (render-text.ts for the terminal, render-html.ts for a page with charts) draws any of them.
 */

export type { Severity } from '../domain/reports/segment-recommendations.ts';
import type { Severity } from '../domain/reports/segment-recommendations.ts';

/** null renders as "-" (and as a gap in a line chart). */
export type CellValue = string | number | null;

/**
 * How numbers read: `int` rounds, `number` keeps up to 2 decimals, `percent` turns 0.125 into 12.5%,
 * `money` shows 2 decimals, `signed_percent` is for lifts (+12.5%, -3.0%).
 */
export type ColumnFormat = 'text' | 'int' | 'number' | 'percent' | 'money' | 'signed_percent';

export type ReportDocument = { title: string; subtitle?: string; generatedAt: string; blocks: Block[] };

export type Block =
  | { kind: 'notes'; title: string; items: Array<{ severity: Severity; text: string }> }
  | { kind: 'table'; title: string; columns: Array<{ key: string; label: string; format?: ColumnFormat }>; rows: Array<Record<string, CellValue>>; footer?: Record<string, CellValue> }
  /** One value per x label and series; null where there is no value. */
  | { kind: 'lines'; title: string; x: string[]; series: Array<{ name: string; values: Array<number | null> }>; format?: ColumnFormat }
  /** Steps in order, each a count (≥ 0); shown against the first step. */
  | { kind: 'funnel'; title: string; funnels: Array<{ name: string; steps: Array<{ label: string; value: number }> }> }
  /** One value per category and series: grouped bars. */
  | { kind: 'bars'; title: string; categories: string[]; series: Array<{ name: string; values: number[] }>; format?: ColumnFormat }
  /** values[row][column]. */
  | { kind: 'heatmap'; title: string; rows: string[]; columns: string[]; values: number[][] }
  /** An estimate per category with its interval (low ≤ estimate ≤ high): a point with whiskers, read against zero. */
  | { kind: 'intervals'; title: string; items: Array<{ label: string; estimate: number; low: number; high: number }>; format?: ColumnFormat };

/**
 * Rejects a document the renderers would draw wrongly (a series shorter than its axis, a ragged
 * heatmap, a non-finite or negative count) with a RangeError naming the block and the field, so a
 * report's bug surfaces where it is made rather than as a broken chart.
 */
export function checkDocument(doc: ReportDocument): void {
  for (const block of doc.blocks) checkBlock(block);
}

function checkBlock(block: Block): void {
  const where = `${block.kind} block "${block.title}"`;
  switch (block.kind) {
    case 'notes':
      return;
    case 'table':
      for (const [index, row] of [...block.rows, ...(block.footer ? [block.footer] : [])].entries()) {
        for (const [key, value] of Object.entries(row)) {
          if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`${where}: row ${index} ${key} must be finite, got ${value}`);
        }
      }
      return;
    case 'lines':
      for (const series of block.series) {
        if (series.values.length !== block.x.length) throw new RangeError(`${where}: series "${series.name}" has ${series.values.length} values for ${block.x.length} x labels`);
        series.values.forEach((value, i) => {
          if (value !== null && !Number.isFinite(value)) throw new RangeError(`${where}: series "${series.name}" value ${i} must be finite or null, got ${value}`);
        });
      }
      return;
    case 'funnel':
      for (const funnel of block.funnels) {
        for (const step of funnel.steps) {
          if (!Number.isFinite(step.value) || step.value < 0) throw new RangeError(`${where}: funnel "${funnel.name}" step "${step.label}" must be a finite count ≥ 0, got ${step.value}`);
        }
      }
      return;
    case 'bars':
      for (const series of block.series) {
        if (series.values.length !== block.categories.length) throw new RangeError(`${where}: series "${series.name}" has ${series.values.length} values for ${block.categories.length} categories`);
        series.values.forEach((value, i) => {
          if (!Number.isFinite(value)) throw new RangeError(`${where}: series "${series.name}" value ${i} must be finite, got ${value}`);
        });
      }
      return;
    case 'intervals':
      for (const item of block.items) {
        if (![item.estimate, item.low, item.high].every(Number.isFinite) || item.low > item.estimate || item.estimate > item.high) {
          throw new RangeError(`${where}: "${item.label}" must be finite with low ≤ estimate ≤ high, got ${item.low}, ${item.estimate}, ${item.high}`);
        }
      }
      return;
    case 'heatmap':
      if (block.values.length !== block.rows.length) throw new RangeError(`${where}: ${block.values.length} value rows for ${block.rows.length} row labels`);
      block.values.forEach((row, r) => {
        if (row.length !== block.columns.length) throw new RangeError(`${where}: row "${block.rows[r]}" has ${row.length} values for ${block.columns.length} columns`);
        row.forEach((value, c) => {
          if (!Number.isFinite(value)) throw new RangeError(`${where}: row "${block.rows[r]}" column "${block.columns[c]}" must be finite, got ${value}`);
        });
      });
      return;
  }
}
