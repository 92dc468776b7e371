/** Output for people (aligned key/value tables) or machines (--json), one place for both. */
export function printResult(value: unknown, options: { json?: boolean }, toTable: (value: any) => string): void {
  console.log(options.json ? JSON.stringify(value, null, 2) : toTable(value));
}

export function keyValueTable(rows: Array<[string, unknown]>): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${key.padEnd(width)}  ${formatValue(value)}`).join('\n');
}

function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
