import { describe, expect, it } from 'vitest';
import { isInHoldout } from '#shared/domain/send-decision.ts';

describe('holdout assignment', () => {
  it.each([5, 10, 25, 50])('puts %d %% of 10,000 customers in the control group, within 3 standard deviations', (percent) => {
    const customers = Array.from({ length: 10_000 }, (_, i) => `customer-${i}`);
    const held = customers.filter((id) => isInHoldout(id, 'some_rule', percent)).length;
    const p = percent / 100;
    const sigma = Math.sqrt((p * (1 - p)) / customers.length);
    expect(Math.abs(held / customers.length - p)).toBeLessThan(3 * sigma);
  });

  it('is deterministic per (customer, rule) and independent across rules', () => {
    expect(isInHoldout('c-1', 'r', 50)).toBe(isInHoldout('c-1', 'r', 50));
    const customers = Array.from({ length: 2_000 }, (_, i) => `c-${i}`);
    const both = customers.filter((id) => isInHoldout(id, 'rule_a', 50) && isInHoldout(id, 'rule_b', 50)).length;
    // Independent assignment: about a quarter are held out of both (not half, as with a shared bucket).
    expect(both / customers.length).toBeGreaterThan(0.2);
    expect(both / customers.length).toBeLessThan(0.3);
  });

  it('holds out nobody at 0 %', () => {
    expect(Array.from({ length: 1000 }, (_, i) => isInHoldout(`c-${i}`, 'r', 0)).some(Boolean)).toBe(false);
  });
});
