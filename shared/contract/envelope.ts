import * as z from 'zod';
import { CustomEventProperties } from './event-types.ts';
import { EARLIEST_OCCURRED_AT, MAX_DETAIL_TYPE_LENGTH, MAX_ID_LENGTH, MAX_SOURCE_LENGTH } from './limits.ts';
import { asMapKey, EmailAddress, Id, IsoDateTime, personal } from './primitives.ts';

/** Sources starting with this prefix are Nudge's own internal events; producers may not use it. */
export const RESERVED_SOURCE_PREFIX = 'nudge';

/** The PutEvents `Source`: the producer, e.g. `shop.web`. */
export const EventSource = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(MAX_SOURCE_LENGTH)
  .refine((source) => !source.startsWith(RESERVED_SOURCE_PREFIX), {
    error: `must not start with "${RESERVED_SOURCE_PREFIX}" (reserved for internal events); name the producer, e.g. shop.web`,
  });
export type EventSource = z.infer<typeof EventSource>;

export const DETAIL_TYPE_PATTERN = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** The PutEvents `DetailType`: the behavior type, snake_case. */
export const EventDetailType = z
  .string()
  .max(MAX_DETAIL_TYPE_LENGTH)
  .regex(DETAIL_TYPE_PATTERN, {
    error: 'must be snake_case: lower-case letters and digits in words joined by single underscores, e.g. cart_abandon',
  });
export type EventDetailType = z.infer<typeof EventDetailType>;

/** No control characters (C0, DEL, C1): ids end up in keys, logs and email headers. */
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001F\u007F-\u009F]*$/;

const EARLIEST_OCCURRED_AT_MS = Date.parse(EARLIEST_OCCURRED_AT);

/** A malformed date-time is reported by the format check alone (NaN passes here). */
const OccurredAt = IsoDateTime.refine((at) => !(Date.parse(at) < EARLIEST_OCCURRED_AT_MS), {
  error: `must not be before ${EARLIEST_OCCURRED_AT}`,
});

/**
 * The envelope fields of every `Detail`. Unknown envelope fields are rejected (a `cartValue` next to
 * `customerId` instead of inside `properties` would otherwise be silently lost).
 */
export const envelopeShape = {
  eventId: Id.describe('Producer-unique id of the event; the dedupe key (a redelivery changes nothing)'),
  customerId: Id.regex(NO_CONTROL_CHARACTERS, { error: 'must not contain control characters' }).describe(
    'Stable id of the customer in the producer system',
  ),
  occurredAt: OccurredAt.describe(
    `When it happened: ISO-8601 date-time with seconds and an offset or Z, not before ${EARLIEST_OCCURRED_AT}; a future one is applied at the processing time`,
  ),
  email: personal(EmailAddress.optional(), 'Email address; identify and subscribe carry it'),
  sessionId: Id.optional().describe('Session id'),
  device: asMapKey(Id).optional().describe('Device or platform, e.g. web, ios, android'),
} as const;

/** The `Detail` of any behavior event: the envelope with `properties` as any JSON object. */
export const BehaviorEventDetail = z.strictObject({
  ...envelopeShape,
  properties: CustomEventProperties.default({}),
});
export type BehaviorEventDetail = z.infer<typeof BehaviorEventDetail>;
