import type { BehaviorEvent } from '#shared/contract/index.ts';

let counter = 0;

/** A validated behavior event for domain tests (the contract's parser is tested on its own). */
export function buildEvent(overrides: Partial<BehaviorEvent> & Pick<BehaviorEvent, 'type'>): BehaviorEvent {
  counter += 1;
  return {
    isCustom: false,
    source: 'shop.web',
    eventId: `evt-${counter}`,
    customerId: 'cust-1',
    occurredAt: '2026-11-20T10:00:00Z',
    properties: {},
    ...overrides,
  };
}
