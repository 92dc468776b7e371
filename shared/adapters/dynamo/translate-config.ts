import type { marshallOptions, unmarshallOptions } from '@aws-sdk/util-dynamodb';

/**
 * How every Nudge adapter converts between JavaScript values and DynamoDB numbers.
 *
 * Every number Nudge writes is a JavaScript double, and `String(double)` (what the marshaller
 * sends) gives the double back exactly: at most 17 significant digits, well within DynamoDB's 38.
 * So a value above 2^53 loses nothing more by being written, and the SDK's default refusal of
 * "imprecise" numbers only turned legitimate values into failed writes after the work before them
 * was done (a sum of squared revenue in the rollups, a total above 2^53). Reading converts every
 * number to the nearest double too, never to a BigInt or an error, so what was written reads back
 * as the same double. What DynamoDB itself refuses (non-finite numbers, magnitudes below 1e-130 or
 * from 1e126 up) the event contract keeps out (shared/contract/storable-numbers.ts).
 *
 * `convertClassInstanceToMap`: the SDK tells a plain object from a class instance by its
 * `constructor` property, so a map with a producer key named "constructor" (a device, a category)
 * looks like an instance and would fail to marshal. Items are plain data checked by their zod
 * schemas before they are written, so every object is marshalled as a map.
 */
export const MARSHALL_OPTIONS: Readonly<marshallOptions> = Object.freeze({ removeUndefinedValues: true, convertClassInstanceToMap: true, allowImpreciseNumbers: true });
export const UNMARSHALL_OPTIONS: Readonly<unmarshallOptions> = Object.freeze({ wrapNumbers: (value: string) => Number(value) });

/**
 * The document client's translate config: `DynamoDBDocumentClient.from(client, DOCUMENT_TRANSLATE_CONFIG)`.
 * Its option objects are copies: `DynamoDBDocumentClient.from` writes `convertWithoutMapWrapper:
 * true` into the unmarshall options it is given, and had that been UNMARSHALL_OPTIONS itself, every
 * later `unmarshallRaw` of a raw item (a conflict's old profile, a stream image) would have read the
 * item's attribute names as type tags and failed ("Unsupported type passed: activity").
 */
export const DOCUMENT_TRANSLATE_CONFIG = { marshallOptions: { ...MARSHALL_OPTIONS }, unmarshallOptions: { ...UNMARSHALL_OPTIONS } };
