import type { CellValue, ColumnFormat } from './report-document.ts';

/**
 * A value as both renderers print it: null as "-", numbers by their format (without one, up to 2
 * decimals), strings as they are. Percentages keep one decimal so that columns of rates line up.
 */
export function formatValue(value: CellValue, format?: ColumnFormat): string {
  if (value === null) return '-';
  if (typeof value === 'string') return value;
  switch (format) {
    case 'int':
      return String(Math.round(value));
    case 'percent':
      return `${fixed(value * 100, 1)}%`;
    case 'signed_percent': {
      const text = fixed(value * 100, 1);
      // The sign goes on what is shown: a lift of 0.00001 reads 0.0%, neither up nor down.
      return Number(text) > 0 ? `+${text}%` : `${text}%`;
    }
    case 'money':
      return fixed(value, 2);
    case 'text':
    case 'number':
    case undefined:
      return String(Math.round(value * 100) / 100);
  }
}

/** Whether a column holds numbers (right-aligned): by its format, or without one by its values. */
export function isNumericColumn(format: ColumnFormat | undefined, values: readonly CellValue[]): boolean {
  if (format !== undefined) return format !== 'text';
  const present = values.filter((value) => value !== null);
  return present.length > 0 && present.every((value) => typeof value === 'number');
}

/** toFixed without "-0.0": a value that rounds to zero has no sign. */
function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text;
}
