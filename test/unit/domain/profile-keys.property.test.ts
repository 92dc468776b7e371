import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { createDocumentClient } from '#shared/adapters/aws/clients.ts';
import { parseBehaviorEvent, type BehaviorEvent } from '#shared/contract/index.ts';
import { applyEvent, Profile } from '#shared/domain/profile.ts';

/**
 * Any string a producer sends as a device, page type or category becomes a key of a profile map.
 * Names of Object.prototype members ("toString", "constructor", "__proto__" ...) once read the
 * inherited member and stored "function toString() { [native code] }1", or broke marshalling.
 * Property: the event is either rejected naming the field, or the profile survives the document
 * client's marshalling round trip, still parses, and counts the key exactly.
 */
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);
const keyLike = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom('prototype', 'length', 'then'));
const NOW = new Date('2026-11-20T12:00:00Z');

/** What DynamoDB would hand back: the profile through the production client's marshalling options. */
const marshallOptions = createDocumentClient().config.translateConfig?.marshallOptions;
function storedAndReadBack(profile: Profile): Profile {
  const options = marshallOptions;
  return Profile.parse(unmarshall(marshall(profile, options)));
}

function accepted(detailType: string, detail: Record<string, unknown>): BehaviorEvent | { rejected: string[] } {
  const parsed = parseBehaviorEvent({ source: 'shop.web', detailType, detail: { customerId: 'c1', occurredAt: '2026-11-20T10:00:00Z', ...detail } });
  return parsed.ok ? parsed.event : { rejected: parsed.errors.map((e) => e.field) };
}

const own = (record: Record<string, number>, key: string): number | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

describe('producer strings as profile map keys', () => {
  it('device, pageType and category named like Object.prototype members (or anything else) are counted exactly, or rejected naming the field', () => {
    fc.assert(
      fc.property(keyLike, fc.integer({ min: 1, max: 3 }), (key, times) => {
        let profile: Profile | undefined;
        for (let i = 0; i < times; i++) {
          const event = accepted('page_view', { eventId: `e${i}`, device: key, properties: { url: '/', pageType: key, category: key } });
          if ('rejected' in event) {
            // Rejection is allowed only with the offending fields named.
            expect(event.rejected.length).toBeGreaterThan(0);
            expect(event.rejected.every((field) => ['detail.device', 'detail.properties.pageType', 'detail.properties.category'].includes(field))).toBe(true);
            return;
          }
          const change = applyEvent(profile, event, NOW);
          if (change.type !== 'applied') throw new Error('expected applied');
          profile = storedAndReadBack(change.profile);
        }
        expect(own(profile!.devices, key)).toBe(times);
        expect(own(profile!.pageViewsByType, key)).toBe(times);
        expect(own(profile!.categories, key)).toBe(times);
        expect(profile!.categoryTotal).toBe(times);
      }),
      { numRuns: 300 },
    );
  });

  it('line-item categories of a purchase and a cart are counted exactly under any name', () => {
    fc.assert(
      fc.property(fc.uniqueArray(keyLike, { minLength: 1, maxLength: 4 }), (keys) => {
        const items = keys.map((category, i) => ({ productId: `p${i}`, price: 1, category }));
        const event = accepted('purchase', { eventId: 'e1', properties: { orderId: 'o1', amount: 10, items } });
        if ('rejected' in event) {
          expect(event.rejected.every((field) => /^detail\.properties\.items\.\d+\.category$/.test(field))).toBe(true);
          return;
        }
        const change = applyEvent(undefined, event, NOW);
        if (change.type !== 'applied') throw new Error('expected applied');
        const profile = storedAndReadBack(change.profile);
        for (const key of keys) expect(own(profile.categories, key)).toBe(1);
      }),
      { numRuns: 200 },
    );
  });

  it('the bounded counters stay bounded and own-keyed when prototype names compete for the slots', () => {
    let profile: Profile | undefined;
    const names = PROTOTYPE_NAMES.filter((name) => name !== '__proto__');
    for (const [i, name] of [...names, ...names].entries()) {
      const event = accepted('page_view', { eventId: `e${i}`, device: name, properties: { url: '/', category: name } });
      if ('rejected' in event) throw new Error(`rejected ${event.rejected.join(', ')}`);
      const change = applyEvent(profile, event, NOW);
      if (change.type !== 'applied') throw new Error('expected applied');
      profile = storedAndReadBack(change.profile);
    }
    expect(Object.keys(profile!.devices).length).toBeLessThanOrEqual(5);
    expect(Object.values(profile!.categories).every((count) => typeof count === 'number')).toBe(true);
    expect(Object.values(profile!.categories).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(8);
  });
});
