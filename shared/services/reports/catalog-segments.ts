import type { Catalog } from '../../catalog/index.ts';
import { segmentIdsOf } from '../../domain/segments.ts';

/** Every segment a customer can be in, as the reports list them: a family's bands one by one, under the family's description. */
export function catalogSegments(catalog: Catalog): Array<{ id: string; description: string }> {
  return catalog.segments.flatMap((definition) =>
    segmentIdsOf(definition).map((id) => ({ id, description: id === definition.id ? definition.description : `${definition.description} (${id})` })),
  );
}
