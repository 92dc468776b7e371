import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, segmentationOf } from '#shared/catalog/index.ts';
import type { InternalEvent } from '#shared/domain/internal-events.ts';
import { evaluateProfile } from '#shared/domain/profile-evaluation.ts';
import { planRun, runIdFor, runSpanMs, type SequenceMachineState } from '#shared/domain/sequence-runs.ts';
import { PERSONAL_PROPERTY_FIELDS } from '#shared/contract/personal-fields.ts';
import { applyEvent } from '#shared/domain/profile.ts';
import { buildEvent } from '../support/build-event.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { makeSequenceMachineStep } from '#shared/services/run-sequence-step.ts';
import { exitReason } from '#shared/domain/sequence-progress.ts';
import { factsAt } from '#shared/services/rule-facts.ts';
import { makeStartSequences, ProfileNotWrittenError, SequenceStartEvent, type StartSequencesResult } from '#shared/services/start-sequences.ts';
import { fakeServiceDeps } from '../support/fakes.ts';

const DAY = 86_400_000;

/** The shipped catalog with fakes: ingest -> bus -> starter -> (recorded) executions -> machine step. */
function setup(start = '2026-11-23T10:00:00Z') {
  let now = new Date(start);
  const deps = fakeServiceDeps(defaultCatalog, { now: () => now });
  const ingest = makeIngestEvent(deps);
  const starter = makeStartSequences(deps);
  const step = makeSequenceMachineStep(deps);
  let n = 0;
  let delivered = 0;
  return {
    ...deps,
    starter,
    step,
    now: () => now,
    at: (iso: string) => (now = new Date(iso)),
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    put: (type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
      ingest({ source: 'shop.web', 'detail-type': type, detail: { eventId: `e${++n}`, customerId: 'c1', occurredAt: now.toISOString(), properties, ...extra } }),
    /** Hands the starter what the bus rules route to it since the last call (as the local bus and EventBridge do). */
    deliverStarts: async () => {
      const events = deps.bus.events.slice(delivered);
      delivered = deps.bus.events.length;
      const results: StartSequencesResult[] = [];
      for (const event of events.filter(routedToStarter)) results.push(await starter(SequenceStartEvent.parse(event)));
      return results;
    },
    /** Runs an execution to its end as the state machine would: each step when its time has come. */
    runToEnd: async (runId: string, until?: (state: SequenceMachineState) => void) => {
      let state = deps.executions.started.get(runId)!;
      while (!state.done) {
        if (Date.parse(state.dueAt) > now.getTime()) now = new Date(state.dueAt);
        until?.(state);
        state = await step(state);
      }
      return state;
    },
  };
}

function routedToStarter(event: InternalEvent): boolean {
  if (event.detailType === 'SequenceStartRequested' || event.detailType === 'LifecycleStageChanged') return true;
  return event.detailType === 'SegmentEntered' && defaultCatalog.sequences.some((s) => s.startOn?.segmentEntered === event.detail.segmentId);
}

const merged = (results: StartSequencesResult[]): StartSequencesResult => ({
  started: results.flatMap((r) => r.started),
  skipped: results.flatMap((r) => r.skipped),
  stopped: results.flatMap((r) => r.stopped),
});
/** What the cart rule puts on the bus when it fires for a cart_abandon with this event id. */
const cartStart = (s: ReturnType<typeof setup>, eventId: string) => ({
  detailType: 'SequenceStartRequested' as const,
  detail: { customerId: 'c1', sequenceId: 'cart_recovery', ruleId: 'cart_abandonment_1hour', trigger: { eventId, type: 'cart_abandon', occurredAt: s.now().toISOString(), properties: { cartValue: 90 } } },
});
const record = (s: ReturnType<typeof setup>, sequenceId: string) => s.runs.items.get(`c1\u0000${sequenceId}`);
const seqSends = (s: ReturnType<typeof setup>, sequenceId: string) => s.sendQueue.sent.filter((r) => r.ruleId.startsWith(`seq_${sequenceId}__`)).map((r) => r.ruleId.split('__')[1]);

describe('run ids', () => {
  it('are valid execution names, deterministic in (sequence, customer, start event), distinct otherwise', () => {
    const id = runIdFor('welcome_series', 'c1', 'e1');
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(id.startsWith('welcome_series-')).toBe(true);
    expect(runIdFor('welcome_series', 'c1', 'e1')).toBe(id);
    expect(new Set([id, runIdFor('welcome_series', 'c2', 'e1'), runIdFor('welcome_series', 'c1', 'e2'), runIdFor('cart_recovery', 'c1', 'e1')]).size).toBe(4);
    expect(runIdFor('x'.repeat(64), 'c'.repeat(300), 'e')).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it("a run's span is its last offset, plus about a week per send-window step", () => {
    const byId = (id: string) => defaultCatalog.sequences.find((s) => s.id === id)!;
    expect(runSpanMs(byId('welcome_series'))).toBe(5 * DAY);
    expect(runSpanMs(byId('cart_recovery'))).toBe(72 * 3_600_000);
    expect(runSpanMs(byId('onboarding_series'))).toBe(8 * DAY); // next_send_window (8 d bound), then day 4 (< 8 d)
  });
});

describe('personal data in executions (Step Functions keeps input and history after an erase)', () => {
  it('the execution input carries ids and times only; the run record keeps the trigger without its personal properties', () => {
    const profile = applyEvent(undefined, buildEvent({ type: 'subscribe', customerId: 'c1' }), new Date('2026-11-23T10:00:00Z')).profile;
    const personalName = fc.constantFrom(...PERSONAL_PROPERTY_FIELDS, 'phone', 'billingEmail', 'contact_name', 'postalAddress');
    const sequence = fc.constantFrom(...defaultCatalog.sequences);
    fc.assert(
      fc.property(sequence, fc.dictionary(personalName, fc.string({ minLength: 1 }).map((v) => `pii-${v}`), { minKeys: 1 }), fc.dictionary(fc.constantFrom('cartValue', 'productId', 'plan'), fc.constantFrom('p-1', 42)), (seq, personal, other) => {
        const trigger = { eventId: 'e1', type: 'custom_signup', occurredAt: '2026-11-23T10:00:00Z', properties: { ...other, ...personal, nested: [{ ...personal }] } };
        const { record, machineInput } = planRun({ sequence: seq, customerId: 'c1', trigger, startStage: null, startedBy: { type: 'rule', ruleId: 'r' }, profile, settings: defaultCatalog.settings.sendTime, now: new Date('2026-11-23T10:00:00Z') });
        expect(Object.keys(machineInput).sort()).toEqual(['customerId', 'done', 'dueAt', 'runId', 'sequenceId', 'startStage', 'startedAt', 'stepIndex']);
        expect(JSON.stringify(record)).not.toContain('pii-');
        expect(record.trigger.properties).toEqual({ ...other, nested: [{}] });
      }),
    );
  });
});

describe('the sequence starter', () => {
  it('a subscribe starts the welcome series once: day 0 due at the subscribe, the record active, a redelivery starts nothing new', async () => {
    const s = setup();
    await s.put('subscribe', {}, { email: 'c1@example.com' });
    const results = await s.deliverStarts();
    const runId = runIdFor('welcome_series', 'c1', 'e1');
    // Entering prospect (with the first event) starts that stage's own sequences too.
    expect(merged(results).started.map((r) => r.sequenceId).sort()).toEqual(['educational_content', 'social_proof', 'welcome_series']);
    expect(merged(results).started).toContainEqual({ sequenceId: 'welcome_series', runId });
    expect(s.executions.started.get(runId)).toMatchObject({ sequenceId: 'welcome_series', stepIndex: 0, dueAt: '2026-11-23T10:00:00.000Z', startStage: 'prospect', done: false });
    expect(record(s, 'welcome_series')).toMatchObject({ runId, status: 'active', startedBy: { type: 'rule', ruleId: 'welcome_new_subscriber' }, next: { stepId: 'hello' }, executionArn: expect.stringContaining(runId) });

    // The same request again (EventBridge delivers at least once): the same execution name, started once.
    const again = s.bus.events.find((e) => e.detailType === 'SequenceStartRequested')!;
    expect(await s.starter(SequenceStartEvent.parse(again))).toMatchObject({ started: [{ runId }] });
    expect(s.executions.startCalls.filter((id) => id === runId)).toEqual([runId, runId]);
    expect([...s.executions.started.keys()].filter((id) => id.startsWith('welcome_series'))).toEqual([runId]);
  });

  it('welcome runs once ever; cart recovery once at a time, and again after its run ended', async () => {
    const s = setup();
    await s.put('subscribe', {}, { email: 'c1@example.com' });
    await s.deliverStarts();
    await s.runToEnd(runIdFor('welcome_series', 'c1', 'e1'));
    const replay = { detailType: 'SequenceStartRequested' as const, detail: { customerId: 'c1', sequenceId: 'welcome_series', ruleId: 'welcome_new_subscriber', trigger: { eventId: 'other', type: 'subscribe', occurredAt: s.now().toISOString(), properties: {} } } };
    expect((await s.starter(replay)).skipped).toEqual([{ sequenceId: 'welcome_series', reason: 'ran_once', runId: runIdFor('welcome_series', 'c1', 'e1') }]);

    await s.put('cart_abandon', { cartValue: 80 }); // e2
    await s.deliverStarts();
    // The rule fires again (after its 24 h cooldown, which the fake claim store does not model): the run is still going.
    s.advance(25 * 3_600_000);
    expect((await s.starter(cartStart(s, 'again'))).skipped).toEqual([{ sequenceId: 'cart_recovery', reason: 'already_running', runId: runIdFor('cart_recovery', 'c1', 'e2') }]);
    await s.runToEnd(runIdFor('cart_recovery', 'c1', 'e2'));
    expect(record(s, 'cart_recovery')).toMatchObject({ status: 'finished', next: null });
    s.advance(DAY);
    expect((await s.starter(cartStart(s, 'later'))).started).toEqual([{ sequenceId: 'cart_recovery', runId: runIdFor('cart_recovery', 'c1', 'later') }]);
  });

  it('a run whose execution died silently stops blocking new starts once its time is over', async () => {
    const s = setup();
    await s.put('subscribe', {}, { email: 'c1@example.com' });
    await s.put('cart_abandon', { cartValue: 80 }); // e2
    await s.deliverStarts();
    expect(record(s, 'cart_recovery')?.status).toBe('active');
    s.advance(72 * 3_600_000 + DAY + 60_000); // past activeUntil, the record still says active
    expect((await s.starter(cartStart(s, 'e3'))).started).toEqual([{ sequenceId: 'cart_recovery', runId: runIdFor('cart_recovery', 'c1', 'e3') }]);
  });

  it("a stage change stops the previous stage's runs and starts the new stage's", async () => {
    const s = setup();
    await s.put('subscribe', {}, { email: 'c1@example.com' });
    await s.deliverStarts();
    s.advance(DAY);
    await s.put('purchase', { orderId: 'o1', amount: 40 }); // prospect -> new_customer
    const result = merged(await s.deliverStarts());
    expect(result.stopped.map((r) => r.sequenceId).sort()).toEqual(['educational_content', 'social_proof', 'welcome_series']);
    expect(result.stopped).toContainEqual({ sequenceId: 'welcome_series', runId: runIdFor('welcome_series', 'c1', 'e1') });
    expect(result.started.map((r) => r.sequenceId).sort()).toEqual(['onboarding_series', 'product_education', 'support_resources']);
    expect(s.executions.stopped).toContainEqual({ executionArn: expect.stringContaining(runIdFor('welcome_series', 'c1', 'e1')), cause: 'stage changed prospect -> new_customer' });
    expect(record(s, 'welcome_series')).toMatchObject({ status: 'stopped', next: null, exit: { reason: 'stage changed prospect -> new_customer' } });
    // A stopped run's execution, should it still wake up, sends nothing.
    const sent = s.sendQueue.sent.length;
    const state = await s.step({ ...s.executions.started.get(runIdFor('welcome_series', 'c1', 'e1'))!, stepIndex: 1 });
    expect(state.done).toBe(true);
    expect(s.sendQueue.sent).toHaveLength(sent);
  });

  it("leaving every stage (an inactive prospect: document 001's inactive_60d) stops the stage's runs and starts nothing", async () => {
    const s = setup();
    await s.put('subscribe', {}, { email: 'c1@example.com' });
    await s.deliverStarts();
    expect(record(s, 'educational_content')).toMatchObject({ status: 'active', startStage: 'prospect' });
    s.advance(60 * DAY);
    // The daily sweep's evaluation, as the scheduled job runs it.
    const profile = s.profiles.items.get('c1')!;
    const evaluation = evaluateProfile({ profile, catalog: segmentationOf(defaultCatalog), now: s.now(), triggerId: 'sweep' });
    s.profiles.items.set('c1', evaluation.profile);
    await s.bus.publish(evaluation.internalEvents);
    const result = merged(await s.deliverStarts());
    expect(evaluation.profile.lifecycleStage).toBeUndefined();
    expect(result.started).toEqual([]);
    expect(result.stopped.map((r) => r.sequenceId)).toEqual(expect.arrayContaining(['educational_content', 'social_proof']));
    expect(record(s, 'educational_content')).toMatchObject({ status: 'stopped', exit: { reason: 'stage changed prospect -> none' } });
  });

  it('an unsubscribe, which also ends the prospect stage, is the reason the stage runs record (exited, not stopped by the stage change)', async () => {
    const s = setup();
    await s.put('subscribe', {}, { email: 'c1@example.com' });
    await s.deliverStarts();
    s.advance(DAY);
    await s.put('unsubscribe');
    const result = merged(await s.deliverStarts());
    expect(result.stopped.map((r) => r.sequenceId).sort()).toEqual(['educational_content', 'social_proof', 'welcome_series']);
    for (const sequenceId of ['educational_content', 'social_proof', 'welcome_series']) {
      expect(record(s, sequenceId), sequenceId).toMatchObject({ status: 'exited', next: null, exit: { reason: 'unsubscribed from marketing' } });
    }
  });

  it("a run of the new stage's own sequence, started by a rule just before the stage changed, carries on as the stage's: not stopped, not started twice", async () => {
    const s = setup();
    await s.put('subscribe', {}, { email: 'c1@example.com' });
    await s.put('purchase', { orderId: 'o1', amount: 150 }); // new_customer
    await s.deliverStarts();
    s.advance(60 * DAY);
    const ruleStart = { detailType: 'SequenceStartRequested' as const, detail: { customerId: 'c1', sequenceId: 'win_back_campaign', ruleId: 'win_back_60_days', trigger: { eventId: 'idle60', type: 'inactivity', occurredAt: s.now().toISOString(), properties: {} } } };
    expect((await s.starter(ruleStart)).started).toEqual([{ sequenceId: 'win_back_campaign', runId: runIdFor('win_back_campaign', 'c1', 'idle60') }]);
    expect(record(s, 'win_back_campaign')?.startStage).toBe('new_customer');
    s.profiles.items.set('c1', { ...s.profiles.items.get('c1')!, lifecycleStage: 'at_risk' });
    const stage = await s.starter({ detailType: 'LifecycleStageChanged', detail: { customerId: 'c1', from: 'new_customer', to: 'at_risk', at: s.now().toISOString(), transitionId: 'st' } });
    expect(stage.stopped.map((r) => r.sequenceId)).not.toContain('win_back_campaign');
    expect(stage.skipped).toContainEqual({ sequenceId: 'win_back_campaign', reason: 'already_running', runId: runIdFor('win_back_campaign', 'c1', 'idle60') });
    expect(record(s, 'win_back_campaign')).toMatchObject({ status: 'active', startStage: 'at_risk' });
    // Its next step's exit check reads the record's stage: the run goes on, and sends its step.
    const state = await s.step(s.executions.started.get(runIdFor('win_back_campaign', 'c1', 'idle60'))!);
    expect(state).toMatchObject({ done: false, startStage: 'at_risk', stepIndex: 1 });
    expect(seqSends(s, 'win_back_campaign')).toEqual(['hello_again']);
  });

  it('entering the win_back segment starts win_back; a customer not written yet is retried; a malformed event is refused', async () => {
    const s = setup();
    await s.put('subscribe', {}, { email: 'c1@example.com' });
    await s.put('subscription_cancel', {});
    const results = await s.deliverStarts();
    expect(results.flatMap((r) => r.started.map((x) => x.sequenceId))).toContain('win_back');
    // Ingest publishes before its profile write: no profile after a short wait is retried later (thrown), not dropped.
    await expect(s.starter({ detailType: 'SegmentEntered', detail: { customerId: 'nobody', segmentId: 'win_back', at: s.now().toISOString(), transitionId: 't' } })).rejects.toThrow(ProfileNotWrittenError);
    expect(SequenceStartEvent.safeParse({ detailType: 'SegmentEntered', detail: { customerId: 'c1' } }).success).toBe(false);
  });
});

describe('the state machine step', () => {
  it('runs the welcome series at day 0, 2 and 5 and keeps each step in the run record', async () => {
    const s = setup();
    await s.put('subscribe', {}, { email: 'c1@example.com' });
    await s.deliverStarts();
    const dueTimes: string[] = [];
    await s.runToEnd(runIdFor('welcome_series', 'c1', 'e1'), (state) => dueTimes.push(state.dueAt));
    expect(dueTimes).toEqual(['2026-11-23T10:00:00.000Z', '2026-11-25T10:00:00.000Z', '2026-11-28T10:00:00.000Z']);
    expect(seqSends(s, 'welcome_series')).toEqual(['hello', 'our_story', 'getting_started']);
    expect(record(s, 'welcome_series')).toMatchObject({
      status: 'finished',
      next: null,
      steps: [
        { stepId: 'hello', outcome: 'queued' },
        { stepId: 'our_story', outcome: 'queued' },
        { stepId: 'getting_started', outcome: 'queued' },
      ],
    });
  });

  it('cart recovery ends on a purchase between steps, recorded as the exit reason', async () => {
    const s = setup();
    await s.put('subscribe', {}, { email: 'c1@example.com' });
    await s.put('cart_abandon', { cartValue: 80 });
    await s.deliverStarts();
    const runId = runIdFor('cart_recovery', 'c1', 'e2');
    let state = s.executions.started.get(runId)!;
    s.at(state.dueAt);
    state = await s.step(state); // 1 h: the reminder
    s.at('2026-11-23T20:00:00Z');
    await s.put('purchase', { orderId: 'o1', amount: 80 });
    s.at(state.dueAt);
    state = await s.step(state); // 24 h: exits
    expect(state.done).toBe(true);
    expect(seqSends(s, 'cart_recovery')).toEqual(['reminder']);
    expect(record(s, 'cart_recovery')).toMatchObject({ status: 'exited', exit: { reason: 'event purchase at 2026-11-23T20:00:00.000Z' } });
  });
});

describe('starting only runs that can send', () => {
  const EVENT_TYPES = ['page_view', 'product_view', 'cart_abandon', 'purchase', 'subscribe', 'unsubscribe', 'email_click', 'app_session'] as const;
  const sequenceIds = defaultCatalog.sequences.map((sequence) => sequence.id);

  it("starts no execution whose first step would end it at once: an exit goal that already holds (the step's own check, exitReason) ends the run at its start, recorded as exited", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ type: fc.constantFrom(...EVENT_TYPES), minutes: fc.integer({ min: 1, max: 600 }) }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom(...sequenceIds),
        fc.integer({ min: 0, max: 8 }),
        async (events, sequenceId, triggerAfter) => {
          const s = setup();
          await s.put('identify', {}, { email: 'c1@example.com' });
          const times: string[] = [];
          for (const [i, event] of events.entries()) {
            s.advance(event.minutes * 60_000);
            times.push(s.now().toISOString());
            await s.put(event.type, event.type === 'purchase' ? { orderId: `o${i}`, amount: 40 } : {});
          }
          // The start names a trigger somewhere in the customer's history (a start delivered late, or overtaken by later events).
          const occurredAt = times[Math.min(triggerAfter, times.length - 1)]!;
          const trigger = { eventId: `t-${sequenceId}`, type: 'cart_abandon', occurredAt, properties: {} };
          const result = await s.starter(SequenceStartEvent.parse({ detailType: 'SequenceStartRequested', detail: { customerId: 'c1', sequenceId, ruleId: 'r', trigger } }));
          const profile = (await s.profiles.get('c1'))!;
          const sequence = defaultCatalog.sequences.find((candidate) => candidate.id === sequenceId)!;
          for (const { runId } of result.started) {
            const input = s.executions.started.get(runId)!;
            expect(exitReason(sequence, input, profile, factsAt(profile, defaultCatalog, s.now())), runId).toBeUndefined();
          }
          // What was not started because it would have ended at once is on the record, as its first step would have written it.
          for (const skipped of result.skipped.filter((entry) => entry.reason === 'exit_goal_met')) {
            expect(record(s, skipped.sequenceId)).toMatchObject({ runId: skipped.runId, status: 'exited', next: null, executionArn: null, exit: { reason: expect.any(String) } });
            expect(s.executions.started.has(skipped.runId!)).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
