import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { CATALOG_EVENT_TYPES } from '#shared/contract/index.ts';
import { signLink, type LinkAction } from '#shared/domain/link-tokens.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { makeDispatchSend, RetryableSendError } from '#shared/services/dispatch-send.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { makeStartSequences, type SequenceStartEvent } from '#shared/services/start-sequences.ts';
import { makeTrackLink } from '#shared/services/track-link.ts';
import { fakeServiceDeps, InMemoryErasures, InMemoryLedger, InMemorySuppression, RecordingBehaviorBus, ScriptedSender, silentLog } from '../support/fakes.ts';

/**
 * An erased customer stays erased (issue 19, item 4 and 6): every way in that still names the id —
 * every event type of the contract plus a custom one, every internal event that starts sequences,
 * every link, a send already queued — ends at once, writes nothing and sends nothing.
 */
const NOW = new Date('2026-11-20T12:00:00Z');
const ERASED = 'cus_1042';
const SECRET = 'a-test-secret-of-at-least-32-characters!!';
const KEY = { id: 'k1', key: SECRET };
const KEYRING = { current: KEY, previous: [] };

/** The shipped sample of each catalog type (events/samples), plus a custom event, all naming the erased id. */
function sampleEvents() {
  const samples = CATALOG_EVENT_TYPES.map((type) => {
    const [entry] = JSON.parse(readFileSync(new URL(`../../../events/samples/${type}.json`, import.meta.url), 'utf8')) as Array<{ Source: string; DetailType: string; Detail: string }>;
    return { source: entry!.Source, 'detail-type': entry!.DetailType, detail: { ...(JSON.parse(entry!.Detail) as object), customerId: ERASED } };
  });
  return [...samples, { source: 'shop.web', 'detail-type': 'wishlist_add', detail: { eventId: 'w1', customerId: ERASED, occurredAt: '2026-11-20T11:00:00Z', properties: { productId: 'p1' } } }];
}

describe('an erased customer', () => {
  it.each(sampleEvents().map((event) => [event['detail-type'], event] as const))('ingest drops a %s event of theirs: no profile, claim, send, timer, record or bus event', async (_type, event) => {
    const deps = fakeServiceDeps(defaultCatalog, { now: () => NOW });
    deps.erasures.erased.add(ERASED);
    const outcome = await makeIngestEvent(deps)(event);
    expect(outcome).toEqual({ type: 'erased', eventId: (event.detail as { eventId: string }).eventId });
    expect(deps.profiles.saves).toBe(0);
    expect(deps.sendQueue.sent).toEqual([]);
    expect(deps.delayed.timers.size + deps.delayed.sends.size).toBe(0);
    expect(deps.decisions.records).toEqual([]);
    expect(deps.bus.events).toEqual([]);
    expect(deps.tracking.engagements.length + deps.tracking.conversions.length + deps.tracking.unsubscribes.length).toBe(0);
    expect(deps.rejectedEvents.records).toEqual([]);
  });

  it('costs an existing customer no read of the tombstones: only an event that would create a profile reads one', async () => {
    const deps = fakeServiceDeps(defaultCatalog, { now: () => NOW });
    const ingest = makeIngestEvent(deps);
    const event = (eventId: string) => ({ source: 'shop.web', 'detail-type': 'page_view', detail: { eventId, customerId: 'c-live', occurredAt: '2026-11-20T11:00:00Z', properties: { url: '/' } } });
    await ingest(event('e1'));
    expect(deps.erasures.reads).toBe(1);
    for (const id of ['e2', 'e3', 'e4']) expect(await ingest(event(id))).toMatchObject({ type: 'applied' });
    expect(deps.erasures.reads).toBe(1);
  });

  it('a send already queued for them ends as "customer erased", with no ledger record and no email', async () => {
    const ledger = new InMemoryLedger();
    const sender = new ScriptedSender([]);
    const erasures = new InMemoryErasures();
    erasures.erased.add(ERASED);
    const deps = fakeServiceDeps(defaultCatalog, { now: () => NOW });
    const dispatch = makeDispatchSend({ ...deps, ledger, sender, suppression: new InMemorySuppression(), erasures, links: { baseUrl: 'https://links.example.com/', keyring: async () => KEYRING } });
    // profileVersion 1: the decision of a first event, whose profile write a live customer would still be waiting for.
    for (const profileVersion of [undefined, 1, 7]) {
      const request: SendRequest = {
        sendId: `s-${profileVersion}`, customerId: ERASED, ruleId: 'welcome_new_subscriber', templateId: 'welcome', category: 'marketing', email: 'gone@example.com',
        decidedAt: NOW.toISOString(), trigger: { eventId: 'e1', type: 'subscribe', occurredAt: NOW.toISOString() }, conditions: [], personalization: { eventProperties: {} },
        ...(profileVersion === undefined ? {} : { profileVersion, awaitsTriggerEvent: true }),
      };
      expect(await dispatch(request)).toEqual({ type: 'skipped', sendId: request.sendId, reason: 'customer_erased' });
    }
    expect(ledger.states.size).toBe(0);
    expect(sender.sent).toEqual([]);
  });

  it('without a tombstone, a missing profile is still a new customer whose first write has not landed: retried, not dropped', async () => {
    const deps = fakeServiceDeps(defaultCatalog, { now: () => NOW });
    const dispatch = makeDispatchSend({ ...deps, ledger: new InMemoryLedger(), sender: new ScriptedSender([]), suppression: new InMemorySuppression(), links: { baseUrl: 'https://links.example.com/', keyring: async () => KEYRING } });
    const request: SendRequest = {
      sendId: 's-new', customerId: 'c-new', ruleId: 'welcome_new_subscriber', templateId: 'welcome', category: 'marketing', email: 'new@example.com',
      decidedAt: NOW.toISOString(), trigger: { eventId: 'e1', type: 'subscribe', occurredAt: NOW.toISOString() }, conditions: [], personalization: { eventProperties: {} },
      profileVersion: 1, awaitsTriggerEvent: true,
    };
    await expect(dispatch(request)).rejects.toBeInstanceOf(RetryableSendError);
  });

  it.each<SequenceStartEvent>([
    { detailType: 'SequenceStartRequested', detail: { customerId: ERASED, sequenceId: 'welcome_series', ruleId: 'welcome_new_subscriber', trigger: { eventId: 'e1', type: 'subscribe', occurredAt: NOW.toISOString(), properties: {} }, profileVersion: 1, awaitsTriggerEvent: true } },
    { detailType: 'LifecycleStageChanged', detail: { customerId: ERASED, from: null, to: 'new_subscriber', at: NOW.toISOString(), transitionId: 't1' } },
    { detailType: 'SegmentEntered', detail: { customerId: ERASED, segmentId: 'vip', at: NOW.toISOString(), transitionId: 't2' } },
  ])('the sequence starter ends a $detailType of theirs at once, starting nothing (not retried into the DLQ)', async (event) => {
    const deps = fakeServiceDeps(defaultCatalog, { now: () => NOW });
    deps.erasures.erased.add(ERASED);
    expect(await makeStartSequences(deps)(event)).toEqual({ started: [], skipped: [], stopped: [], erased: true });
    expect(deps.runs.items.size).toBe(0);
    expect(deps.executions.startCalls).toEqual([]);
  });

  it.each<[LinkAction, string, number]>([
    ['open', 'GET', 200],
    ['click', 'GET', 302],
    ['unsubscribe', 'GET', 200],
    ['unsubscribe', 'POST', 200],
    ['preferences', 'GET', 200],
    ['preferences', 'POST', 200],
    ['confirm_subscription', 'GET', 200],
    ['confirm_subscription', 'POST', 200],
  ])('their %s link (%s) still answers %i but puts nothing on the bus', async (action, method, status) => {
    const bus = new RecordingBehaviorBus();
    const erasures = new InMemoryErasures();
    erasures.erased.add(ERASED);
    const shown: string[] = [];
    const track = makeTrackLink({ keyring: async () => KEYRING, bus, erasures, brandName: 'Shop', clock: { now: () => NOW }, log: silentLog, preferences: async () => { shown.push('preferences'); return { statusCode: 200, html: 'prefs' }; }, confirmSubscription: async () => { shown.push('confirm'); return { statusCode: 200, html: 'confirmed' }; } });
    const token = signLink({ a: action, c: ERASED, s: 's1', ...(action === 'click' ? { u: 'https://shop.example/' } : {}), ...(action === 'confirm_subscription' ? { g: ['product_updates'] } : {}) }, KEY, NOW);
    const route = action === 'confirm_subscription' ? 's' : action[0];
    const response = await track({ method, path: `/${route}/${token}`, body: 'category=marketing', requestId: 'req-1' });
    expect(response.statusCode).toBe(status);
    if (action === 'open') expect(response.headers['content-type']).toBe('image/gif');
    if (action === 'click') expect(response.headers.location).toBe('https://shop.example/');
    if (action === 'unsubscribe' || action === 'preferences' || action === 'confirm_subscription') expect(response.body).toContain('erased');
    expect(bus.entries).toEqual([]);
    expect(shown).toEqual([]);
  });
});
