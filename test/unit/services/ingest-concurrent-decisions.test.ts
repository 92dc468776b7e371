import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBehaviorEvent } from '#shared/contract/index.ts';
import { applyEvent } from '#shared/domain/profile.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { fakeServiceDeps, singleEmailCatalog } from '../support/fakes.ts';

/**
 * Issue 19 item 12(b): ingest acts (claims, enqueues, records decisions) before its version-checked
 * profile write. When that write meets a concurrent write of the same customer, the event is
 * applied again on the newer profile; the decisions must not be taken again differently, or the
 * first attempt's send stays queued (and its claims spent) while ingest reports and records
 * another outcome. Property: whatever concurrent event lands between ingest's read and its write,
 * what was enqueued, what was claimed and what was recorded are one and the same decision, the one
 * ingest reports.
 */

const NOW = new Date('2026-11-20T12:00:00Z');

const busEvent = (type: string, eventId: string, detail: Record<string, unknown> = {}) => ({
  id: `bus-${eventId}`,
  source: 'shop.web',
  'detail-type': type,
  detail: { eventId, customerId: 'c1', occurredAt: '2026-11-20T11:00:00Z', properties: {}, ...detail },
});

/** Events another ingest of the same customer may write meanwhile: some change what the rules decide, some do not. */
const concurrentEvents = fc.constantFrom(
  busEvent('unsubscribe', 'x-unsub', { properties: { categories: ['marketing'] } }),
  busEvent('identify', 'x-identify', { properties: { consent: { marketing: 'unsubscribed' } } }),
  busEvent('support_ticket', 'x-ticket', { properties: { ticketId: 't1', status: 'open' } }),
  busEvent('purchase', 'x-purchase', { properties: { orderId: 'o1', amount: 500 } }),
  busEvent('page_view', 'x-view', { properties: { url: '/' } }),
  busEvent('cart_abandon', 'x-cart', { properties: { cartValue: 70 } }),
);
const triggers = fc.constantFrom(
  busEvent('cart_abandon', 'e-cart', { properties: { cartValue: 80 } }),
  busEvent('purchase', 'e-purchase', { properties: { orderId: 'o2', amount: 900 } }),
  busEvent('page_view', 'e-pricing', { properties: { url: '/pricing', pageType: 'pricing' } }),
);

describe('ingest after a version conflict (issue 19 item 12b)', () => {
  it('keeps one decision per event: the queued sends, the claims and the decision records are what ingest reports', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(triggers, concurrentEvents, async (trigger, concurrent) => {
        const deps = fakeServiceDeps(singleEmailCatalog(), { now: () => NOW });
        const ingest = makeIngestEvent(deps);
        await ingest(busEvent('subscribe', 'e-subscribe', { email: 'c1@example.com' }));
        const sentBefore = deps.sendQueue.sent.length;
        const recordsBefore = deps.decisions.records.length;
        const capsBefore = new Set([...deps.claims.caps.values()].flat());
        // A concurrent ingest of the same customer lands between this event's read and its write.
        deps.profiles.beforeSave = () => {
          const parsed = parseBehaviorEvent({ source: concurrent.source, detailType: concurrent['detail-type'], detail: concurrent.detail });
          if (!parsed.ok) throw new Error(`bad concurrent event: ${JSON.stringify(parsed.errors)}`);
          const stored = deps.profiles.items.get('c1')!;
          const change = applyEvent(stored, parsed.event, NOW);
          if (change.type !== 'applied') throw new Error('expected applied');
          deps.profiles.items.set('c1', { ...change.profile, version: stored.version + 1 });
        };

        const outcome = await ingest(trigger);
        if (outcome.type !== 'applied') throw new Error(`expected applied, got ${outcome.type}`);
        const reportedQueued = outcome.rules.filter((r) => r.outcome === 'queued').map((r) => r.sendId).sort();
        const enqueued = [...deps.sendQueue.sent.slice(sentBefore), ...[...deps.delayed.sends.values()].map((s) => s.request)].map((r) => r.sendId).sort();
        expect(enqueued).toEqual(reportedQueued);
        const recorded = deps.decisions.records.slice(recordsBefore).map(({ ruleId, outcome: o, sendId }) => ({ ruleId, outcome: o, ...(sendId ? { sendId } : {}) }));
        expect(recorded).toEqual(outcome.rules.map(({ ruleId, outcome: o, sendId }) => ({ ruleId, outcome: o, ...(sendId ? { sendId } : {}) })));
        const newlyCapped = [...new Set([...deps.claims.caps.values()].flat())].filter((id) => !capsBefore.has(id)).sort();
        const reportedClaimed = outcome.rules.filter((r) => r.sendId !== undefined).map((r) => r.sendId).sort();
        expect(newlyCapped).toEqual(reportedClaimed);
        // Both writes landed: the concurrent event's and this one.
        expect(deps.profiles.items.get('c1')).toMatchObject({ version: 3 });
      }),
      { numRuns: 40 },
    );
  });
});
