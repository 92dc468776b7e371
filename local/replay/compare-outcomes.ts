import type { ReplayOutcome, TriggerOutcome } from './replay-outcome.ts';

/** The counts a comparison looks at, per trigger. */
const COMPARED = ['matched', 'fired', 'sequencesStarted', 'droppedPriority', 'sent', 'converted', 'revenue'] as const;
type Compared = (typeof COMPARED)[number];

export type TriggerDelta = {
  id: string;
  kind: TriggerOutcome['kind'];
  /** Alternative minus baseline. */
  delta: Record<Compared, number> & { suppressed: Record<string, number> };
  baseline: Pick<TriggerOutcome, Compared>;
  alternative: Pick<TriggerOutcome, Compared>;
};

export type OutcomeComparison = {
  baselineCatalog: string;
  alternativeCatalog: string;
  /** Only the triggers whose counts differ, in catalog order (baseline's, then any only the alternative has). */
  changed: TriggerDelta[];
  totals: Record<Compared, number> & { suppressed: Record<string, number> };
  /** One line for people, e.g. "the alternative catalog removes 312 sends and 41 conversions (revenue -1,204.50)". */
  summary: string;
};

/** How the alternative catalog's replay differs from the baseline's, over the same stream. */
export function compareOutcomes(baseline: ReplayOutcome, alternative: ReplayOutcome): OutcomeComparison {
  const ids = [...new Set([...baseline.triggers.map((t) => t.id), ...alternative.triggers.map((t) => t.id)])];
  const changed: TriggerDelta[] = [];
  for (const id of ids) {
    const before = baseline.triggers.find((t) => t.id === id);
    const after = alternative.triggers.find((t) => t.id === id);
    const kind = (before ?? after)!.kind;
    const delta = deltaOf(before, after);
    const differs = COMPARED.some((key) => delta[key] !== 0) || Object.keys(delta.suppressed).length > 0;
    if (differs) changed.push({ id, kind, delta, baseline: pick(before), alternative: pick(after) });
  }
  const totals = deltaOf(baseline.totals, alternative.totals);
  return { baselineCatalog: baseline.catalog, alternativeCatalog: alternative.catalog, changed, totals, summary: summarize(totals) };
}

type Counts = Pick<TriggerOutcome, Compared | 'suppressed'>;

function deltaOf(before: Counts | undefined, after: Counts | undefined): TriggerDelta['delta'] {
  const delta = Object.fromEntries(COMPARED.map((key) => [key, round2((after?.[key] ?? 0) - (before?.[key] ?? 0))])) as Record<Compared, number>;
  const reasons = new Set([...Object.keys(before?.suppressed.byReason ?? {}), ...Object.keys(after?.suppressed.byReason ?? {})]);
  const suppressed: Record<string, number> = {};
  for (const reason of [...reasons].sort()) {
    const change = (after?.suppressed.byReason[reason as keyof Counts['suppressed']['byReason']] ?? 0) - (before?.suppressed.byReason[reason as keyof Counts['suppressed']['byReason']] ?? 0);
    if (change !== 0) suppressed[reason] = change;
  }
  return { ...delta, suppressed };
}

function pick(outcome: TriggerOutcome | undefined): Pick<TriggerOutcome, Compared> {
  return Object.fromEntries(COMPARED.map((key) => [key, outcome?.[key] ?? 0])) as Pick<TriggerOutcome, Compared>;
}

function summarize(totals: TriggerDelta['delta']): string {
  if (totals.sent === 0 && totals.converted === 0 && totals.revenue === 0) return 'the alternative catalog sends the same emails, with the same conversions and revenue';
  const change = (count: number, noun: string) =>
    count === 0 ? `keeps the ${noun}s` : `${count < 0 ? 'removes' : 'adds'} ${Math.abs(count).toLocaleString('en-US')} ${noun}${Math.abs(count) === 1 ? '' : 's'}`;
  const money = totals.revenue.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `the alternative catalog ${change(totals.sent, 'send')} and ${change(totals.converted, 'conversion')} (revenue ${totals.revenue > 0 ? '+' : ''}${money})`;
}

const round2 = (value: number) => Math.round(value * 100) / 100;
