import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_SCENARIO_PATH, DEMO_START, renderDemoScenario } from '../../../events/scenarios/generate-demo.ts';
import { type BehaviorEvent, parseBehaviorEvent } from '../../../shared/contract/index.ts';

/** What events/scenarios/README.md promises; re-derived below from the committed file. */
const EXPECTED_WELCOME_SERIES = 12;
const EXPECTED_CART_RULE_FIRINGS = 5;
const EXPECTED_CART_RECOVERIES = 4;

const DAY_MS = 24 * 3_600_000;
const committed = readFileSync(DEMO_SCENARIO_PATH, 'utf8');
type Line = { Time: string; Source: string; DetailType: string; Detail: Record<string, unknown> };
const lines: Line[] = committed
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as Line);
const results = lines.map((line) => ({
  line,
  result: parseBehaviorEvent({ source: line.Source, detailType: line.DetailType, detail: line.Detail }),
}));
const events: BehaviorEvent[] = results.flatMap(({ result }) => (result.ok ? [result.event] : []));

function emailOf(event: BehaviorEvent): unknown {
  return event.email ?? event.properties.email;
}

/** welcome_new_subscriber: on subscribe with an email, once per customer ever (it starts the welcome series, whose day-0 step is the welcome). */
function welcomeEmails(stream: BehaviorEvent[]): string[] {
  const welcomed = new Set<string>();
  for (const event of stream) {
    if (event.type === 'subscribe' && typeof emailOf(event) === 'string') welcomed.add(event.customerId);
  }
  return [...welcomed];
}

/** cart_abandonment_1hour: on cart_abandon with cartValue > 50, 24 h cooldown per customer (each firing asks for cart recovery). */
function cartEmails(stream: BehaviorEvent[]): Array<{ customerId: string; at: string }> {
  const lastSent = new Map<string, number>();
  const sent: Array<{ customerId: string; at: string }> = [];
  for (const event of stream) {
    const cartValue = event.properties.cartValue;
    if (event.type !== 'cart_abandon' || typeof cartValue !== 'number' || !(cartValue > 50)) continue;
    const at = Date.parse(event.occurredAt);
    const last = lastSent.get(event.customerId);
    if (last !== undefined && at - last < DAY_MS) continue;
    lastSent.set(event.customerId, at);
    sent.push({ customerId: event.customerId, at: event.occurredAt });
  }
  return sent;
}

/** Cart recovery runs: a firing while the customer's previous run (72 h) is still going joins it. */
function cartRecoveries(firings: Array<{ customerId: string; at: string }>): Array<{ customerId: string; at: string }> {
  const runUntil = new Map<string, number>();
  return firings.filter(({ customerId, at }) => {
    const time = Date.parse(at);
    if ((runUntil.get(customerId) ?? -Infinity) > time) return false;
    runUntil.set(customerId, time + 3 * DAY_MS);
    return true;
  });
}

describe('events/scenarios/demo.jsonl', () => {
  it('is exactly what the deterministic generator produces', () => {
    expect(renderDemoScenario() === renderDemoScenario(), 'the generator is not deterministic').toBe(true);
    expect(
      committed === renderDemoScenario(),
      'events/scenarios/demo.jsonl is out of date: run `npx tsx events/scenarios/generate-demo.ts`',
    ).toBe(true);
  });

  it('has ~20 customers over ~10 days from the start, 150-300 lines, sorted by Time', () => {
    expect(lines.length).toBeGreaterThanOrEqual(150);
    expect(lines.length).toBeLessThanOrEqual(300);
    const times = lines.map((line) => Date.parse(line.Time));
    expect(times.every((time, i) => i === 0 || time >= (times[i - 1] ?? 0))).toBe(true);
    expect(times[0]).toBeGreaterThanOrEqual(Date.parse(DEMO_START));
    expect((times.at(-1) ?? 0) - Date.parse(DEMO_START)).toBeLessThanOrEqual(10 * DAY_MS);
    expect(new Set(events.map((event) => event.customerId)).size).toBe(20);
  });

  it('has lines in the documented shape, with Detail.occurredAt equal to Time and unique eventIds', () => {
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(['Time', 'Source', 'DetailType', 'Detail']);
      expect(line.Detail.occurredAt).toBe(line.Time);
    }
    const ids = lines.map((line) => line.Detail.eventId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has exactly two malformed entries, between good ones', () => {
    const rejected = results.flatMap(({ result }, index) => (result.ok ? [] : [{ index, errors: result.errors }]));
    expect(rejected.map(({ errors }) => errors.map((error) => error.field))).toEqual([
      ['detail.customerId'],
      ['detail.properties.cartValue'],
    ]);
    for (const { index } of rejected) {
      expect(results[index - 1]?.result.ok).toBe(true);
      expect(results[index + 1]?.result.ok).toBe(true);
    }
  });

  it('has realistic background traffic, including a custom event', () => {
    const types = new Set(events.map((event) => event.type));
    for (const type of ['identify', 'page_view', 'product_view', 'cart_add', 'purchase', 'email_open', 'email_click', 'support_ticket']) {
      expect(types, type).toContain(type);
    }
    expect(events.some((event) => event.isCustom && event.type === 'wishlist_add')).toBe(true);
  });

  it('identifies every subscriber (email + firstName) before or with the subscribe', () => {
    const identified = new Map<string, number>();
    for (const event of events) {
      if (event.type === 'identify' && emailOf(event) && typeof event.properties.firstName === 'string') {
        if (!identified.has(event.customerId)) identified.set(event.customerId, Date.parse(event.occurredAt));
      }
      if (event.type === 'subscribe' || event.type === 'cart_abandon') {
        const at = identified.get(event.customerId);
        expect(at, `${event.customerId} ${event.type} before identify`).toBeDefined();
        expect(at ?? Infinity).toBeLessThanOrEqual(Date.parse(event.occurredAt));
      }
    }
  });

  it(`starts ${EXPECTED_WELCOME_SERIES} welcome series, one customer subscribing twice`, () => {
    const subscribes = events.filter((event) => event.type === 'subscribe');
    expect(subscribes).toHaveLength(EXPECTED_WELCOME_SERIES + 1);
    expect(welcomeEmails(events)).toHaveLength(EXPECTED_WELCOME_SERIES);
  });

  it(`fires the cart rule ${EXPECTED_CART_RULE_FIRINGS} times (threshold and cooldown), which start ${EXPECTED_CART_RECOVERIES} cart recoveries`, () => {
    const abandons = events.filter((event) => event.type === 'cart_abandon');
    const values = abandons.map((event) => event.properties.cartValue);
    expect(values).toContain(50);
    expect(values).toContain(20);
    const sent = cartEmails(events);
    expect(sent).toHaveLength(EXPECTED_CART_RULE_FIRINGS);
    // One customer: fires, is suppressed inside 24 h, fires again after more than 24 h.
    const bigAbandons = abandons.filter((event) => (event.properties.cartValue as number) > 50);
    const suppressed = bigAbandons.filter((event) => !sent.some((s) => s.customerId === event.customerId && s.at === event.occurredAt));
    expect(suppressed).toHaveLength(1);
    const repeat = sent.filter((s) => s.customerId === suppressed[0]?.customerId);
    expect(repeat).toHaveLength(2);
    // Its second firing, 26 h after the first, finds the first cart recovery (72 h) still running.
    expect(cartRecoveries(sent)).toHaveLength(EXPECTED_CART_RECOVERIES);
  });

  it('states the same numbers in events/scenarios/README.md', () => {
    const readme = readFileSync(new URL('README.md', new URL(`file://${DEMO_SCENARIO_PATH}`)), 'utf8');
    expect(readme).toContain(`**${EXPECTED_WELCOME_SERIES} welcome series**`);
    expect(readme).toContain(`**${EXPECTED_CART_RULE_FIRINGS} cart rule firings**`);
    expect(readme).toContain(`**${EXPECTED_CART_RECOVERIES} cart recoveries**`);
    expect(readme).toContain(`${lines.length} events`);
  });
});
