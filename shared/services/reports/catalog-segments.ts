import type { Catalog } from '../../catalog/index.ts';
import { segmentIdsOf, type SegmentPriority } from '../../domain/segments.ts';

export type CatalogSegment = { id: string; description: string; priority?: SegmentPriority; recommendedActions: string[] };

/**
 * Every segment a customer can be in, as the reports list them: a family's bands one by one, under
 * the family's description, each with its own priority and recommended actions.
 */
export function catalogSegments(catalog: Catalog): CatalogSegment[] {
  return catalog.segments.flatMap((definition) =>
    segmentIdsOf(definition).map((id) => {
      const own = definition.kind === 'family' ? definition.bands.find((band) => band.segment === id)! : definition;
      return {
        id,
        description: id === definition.id ? definition.description : `${definition.description} (${id})`,
        ...(own.priority !== undefined && { priority: own.priority }),
        recommendedActions: own.recommendedActions,
      };
    }),
  );
}
