import { describe, expect, it } from 'vitest';
import {
  CATALOG_EVENT_TYPES,
  type CatalogEventType,
  catalogPropertySchemas,
  type FieldError,
  parseBehaviorEvent,
  type ParseResult,
} from '../../../shared/contract/index.ts';

const envelope = { eventId: 'evt-1', customerId: 'cus_1', occurredAt: '2026-11-20T10:00:00+01:00' };

function parse(detailType: unknown, detail: unknown, source: unknown = 'shop.web'): ParseResult {
  return parseBehaviorEvent({ source, detailType, detail });
}

function errorsOf(result: ParseResult): FieldError[] {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.event)}`);
  return result.errors;
}

function fieldsOf(result: ParseResult): string[] {
  return errorsOf(result).map((error) => error.field);
}

/** Per catalog type: minimal valid properties, and invalid ones with the field the error must name. */
const CASES: Record<CatalogEventType, { valid: Record<string, unknown>; invalid: Record<string, unknown>; field: string }> = {
  identify: {
    valid: { email: 'lena@example.com', firstName: 'Lena', timezone: 'Europe/Berlin', consent: { marketing: 'subscribed' } },
    invalid: { consent: { marketing: 'yes' } },
    field: 'detail.properties.consent.marketing',
  },
  subscribe: { valid: { email: 'lena@example.com' }, invalid: { email: 'not-an-email' }, field: 'detail.properties.email' },
  unsubscribe: { valid: {}, invalid: { categories: 'marketing' }, field: 'detail.properties.categories' },
  page_view: { valid: { url: '/pricing' }, invalid: { url: '' }, field: 'detail.properties.url' },
  product_view: { valid: { productId: 'sku-1' }, invalid: { productId: 'sku-1', price: -5 }, field: 'detail.properties.price' },
  search: { valid: { query: 'trail shoes' }, invalid: { query: 'x', resultCount: 2.5 }, field: 'detail.properties.resultCount' },
  cart_add: { valid: { cartValue: 0 }, invalid: { cartValue: 10, currency: 'euro' }, field: 'detail.properties.currency' },
  cart_abandon: { valid: { cartValue: 89.9 }, invalid: { cartValue: 'abc' }, field: 'detail.properties.cartValue' },
  checkout_start: {
    valid: {},
    invalid: { items: [{ productId: 'sku-1', price: 5, quantity: 0 }] },
    field: 'detail.properties.items.0.quantity',
  },
  purchase: { valid: { orderId: 'ord-1', amount: 20 }, invalid: { orderId: 'ord-1' }, field: 'detail.properties.amount' },
  refund: { valid: { orderId: 'ord-1', amount: 5 }, invalid: { amount: 5 }, field: 'detail.properties.orderId' },
  email_open: { valid: { sendId: 'snd-1' }, invalid: {}, field: 'detail.properties.sendId' },
  email_click: { valid: { sendId: 'snd-1', url: 'https://x.example/a' }, invalid: { sendId: 'snd-1' }, field: 'detail.properties.url' },
  email_reply: { valid: { sendId: 'snd-1' }, invalid: { sendId: 7 }, field: 'detail.properties.sendId' },
  form_submit: { valid: { formId: 'contact' }, invalid: {}, field: 'detail.properties.formId' },
  download: { valid: { assetId: 'guide' }, invalid: { assetId: '' }, field: 'detail.properties.assetId' },
  video_watch: { valid: { videoId: 'v1' }, invalid: { videoId: 'v1', percentWatched: 120 }, field: 'detail.properties.percentWatched' },
  support_ticket: { valid: { ticketId: 'T-1', status: 'open' }, invalid: { ticketId: 'T-1', status: 'escalated' }, field: 'detail.properties.status' },
  support_rating: { valid: { rating: 10 }, invalid: { rating: 0 }, field: 'detail.properties.rating' },
  nps_response: { valid: { score: 0 }, invalid: { score: 11 }, field: 'detail.properties.score' },
  referral: { valid: {}, invalid: { referredEmail: 'nope' }, field: 'detail.properties.referredEmail' },
  social_mention: { valid: { platform: 'instagram' }, invalid: { platform: 'x', sentiment: 'angry' }, field: 'detail.properties.sentiment' },
  social_share: { valid: { platform: 'facebook' }, invalid: {}, field: 'detail.properties.platform' },
  app_session: { valid: {}, invalid: { durationSeconds: -1 }, field: 'detail.properties.durationSeconds' },
  feature_used: { valid: { feature: 'export_csv' }, invalid: { feature: 'export_csv', count: 0 }, field: 'detail.properties.count' },
  subscription_change: { valid: { plan: 'pro' }, invalid: { plan: 'pro', changeType: 'sideways' }, field: 'detail.properties.changeType' },
  subscription_cancel: { valid: {}, invalid: { effectiveAt: '2026-12-31' }, field: 'detail.properties.effectiveAt' },
};

describe('catalog types', () => {
  it('has a property schema and a test case for every catalog type', () => {
    expect(Object.keys(catalogPropertySchemas).sort()).toEqual([...CATALOG_EVENT_TYPES].sort());
    expect(Object.keys(CASES).sort()).toEqual([...CATALOG_EVENT_TYPES].sort());
    expect(CATALOG_EVENT_TYPES).toHaveLength(27);
  });

  describe.each(CATALOG_EVENT_TYPES)('%s', (type) => {
    const testCase = CASES[type];

    it('accepts valid properties', () => {
      const result = parse(type, { ...envelope, properties: testCase.valid });
      expect(result).toMatchObject({ ok: true, event: { type, isCustom: false, source: 'shop.web', customerId: 'cus_1' } });
    });

    it(`rejects invalid properties naming ${testCase.field}`, () => {
      const errors = errorsOf(parse(type, { ...envelope, properties: testCase.invalid }));
      expect(errors.map((e) => e.field)).toEqual([testCase.field]);
      expect(errors[0]?.message).toMatch(/\S/);
    });
  });
});

describe('parseBehaviorEvent', () => {
  it('returns the event with envelope fields and normalised properties', () => {
    const result = parse('cart_abandon', {
      ...envelope,
      email: 'lena@example.com',
      sessionId: 'sess-1',
      device: 'ios',
      properties: { cartValue: 30, items: [{ productId: 'sku-1', price: 15 }], coupon: 'X1' },
    });
    expect(result).toEqual({
      ok: true,
      event: {
        type: 'cart_abandon',
        isCustom: false,
        source: 'shop.web',
        eventId: 'evt-1',
        customerId: 'cus_1',
        occurredAt: '2026-11-20T10:00:00+01:00',
        email: 'lena@example.com',
        sessionId: 'sess-1',
        device: 'ios',
        // quantity defaults to 1; unknown properties pass through.
        properties: { cartValue: 30, items: [{ productId: 'sku-1', price: 15, quantity: 1 }], coupon: 'X1' },
      },
    });
  });

  it('omits absent optional envelope fields and defaults properties to {}', () => {
    const result = parse('app_session', envelope);
    expect(result).toEqual({
      ok: true,
      event: { type: 'app_session', isCustom: false, source: 'shop.web', eventId: 'evt-1', customerId: 'cus_1', occurredAt: envelope.occurredAt, properties: {} },
    });
  });

  it('names missing required properties when properties is absent', () => {
    expect(errorsOf(parse('cart_abandon', envelope))).toEqual([{ field: 'detail.properties.cartValue', message: 'is required' }]);
  });

  it('explains a wrong type as "expected a number, got string"', () => {
    expect(errorsOf(parse('cart_abandon', { ...envelope, properties: { cartValue: 'abc' } }))).toEqual([
      { field: 'detail.properties.cartValue', message: 'expected a number, got string' },
    ]);
  });

  it('accepts custom snake_case types with any JSON object as properties', () => {
    const properties = { productId: 'sku-1', list: { name: 'birthday', tags: ['a', 'b'] }, n: 3, ok: true, none: null };
    const result = parse('wishlist_add', { ...envelope, properties });
    expect(result).toEqual({
      ok: true,
      event: { type: 'wishlist_add', isCustom: true, source: 'shop.web', eventId: 'evt-1', customerId: 'cus_1', occurredAt: envelope.occurredAt, properties },
    });
  });

  it('still checks the envelope of custom events', () => {
    expect(fieldsOf(parse('wishlist_add', { ...envelope, customerId: '', properties: [] }))).toEqual([
      'detail.customerId',
      'detail.properties',
    ]);
  });

  it.each(['nudge', 'nudge.rules', 'nudgeapp.web'])('rejects the reserved source %s', (source) => {
    const errors = errorsOf(parse('page_view', { ...envelope, properties: { url: '/' } }, source));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ field: 'source', message: expect.stringContaining('reserved') });
  });

  it.each([undefined, '', 42])('rejects the source %j', (source) => {
    const detail = { ...envelope, properties: { url: '/' } };
    expect(fieldsOf(parseBehaviorEvent({ source, detailType: 'page_view', detail }))).toEqual(['source']);
  });

  it.each(['CartAbandon', 'cart-abandon', 'cart__abandon', '_cart', 'cart_', '1cart', '', 'a'.repeat(65), 7, undefined])(
    'rejects the detailType %j',
    (detailType) => {
      expect(fieldsOf(parse(detailType, { ...envelope, properties: {} }))).toEqual(['detailType']);
    },
  );

  it.each([
    ['2026-11-20', 'a date without time'],
    ['2026-11-20T10:00:00', 'a date-time without offset'],
    ['2026-11-20T10:00+01:00', 'a time without seconds'],
    ['2026-02-30T10:00:00Z', 'a day that does not exist'],
    ['yesterday', 'words'],
  ])('rejects occurredAt %s (%s)', (occurredAt) => {
    expect(fieldsOf(parse('app_session', { ...envelope, occurredAt }))).toEqual(['detail.occurredAt']);
  });

  it.each(['2026-11-20T10:00:00Z', '2026-11-20T10:00:00.123Z', '2026-11-20T10:00:00-05:30'])('accepts occurredAt %s', (occurredAt) => {
    expect(parse('app_session', { ...envelope, occurredAt })).toMatchObject({ ok: true, event: { occurredAt } });
  });

  it('rejects customerId with control characters and over-long ids', () => {
    expect(fieldsOf(parse('app_session', { ...envelope, customerId: 'cus\n1' }))).toEqual(['detail.customerId']);
    expect(fieldsOf(parse('app_session', { ...envelope, eventId: 'e'.repeat(257) }))).toEqual(['detail.eventId']);
  });

  it('rejects an invalid envelope email and unknown envelope fields', () => {
    const errors = errorsOf(parse('cart_abandon', { ...envelope, email: 'nope', cartValue: 80, properties: { cartValue: 80 } }));
    expect(errors).toEqual([
      { field: 'detail.email', message: 'must be a valid email address' },
      { field: 'detail.cartValue', message: 'unknown envelope field; put event attributes in properties' },
    ]);
  });

  it('rejects a detail that is not an object', () => {
    expect(errorsOf(parse('page_view', '{"customerId":"c"}'))).toEqual([{ field: 'detail', message: 'expected a JSON object, got string' }]);
    expect(fieldsOf(parse('page_view', undefined))).toEqual(['detail']);
    expect(fieldsOf(parse('page_view', [envelope]))).toEqual(['detail']);
  });

  describe('subscribe needs an email', () => {
    it('accepts it in the envelope or in properties', () => {
      expect(parse('subscribe', { ...envelope, email: 'a@example.com' }).ok).toBe(true);
      expect(parse('subscribe', { ...envelope, properties: { email: 'a@example.com' } }).ok).toBe(true);
    });

    it('rejects a subscribe without one, naming detail.email', () => {
      expect(errorsOf(parse('subscribe', { ...envelope, properties: { source: 'footer' } }))).toEqual([
        { field: 'detail.email', message: 'is required for subscribe: set detail.email or detail.properties.email' },
      ]);
    });
  });

  it('checks identify.timezone against the IANA zone database', () => {
    expect(parse('identify', { ...envelope, properties: { timezone: 'America/New_York' } }).ok).toBe(true);
    expect(errorsOf(parse('identify', { ...envelope, properties: { timezone: 'Mars/Olympus_Mons' } }))).toEqual([
      { field: 'detail.properties.timezone', message: 'must be an IANA time zone name, e.g. Europe/Berlin' },
    ]);
  });

  it('checks support_rating against its scale', () => {
    expect(parse('support_rating', { ...envelope, properties: { rating: 5, scale: 5 } }).ok).toBe(true);
    expect(fieldsOf(parse('support_rating', { ...envelope, properties: { rating: 7, scale: 5 } }))).toEqual(['detail.properties.rating']);
    expect(fieldsOf(parse('support_rating', { ...envelope, properties: { rating: 7, scale: 7 } }))).toEqual(['detail.properties.scale']);
  });

  it('bounds line items', () => {
    const items = Array.from({ length: 101 }, (_, i) => ({ productId: `sku-${i}`, price: 1 }));
    expect(fieldsOf(parse('purchase', { ...envelope, properties: { orderId: 'o', amount: 101, items } }))).toEqual([
      'detail.properties.items',
    ]);
    expect(fieldsOf(parse('purchase', { ...envelope, properties: { orderId: 'o', amount: 1, items: [{ price: 1 }] } }))).toEqual([
      'detail.properties.items.0.productId',
    ]);
  });

  it('collects every error, not just the first', () => {
    const result = parse('cart_abandon', {
      eventId: '',
      occurredAt: '2026-11-20',
      properties: { cartValue: 'abc', currency: 'eur', items: [{ productId: 'sku-1', price: -1 }] },
    });
    expect(fieldsOf(result)).toEqual([
      'detail.eventId',
      'detail.customerId',
      'detail.occurredAt',
      'detail.properties.cartValue',
      'detail.properties.currency',
      'detail.properties.items.0.price',
    ]);
  });

  it('reports source, detailType and detail problems together', () => {
    expect(fieldsOf(parse('Bad Type', { ...envelope, customerId: undefined }, 'nudge.internal'))).toEqual([
      'source',
      'detailType',
      'detail.customerId',
    ]);
  });

  it('never throws, whatever the input', () => {
    const hostile = Object.defineProperty({ ...envelope }, 'properties', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const inputs: unknown[] = [null, undefined, 0, 'x', [], {}, hostile, { ...envelope, properties: cyclic }];
    for (const detail of inputs) {
      for (const detailType of ['page_view', 'custom_thing', null]) {
        expect(() => parse(detailType, detail)).not.toThrow();
        expect(parse(detailType, detail).ok).toBe(false);
      }
    }
  });
});

describe('size guards on properties (catalog and custom events)', () => {
  const nest = (levels: number): Record<string, unknown> => {
    let value: Record<string, unknown> = {};
    for (let i = 0; i < levels; i += 1) value = { n: value };
    return value;
  };

  it.each(['wishlist_add', 'identify'])('rejects a string over 2,000 characters naming its path (%s)', (type) => {
    const errors = errorsOf(parse(type, { ...envelope, properties: { note: { text: 'x'.repeat(2001) } } }));
    expect(errors).toEqual([{ field: 'detail.properties.note.text', message: 'must have at most 2000 characters (got 2001)' }]);
  });

  it('accepts a string of exactly 2,000 characters', () => {
    expect(parse('wishlist_add', { ...envelope, properties: { note: 'x'.repeat(2000) } }).ok).toBe(true);
  });

  it('allows 5 levels of nesting (properties is level 1) and rejects the 6th, naming it', () => {
    expect(parse('wishlist_add', { ...envelope, properties: nest(4) }).ok).toBe(true);
    expect(errorsOf(parse('page_view', { ...envelope, properties: { url: '/', ...nest(5) } }))).toEqual([
      { field: 'detail.properties.n.n.n.n.n', message: expect.stringContaining('nested too deeply') },
    ]);
  });

  it('counts arrays as levels too', () => {
    expect(parse('wishlist_add', { ...envelope, properties: { a: [[[[1]]]] } }).ok).toBe(true);
    expect(fieldsOf(parse('wishlist_add', { ...envelope, properties: { a: [[[[[1]]]]] } }))).toEqual(['detail.properties.a.0.0.0.0']);
  });

  it('rejects objects with more than 100 keys and arrays with more than 100 items', () => {
    const wide = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]));
    expect(errorsOf(parse('wishlist_add', { ...envelope, properties: { wide } }))).toEqual([
      { field: 'detail.properties.wide', message: 'must have at most 100 keys (got 101)' },
    ]);
    expect(fieldsOf(parse('wishlist_add', { ...envelope, properties: wide }))).toEqual(['detail.properties']);
    expect(fieldsOf(parse('wishlist_add', { ...envelope, properties: { list: Array.from({ length: 101 }, () => 1) } }))).toEqual([
      'detail.properties.list',
    ]);
  });

  it('prefers the schema message when a typed field also breaks a guard', () => {
    expect(errorsOf(parse('product_view', { ...envelope, properties: { productId: 'p'.repeat(2001) } }))).toEqual([
      { field: 'detail.properties.productId', message: 'must have at most 256 characters (got 2001)' },
    ]);
  });
});
