import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventBridgeOneTimeSchedules } from '#shared/adapters/scheduler/one-time-schedules.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { MAX_ID_LENGTH } from '#shared/contract/limits.ts';
import { customerDigest, deterministicId } from '#shared/domain/deterministic-ids.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import type { RuleTimer } from '#shared/domain/rule-timer.ts';
import { prepareSends } from '#shared/domain/send-decision.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { planRun } from '#shared/domain/sequence-runs.ts';
import { Sequence } from '#shared/domain/sequences.ts';
import { absenceTimersFor, dueTemporalTriggers } from '#shared/domain/temporal-triggers.ts';
import { TriggerRule, type TriggerRuleInput } from '#shared/domain/trigger-rules.ts';
import { decideAndAct } from '#shared/services/decide-sends.ts';
import { buildEvent } from '../support/build-event.ts';
import { fakeServiceDeps } from '../support/fakes.ts';

/**
 * Issue 19 item 2: every id that names a send, a claim, a timer, a sequence run or a schedule is
 * unique per customer (two customers whose producers number events alike never share one) and
 * deterministic (the same inputs again give the same id, so redeliveries dedupe). The ids are
 * taken from the code paths that make them (prepareSends, absenceTimersFor, dueTemporalTriggers,
 * decideAndAct, planRun, the scheduler adapter), not from the id helpers, so a path that forgets
 * the customer fails here.
 */

const NOW = new Date('2031-06-18T23:30:00Z'); // 23:30 UTC: inside the shipped quiet hours, so sends are held
const SNAKE_ID = /^[a-z][a-z0-9]{0,20}(_[a-z0-9]{1,10}){0,3}$/;
const SCHEDULE_NAME = /^[0-9a-zA-Z_.-]{1,64}$/;
/** Step Functions execution names: 1-80 characters; `[A-Za-z0-9_-]` also keeps them valid for logging and Express machines. */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** Any customer id the contract lets through: any UTF-16 (lone surrogates, RTL, zero-width), up to 256 units = up to 768 UTF-8 bytes. */
const customerId = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: MAX_ID_LENGTH }),
  fc.string({ unit: fc.constantFrom('a', '\u05d0', '\u200b', '\ud800', '\udc00', '\u{1f600}', '.', '-'), minLength: 1, maxLength: MAX_ID_LENGTH }),
  fc.string({ unit: 'grapheme', minLength: MAX_ID_LENGTH / 4, maxLength: MAX_ID_LENGTH / 2 }).filter((id) => id.length <= MAX_ID_LENGTH),
);
const twoCustomers = fc.uniqueArray(customerId, { minLength: 2, maxLength: 2 }).map(([a, b]) => [a!, b!] as const);
const snakeId = fc.stringMatching(SNAKE_ID);
const eventId = fc.string({ unit: 'binary', minLength: 1, maxLength: MAX_ID_LENGTH });
const instant = fc.date({ min: new Date('2029-01-01T00:00:00Z'), max: new Date('2031-04-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());

const categories = defaultCatalog.subscriptionCategories;
const sendTime = defaultCatalog.settings.sendTime;
const marketingCap = { count: 100, periodHours: 1 };
const rule = (input: Omit<TriggerRuleInput, 'description' | 'priority'> & { priority?: number }) => TriggerRule.parse({ description: 'test rule', priority: 50, ...input });

/** A mailable profile of `id`, with the activity and signup instants the temporal triggers key on. */
function profileOf(id: string, at: { lastActivityAt: string; signedUpAt: string }): Profile {
  const change = applyEvent(undefined, buildEvent({ type: 'identify', customerId: id, email: 'someone@example.com', occurredAt: at.signedUpAt, properties: { consent: { marketing: 'subscribed' } } }), new Date(at.signedUpAt));
  if (change.type !== 'applied') throw new Error('expected applied');
  return { ...change.profile, lastActivityAt: at.lastActivityAt, signedUpAt: at.signedUpAt };
}

/** Captures the names the scheduler adapter gives CreateSchedule. */
function namingScheduler() {
  const names: string[] = [];
  const client = { send: async (command: { input: { Name?: string } }) => void names.push(command.input.Name ?? '') } as unknown as SchedulerClient;
  const config = { groupName: 'g', roleArn: 'arn:aws:iam::123456789012:role/r', sendQueueArn: 'arn:aws:sqs:eu-west-1:123456789012:q', timerFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:t' };
  return { names, schedules: new EventBridgeOneTimeSchedules(client, config, { now: () => NOW }) };
}

type Inputs = { ruleId: string; otherRuleId: string; sequenceId: string; eventId: string; lastActivityAt: string; signedUpAt: string };

/** Every id the system derives for `customer` from these inputs, labelled by what it names. */
async function idsOf(customer: string, inputs: Inputs): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const profile = profileOf(customer, inputs);
  const trigger = { eventId: inputs.eventId, type: 'purchase', occurredAt: NOW.toISOString(), properties: {} };
  const sendRule = rule({ id: inputs.ruleId, trigger: { type: 'behavioral', eventType: 'purchase' }, templateId: 'welcome', sendTime: { policy: 'immediate' } });
  const sequenceRule = rule({ id: inputs.ruleId, trigger: { type: 'behavioral', eventType: 'purchase' }, startSequence: inputs.sequenceId });
  for (const candidate of prepareSends({ matches: [{ rule: sendRule, conditions: [] }, { rule: sequenceRule, conditions: [] }], trigger, profile, categories, marketingCap, sendTime, now: NOW })) {
    if (candidate.type === 'candidate') ids.set('send', candidate.request.sendId);
    if (candidate.type === 'start_sequence') ids.set('sequence claim', candidate.claimId);
  }

  const absenceRule = rule({ id: inputs.ruleId, trigger: { type: 'temporal', kind: 'absence', eventType: 'cart_add', absentEventTypes: ['purchase'], withinHours: 1 }, templateId: 'welcome' });
  const cartAdd = buildEvent({ type: 'cart_add', customerId: customer, eventId: inputs.eventId, occurredAt: NOW.toISOString() });
  const [absence] = absenceTimersFor([absenceRule], cartAdd);
  ids.set('absence timer', absence!.timerId);

  // Inactivity and anniversary: due exactly now, from the same lastActivityAt / signup instant for both customers.
  const days = Math.max(1, Math.floor((NOW.getTime() - Date.parse(inputs.lastActivityAt)) / 86_400_000));
  const temporal = [
    rule({ id: `${inputs.ruleId}_idle`, trigger: { type: 'temporal', kind: 'inactivity', days }, templateId: 'welcome' }),
    rule({ id: `${inputs.ruleId}_anniversary`, trigger: { type: 'temporal', kind: 'anniversary', of: 'signup' }, templateId: 'welcome' }),
  ];
  for (const due of dueTemporalTriggers(temporal, profile, NOW)) {
    const [candidate] = prepareSends({ matches: [{ rule: due.rule, conditions: [] }], trigger: due.trigger, profile, categories, marketingCap, sendTime, now: NOW });
    if (candidate?.type === 'candidate') ids.set(`${due.trigger.type} send`, candidate.request.sendId);
  }

  // A lower-priority rule that defers: its timer, and the winner's send held for quiet hours (a schedule).
  const deps = fakeServiceDeps(defaultCatalog, { now: () => NOW });
  const winner = rule({ id: inputs.ruleId, priority: 60, trigger: { type: 'behavioral', eventType: 'purchase' }, templateId: 'welcome', sendTime: { policy: 'immediate' } });
  const deferred = rule({ id: inputs.otherRuleId, priority: 40, trigger: { type: 'behavioral', eventType: 'purchase' }, templateId: 'welcome', onConflict: { action: 'defer', deferHours: 2 } });
  await decideAndAct(deps, { matches: [{ rule: winner, conditions: [] }, { rule: deferred, conditions: [] }], trigger, profile, now: NOW, via: 'event' });
  const [deferTimer] = [...deps.delayed.timers.values()];
  const [held] = [...deps.delayed.sends.values()];
  ids.set('deferred timer', deferTimer!.timerId);
  ids.set('held send', held!.request.sendId);

  const sequence = Sequence.parse({ ...defaultCatalog.sequences[0], id: inputs.sequenceId });
  const { record } = planRun({ sequence, customerId: customer, trigger, startStage: null, startedBy: { type: 'rule', ruleId: inputs.ruleId }, profile, settings: sendTime, now: NOW });
  ids.set('sequence run (execution name)', record.runId);

  const { names, schedules } = namingScheduler();
  await schedules.scheduleSend(held!.request as SendRequest, new Date(NOW.getTime() + 9 * 3_600_000));
  await schedules.scheduleTimer(deferTimer as RuleTimer);
  await schedules.scheduleTimer(absence!);
  ids.set('send schedule', names[0]!);
  ids.set('deferred timer schedule', names[1]!);
  ids.set('absence timer schedule', names[2]!);
  return ids;
}

const inputs = fc.record({
  ruleId: snakeId,
  otherRuleId: snakeId.map((id) => `${id}_other`),
  sequenceId: snakeId,
  eventId,
  lastActivityAt: instant,
  // A signup whose anniversary fell within the last 40 hours, so the anniversary trigger is due now.
  signedUpAt: fc.record({ years: fc.integer({ min: 1, max: 20 }), hours: fc.integer({ min: 0, max: 40 }) }).map(({ years, hours }) => {
    const at = new Date(NOW.getTime() - hours * 3_600_000);
    at.setUTCFullYear(at.getUTCFullYear() - years);
    return at.toISOString();
  }),
});
const EVERY_KIND = ['absence timer', 'absence timer schedule', 'anniversary send', 'deferred timer', 'deferred timer schedule', 'held send', 'inactivity send', 'send', 'send schedule', 'sequence claim', 'sequence run (execution name)'];

describe('ids are unique per customer and deterministic (issue 19 item 2)', () => {
  it('two customers with equal event ids, rules, activity and signup instants share no send, claim, timer, run or schedule id', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(twoCustomers, inputs, async ([a, b], input) => {
        const [ofA, ofB] = [await idsOf(a, input), await idsOf(b, input)];
        expect([...ofA.keys()].sort()).toEqual(EVERY_KIND);
        expect([...ofB.keys()].sort()).toEqual(EVERY_KIND);
        const shared = [...ofA].filter(([, id]) => [...ofB.values()].includes(id)).map(([what]) => what);
        expect(shared).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('the same customer and inputs give the same ids again (a redelivery dedupes)', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(customerId, inputs, async (customer, input) => {
        expect(await idsOf(customer, input)).toEqual(await idsOf(customer, input));
      }),
      { numRuns: 30 },
    );
  });

  it('every schedule name fits EventBridge Scheduler and every run id Step Functions, for any customer id the contract allows', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(customerId, inputs, async (customer, input) => {
        const ids = await idsOf(customer, input);
        for (const [what, id] of ids) {
          if (what.endsWith('schedule')) expect(id, what).toMatch(SCHEDULE_NAME);
          else if (what.startsWith('sequence run')) expect(id, what).toMatch(EXECUTION_NAME);
          else expect(id, what).toMatch(/^[A-Za-z0-9_-]{1,64}$/); // sort keys, SES tag values, SQS attributes
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('the id digest', () => {
  it('tells apart ids that differ only in a lone surrogate (UTF-8 encoding would turn both into U+FFFD)', () => {
    expect(deterministicId('send', 'lone\ud800', 'r', 'e')).not.toBe(deterministicId('send', 'lone\ud801', 'r', 'e'));
    expect(customerDigest('lone\ud800')).not.toBe(customerDigest('lone\ud801'));
  });
});
