import type { Catalog } from '../../catalog/index.ts';
import type { Clock } from '../../domain/clock.ts';
import { emptyVariantCounters, variantScope, type ExperimentWinners, type VariantCounters } from '../../domain/experiments.ts';
import { experimentKey } from '../../domain/send-decision.ts';
import type { RollupStore } from '../../domain/ports.ts';
import { experimentsReport, type ExperimentsReport } from '../../domain/reports/experiments.ts';
import type { Experiment } from '../../domain/trigger-rules.ts';
import { stepRule } from '../run-sequence-step.ts';

/** Every experiment of the catalog, with the rule or sequence step (as the decision path names it) it is on. */
export function catalogExperiments(catalog: Pick<Catalog, 'rules' | 'sequences'>): Array<{ scopeId: string; experiment: Experiment }> {
  return [
    ...catalog.rules.flatMap((rule) => (rule.experiment ? [{ scopeId: rule.id, experiment: rule.experiment }] : [])),
    ...catalog.sequences.flatMap((sequence) =>
      sequence.steps.flatMap((step, index) => (step.experiment ? [{ scopeId: stepRule(sequence, index).id, experiment: step.experiment }] : [])),
    ),
  ];
}

/** One variant's counters over all its days. */
export async function variantCounters(rollups: Pick<RollupStore, 'days'>, scopeId: string, experimentId: string, variantId: string): Promise<VariantCounters> {
  const totals = emptyVariantCounters();
  for (const { counters } of await rollups.days(variantScope(scopeId, experimentId, variantId))) {
    for (const key of Object.keys(totals) as Array<keyof VariantCounters>) totals[key] += counters[key] ?? 0;
  }
  return totals;
}

export type ExperimentsReportDeps = { rollups: Pick<RollupStore, 'days'>; catalog: Pick<Catalog, 'rules' | 'sequences'>; clock: Clock; winners?: Pick<ExperimentWinners, 'find'> };

/** The experiments report: each variant's rollups (a Query each, in parallel). Reads only; never records a winner. */
export function makeExperimentsReport(deps: ExperimentsReportDeps) {
  return async function report(): Promise<ExperimentsReport> {
    const all = catalogExperiments(deps.catalog);
    const recorded = deps.winners ? await deps.winners.find(all.map(({ scopeId, experiment }) => experimentKey(scopeId, experiment.id))) : new Map();
    const experiments = await Promise.all(
      all.map(async ({ scopeId, experiment }) => {
        const counters = new Map(
          await Promise.all(experiment.variants.map(async (variant) => [variant.id, await variantCounters(deps.rollups, scopeId, experiment.id, variant.id)] as const)),
        );
        const winner = recorded.get(experimentKey(scopeId, experiment.id));
        return { scopeId, experiment, counters, ...(winner ? { recordedWinner: { variantId: winner.variantId, decidedAt: winner.decidedAt } } : {}) };
      }),
    );
    return experimentsReport({ experiments, now: deps.clock.now() });
  };
}
