/**
 * Size limits of the public event contract. They keep one event (and so the profile update it
 * causes) bounded whatever a producer sends; events/README.md documents them.
 */

/** Longest string accepted anywhere inside `properties`. */
export const MAX_STRING_LENGTH = 2_000;
/** Objects and arrays nest at most this deep, counting `properties` itself as level 1. */
export const MAX_NESTING_DEPTH = 5;
/** Most keys one object inside `properties` (including `properties` itself) may have. */
export const MAX_OBJECT_KEYS = 100;
/** Most elements one array inside `properties` may have. */
export const MAX_ARRAY_LENGTH = 100;
/** Ids: eventId, customerId, orderId, productId, sendId ... */
export const MAX_ID_LENGTH = 256;
/** Longest email address (RFC 5321 path limit). */
export const MAX_EMAIL_LENGTH = 254;
/** Line items in `items` (cart_add, cart_abandon, checkout_start, purchase, refund). */
export const MAX_LINE_ITEMS = 100;
/** Longest DetailType, and longest Source (EventBridge allows 256 for both; we keep types short). */
export const MAX_DETAIL_TYPE_LENGTH = 64;
export const MAX_SOURCE_LENGTH = 256;
/**
 * The earliest `occurredAt` accepted: the Unix epoch. No real event is older, and the epoch-based
 * fields derived from it (TTLs, day numbers, `lastSeen` seconds) stay non-negative. There is no
 * upper bound: a future `occurredAt` is clock skew, applied at the processing time (events/README.md).
 */
export const EARLIEST_OCCURRED_AT = '1970-01-01T00:00:00Z';
/**
 * Largest money value (amount, cartValue, price, mrr), in the currency's main unit: one trillion.
 * Above any real order even in the largest-denominated currencies in use (1e12 VND is about
 * 40 million USD, 1e12 IDR about 60 million USD), and small enough that a square (1e24, for the
 * variance of revenue in the rollups) and any realistic sum stay far inside DynamoDB's numbers.
 */
export const MAX_MONEY = 1e12;
/** Longest duration in seconds (a page, a session, a video): one year. */
export const MAX_SECONDS = 365 * 24 * 3600;
/** Largest count (quantity, results, screens, uses): one billion. */
export const MAX_COUNT = 1e9;
