import type { Catalog } from '../../catalog/index.ts';
import type { Clock } from '../../domain/clock.ts';
import type { RollupStore } from '../../domain/ports.ts';
import type { AttributionModel } from '../../domain/reports/attribution.ts';
import { attributionReport, type AttributionReport } from '../../domain/reports/attribution-report.ts';
import { daysOf, reportPeriod } from '../../domain/reports/period.ts';
import { triggerIds } from './trigger-performance.ts';

/**
 * The attribution report: the conversion log of each day of the window (one Query per day) and
 * what each rule and sequence step sent (one Query per trigger), all in parallel.
 */
export function makeAttributionReport(deps: { rollups: Pick<RollupStore, 'days' | 'conversions'>; catalog: Catalog; clock: Clock }) {
  const triggers = triggerIds(deps.catalog);
  return async function report(request: { days: number; model?: AttributionModel }): Promise<AttributionReport> {
    const now = deps.clock.now();
    const period = reportPeriod(now, request.days);
    const [conversions, sent] = await Promise.all([
      Promise.all(daysOf(period).map((day) => deps.rollups.conversions(day))).then((days) => days.flat()),
      Promise.all(triggers.map(async (id) => [id, (await deps.rollups.days(id, period)).reduce((sum, day) => sum + (day.counters.sent ?? 0), 0)] as const)),
    ]);
    return attributionReport({
      conversions,
      sentByRule: new Map(sent.filter(([, count]) => count > 0)),
      windowHours: deps.catalog.settings.attributionWindowHours,
      timeDecay: deps.catalog.settings.attributionTimeDecay,
      costPerThousandSends: deps.catalog.settings.costPerThousandSends,
      ...(request.model ? { model: request.model } : {}),
      now,
      days: request.days,
    });
  };
}
