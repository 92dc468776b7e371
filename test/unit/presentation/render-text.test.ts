import { describe, expect, it } from 'vitest';
import { formatValue } from '#shared/presentation/format-value.ts';
import type { Block, ReportDocument } from '#shared/presentation/report-document.ts';
import { renderText } from '#shared/presentation/render-text.ts';

const doc = (...blocks: Block[]): ReportDocument => ({ title: 'weekly report', generatedAt: '2026-11-23T12:00:00.000Z', blocks });
/** The lines of the one block in a document, without the document's heading. */
const blockLines = (block: Block) => renderText(doc(block)).split('\n\n')[1]!.split('\n');

describe('formatValue', () => {
  it.each([
    [1200, 'int', '1200'],
    [2.5, 'int', '3'],
    [-0.4, 'int', '0'],
    [0.125, 'percent', '12.5%'],
    [1, 'percent', '100.0%'],
    [-0.0004, 'percent', '0.0%'],
    [0.125, 'signed_percent', '+12.5%'],
    [-0.03, 'signed_percent', '-3.0%'],
    [0, 'signed_percent', '0.0%'],
    [-0.0001, 'signed_percent', '0.0%'],
    [2, 'money', '2.00'],
    [1234.567, 'money', '1234.57'],
    [-0.001, 'money', '0.00'],
    [1 / 3, 'number', '0.33'],
    [5, undefined, '5'],
  ] as const)('formats %d as %s: %s', (value, format, expected) => {
    expect(formatValue(value, format)).toBe(expected);
  });

  it('shows null as "-" and strings as they are, whatever the format', () => {
    expect(formatValue(null, 'money')).toBe('-');
    expect(formatValue('n/a', 'percent')).toBe('n/a');
  });
});

describe('renderText', () => {
  it('starts with the title, the subtitle and when the report was generated', () => {
    const text = renderText({ title: 'weekly report', subtitle: 'last 7 days', generatedAt: '2026-11-23T12:00:00.000Z', blocks: [] });
    expect(text).toBe('weekly report\nlast 7 days\ngenerated 2026-11-23T12:00:00.000Z');
  });

  it('aligns tables, text left and numbers right, with formats applied, nulls as "-" and the footer under a rule', () => {
    const table: Block = {
      kind: 'table',
      title: 'Rules',
      columns: [
        { key: 'id', label: 'rule' },
        { key: 'sent', label: 'sent', format: 'int' },
        { key: 'open', label: 'open', format: 'percent' },
        { key: 'revenue', label: 'revenue', format: 'money' },
        { key: 'lift', label: 'lift', format: 'signed_percent' },
      ],
      rows: [
        { id: 'welcome', sent: 1200, open: 0.4567, revenue: 1234.5, lift: 0.125 },
        { id: 'cart', sent: 3, open: null, revenue: 0, lift: -0.03 },
      ],
      footer: { id: 'total', sent: 1203, open: 0.45, revenue: 1234.5, lift: null },
    };
    expect(blockLines(table)).toEqual([
      'Rules',
      'rule     sent   open  revenue    lift',
      '-------  ----  -----  -------  ------',
      'welcome  1200  45.7%  1234.50  +12.5%',
      'cart        3      -     0.00   -3.0%',
      '-------  ----  -----  -------  ------',
      'total    1203  45.0%  1234.50       -',
    ]);
  });

  it('right-aligns an unformatted column only when it holds numbers; a missing cell is "-"', () => {
    const table: Block = { kind: 'table', title: 'T', columns: [{ key: 'name', label: 'name' }, { key: 'n', label: 'n' }], rows: [{ name: 'a', n: 1.5 }, { name: 'bbb' }] };
    expect(blockLines(table)).toEqual(['T', 'name    n', '----  ---', 'a     1.5', 'bbb     -']);
  });

  it('says so when a table has no rows', () => {
    expect(blockLines({ kind: 'table', title: 'T', columns: [{ key: 'a', label: 'a' }], rows: [] })).toEqual(['T', 'a', '-', '(no data)']);
  });

  it('prints notes as [severity] text', () => {
    const notes: Block = { kind: 'notes', title: 'Advice', items: [{ severity: 'warning', text: 'opens are low' }, { severity: 'critical', text: 'unsubscribes are up' }] };
    expect(blockLines(notes)).toEqual(['Advice', '[warning] opens are low', '[critical] unsubscribes are up']);
    expect(blockLines({ kind: 'notes', title: 'Advice', items: [] })).toEqual(['Advice', '(no data)']);
  });

  it('draws a sparkline per series between its min and max, a gap for null, with min, max and last value', () => {
    const lines: Block = {
      kind: 'lines',
      title: 'Opens',
      x: ['d1', 'd2', 'd3', 'd4'],
      format: 'int',
      series: [
        { name: 'opened', values: [0, 7, null, 14] },
        { name: 'flat', values: [3, 3, 3, 3] },
        { name: 'empty', values: [null, null, null, null] },
      ],
    };
    // 0, 7 and 14 fall in the first, fifth and last of eight bands between 0 and 14.
    expect(blockLines(lines)).toEqual([
      'Opens',
      '        d1 to d4  min  max  last',
      'opened  ▁▅ █        0   14    14',
      'flat    ▁▁▁▁        3    3     3',
      'empty               -    -     -',
    ]);
    expect(blockLines({ kind: 'lines', title: 'Opens', x: [], series: [] })).toEqual(['Opens', '(no data)']);
  });

  it('lists each funnel step with its value and share of the first step ("-" when the first is 0)', () => {
    const funnel: Block = {
      kind: 'funnel',
      title: 'Funnel',
      funnels: [
        { name: 'welcome', steps: [{ label: 'sent', value: 200 }, { label: 'delivered', value: 190 }, { label: 'opened', value: 50 }] },
        { name: 'idle', steps: [{ label: 'sent', value: 0 }, { label: 'delivered', value: 0 }] },
      ],
    };
    expect(blockLines(funnel)).toEqual([
      'Funnel',
      'welcome',
      '  sent       200  100.0%',
      '  delivered  190   95.0%',
      '  opened      50   25.0%',
      'idle',
      '  sent         0       -',
      '  delivered    0       -',
    ]);
  });

  it('shows bars as a table of categories by series', () => {
    const bars: Block = { kind: 'bars', title: 'Revenue', categories: ['a', 'b'], format: 'money', series: [{ name: 'x', values: [1, 2] }, { name: 'y', values: [0.5, -1] }] };
    expect(blockLines(bars)).toEqual(['Revenue', '      x      y', '-  ----  -----', 'a  1.00   0.50', 'b  2.00  -1.00']);
  });

  it('shades heatmap cells in five bands from min to max, under short column labels, with a legend', () => {
    const heatmap: Block = { kind: 'heatmap', title: 'Opens by hour', rows: ['Mon', 'Tue'], columns: ['0', '1', '2'], values: [[0, 5, 10], [10, 2, 8]] };
    expect(blockLines(heatmap)).toEqual([
      'Opens by hour',
      '      0  1  2',
      'Mon  ·· ▒▒ ██',
      'Tue  ██ ░░ ██',
      'legend: · 0 to 2  ░ 2 to 4  ▒ 4 to 6  ▓ 6 to 8  █ 8 to 10',
    ]);
  });

  it('lists long heatmap column labels under the grid, and shades equal values alike', () => {
    const heatmap: Block = { kind: 'heatmap', title: 'H', rows: ['a'], columns: ['morning', 'evening'], values: [[3, 3]] };
    expect(blockLines(heatmap)).toEqual(['H', 'a  ·· ··', 'columns: morning, evening', 'legend: · 3']);
  });

  it('uses no terminal colors and separates blocks by a blank line', () => {
    const text = renderText(doc({ kind: 'notes', title: 'A', items: [{ severity: 'info', text: 'x' }] }, { kind: 'bars', title: 'B', categories: [], series: [] }));
    expect(text).not.toMatch(/\u001b\[/);
    expect(text.split('\n\n')).toEqual(['weekly report\ngenerated 2026-11-23T12:00:00.000Z', 'A\n[info] x', 'B\n(no data)']);
  });

  it('rejects a chart whose data does not fit its axes, naming the block and the series', () => {
    expect(() => renderText(doc({ kind: 'lines', title: 'Opens', x: ['d1', 'd2'], series: [{ name: 'opened', values: [1] }] }))).toThrow(
      new RangeError('lines block "Opens": series "opened" has 1 values for 2 x labels'),
    );
    expect(() => renderText(doc({ kind: 'heatmap', title: 'H', rows: ['a'], columns: ['x', 'y'], values: [[1, Number.NaN]] }))).toThrow(
      new RangeError('heatmap block "H": row "a" column "y" must be finite, got NaN'),
    );
  });
});
