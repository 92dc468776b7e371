import type { Catalog } from '../../catalog/index.ts';
import type { Clock } from '../../domain/clock.ts';
import { windowHoursOf } from '../../domain/exposures.ts';
import type { RollupStore } from '../../domain/ports.ts';
import { incrementalityReport, type HoldoutTrigger, type IncrementalityReport } from '../../domain/reports/incrementality-report.ts';
import { reportPeriod } from '../../domain/reports/period.ts';
import type { RollupIncrement } from '../../domain/reports/rollups.ts';

/** The catalog's rules with a holdout; one that starts a sequence is reported as the sequence (its decision is the sequence's exposure). */
export function holdoutTriggers(catalog: Catalog): HoldoutTrigger[] {
  return catalog.rules
    .filter((rule) => rule.holdoutPercent > 0)
    .map((rule) => ({
      id: rule.id,
      kind: rule.startSequence ? ('sequence' as const) : ('rule' as const),
      ...(rule.startSequence ? { sequenceId: rule.startSequence } : {}),
      description: rule.description,
      holdoutPercent: rule.holdoutPercent,
      windowHours: windowHoursOf(rule, catalog.settings.incrementalityWindowHours),
    }));
}

/** With the global control group on: every marketing rule, each measured against the group (exposures.ts isMeasured). */
export function globalControlTriggers(catalog: Catalog): Array<Omit<HoldoutTrigger, 'holdoutPercent'>> {
  if (!(catalog.settings.globalControlPercent > 0)) return [];
  return catalog.rules
    .filter((rule) => !rule.transactional)
    .map((rule) => ({
      id: rule.id,
      kind: rule.startSequence ? ('sequence' as const) : ('rule' as const),
      ...(rule.startSequence ? { sequenceId: rule.startSequence } : {}),
      description: rule.description,
      windowHours: windowHoursOf(rule, catalog.settings.incrementalityWindowHours),
    }));
}

/** The incrementality report: each measured rule's daily rollups of the period (one Query each, in parallel). */
export function makeIncrementalityReport(deps: { rollups: Pick<RollupStore, 'days'>; catalog: Catalog; clock: Clock }) {
  const triggers = holdoutTriggers(deps.catalog);
  const globalTriggers = globalControlTriggers(deps.catalog);
  const ids = [...new Set([...triggers, ...globalTriggers].map((trigger) => trigger.id))];
  return async function report(request: { days: number; confidence?: number; minExposures?: number }): Promise<IncrementalityReport> {
    const now = deps.clock.now();
    const period = reportPeriod(now, request.days);
    const rollups = new Map<string, RollupIncrement[]>(await Promise.all(ids.map(async (id) => [id, await deps.rollups.days(id, period)] as [string, RollupIncrement[]])));
    return incrementalityReport({
      triggers,
      rollups,
      period,
      now,
      ...(request.confidence !== undefined ? { confidence: request.confidence } : {}),
      ...(request.minExposures !== undefined ? { minExposuresPerGroup: request.minExposures } : {}),
      ...(globalTriggers.length > 0 ? { globalControl: { percent: deps.catalog.settings.globalControlPercent, triggers: globalTriggers } } : {}),
    });
  };
}
