import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '#shared/catalog/index.ts';
import { localHourOf } from '#shared/domain/profile.ts';
import { estimateIncrementality } from '#shared/domain/reports/incrementality.ts';
import { isInHoldout } from '#shared/domain/send-decision.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { toJsonLines } from '../../../events/generators/behavior-stream.ts';
import { generateKnownEffect, knownEffectTotals, type GeneratedEntry } from '../../../events/generators/known-effect.ts';
import { KNOWN_EFFECT_HOLDOUT_PERCENT, KNOWN_EFFECT_RULE_ID, knownEffectCatalog } from '../../../events/replays/known-effect.ts';
import { fakeServiceDeps } from '../support/fakes.ts';
import { expectValidStream } from '../support/generated-streams.ts';

const DAY_MS = 86_400_000;
const OPTIONS = { customers: 300, seed: 7 } as const;
const byType = (entries: readonly GeneratedEntry[], type: string) => entries.filter((entry) => entry.DetailType === type);

describe('generateKnownEffect', () => {
  const { truth, customers, entries } = generateKnownEffect(OPTIONS);

  it('produces only events the contract accepts, with unique event ids, sorted by time', () => {
    expectValidStream(entries);
  });

  it('gives the same entries for the same options, other entries for another seed, and one draw per customer whatever the effect', () => {
    expect(toJsonLines(generateKnownEffect(OPTIONS).entries)).toBe(toJsonLines(entries));
    expect(toJsonLines(generateKnownEffect({ ...OPTIONS, seed: 8 }).entries)).not.toBe(toJsonLines(entries));
    // Common random numbers: a larger effect only adds treated buyers; the control group is untouched.
    const none = generateKnownEffect({ ...OPTIONS, effect: 0 }).customers;
    const more = generateKnownEffect({ ...OPTIONS, effect: 0.2 }).customers;
    none.forEach((customer, index) => {
      const other = more[index]!;
      if (customer.heldOut) expect(other).toEqual(customer);
      else if (customer.purchasedAt !== undefined) expect(other.purchasedAt).toBe(customer.purchasedAt);
    });
  });

  it("holds out exactly the customers the replay catalog's holdout holds out, read from that catalog", () => {
    const rule = loadCatalog(knownEffectCatalog()).rules.find((candidate) => candidate.id === truth.ruleId);
    expect(rule?.holdoutPercent).toBe(truth.holdoutPercent);
    expect(truth).toMatchObject({ ruleId: KNOWN_EFFECT_RULE_ID, holdoutPercent: KNOWN_EFFECT_HOLDOUT_PERCENT });
    const wrong = customers.filter((customer) => customer.heldOut !== isInHoldout(customer.customerId, truth.ruleId, truth.holdoutPercent));
    expect(wrong).toEqual([]);
    const share = customers.filter((customer) => customer.heldOut).length / customers.length;
    expect(Math.abs(share - truth.holdoutPercent / 100)).toBeLessThan(3.3 * Math.sqrt((0.2 * 0.8) / customers.length));
  });

  // The timing the rule needs (see the generator's comment), for any start date: checked in winter and across a DST change.
  it.each(['2027-01-04T00:00:00Z', '2027-03-15T00:00:00Z'])('times each customer so the cart emails can leave before the purchase (start %s)', (start) => {
    const stream = generateKnownEffect({ ...OPTIONS, start });
    const signups = new Map(byType(stream.entries, 'subscribe').map((entry) => [String(entry.Detail.customerId), Date.parse(entry.Time)]));
    for (const customer of stream.customers) {
      const abandoned = Date.parse(customer.abandonedAt);
      // Three weeks after signup: the welcome (days 0-5) and prospect (days 7-14) emails have left the 7-day cap window.
      expect(abandoned - signups.get(customer.customerId)!).toBeGreaterThanOrEqual(20 * DAY_MS);
      // A daytime abandon: cart_recovery's first step (1 h later) is not in the quiet hours (21:00-08:00).
      const reminderHour = localHourOf(new Date(abandoned + 3_600_000).toISOString(), customer.timezone);
      expect(reminderHour, customer.customerId).toBeGreaterThanOrEqual(8);
      expect(reminderHour, customer.customerId).toBeLessThan(21);
      expect(customer.cartValue).toBeGreaterThanOrEqual(truth.cartValue.min);
      expect(customer.cartValue).toBeLessThanOrEqual(truth.cartValue.max);
      if (customer.purchasedAt !== undefined) {
        const delay = Date.parse(customer.purchasedAt) - abandoned;
        expect(delay).toBeGreaterThanOrEqual(truth.purchaseDelayDays.min * DAY_MS);
        expect(delay).toBeLessThanOrEqual(truth.purchaseDelayDays.max * DAY_MS + 20 * 60_000);
        expect(delay).toBeLessThan(truth.windowDays * DAY_MS);
      }
    }
    for (const purchase of byType(stream.entries, 'purchase')) {
      const customer = stream.customers.find((c) => c.customerId === purchase.Detail.customerId)!;
      expect((purchase.Detail.properties as { amount: number }).amount).toBe(customer.cartValue);
    }
  });

  it('makes the cart rule decide every abandon through the real ingest path: holdout for the held out, a cart_recovery start for the rest', async () => {
    const stream = generateKnownEffect({ customers: 60, seed: 3 });
    let now = new Date(0);
    const deps = fakeServiceDeps(loadCatalog(knownEffectCatalog()), { now: () => now });
    const ingest = makeIngestEvent(deps);
    for (const entry of stream.entries) {
      now = new Date(entry.Time);
      await ingest({ source: entry.Source, 'detail-type': entry.DetailType, detail: entry.Detail });
    }
    const decided = new Map(deps.decisions.records.filter((record) => record.ruleId === KNOWN_EFFECT_RULE_ID).map((record) => [record.customerId, record.outcome]));
    const expected = new Map(stream.customers.map((customer) => [customer.customerId, customer.heldOut ? 'holdout' : 'sequence_started']));
    expect(decided).toEqual(expected);
    expect(new Set(decided.values())).toEqual(new Set(['holdout', 'sequence_started']));
  });

  // The stream's own treated-minus-control purchase rate, computed with isInHoldout, against the requested effect.
  describe.each([0.05, 0, -0.05])('across 20 seeds with a true effect of %s', (effect) => {
    const baseline = 0.1;
    const runs = Array.from({ length: 20 }, (_, seed) => knownEffectTotals(generateKnownEffect({ customers: 2000, seed: 100 + seed, baseline, effect }).entries));
    const rate = (group: { exposures: number; converted: number }) => group.converted / group.exposures;

    it('each seed is within sampling error (3.3 standard errors) of the effect, and their mean within 3.3 standard errors of the mean', () => {
      const errors = runs.map(({ treated, control }) => {
        const se = Math.sqrt(((baseline + effect) * (1 - baseline - effect)) / treated.exposures + (baseline * (1 - baseline)) / control.exposures);
        return { difference: rate(treated) - rate(control), se };
      });
      for (const { difference, se } of errors) expect(Math.abs(difference - effect)).toBeLessThan(3.3 * se);
      const mean = errors.reduce((sum, e) => sum + e.difference, 0) / errors.length;
      const meanSe = Math.sqrt(errors.reduce((sum, e) => sum + e.se ** 2, 0)) / errors.length;
      expect(Math.abs(mean - effect)).toBeLessThan(3.3 * meanSe);
    });

    it("the pure estimate on the stream's totals covers the effect (and calls a zero effect not significant) in at least 19 of 20", () => {
      const estimates = runs.map(({ treated, control }) => estimateIncrementality(treated, control));
      const covered = estimates.filter((e) => e.conversion.confidenceInterval![0] <= effect && effect <= e.conversion.confidenceInterval![1]);
      expect(covered.length).toBeGreaterThanOrEqual(19);
      if (effect === 0) expect(estimates.filter((e) => e.verdict === 'no_detectable_effect').length).toBeGreaterThanOrEqual(19);
    });
  });

  it('refuses options it cannot honour, naming the option', () => {
    expect(() => generateKnownEffect({ ...OPTIONS, customers: 0 })).toThrow(/customers/);
    expect(() => generateKnownEffect({ ...OPTIONS, seed: 1.5 })).toThrow(/seed/);
    expect(() => generateKnownEffect({ ...OPTIONS, baseline: 1.2 })).toThrow(/baseline/);
    expect(() => generateKnownEffect({ ...OPTIONS, baseline: 0.02, effect: -0.05 })).toThrow(/effect/);
    expect(() => generateKnownEffect({ ...OPTIONS, holdoutPercent: 60 })).toThrow(/holdoutPercent/);
    expect(() => generateKnownEffect({ ...OPTIONS, start: 'monday' })).toThrow(/start/);
  });
});

describe('knownEffectTotals', () => {
  it('counts an abandon as converted only for a purchase inside the window after it, with that revenue', () => {
    const entry = (type: string, customerId: string, time: string, properties: Record<string, unknown>): GeneratedEntry => ({ Time: time, Source: 'shop.web', DetailType: type, Detail: { eventId: `${type}-${customerId}-${time}`, customerId, occurredAt: time, properties } });
    // The same customer is in one group whatever the percent's side: 0 puts everyone in treated.
    const totals = knownEffectTotals(
      [
        entry('purchase', 'a', '2027-01-01T00:00:00Z', { orderId: 'o0', amount: 5 }),
        entry('cart_abandon', 'a', '2027-01-02T00:00:00Z', { cartValue: 80 }),
        entry('purchase', 'a', '2027-01-05T00:00:00Z', { orderId: 'o1', amount: 80 }),
        entry('purchase', 'a', '2027-01-10T00:00:00Z', { orderId: 'o2', amount: 30 }),
        entry('cart_abandon', 'b', '2027-01-02T00:00:00Z', { cartValue: 90 }),
      ],
      { holdoutPercent: 0, windowDays: 7 },
    );
    expect(totals.treated).toEqual({ exposures: 2, converted: 1, revenue: 80, revenueSq: 6400 });
    expect(totals.control).toEqual({ exposures: 0, converted: 0, revenue: 0, revenueSq: 0 });
  });
});

describe('the shipped example events/replays/known-effect.jsonl', () => {
  it('is the generator output of the command in events/replays/known-effect.ts, under 2 MB', () => {
    const shipped = readFileSync(new URL('../../../events/replays/known-effect.jsonl', import.meta.url), 'utf8');
    expect(shipped).toBe(toJsonLines(generateKnownEffect({ customers: 800, seed: 1, effect: 0.1 }).entries));
    expect(Buffer.byteLength(shipped)).toBeLessThan(2 * 1024 * 1024);
  });
});
