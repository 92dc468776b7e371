import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDecisionLog } from '#shared/adapters/dynamo/decision-log-repository.ts';
import { DynamoProfileStore } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoSequenceRuns } from '#shared/adapters/dynamo/sequence-run-repository.ts';
import { DynamoSegmentMembershipStore } from '#shared/adapters/dynamo/segment-membership-repository.ts';
import { scheduleNameFor } from '#shared/adapters/scheduler/one-time-schedules.ts';
import { SqsRejectedEventStore } from '#shared/adapters/sqs/rejected-event-queue.ts';
import { defaultCatalog, defaultCatalogInput, loadCatalog } from '#shared/catalog/index.ts';
import type { Log } from '#shared/domain/ports.ts';
import { timerIdFor, type RuleTimer } from '#shared/domain/rule-timer.ts';
import { makeIngestEvent } from '#shared/services/ingest-event.ts';
import { makeRunTimer } from '#shared/services/run-timer.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { realDecisionAdapters } from './support/decision-adapters.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';
import { repeatedSendIds, sendIdOf } from './support/ses-send-ids.ts';

const quiet: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const HOUR = 3_600_000;

/**
 * Timing of trigger decisions against the running local system and its simulated clock: cooldown
 * expiry, quiet hours (a send held until 08:00 and delivered by the local EventBridge Scheduler),
 * an absence trigger (cart_add and no purchase within 1 h) and a predictive rule on a model event.
 */
describe('trigger timing under the simulated clock', () => {
  const nudge = nudgeClient();
  const aws = { region: LOCAL_REGION, credentials: localCredentials };

  const daytime = () => nudge.daytime();
  const decisions = new DynamoDecisionLog(nudge.documentClient, nudge.output('TableName'));

  const put = async (customerId: string, type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => {
    await nudge.putEvents([{ detailType: type, detail: { eventId: uniqueId('t'), customerId, occurredAt: (await nudge.now()).toISOString(), properties, ...extra } }]);
    await nudge.waitForIdle();
  };

  it("a cooldown blocks the shipped cart rule for 24 h; after it, the rule fires again but joins the cart recovery that is still running", async () => {
    await daytime();
    const customerId = uniqueId('cool');
    const email = `${customerId}@example.com`;
    await put(customerId, 'subscribe', {}, { email });
    const cartSubjects = async () => (await nudge.emailsTo(email)).map((e) => e.subject).filter((subject) => subject.includes('cart'));
    const ruleOutcomes = async () => (await decisions.list(customerId, { ruleId: 'cart_abandonment_1hour' })).reverse().map((d) => d.reason ?? d.outcome);
    await put(customerId, 'cart_abandon', { cartValue: 80 });
    await nudge.advanceClock('1h');
    await nudge.waitForIdle();
    expect(await cartSubjects()).toHaveLength(1); // cart recovery's first reminder, an hour after the abandon
    await nudge.advanceClock('1h');
    await put(customerId, 'cart_abandon', { cartValue: 90 });
    // Cooldown and the 1-per-24 h cap block it together; the decision names the first that refused.
    expect((await ruleOutcomes())[1]).toMatch(/^(cooldown|rule_cap)$/);
    expect(await ruleOutcomes()).toHaveLength(2);
    await nudge.advanceClock('23h'); // 25 h after the first: cooldown and the 1-per-24 h cap have expired
    await nudge.waitForIdle();
    await put(customerId, 'cart_abandon', { cartValue: 95 });
    expect((await ruleOutcomes())[2]).toBe('sequence_started');
    // One run at a time: the second start finds the first run (at its 24 h reminder) still going.
    const runs = await new DynamoSequenceRuns(nudge.documentClient, nudge.output('TableName')).listForCustomer(customerId);
    expect(runs.filter((r) => r.sequenceId === 'cart_recovery').map((r) => [r.status, r.steps.map((step) => step.stepId)])).toEqual([['active', ['reminder', 'still_saved']]]);
    expect(await cartSubjects()).toHaveLength(2);
  });

  it('a predictive rule fires on ChurnRiskChanged for a valuable customer, not for a cheap one', async () => {
    await daytime();
    const valuable = uniqueId('churn');
    const cheap = uniqueId('churn');
    for (const [customerId, amount] of [[valuable, 150], [cheap, 20]] as const) {
      await put(customerId, 'subscribe', {}, { email: `${customerId}@example.com` });
      await put(customerId, 'purchase', { orderId: uniqueId('o'), amount });
    }
    const at = (await nudge.now()).toISOString();
    const modelEvents = [valuable, cheap].map((customerId) => ({
      source: 'nudge',
      detailType: 'ChurnRiskChanged',
      detail: { customerId, transitionId: uniqueId('tr'), at, probability: 0.83, previousProbability: 0.4, modelId: 'churn' },
    }));
    await nudge.putEvents(modelEvents);
    await nudge.waitForIdle();
    // The churn prevention email ("…we have missed you…"); stage sequences may send their own beside it.
    const churnEmails = async (customerId: string) => (await nudge.emailsTo(`${customerId}@example.com`)).filter((e) => e.subject.includes('missed you'));
    // It waits for the customer's optimal send time (document 000): 10:00 UTC on the next business day for a customer with no hour of their own.
    const [decision] = await decisions.list(valuable, { ruleId: 'churn_prevention_high_risk' });
    expect(decision).toMatchObject({ outcome: 'queued', reason: 'preferred_hour' });
    const sendAt = new Date(decision!.sendAt!);
    expect([sendAt.getUTCHours(), sendAt.getUTCMinutes(), sendAt.getUTCDay() >= 1 && sendAt.getUTCDay() <= 5]).toEqual([10, 0, true]);
    expect(await churnEmails(valuable)).toHaveLength(0);
    await nudge.advanceClock(`${Math.ceil((sendAt.getTime() - (await nudge.now()).getTime()) / 1000) + 30}s`);
    await nudge.waitForIdle(240_000);
    expect(await churnEmails(valuable)).toHaveLength(1);
    expect(await churnEmails(cheap)).toHaveLength(0);
    const body = (await churnEmails(valuable))[0]?.body.text ?? '';
    expect(body).not.toContain('0.83');
  });

  // Document 001's at_risk needs 180 days since the last purchase, so at 60 idle days only the rule
  // starts the win-back; the idle prospect leaves its stage (inactive_60d) and gets none.
  it('the daily sweep starts the win-back campaign once for a buyer idle 60 days (by the rule), and none for an idle prospect', async () => {
    const start = await daytime();
    const [buyer, browser] = [uniqueId('idle'), uniqueId('idle')];
    for (const customerId of [buyer, browser]) await put(customerId, 'subscribe', {}, { email: `${customerId}@example.com` });
    await put(buyer, 'purchase', { orderId: uniqueId('o'), amount: 40 });
    // 60 days and an hour later, at the same hour of day (outside quiet hours): the clock passes
    // the 03:00 sweeps, which fire once; a manual run the same day decides the same again.
    const target = new Date(start.getTime() + 60 * 24 * HOUR + HOUR);
    // First past every stage sequence they started (so their steps leave weeks before the win-back,
    // not at the same instant, where the 3-per-week marketing cap would take the win-back's place).
    await nudge.advanceClock('20d');
    await nudge.waitForIdle();
    await nudge.advanceClock(`${Math.ceil((target.getTime() - (await nudge.now()).getTime()) / 1000)}s`);
    await nudge.waitForIdle();
    expect(await nudge.runSchedule('Sweep')).toMatchObject({ ok: true });
    await nudge.waitForIdle();
    const helloAgain = async (customerId: string) =>
      (await decisions.list(customerId, { ruleId: 'seq_win_back_campaign__hello_again', limit: 10 })).filter((d) => d.outcome === 'queued');
    expect(await helloAgain(buyer)).toHaveLength(1);
    expect((await decisions.list(buyer, { ruleId: 'win_back_60_days' })).map((d) => d.outcome)).toEqual(['sequence_started']);
    const runs = new DynamoSequenceRuns(nudge.documentClient, nudge.output('TableName'));
    expect(await runs.get(buyer, 'win_back_campaign')).toMatchObject({ startedBy: { type: 'rule', ruleId: 'win_back_60_days' } });
    expect(await helloAgain(browser)).toHaveLength(0);
    expect(await runs.get(browser, 'win_back_campaign')).toBeUndefined();
    expect((await nudge.profiles.get(browser))?.lifecycleStage).toBeUndefined();
    expect((await nudge.emailsTo(`${buyer}@example.com`)).filter((e) => /been a while/.test(e.subject))).toHaveLength(1);
  });

  // Moving the shared clock on by days runs the daily jobs (sweep, scoring, drift check) over every
  // profile the suite has made, and the stream's rollups after them: minutes under a loaded CI, not a hang.
  describe('with rules of its own, decided in this process through the real adapters', { timeout: 600_000 }, () => {
    const table = nudge.output('TableName');
    // The days these tests play on: the first Monday at least two days after the shared system clock
    // (other files move it on; a fixed date fell behind it as tests were added, and what was due
    // later ran at once), so the jump there stays under ten days.
    let monday = new Date('2027-03-01T00:00:00Z'); // a Monday
    const day = (offset: number, time: string) => new Date(`${new Date(monday.getTime() + offset * 86_400_000).toISOString().slice(0, 10)}T${time}Z`);
    beforeAll(async () => {
      const earliest = (await nudge.now()).getTime() + 2 * 86_400_000;
      const weeks = Math.ceil((earliest - monday.getTime()) / (7 * 86_400_000));
      monday = new Date(monday.getTime() + weeks * 7 * 86_400_000);
    });
    let now = monday;
    const catalogWith = (rules: typeof defaultCatalogInput.rules) => loadCatalog({ ...defaultCatalogInput, rules });
    const services = (catalog: ReturnType<typeof catalogWith>) => {
      const deps = {
        ...realDecisionAdapters(nudge, { now: () => now }),
        profiles: new DynamoProfileStore(nudge.documentClient, table),
        rejectedEvents: new SqsRejectedEventStore(nudge.sqs, nudge.output('RejectedEventsQueueUrl')),
        // Not the system's bus: these customers are decided by this test's own catalog, and the shipped
        // sequence starter must not start stage sequences for them (their steps would take the marketing cap).
        bus: { publish: async () => undefined },
        membership: new DynamoSegmentMembershipStore(nudge.documentClient, table),
        catalog,
        clock: { now: () => now },
        log: quiet,
      };
      return { ingest: makeIngestEvent(deps), runTimer: makeRunTimer(deps) };
    };
    const event = (customerId: string, type: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
      source: 'shop.web',
      'detail-type': type,
      detail: { eventId: uniqueId('e'), customerId, occurredAt: now.toISOString(), properties, ...extra },
    });
    /** The system clock must reach `instant` for the local scheduler to fire what is due then. */
    const advanceSystemTo = async (instant: Date) => {
      const system = await nudge.now();
      if (instant > system) await nudge.advanceClock(`${Math.ceil((instant.getTime() - system.getTime()) / 1000)}s`);
      // A jump of days runs the daily jobs over every profile of the suite, and the sends they start
      // leave at SES's paced rate (14/s locally): give them their time rather than assert over half of it.
      await nudge.waitForIdle(240_000);
    };

    it('quiet hours: a marketing send decided at 23:00 UTC leaves at 08:00, through a one-time schedule', async () => {
      const { ingest } = services(catalogWith([
        // Sent as soon as decided (opting out of the optimal send time), so quiet hours are what holds it.
        { id: 'order_thanks', description: 'thanks', priority: 50, trigger: { type: 'behavioral', eventType: 'purchase' }, sendTime: { policy: 'immediate' }, templateId: 'welcome' },
      ]));
      const customerId = uniqueId('quiet');
      const email = `${customerId}@example.com`;
      now = day(1, '09:00:00');
      await advanceSystemTo(now);
      await ingest(event(customerId, 'identify', { email, consent: { marketing: 'subscribed' } }));
      now = day(1, '23:00:00');
      const outcome = await ingest(event(customerId, 'purchase', { orderId: uniqueId('o'), amount: 30 }));
      expect(outcome).toMatchObject({ rules: [{ ruleId: 'order_thanks', outcome: 'queued', reason: 'quiet_hours' }] });
      // An hour short of 08:00: the simulated clock is real time plus an offset, so it runs on while the
      // system settles after the jump (the daily jobs' sends take a minute or more at SES's pace).
      await advanceSystemTo(day(2, '07:00:00'));
      expect((await nudge.emailsTo(email)).map((e) => e.subject)).toEqual([]);
      await advanceSystemTo(day(2, '08:00:30'));
      expect(await nudge.emailsTo(email)).toHaveLength(1);
    });

    it('absence: cart_add with no purchase within 1 h sends; a purchase within the hour does not', async () => {
      const { ingest, runTimer } = services(catalogWith([
        {
          id: 'cart_no_purchase',
          description: 'cart_add and no purchase in 1 h',
          priority: 80,
          trigger: { type: 'temporal', kind: 'absence', eventType: 'cart_add', absentEventTypes: ['purchase'], withinHours: 1 },
          conditions: { all: [{ field: 'event.properties.cartValue', op: 'greater_than', value: 50 }] },
          sendTime: { policy: 'immediate' },
          templateId: 'welcome',
        },
      ]));
      now = day(3, '10:00:00');
      await advanceSystemTo(now);
      const [abandoner, buyer] = [uniqueId('abs'), uniqueId('abs')];
      const timers: RuleTimer[] = [];
      const scheduler = new SchedulerClient({ ...aws, endpoint: nudge.context.endpoints.eventBridge });
      for (const customerId of [abandoner, buyer]) {
        await ingest(event(customerId, 'identify', { email: `${customerId}@example.com`, consent: { marketing: 'subscribed' } }));
        const cartAdd = event(customerId, 'cart_add', { productId: 'p1', cartValue: 80 });
        expect(await ingest(cartAdd)).toMatchObject({ timersStarted: ['cart_no_purchase'] });
        // The timer is a real one-time schedule, due an hour after the cart_add, targeting the timers function.
        const name = scheduleNameFor('timer', customerId, timerIdFor('absence_check', customerId, 'cart_no_purchase', cartAdd.detail.eventId));
        const schedule = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: nudge.output('ScheduleGroupName') }));
        expect(schedule.ScheduleExpression).toBe(`at(${day(3, '11:00:00').toISOString().slice(0, 19)})`);
        expect(schedule.Target?.Arn).toBe(nudge.output('TimerFunctionArn'));
        timers.push(JSON.parse(schedule.Target!.Input!) as RuleTimer);
      }
      now = day(3, '10:30:00');
      await ingest(event(buyer, 'purchase', { orderId: uniqueId('o'), amount: 80 }));
      now = day(3, '11:00:00');
      // The shipped timers function also runs these schedules when the system clock passes 11:00; it
      // does not know this test's rule and skips it. The decision is this test catalog's, run here.
      const [sent, goalMet] = [await runTimer(timers[0]), await runTimer(timers[1])];
      expect(sent).toMatchObject({ type: 'decided', records: [{ outcome: 'queued', via: 'absence_check' }] });
      expect(goalMet).toMatchObject({ type: 'decided', records: [{ outcome: 'goal_met', reason: 'follow_up_seen' }] });
      await advanceSystemTo(now);
      // Only this rule's email (template `welcome`): the shipped stage sequences run for these customers too.
      const ruleEmails = async (customerId: string) => (await nudge.emailsTo(`${customerId}@example.com`)).filter((e) => e.subject.startsWith('Welcome'));
      expect(await ruleEmails(abandoner)).toHaveLength(1);
      expect(await ruleEmails(buyer)).toHaveLength(0);
      scheduler.destroy();
    });

    // After the absence test: each test here plays on later days than the one before (the system clock only moves on).
    it('two customers whose producers number events alike, both held by quiet hours: each gets their own email (issue 19)', async () => {
      const { ingest } = services(catalogWith([
        { id: 'vip_thanks', description: 'thanks', priority: 50, trigger: { type: 'behavioral', eventType: 'purchase' }, sendTime: { policy: 'immediate' }, templateId: 'welcome' },
      ]));
      const customers = [uniqueId('twin'), uniqueId('twin')];
      // The same producer event ids for both customers (each producer counts from 1).
      const [identifyId, purchaseId] = [uniqueId('id'), uniqueId('order-event')];
      now = day(4, '09:00:00');
      await advanceSystemTo(now);
      for (const customerId of customers) {
        await ingest(event(customerId, 'identify', { email: `${customerId}@example.com`, consent: { marketing: 'subscribed' } }, { eventId: identifyId }));
      }
      now = day(4, '23:00:00');
      for (const customerId of customers) {
        const outcome = await ingest(event(customerId, 'purchase', { orderId: 'order-1', amount: 900 }, { eventId: purchaseId }));
        expect(outcome).toMatchObject({ rules: [{ ruleId: 'vip_thanks', outcome: 'queued', reason: 'quiet_hours' }] });
      }
      await advanceSystemTo(day(5, '08:00:30'));
      // This rule's email, once per customer, told apart by the ledger (the shipped stage sequences and
      // the night's daily jobs may send these customers their own emails too).
      for (const customerId of customers) {
        const emails = await nudge.emailsTo(`${customerId}@example.com`);
        const sent = await Promise.all(emails.map(async (email) => ({ subject: email.subject, sendId: sendIdOf(email), ruleId: (await nudge.ledger.find(customerId, sendIdOf(email) ?? ''))?.ruleId })));
        expect(repeatedSendIds(emails), customerId).toEqual({});
        expect(sent.filter((email) => email.ruleId === 'vip_thanks'), `${customerId}: ${JSON.stringify(sent)}`).toHaveLength(1);
      }
    });
  });

  it('the shipped catalog loads with the settings these tests assume', () => {
    expect(defaultCatalog.settings.sendTime.quietHours).toEqual({ startHour: 21, endHour: 8 });
  });
});
