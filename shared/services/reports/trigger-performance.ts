import type { Catalog } from '../../catalog/index.ts';
import type { Clock } from '../../domain/clock.ts';
import { windowHoursOf } from '../../domain/exposures.ts';
import type { RollupStore } from '../../domain/ports.ts';
import type { RollupIncrement } from '../../domain/reports/rollups.ts';
import { triggerPerformance, type TriggerDescription, type TriggerPerformanceReport } from '../../domain/reports/trigger-performance.ts';
import { stepRule } from '../run-sequence-step.ts';

export type ReportDeps = { rollups: Pick<RollupStore, 'days'>; catalog: Catalog; clock: Clock };

/** Every rule and every sequence step of the catalog: what the per-trigger rollups are kept for. */
export function triggerDescriptions(catalog: Catalog): TriggerDescription[] {
  return [
    ...catalog.rules.map((rule) => ({
      id: rule.id,
      kind: 'rule' as const,
      description: rule.description,
      active: rule.active,
      successMetrics: rule.successMetrics,
      ...(rule.startSequence ? { startsSequence: rule.startSequence } : {}),
      ...(rule.holdoutPercent > 0 ? { holdout: { windowHours: windowHoursOf(rule, catalog.settings.incrementalityWindowHours) } } : {}),
    })),
    ...catalog.sequences.flatMap((sequence) =>
      sequence.steps.map((_, index) => {
        const rule = stepRule(sequence, index);
        return { id: rule.id, kind: 'sequence_step' as const, description: rule.description, active: true, successMetrics: rule.successMetrics };
      }),
    ),
  ];
}

export const triggerIds = (catalog: Catalog): string[] => triggerDescriptions(catalog).map((trigger) => trigger.id);

/** The trigger-performance report: every rule and sequence step of the catalog, from their daily rollups (a Query each, in parallel). */
export function makeTriggerPerformanceReport(deps: ReportDeps) {
  const triggers = triggerDescriptions(deps.catalog);

  return async function report(): Promise<TriggerPerformanceReport> {
    const rollups = new Map<string, RollupIncrement[]>();
    await Promise.all(
      triggers.map(async (trigger) => {
        const days = await deps.rollups.days(trigger.id);
        if (days.length > 0) rollups.set(trigger.id, days);
      }),
    );
    return triggerPerformance({ triggers, rollups, now: deps.clock.now() });
  };
}
