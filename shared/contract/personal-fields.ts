import type { z } from 'zod';
import { envelopeShape } from './envelope.ts';
import { CATALOG_EVENT_TYPES, catalogPropertySchemas } from './event-types.ts';

/** Whether the contract marked `schema` personal (primitives.ts `personal()`). */
function isPersonal(schema: z.ZodType): boolean {
  return (schema.meta() as { personal?: unknown } | undefined)?.personal === true;
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  return shape ?? {};
}

/**
 * The field names the event contract marks personal, read from the schemas themselves (so a new
 * personal field is redacted from logs the day it is added): on the envelope, and per event type in
 * `properties`.
 */
export const PERSONAL_ENVELOPE_FIELDS: ReadonlySet<string> = new Set(Object.entries(envelopeShape).filter(([, schema]) => isPersonal(schema)).map(([name]) => name));

export const PERSONAL_PROPERTY_FIELDS: ReadonlySet<string> = new Set(
  CATALOG_EVENT_TYPES.flatMap((type) =>
    Object.entries(shapeOf(catalogPropertySchemas[type]))
      .filter(([, schema]) => isPersonal(schema))
      .map(([name]) => name),
  ),
);
