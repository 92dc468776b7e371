/**
 * Counts DynamoDB capacity units as DynamoDB itself reports them (ReturnConsumedCapacity), per
 * operation. The per-event request-unit figures in tests and benchmarks come from here.
 */
export type CapacityTotals = { requests: number; readUnits: number; writeUnits: number; byOperation: Record<string, number> };

export class CapacityMeter {
  private totals: CapacityTotals = emptyTotals();

  record(operation: string, consumed: unknown): void {
    this.totals.requests += 1;
    this.totals.byOperation[operation] = (this.totals.byOperation[operation] ?? 0) + 1;
    for (const entry of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      if (typeof entry !== 'object' || entry === null) continue;
      const { ReadCapacityUnits, WriteCapacityUnits, CapacityUnits } = entry as Record<string, unknown>;
      const read = typeof ReadCapacityUnits === 'number' ? ReadCapacityUnits : 0;
      const write = typeof WriteCapacityUnits === 'number' ? WriteCapacityUnits : 0;
      this.totals.readUnits += read;
      this.totals.writeUnits += write;
      // Older emulators report only CapacityUnits: attribute it by the operation's kind.
      if (read === 0 && write === 0 && typeof CapacityUnits === 'number') {
        if (/^(Get|Query|Scan|BatchGet|TransactGet)/.test(operation)) this.totals.readUnits += CapacityUnits;
        else this.totals.writeUnits += CapacityUnits;
      }
    }
  }

  snapshot(): CapacityTotals {
    return { ...this.totals, byOperation: { ...this.totals.byOperation } };
  }

  reset(): void {
    this.totals = emptyTotals();
  }
}

function emptyTotals(): CapacityTotals {
  return { requests: 0, readUnits: 0, writeUnits: 0, byOperation: {} };
}
