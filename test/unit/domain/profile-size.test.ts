import { describe, expect, it } from 'vitest';
import { dynamoItemSize } from '#shared/adapters/dynamo/item-size.ts';
import { dailySeriesFor, defaultCatalog, segmentationOf } from '#shared/catalog/index.ts';
import { evaluateProfile } from '#shared/domain/profile-evaluation.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { heavyCustomerYear } from '../../support/heavy-customer-stream.ts';

describe('profile item size', () => {
  it('stays under 4 KB after a year of heavy activity (10,000+ events), derived state included', () => {
    const events = heavyCustomerYear('heavy-1', new Date('2025-11-01T00:00:00Z'));
    expect(events.length).toBeGreaterThan(10_000);
    const options = { dailySeries: dailySeriesFor(defaultCatalog) };
    const segmentation = segmentationOf(defaultCatalog);
    let profile: Profile | undefined;
    let largest = 0;
    for (const event of events) {
      const now = new Date(event.occurredAt);
      const change = applyEvent(profile, event, now, options);
      if (change.type !== 'applied') throw new Error(`unexpected duplicate ${event.eventId}`);
      profile = evaluateProfile({ profile: change.profile, previous: profile, catalog: segmentation, now, triggerId: event.eventId, event }).profile;
      largest = Math.max(largest, dynamoItemSize({ pk: `C#${profile.customerId}`, sk: 'PROFILE', kind: 'profile', ...profile }));
    }
    const final = dynamoItemSize({ pk: 'C#heavy-1', sk: 'PROFILE', kind: 'profile', ...profile! });
    console.log(`profile after ${events.length} events: ${final} bytes (largest along the way ${largest} bytes)`);
    expect(profile!.eventCount).toBe(events.length);
    expect(largest).toBeLessThan(4096);
  }, 60_000);
});

describe('dynamoItemSize', () => {
  it('follows the documented rules', () => {
    // name "a" (1) + string "abc" (3); name "n" (1) + 123 (3 digits -> 2 + 1 = 3); name "b" (1) + true (1)
    expect(dynamoItemSize({ a: 'abc', n: 123, b: true })).toBe(4 + 4 + 2);
    // name "m" (1) + map: 3 + per element (1 + key "x" 1 + number 5 -> 2)
    expect(dynamoItemSize({ m: { x: 5 } })).toBe(1 + 3 + 1 + 1 + 2);
    // list: 3 + (1 + "ab" 2) + (1 + null 1)
    expect(dynamoItemSize({ l: ['ab', null] })).toBe(1 + 3 + 3 + 2);
  });
});
