import type { TriggerIncrementality, TriggerPerformanceReport, TriggerTotals } from '#shared/domain/reports/trigger-performance.ts';

/** What one trigger (a rule or a sequence step) did over a replay: the report's all-time counts, without rates. */
export type TriggerOutcome = { id: string; kind: 'rule' | 'sequence_step' } & Omit<TriggerTotals, 'rates'> & {
  /** A rule with a holdout: incremental against attributed revenue, over the decision days whose window closed by the replay's end. */
  incrementality?: TriggerIncrementality;
  /** The sequence a rule starts: its emails, and their attributed revenue, are that sequence's step rows. */
  startsSequence?: string;
};

/**
 * What a replay produced, read back through the system's own APIs. Only counts and the stream's
 * own times: two replays of the same file from a clean state must give an identical outcome.
 */
export type ReplayOutcome = {
  catalog: string;
  stream: { file: string; from: string | null; to: string | null; events: number; skippedLines: number; filteredOut: number };
  events: { put: number; acceptedByBus: number; refusedByBus: number; rejectedAsMalformed: number };
  /** Every rule and sequence step of the catalog, in catalog order. */
  triggers: TriggerOutcome[];
  totals: Omit<TriggerTotals, 'rates'>;
  /** The send ledger's records per trigger and status. */
  sendsByTrigger: Record<string, Record<string, number>>;
  emailsInSesStore: number;
};

/** The per-trigger part of an outcome, from the trigger-performance report of a system that saw nothing but the replay. */
export function triggersFromReport(report: TriggerPerformanceReport): Pick<ReplayOutcome, 'triggers' | 'totals'> {
  return {
    triggers: report.rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      ...withoutRates(row.allTime),
      ...(row.incrementality ? { incrementality: row.incrementality.allTime } : {}),
      ...(row.startsSequence ? { startsSequence: row.startsSequence } : {}),
    })),
    totals: withoutRates(report.totals.allTime),
  };
}

function withoutRates({ rates: _rates, ...counts }: TriggerTotals): Omit<TriggerTotals, 'rates'> {
  return counts;
}
