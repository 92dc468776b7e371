import type { OutcomeComparison } from '#local/replay/compare-outcomes.ts';
import type { ReplayOutcome, TriggerOutcome } from '#local/replay/replay-outcome.ts';

/** A replay's outcome for people: the stream, then per rule and step what it did, suppressions and conflicts. */
export function renderOutcome(outcome: ReplayOutcome): string {
  const { stream, events } = outcome;
  const lines = [
    `Replayed ${events.put} events of ${stream.file} (${stream.from} .. ${stream.to}) with the ${outcome.catalog === 'shipped' ? 'shipped catalog' : `catalog ${outcome.catalog}`}`,
    `  ${events.acceptedByBus} accepted by the bus, ${events.refusedByBus} refused, ${events.rejectedAsMalformed} rejected as malformed; ${stream.skippedLines} lines skipped, ${stream.filteredOut} outside --from/--to`,
    '',
    table(
      ['rule / step', 'matched', 'fired', 'sent', 'suppressed', 'lost on priority', 'converted', 'revenue'],
      outcome.triggers
        .filter((t) => t.matched + t.fired + t.sent + t.suppressed.total > 0)
        .map((t) => [t.id, t.matched, t.fired, t.sent, t.suppressed.total, t.droppedPriority, t.converted, t.revenue.toFixed(2)]),
    ),
    '',
    `Suppressed, by reason: ${reasons(outcome.totals) || 'none'}`,
    `Conflicts (a rule that matched but lost to a higher-priority one): ${conflicts(outcome.triggers) || 'none'}`,
    `Sent ${outcome.totals.sent} emails (${outcome.emailsInSesStore} in the local SES store), ${outcome.totals.converted} conversions, revenue ${outcome.totals.revenue.toFixed(2)}`,
    ...incrementalLines([outcome]),
  ];
  return lines.join('\n');
}

/** Both outcomes' headline and the per-trigger difference. */
export function renderComparison(baseline: ReplayOutcome, alternative: ReplayOutcome, comparison: OutcomeComparison): string {
  const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
  return [
    `Replayed ${baseline.events.put} events of ${baseline.stream.file} with ${label(baseline.catalog)} (baseline) and ${label(alternative.catalog)} (alternative).`,
    `Baseline:    ${baseline.totals.sent} sent, ${baseline.totals.converted} conversions, revenue ${baseline.totals.revenue.toFixed(2)}`,
    `Alternative: ${alternative.totals.sent} sent, ${alternative.totals.converted} conversions, revenue ${alternative.totals.revenue.toFixed(2)}`,
    '',
    comparison.changed.length === 0
      ? 'No rule or step differs.'
      : table(
          ['rule / step', 'sent', 'fired', 'matched', 'lost on priority', 'converted', 'revenue', 'suppressed by reason'],
          comparison.changed.map(({ id, delta }) => [
            id,
            `${signed(delta.sent)}`,
            signed(delta.fired),
            signed(delta.matched),
            signed(delta.droppedPriority),
            signed(delta.converted),
            signed(delta.revenue),
            Object.entries(delta.suppressed).map(([reason, n]) => `${reason} ${signed(n)}`).join(', ') || '-',
          ]),
        ),
    '',
    `In short: ${comparison.summary}.`,
    ...incrementalLines([baseline, alternative]),
  ].join('\n');
}

/**
 * Attributed against incremental revenue of each rule with a holdout (one column pair per outcome):
 * attributed is the revenue its emails were credited with (last touch over every email sent within
 * the lookback; for a rule that starts a sequence, its sequence's step emails, whoever started them);
 * incremental is what the emails added over the held-out customers, with its 95% interval (an
 * interval spanning 0 is no evidence of an effect).
 */
function incrementalLines(outcomes: readonly ReplayOutcome[]): string[] {
  const ids = [...new Set(outcomes.flatMap((o) => o.triggers.filter((t) => t.incrementality).map((t) => t.id)))];
  if (ids.length === 0) return [];
  const money = (n: number) => n.toFixed(2);
  const names = outcomes.length === 1 ? [''] : [' (baseline)', ' (alternative)'];
  const header = ['rule with a holdout', ...names.flatMap((name) => [`attributed${name}`, `incremental [95% interval]${name}`, `verdict${name}`])];
  const rows = ids.map((id) => [
    id,
    ...outcomes.flatMap((o) => {
      const t = o.triggers.find((x) => x.id === id);
      const inc = t?.incrementality;
      const revenue = inc?.incrementalRevenue;
      return [t ? money(attributedOf(o, t)) : '-', revenue ? `${money(revenue.estimate)} [${money(revenue.low)}, ${money(revenue.high)}]` : '-', inc ? inc.verdict.replaceAll('_', ' ') : '-'];
    }),
  ]);
  return ['', 'Attributed and incremental revenue (incremental: treated against the holdout, decision days whose window had closed by the end):', table(header, rows)];
}

/** A rule's attributed revenue: its own emails', or for a rule that starts a sequence, that sequence's steps'. */
function attributedOf(outcome: ReplayOutcome, trigger: ReplayOutcome['triggers'][number]): number {
  if (!trigger.startsSequence) return trigger.revenue;
  const prefix = `seq_${trigger.startsSequence}__`;
  return outcome.triggers.filter((step) => step.kind === 'sequence_step' && step.id.startsWith(prefix)).reduce((sum, step) => sum + step.revenue, 0);
}

const label = (catalog: string) => (catalog === 'shipped' ? 'the shipped catalog' : catalog);

function reasons(totals: Pick<TriggerOutcome, 'suppressed'>): string {
  return Object.entries(totals.suppressed.byReason)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
}

function conflicts(triggers: TriggerOutcome[]): string {
  return triggers
    .filter((t) => t.droppedPriority > 0)
    .map((t) => `${t.id} ${t.droppedPriority}`)
    .join(', ');
}

function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n');
}
