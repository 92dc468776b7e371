import type { ProportionTestResult } from '../domain/reports/significance.ts';
import { formatValue } from './format-value.ts';
import type { Block, CellValue, ColumnFormat } from './report-document.ts';

/** What a table shows of one test (a z-test of rates or Welch's test of means): both result types have these. */
export type SignificanceTest = Pick<ProportionTestResult, 'lift' | 'pValue' | 'confidenceInterval' | 'significant'>;

export const SIGNIFICANCE_COLUMNS = [
  { key: 'lift', label: 'lift', format: 'signed_percent' },
  // Preformatted cells, as 'number' for alignment: two decimals would show a p-value of 0.0004 as 0.
  { key: 'pValue', label: 'p-value', format: 'number' },
  { key: 'interval', label: 'confidence interval (difference)', format: 'text' },
  { key: 'significant', label: 'significant', format: 'text' },
] as const satisfies Extract<Block, { kind: 'table' }>['columns'];

/** The cells of SIGNIFICANCE_COLUMNS; the interval's bounds in the format of the difference (a rate's, a score's, money). */
export function significanceCells(test: SignificanceTest, differenceFormat: ColumnFormat): Record<(typeof SIGNIFICANCE_COLUMNS)[number]['key'], CellValue> {
  const interval = test.confidenceInterval;
  return {
    lift: test.lift,
    pValue: test.pValue === null ? null : test.pValue < 0.001 ? '< 0.001' : test.pValue.toFixed(3),
    interval: interval === null ? null : `${formatValue(interval[0], differenceFormat)} to ${formatValue(interval[1], differenceFormat)}`,
    significant: test.significant ? 'yes' : 'no',
  };
}
