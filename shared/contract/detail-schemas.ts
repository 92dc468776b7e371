import * as z from 'zod';
import { envelopeShape } from './envelope.ts';
import { MAX_ARRAY_LENGTH, MAX_NESTING_DEPTH, MAX_OBJECT_KEYS, MAX_STRING_LENGTH } from './limits.ts';
import { type CatalogEventType, CATALOG_EVENT_TYPES, catalogPropertySchemas, CustomEventProperties } from './event-types.ts';

/**
 * The whole `Detail` per event type: the envelope plus that type's properties. These are what
 * parseBehaviorEvent validates and what events/generate-schemas.ts turns into JSON Schemas.
 */

/** The size guards (guards.ts) are not expressible in JSON Schema; the descriptions state them. */
export const GUARDS_NOTE =
  `Size guards on properties: strings at most ${MAX_STRING_LENGTH} characters, objects and arrays nested at most ` +
  `${MAX_NESTING_DEPTH} levels (properties is level 1), at most ${MAX_OBJECT_KEYS} keys per object and ` +
  `${MAX_ARRAY_LENGTH} items per array.`;

type PropertiesSchema = z.ZodType<Record<string, unknown>>;

function detailSchema(type: string, properties: PropertiesSchema) {
  // Types whose properties are all optional may omit `properties`; the others must send it.
  // jitless: a one-off probe at module load; compiling the schema's fast path here would only slow cold starts.
  const propertiesField = properties.safeParse({}, { jitless: true }).success ? properties.default({}) : properties;
  return z.strictObject({ ...envelopeShape, properties: propertiesField }).meta({
    title: `Nudge ${type} event Detail`,
    description: `The PutEvents Detail of a ${type} event. ${GUARDS_NOTE}`,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** subscribe needs an email address, at detail.email or at detail.properties.email. */
const SubscribeDetail = detailSchema('subscribe', catalogPropertySchemas.subscribe)
  .superRefine(
    (detail, ctx) => {
      // Runs even when other fields failed (so all errors are reported): read defensively.
      const propertiesEmail = isRecord(detail.properties) ? detail.properties.email : undefined;
      if (detail.email === undefined && propertiesEmail === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['email'],
          message: 'is required for subscribe: set detail.email or detail.properties.email',
        });
      }
    },
    { when: (payload) => isRecord(payload.value) },
  )
  .meta({
    // JSON Schema twin of the refinement above.
    anyOf: [{ required: ['email'] }, { required: ['properties'], properties: { properties: { required: ['email'] } } }],
  });

function buildCatalogDetailSchemas(): Record<CatalogEventType, z.ZodType<Record<string, unknown>>> {
  const schemas = {} as Record<CatalogEventType, z.ZodType<Record<string, unknown>>>;
  for (const type of CATALOG_EVENT_TYPES) {
    schemas[type] = type === 'subscribe' ? SubscribeDetail : detailSchema(type, catalogPropertySchemas[type]);
  }
  return schemas;
}

/** The `Detail` schema of each catalog type. */
export const catalogDetailSchemas: Readonly<Record<CatalogEventType, z.ZodType<Record<string, unknown>>>> =
  buildCatalogDetailSchemas();

/** The `Detail` schema of a custom event type. */
export const CustomEventDetail = detailSchema('custom', CustomEventProperties).meta({
  title: 'Nudge custom event Detail',
  description: `The PutEvents Detail of a custom event: any snake_case DetailType outside the catalog; properties is any JSON object. ${GUARDS_NOTE}`,
});
