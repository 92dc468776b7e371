import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dynamoItemSize } from '#shared/adapters/dynamo/item-size.ts';
import { decodeProfileFields, encodeProfileItem, isPackedProfileItem, readableProfileItem } from '#shared/adapters/dynamo/profile-codec.ts';
import { parseProfile } from '#shared/adapters/dynamo/profile-repository.ts';
import { PROFILES_INDEX_KEY } from '#shared/adapters/dynamo/sparse-indexes.ts';
import { dailySeriesFor, defaultCatalog, segmentationOf, weeklySeriesFor } from '#shared/catalog/index.ts';
import type { BehaviorEvent } from '#shared/contract/index.ts';
import { evaluateProfile } from '#shared/domain/profile-evaluation.ts';
import { applyEvent, recordQueuedSend, type Profile } from '#shared/domain/profile.ts';
import { profileFromEvents } from '../support/build-profile.ts';

const options = { dailySeries: dailySeriesFor(defaultCatalog), weeklySeries: weeklySeriesFor(defaultCatalog), lastSeenTypes: new Set(['cart_add', 'page_view', 'purchase']) };
const segmentation = segmentationOf(defaultCatalog);
const START = Date.parse('2026-01-05T00:00:00Z');

/** Instants as producers send them: canonical, without milliseconds, with an offset. */
const instant = fc.tuple(fc.integer({ min: 0, max: 400 * 86_400_000 }), fc.constantFrom('iso', 'seconds', 'offset')).map(([offset, form]) => {
  const iso = new Date(START + offset).toISOString();
  if (form === 'iso') return iso;
  if (form === 'seconds') return iso.replace(/\.\d{3}Z$/, 'Z');
  return new Date(START + offset + 2 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+02:00');
});
const word = fc.constantFrom('shoes', 'linen', 'category_7', 'toString', 'constructor', 'raw', 'ünïcode ✓', 'a"quote', '');
const money = fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.double({ min: -500, max: 5000, noNaN: true, noDefaultInfinity: true }));
const lineItem = fc.record({ productId: fc.string({ minLength: 1, maxLength: 8 }), name: fc.option(fc.string({ maxLength: 80 }), { nil: undefined }), quantity: fc.integer({ min: 1, max: 5 }), price: fc.option(money, { nil: undefined }), category: fc.option(word, { nil: undefined }) }, { requiredKeys: ['productId', 'quantity'] });
const properties = fc.record(
  {
    url: fc.constantFrom('/p/1', 'https://shop.example/item/9', 'x'),
    pageType: fc.constantFrom('pricing', 'product', 'docs', 'blog', ''),
    category: word,
    categories: fc.array(fc.constantFrom('marketing', 'product_updates', 'transactional'), { maxLength: 2 }),
    productId: fc.string({ minLength: 1, maxLength: 6 }),
    name: fc.string({ maxLength: 60 }),
    price: money,
    durationSeconds: fc.integer({ min: 0, max: 900 }),
    cartValue: money,
    amount: money,
    currency: fc.constantFrom('EUR', 'USD'),
    items: fc.array(lineItem, { maxLength: 7 }),
    sendId: fc.string({ minLength: 1, maxLength: 10 }),
    ruleId: fc.constantFrom('cart_abandonment_1hour', 'welcome_new_subscriber'),
    ticketId: fc.constantFrom('t-1', 't-2', 't-3'),
    status: fc.constantFrom('open', 'pending', 'solved'),
    rating: fc.integer({ min: 1, max: 10 }),
    scale: fc.constantFrom(5, 10),
    score: fc.integer({ min: 0, max: 10 }),
    email: fc.constantFrom('a@example.com', 'b.c+tag@example.org'),
    firstName: fc.string({ maxLength: 20 }),
    lastName: fc.string({ maxLength: 20 }),
    timezone: fc.constantFrom('Europe/Berlin', 'America/New_York', 'Not/AZone'),
    preferredContactTime: fc.constantFrom('09:30', '18:00'),
    consent: fc.dictionary(fc.constantFrom('marketing', 'product_updates'), fc.constantFrom('subscribed', 'unsubscribed')),
  },
  { requiredKeys: [] },
);
const TYPES = ['identify', 'subscribe', 'unsubscribe', 'page_view', 'product_view', 'search', 'cart_add', 'cart_abandon', 'purchase', 'refund', 'email_open', 'email_click', 'support_ticket', 'support_rating', 'nps_response', 'app_session', 'subscription_cancel', 'subscription_change', 'download', 'x_custom', 'email_forward'];
const step = fc.record({
  type: fc.constantFrom(...TYPES),
  occurredAt: instant,
  processingDelayMs: fc.integer({ min: -3_600_000, max: 3 * 86_400_000 }),
  eventId: fc.string({ minLength: 1, maxLength: 12 }),
  sessionId: fc.option(fc.constantFrom('s-1', 's-2', 's-3'), { nil: undefined }),
  device: fc.option(fc.constantFrom('web', 'ios', 'toString'), { nil: undefined }),
  properties,
  evaluate: fc.boolean(),
  queueSend: fc.boolean(),
});
type StepInput = typeof step extends fc.Arbitrary<infer T> ? T : never;
const predictions = fc.record(
  {
    churn: fc.record({ probability: fc.double({ min: 0, max: 1, noNaN: true }), segment: fc.constantFrom('high', 'medium', 'low'), modelId: fc.constantFrom('heuristic-v1', 'rf-2026'), scoredAt: instant, snapshotAt: fc.option(instant, { nil: undefined }) }, { requiredKeys: ['probability', 'segment', 'modelId', 'scoredAt'] }),
    purchaseIntent: fc.record({ probability: fc.double({ min: 0, max: 1, noNaN: true }), modelId: fc.constant('heuristic-v1') }),
    value: fc.record({ predicted: fc.double({ min: 0, max: 1e6, noNaN: true }), potential: fc.constantFrom('high', 'medium', 'low'), modelId: fc.constant('rf') }),
    nextPurchase: fc.record({ days: fc.double({ min: 0, max: 400, noNaN: true }), segment: fc.constantFrom('imminent', 'near_term', 'long_term_nurture') }),
    interests: fc.array(fc.record({ category: word, score: fc.double({ min: 0, max: 1, noNaN: true }), source: fc.constantFrom('own', 'similar') }), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

/** The profile after a random stream, applied as ingest does (derived state on some events, queued sends, a scoring's predictions). */
function profileAfter(customerId: string, steps: ReadonlyArray<StepInput>, scored: Profile['predictions']): Profile | undefined {
  let profile: Profile | undefined;
  for (const s of steps) {
    const now = new Date(Math.max(0, Date.parse(s.occurredAt) + s.processingDelayMs));
    const event: BehaviorEvent = { type: s.type, isCustom: s.type === 'x_custom' || s.type === 'email_forward', source: 'shop.web', eventId: s.eventId, customerId, occurredAt: s.occurredAt, properties: s.properties, ...(s.sessionId ? { sessionId: s.sessionId } : {}), ...(s.device ? { device: s.device } : {}) };
    const change = applyEvent(profile, event, now, options);
    if (change.type !== 'applied') continue;
    let next = change.profile;
    if (s.evaluate) next = evaluateProfile({ profile: next, previous: profile, catalog: segmentation, now, triggerId: event.eventId, event }).profile;
    if (s.queueSend) next = recordQueuedSend(next, now, options.weeklySeries);
    profile = next;
  }
  return profile && { ...profile, predictions: scored, version: profile.eventCount };
}

const profiles = fc
  .tuple(fc.constantFrom('c-1', 'customer with spaces', 'ünïcode-✓', 'C#nested'), fc.array(step, { minLength: 1, maxLength: 60 }), predictions)
  // Plain objects, as events parsed from JSON are (fast-check's records have no prototype).
  .map(([customerId, steps, scored]) => profileAfter(customerId, structuredClone(steps), structuredClone(scored)))
  .filter((profile): profile is Profile => profile !== undefined);

describe('profile codec', () => {
  // toEqual: a key holding undefined is absent once stored (the marshaller drops it), as it always was.
  it('decode(encode(p)) deep-equals p for profiles built from random event streams, derived state and predictions included', () => {
    fc.assert(
      fc.property(profiles, (profile) => {
        const item = encodeProfileItem(profile);
        // -0 is stored as 0, as DynamoDB's number type always stored it (String(-0) is "0").
        const stored = JSON.parse(JSON.stringify(profile)) as Profile;
        expect(parseProfile(item)).toEqual(stored);
        // The stream image form (binary as base64, as Lambda delivers it) decodes the same.
        const image = { ...item, p: Buffer.from(item.p as Uint8Array).toString('base64') };
        expect(parseProfile(image)).toEqual(stored);
      }),
      { numRuns: 200 },
    );
  });

  it('the same property fails on a lossy codec (milliseconds dropped from an instant)', () => {
    const lossy = (profile: Profile) => {
      const item = encodeProfileItem({ ...profile, updatedAt: profile.updatedAt.replace(/\.\d{3}Z$/, '.000Z') });
      return parseProfile(item);
    };
    const result = fc.check(
      fc.property(profiles, (profile) => {
        expect(lossy(profile)).toEqual(profile);
      }),
      { numRuns: 200 },
    );
    expect(result.failed).toBe(true);
  });

  it('keeps fields the shape does not name (a field added to the profile later is never dropped)', () => {
    const profile = profileFromEvents('c-extra', [{ type: 'page_view', occurredAt: '2026-11-20T10:00:00.000Z', properties: { url: '/' } }]);
    const withExtra = { ...profile, futureField: { a: 1 }, commerce: { ...profile.commerce, futureCounter: 3 } } as unknown as Profile;
    expect(decodeProfileFields(encodeProfileItem(withExtra))).toEqual(withExtra);
  });

  it('keeps as plain attributes what queries, conditions, indexes and stream filters read', () => {
    const profile = { ...profileFromEvents('c-plain', [{ type: 'page_view', occurredAt: '2026-11-20T10:00:00.000Z', properties: { url: '/' } }]), version: 7 };
    const item = encodeProfileItem(profile);
    expect(item).toMatchObject({ pk: 'C#c-plain', sk: 'PROFILE', kind: 'profile', [PROFILES_INDEX_KEY]: 'C#c-plain', version: 7 });
    expect(isPackedProfileItem(item)).toBe(true);
  });

  it('keeps the outbox a plain attribute, which the UpdateItem that clears it can remove, and round-trips it', () => {
    const profile = profileFromEvents('c-outbox', [{ type: 'page_view', occurredAt: '2026-11-20T10:00:00.000Z', properties: { url: '/' } }]);
    const outbox = [{ at: '2026-11-20T10:00:00.000Z', events: [{ detailType: 'SegmentEntered', detail: { customerId: 'c-outbox', segmentId: 's', transitionId: 't1' } }], entered: [{ segmentId: 's', matchScore: 1 }], exited: [] }];
    const item = encodeProfileItem({ ...profile, outbox });
    expect(item.outbox).toEqual(outbox);
    expect(parseProfile(item)).toEqual({ ...profile, outbox });
    const { outbox: _removed, ...cleared } = item;
    expect(parseProfile(cleared)).toEqual(profile);
  });

  it('reads items written before the packed form (the profile as attributes) as before, and readers of raw items see one shape', () => {
    const profile = { ...profileFromEvents('c-old', [
      { type: 'identify', occurredAt: '2026-11-20T09:00:00Z', properties: { email: 'old@example.com', firstName: 'Old' } },
      { type: 'cart_add', occurredAt: '2026-11-20T10:00:00.000Z', properties: { cartValue: 12.5, items: [{ productId: 'sku-1', quantity: 1 }] } },
    ]), version: 4 };
    // Exactly what the store wrote before this format.
    const legacy = { pk: 'C#c-old', sk: 'PROFILE', kind: 'profile', [PROFILES_INDEX_KEY]: 'C#c-old', ...profile };
    expect(isPackedProfileItem(legacy)).toBe(false);
    expect(parseProfile(legacy)).toEqual(profile);
    expect(readableProfileItem(legacy)).toBe(legacy);
    // A packed item reads, for raw readers (erase, export, the rollups' stream images), as the legacy one did.
    expect(readableProfileItem(encodeProfileItem(profile))).toEqual(legacy);
  });

  it('a payload that does not unpack is a corrupt item, never a thrown error for raw readers', () => {
    const item = { ...encodeProfileItem(profileFromEvents('c-bad', [{ type: 'page_view', occurredAt: '2026-11-20T10:00:00.000Z', properties: {} }])), p: new Uint8Array([1, 2, 3, 4]) };
    expect(() => parseProfile(item)).toThrow(/does not unpack/);
    expect(readableProfileItem(item)).toBe(item);
    expect(() => parseProfile({ ...item, p: new Uint8Array([9, 0, 0, 0]) })).toThrow(/packed format 9/);
  });

  it('a profile item after a few ordinary events is far under 1 KB', () => {
    const profile = profileFromEvents('c-small', [
      { type: 'subscribe', occurredAt: '2026-11-20T09:00:00.000Z', properties: { email: 'small@example.com' } },
      { type: 'page_view', occurredAt: '2026-11-20T10:00:00.000Z', properties: { url: '/', pageType: 'pricing' } },
      { type: 'product_view', occurredAt: '2026-11-20T10:01:00.000Z', properties: { productId: 'sku-1', category: 'shoes' } },
    ]);
    expect(dynamoItemSize(encodeProfileItem(profile))).toBeLessThan(400);
  });
});
