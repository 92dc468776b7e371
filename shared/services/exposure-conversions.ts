import type { Catalog } from '../catalog/index.ts';
import { exposureSearchRange, exposuresConvertedBy, longestWindowHours, purchaseRevenue } from '../domain/exposures.ts';
import type { DecisionLog, Log } from '../domain/ports.ts';
import type { BehaviorEvent } from '../contract/index.ts';

/**
 * Incrementality's data path: a purchase converts every exposure (a held-out or sent decision of a
 * rule with a holdout) whose window contains it. One Query of the customer's decisions over the
 * longest window, then one conditional UpdateItem per exposure it converts; the purchase's event id
 * makes a redelivery add nothing. Nothing is read when no rule has a holdout. Returns how many
 * exposures this purchase newly converted.
 */
export async function recordExposureConversions(deps: { decisions: Pick<DecisionLog, 'decisionsBetween' | 'markConversion'>; catalog: Catalog; log: Log }, event: BehaviorEvent): Promise<number> {
  if (event.type !== 'purchase') return 0;
  const longest = longestWindowHours(deps.catalog);
  if (longest <= 0) return 0;
  const range = exposureSearchRange(event.occurredAt, longest);
  const decisions = await deps.decisions.decisionsBetween(event.customerId, range.from, range.to);
  const purchase = { purchaseId: event.eventId, purchasedAt: event.occurredAt, revenue: purchaseRevenue(event.properties.amount) };
  let marked = 0;
  for (const exposure of exposuresConvertedBy(decisions, event.occurredAt)) {
    if (await deps.decisions.markConversion(event.customerId, exposure.key, purchase)) marked += 1;
  }
  if (marked > 0) deps.log.info('purchase converted exposures', { eventId: event.eventId, exposures: marked });
  return marked;
}
