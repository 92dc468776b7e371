/**
 * The public event contract: what producers put on the bus, validated with zod. The one source of
 * truth for the JSON Schemas in events/schemas (npm run events:schemas) and for the ingest path.
 */
export * from './limits.ts';
export * from './primitives.ts';
export * from './event-types.ts';
export * from './envelope.ts';
export * from './detail-schemas.ts';
export * from './errors.ts';
export * from './guards.ts';
export * from './storable-numbers.ts';
export * from './parse-behavior-event.ts';
