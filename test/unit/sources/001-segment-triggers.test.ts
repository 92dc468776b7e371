import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, defaultCatalogInput, loadCatalog, type Catalog } from '#shared/catalog/index.ts';
import type { InternalEvent } from '#shared/domain/internal-events.ts';
import { SegmentPriority, segmentIdsOf } from '#shared/domain/segments.ts';
import { matchRules, TriggerRule, type TriggerRuleInput } from '#shared/domain/trigger-rules.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { makeReactToModelEvent, segmentEventProperties, segmentPriorityOf } from '#shared/services/react-to-model-event.ts';
import { fakeServiceDeps } from '../support/fakes.ts';

/**
 * Document 001 (update_user_segments): when a customer newly enters a segment whose priority is
 * critical or high, that segment's campaign is triggered; other segments trigger nothing. Nudge:
 * `SegmentEntered` from profile evaluation -> the model-event function -> segment rules -> the
 * shared decision path (consent, caps, cooldowns, holdout, send time, decision records).
 */

function setup(catalog: Catalog = defaultCatalog, start = '2026-11-24T12:00:00Z') {
  let now = new Date(start);
  const deps = fakeServiceDeps(catalog, { now: () => now });
  let n = 0;
  const ingest = makeIngestEvent(deps);
  const react = makeReactToModelEvent(deps);
  const event = (type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
    source: 'shop.web',
    'detail-type': type,
    detail: { eventId: `e${++n}`, customerId: 'c1', occurredAt: now.toISOString(), properties, ...extra },
  });
  /** Ingests the events, then hands every SegmentEntered/Exited they published to the model-event function (as the bus rule does). */
  const run = async (...events: ReturnType<typeof event>[]) => {
    const from = deps.bus.events.length;
    for (const e of events) await ingest(e);
    const published = deps.bus.events.slice(from).filter((e): e is Extract<InternalEvent, { detailType: 'SegmentEntered' | 'SegmentExited' }> => e.detailType === 'SegmentEntered' || e.detailType === 'SegmentExited');
    for (const e of published) await react({ 'detail-type': e.detailType, detail: e.detail });
    return published;
  };
  return { ...deps, event, run, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

const campaignRecords = (s: ReturnType<typeof setup>) => s.decisions.records.filter((r) => r.ruleId === 'segment_entry_campaign');

describe('document 001: campaigns for newly entered critical and high priority segments', () => {
  it('a repeat buyer above 1,000: each newly entered segment gets the campaign exactly when its priority is critical or high', async () => {
    const s = setup();
    await s.run(s.event('subscribe', {}, { email: 'c1@example.com' }));
    const entered = (await s.run(s.event('purchase', { orderId: 'o1', amount: 800 }), s.event('purchase', { orderId: 'o2', amount: 800 }))).filter(
      (e) => e.detailType === 'SegmentEntered',
    );
    const priorities = entered.map((e) => [e.detail.segmentId, segmentPriorityOf(defaultCatalog.segments, e.detail.segmentId)] as const);
    const urgent = priorities.filter(([id, priority]) => (priority === 'critical' || priority === 'high') && id !== 'win_back').map(([id]) => id);
    expect(urgent.length).toBeGreaterThan(0); // the high value band (document: priority high)
    // Matched for each urgent segment, never for the others; the first is queued, later ones meet the 24 h cooldown.
    expect(campaignRecords(s).map((r) => r.eventId)).toEqual(entered.filter((e) => urgent.includes(e.detail.segmentId)).map((e) => e.detail.transitionId));
    const [first] = campaignRecords(s);
    expect(first).toMatchObject({ outcome: 'queued', via: 'model_event', eventType: 'SegmentEntered' });
    expect(first!.conditions).toEqual([
      { field: 'event.properties.priority', op: 'in', expected: ['critical', 'high'], actual: 'high', passed: true },
      { field: 'event.properties.segmentId', op: 'not_in', expected: ['win_back'], actual: urgent[0], passed: true },
    ]);
    // Sent at the optimal time: 10:00 on the next business day (Tuesday 12:00 UTC -> Wednesday 10:00 UTC).
    const scheduled = [...s.delayed.sends.values()].find((send) => send.request.ruleId === 'segment_entry_campaign');
    expect(scheduled?.at.toISOString()).toBe('2026-11-25T10:00:00.000Z');
    expect(scheduled?.request.personalization.eventProperties).toMatchObject({ segmentId: urgent[0], priority: 'high' });
  });

  it('goes through consent: a customer who never subscribed is recorded as suppressed, nothing is sent', async () => {
    const s = setup();
    await s.run(s.event('identify', { email: 'c1@example.com' }, { email: 'c1@example.com' }));
    await s.run(s.event('purchase', { orderId: 'o1', amount: 800 }), s.event('purchase', { orderId: 'o2', amount: 800 }));
    expect(campaignRecords(s).length).toBeGreaterThan(0);
    expect(campaignRecords(s).every((r) => r.outcome === 'suppressed' && r.reason === 'no_consent')).toBe(true);
    expect([...s.delayed.sends.values()].filter((send) => send.request.ruleId === 'segment_entry_campaign')).toEqual([]);
  });

  it('for any segment and priority the catalog could give, the shipped rule matches exactly critical and high (win_back excepted)', () => {
    const ids = defaultCatalog.segments.flatMap(segmentIdsOf);
    const profile = { customerId: 'c', segments: {} } as never;
    fc.assert(
      fc.property(fc.constantFrom(...ids), fc.option(fc.constantFrom(...SegmentPriority.options), { nil: undefined }), fc.double({ min: 0, max: 1, noNaN: true }), (segmentId, priority, matchScore) => {
        const trigger = {
          eventId: 't',
          type: 'SegmentEntered',
          occurredAt: '2026-11-24T12:00:00Z',
          properties: { segmentId, matchScore, ...(priority ? { priority } : {}) },
        };
        const fired = matchRules(defaultCatalog.rules, trigger, profile).map((m) => m.rule.id);
        expect(fired.includes('segment_entry_campaign')).toBe((priority === 'critical' || priority === 'high') && segmentId !== 'win_back');
        expect(matchRules(defaultCatalog.rules, { ...trigger, type: 'SegmentExited' }, profile).map((m) => m.rule.id)).not.toContain('segment_entry_campaign');
      }),
    );
  });

  it('the segment event carries the catalog priority and match score, never the condition explanations', () => {
    const detail = { customerId: 'c', segmentId: 'high_engagement', matchScore: 0.9, conditions: [{ description: 'x' }], at: '2026-11-24T12:00:00Z', transitionId: 't' };
    expect(segmentEventProperties(detail, defaultCatalog.segments)).toEqual({ customerId: 'c', transitionId: 't', at: '2026-11-24T12:00:00Z', segmentId: 'high_engagement', matchScore: 0.9, priority: 'high' });
  });
});

describe('the segment trigger in the rule language', () => {
  const rule = (input: Partial<TriggerRuleInput> & Pick<TriggerRuleInput, 'id' | 'trigger'>): TriggerRule =>
    TriggerRule.parse({ description: input.id, priority: 50, templateId: 'welcome', ...input });
  const ref = (type: string, segmentId: string, matchScore = 0.9) => ({ eventId: 'e', type, occurredAt: '2026-11-24T12:00:00Z', properties: { segmentId, matchScore } });
  const profile = { customerId: 'c', segments: {} } as never;

  it('on exited, for named segments only, reading the match score', () => {
    const leftEngaged = rule({
      id: 'left_engaged',
      trigger: { type: 'segment', on: 'exited', segmentIds: ['high_engagement'] },
      conditions: { all: [{ field: 'event.properties.matchScore', op: 'at_least', value: 0.5 }] },
    });
    expect(matchRules([leftEngaged], ref('SegmentExited', 'high_engagement'), profile)).toHaveLength(1);
    expect(matchRules([leftEngaged], ref('SegmentExited', 'high_engagement', 0.4), profile)).toEqual([]);
    expect(matchRules([leftEngaged], ref('SegmentEntered', 'high_engagement'), profile)).toEqual([]);
    expect(matchRules([leftEngaged], ref('SegmentExited', 'purchase_intent'), profile)).toEqual([]);
  });

  it('the catalog refuses a segment trigger on a segment it does not define', () => {
    const bad = { ...defaultCatalogInput, rules: [{ id: 'x', description: 'x', priority: 1, templateId: 'welcome', trigger: { type: 'segment', on: 'entered', segmentIds: ['no_such_segment'] } }] };
    expect(() => loadCatalog(bad as never)).toThrow(/rules\.0\.trigger\.segmentIds\.0: rule x triggers on segment "no_such_segment"/);
  });

  it('the model-event function treats the segment as entered even when the stored profile does not show it yet (ingest publishes before it writes)', async () => {
    const onlyMembers = rule({
      id: 'members_only',
      trigger: { type: 'segment', on: 'entered', segmentIds: ['high_engagement'] },
      conditions: { all: [{ field: 'profile.segments.high_engagement', op: 'exists', value: true }] },
    });
    const s = setup(loadCatalog({ ...defaultCatalogInput, rules: [onlyMembers] }));
    await s.run(s.event('subscribe', {}, { email: 'c1@example.com' }));
    const react = makeReactToModelEvent(s);
    const outcome = await react({
      'detail-type': 'SegmentEntered',
      detail: { customerId: 'c1', segmentId: 'high_engagement', matchScore: 1, conditions: [], at: '2026-11-24T12:00:00Z', transitionId: 'tr-1' },
    });
    expect(outcome).toMatchObject({ type: 'decided', records: [{ ruleId: 'members_only', outcome: 'queued' }] });
  });
});
