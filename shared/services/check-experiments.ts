import type { Catalog } from '../catalog/index.ts';
import type { Clock } from '../domain/clock.ts';
import { pickWinner, type ExperimentWinners, type RecordedWinner, type WinnerVerdict } from '../domain/experiments.ts';
import type { Log, RollupStore } from '../domain/ports.ts';
import { experimentKey } from '../domain/send-decision.ts';
import { catalogExperiments, variantCounters } from './reports/experiments.ts';

export type ExperimentCheckDeps = { rollups: Pick<RollupStore, 'days'>; winners: ExperimentWinners; catalog: Pick<Catalog, 'rules' | 'sequences'>; clock: Clock; log: Log };

export type ExperimentCheckOutcome = { scopeId: string; experimentId: string } & ({ type: 'already_decided'; variantId: string } | { type: 'recorded'; winner: RecordedWinner } | WinnerVerdict);

/**
 * The automatic winner check (a scheduled job, daily): for each experiment with `autoWinner` and no
 * recorded winner, its variants' rollups go through the pure winner logic; a winner is recorded
 * with its evidence and time, and the decision path gives it all traffic from then on.
 *
 * Not in a report (reading a report must never change what is sent) and not per stream batch in
 * the rollup updater (the verdict needs the sample, not the latest minute; the updater stays a pure
 * counter): daily, it costs one Query per variant per experiment still running.
 */
export function makeExperimentWinnerCheck(deps: ExperimentCheckDeps) {
  return async function checkExperiments(): Promise<ExperimentCheckOutcome[]> {
    const running = catalogExperiments(deps.catalog).filter(({ experiment }) => experiment.autoWinner !== undefined);
    if (running.length === 0) return [];
    const recorded = await deps.winners.find(running.map(({ scopeId, experiment }) => experimentKey(scopeId, experiment.id)));
    const now = deps.clock.now().toISOString();
    const outcomes: ExperimentCheckOutcome[] = [];
    for (const { scopeId, experiment } of running) {
      const ids = { scopeId, experimentId: experiment.id };
      const already = recorded.get(experimentKey(scopeId, experiment.id));
      if (already) {
        outcomes.push({ ...ids, type: 'already_decided', variantId: already.variantId });
        continue;
      }
      const variants = await Promise.all(experiment.variants.map(async (variant) => ({ id: variant.id, counters: await variantCounters(deps.rollups, scopeId, experiment.id, variant.id) })));
      const rule = experiment.autoWinner!;
      const verdict = pickWinner(variants, rule);
      if (verdict.type !== 'winner') {
        outcomes.push({ ...ids, ...verdict });
        continue;
      }
      const winner: RecordedWinner = {
        ...ids,
        variantId: verdict.variantId,
        decidedAt: now,
        metric: rule.metric,
        confidence: rule.confidence,
        minSendsPerVariant: rule.minSendsPerVariant,
        evidence: verdict.evidence,
        counters: Object.fromEntries(variants.map((variant) => [variant.id, variant.counters])),
      };
      if (await deps.winners.record(winner)) {
        deps.log.info('experiment winner recorded: it now gets all traffic', { scopeId, experimentId: experiment.id, variantId: verdict.variantId, metric: rule.metric });
        outcomes.push({ ...ids, type: 'recorded', winner });
      } else {
        const current = (await deps.winners.find([experimentKey(scopeId, experiment.id)])).get(experimentKey(scopeId, experiment.id));
        outcomes.push({ ...ids, type: 'already_decided', variantId: current?.variantId ?? verdict.variantId });
      }
    }
    return outcomes;
  };
}
