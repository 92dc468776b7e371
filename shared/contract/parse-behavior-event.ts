import type * as z from 'zod';
import { CustomEventDetail, catalogDetailSchemas } from './detail-schemas.ts';
import { EventDetailType, EventSource } from './envelope.ts';
import { type FieldError, describeValue, issueMessage, issuesToFieldErrors } from './errors.ts';
import { isCatalogEventType } from './event-types.ts';
import { checkPropertyGuards } from './guards.ts';
import { withStorableNumbers } from './storable-numbers.ts';

/** A validated behavior event, as the ingest path sees it. */
export type BehaviorEvent = {
  /** The DetailType. */
  type: string;
  /** True when `type` is not a catalog type. */
  isCustom: boolean;
  /** The producer, e.g. `shop.web`. */
  source: string;
  eventId: string;
  customerId: string;
  /** ISO-8601 with an offset or Z, exactly as given. */
  occurredAt: string;
  email?: string;
  sessionId?: string;
  device?: string;
  /** Validated and normalised by the type's schema for catalog types; any JSON object for custom events. */
  properties: Record<string, unknown>;
};

export type ParseResult = { ok: true; event: BehaviorEvent } | { ok: false; errors: FieldError[] };

const PARSE_OPTIONS = { reportInput: true, error: issueMessage } as const;

type ParsedDetail = {
  eventId: string;
  customerId: string;
  occurredAt: string;
  email?: string | undefined;
  sessionId?: string | undefined;
  device?: string | undefined;
  properties: Record<string, unknown>;
};

/**
 * Validates one PutEvents entry (Source, DetailType, Detail object) against the public contract.
 * Collects every problem (source, detailType and all detail fields) rather than stopping at the
 * first, and never throws.
 */
export function parseBehaviorEvent(input: { source: unknown; detailType: unknown; detail: unknown }): ParseResult {
  try {
    return parseUnsafe(input);
  } catch (error) {
    // Defensive: exotic inputs (throwing getters, proxies) must not stop the batch around them.
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [{ field: 'detail', message: `could not be read: ${reason}` }] };
  }
}

function parseUnsafe(input: { source: unknown; detailType: unknown; detail: unknown }): ParseResult {
  const errors: FieldError[] = [];

  const source = EventSource.safeParse(input.source, PARSE_OPTIONS);
  if (!source.success) errors.push(...issuesToFieldErrors(source.error.issues, 'source'));

  const detailType = EventDetailType.safeParse(input.detailType, PARSE_OPTIONS);
  if (!detailType.success) errors.push(...issuesToFieldErrors(detailType.error.issues, 'detailType'));

  const type = detailType.success ? detailType.data : undefined;
  const isCustom = type === undefined || !isCatalogEventType(type);
  // With an unusable DetailType the envelope is still checked, so the producer sees every problem.
  const schema: z.ZodType<Record<string, unknown>> =
    type !== undefined && isCatalogEventType(type) ? catalogDetailSchemas[type] : CustomEventDetail;

  const detail = checkDetail(input.detail, schema, errors);
  if (errors.length > 0 || detail === undefined || !source.success || type === undefined) {
    return { ok: false, errors };
  }

  const event: BehaviorEvent = {
    type,
    isCustom,
    source: source.data,
    eventId: detail.eventId,
    customerId: detail.customerId,
    occurredAt: detail.occurredAt,
    // Every number kept is one every later write can store (storable-numbers.ts).
    properties: withStorableNumbers(detail.properties) as Record<string, unknown>,
  };
  if (detail.email !== undefined) event.email = detail.email;
  if (detail.sessionId !== undefined) event.sessionId = detail.sessionId;
  if (detail.device !== undefined) event.device = detail.device;
  return { ok: true, event };
}

function checkDetail(
  raw: unknown,
  schema: z.ZodType<Record<string, unknown>>,
  errors: FieldError[],
): ParsedDetail | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.push({
      field: 'detail',
      message: raw === undefined ? 'is required' : `expected a JSON object, got ${describeValue(raw)}`,
    });
    return undefined;
  }
  // A missing `properties` is checked as `{}`, so a type with required properties names them
  // (`detail.properties.cartValue: is required`) instead of just `detail.properties`.
  const detail = (raw as { properties?: unknown }).properties === undefined ? { ...raw, properties: {} } : raw;

  const guardErrors = checkPropertyGuards((detail as { properties: unknown }).properties);
  const parsed = schema.safeParse(detail, PARSE_OPTIONS);
  const schemaErrors = parsed.success ? [] : issuesToFieldErrors(parsed.error.issues, 'detail');
  // Report each problem once: inside a part that broke a size guard only the guard speaks; on the
  // very same field the schema's (more specific) message wins.
  const schemaFields = new Set(schemaErrors.map((error) => error.field));
  const belowGuard = (field: string): boolean => guardErrors.some((guard) => field.startsWith(`${guard.field}.`));
  errors.push(
    ...schemaErrors.filter((error) => !belowGuard(error.field)),
    ...guardErrors.filter((guard) => !schemaFields.has(guard.field)),
  );

  if (!parsed.success || guardErrors.length > 0) return undefined;
  return parsed.data as ParsedDetail;
}
