import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '#shared/domain/clock.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';
import type { BusEvent } from '../eventbridge/event-bus.ts';
import type { FunctionHost } from '../lambda/function-host.ts';
import { AsyncInvoker, functionIdFromArn } from '../lambda/invoke-async.ts';
import type { AsyncInvokeConfigDef, RuleDef } from '../stack/cloud-template.ts';
import { resolveIntrinsics, type LocalResource } from '../stack/intrinsics.ts';
import { parseScheduleExpression, type Schedule } from './schedule-expression.ts';
import { TickLoop } from '../clock/tick-loop.ts';

export type SchedulerLog = { info(message: string): void; warn(message: string): void; error(message: string): void };

/** Why a schedule ran: its clock came due, or someone asked (`POST /_nudge/schedules/run`, `nudge sweep`). */
export type RunTrigger = 'schedule' | 'manual';

export type RunResult = { ok: boolean; error?: string };

/** One schedule as `GET /_nudge/schedules` shows it. */
export type ScheduleView = {
  /** The rule's logical id in the stack. */
  rule: string;
  expression: string;
  targets: Array<{ functionId: string; entry: string }>;
  /** ISO instant of the next fire under the simulated clock; null if the expression never fires again. */
  nextFireAt: string | null;
  /** ISO instant (simulated) of the last run started, scheduled or manual; null before the first. */
  lastFiredAt: string | null;
  /** How the last finished run went; null before the first finishes. */
  lastRun: (RunResult & { trigger: RunTrigger; skippedPeriods: number; finishedAt: string }) | null;
  /** Runs of this rule still in flight. */
  running: number;
};

type Target = { functionId: string; input?: unknown };
type Entry = {
  rule: string;
  ruleArn: string;
  schedule: Schedule;
  targets: Target[];
  next: Date | undefined;
  lastFiredAt: Date | undefined;
  lastRun: ScheduleView['lastRun'];
  running: number;
};

/** How often the loop looks at the simulated clock (real time). */
export const DEFAULT_TICK_MS = 250;
/** Skipped periods are counted up to this many (a year of rate(1 minute) need not be walked). */
const MAX_COUNTED_PERIODS = 10_000;

/**
 * EventBridge schedule rules, locally: the stack's `AWS::Events::Rule`s with a `ScheduleExpression`
 * run under the runtime's simulated clock, and each fire invokes the rule's Lambda targets with the
 * Scheduled Event envelope, asynchronously and with the functions' async retry and on-failure
 * settings (the same {@link AsyncInvoker} as the bus).
 *
 * Each schedule's first fire is the first fire time after the clock's reading when the scheduler is
 * built (for `rate`, one period after it). A loop then checks the clock every {@link DEFAULT_TICK_MS}
 * of real time and fires a rule once `clock.now() >= next`.
 *
 * **Clock jumps fire once.** When the simulated clock jumped over several fire times (e.g.
 * `nudge clock advance 3d` over a daily rule), the rule fires ONCE, with the current simulated time,
 * and the number of skipped fire times is logged; the next fire is the first one after now. Firing
 * once per missed period would replay days of sweeps back to back, each seeing the same "now"; a sweep
 * at the latest instant already covers the missed ones, because every time-based condition it
 * evaluates ("days since last activity", at risk, churned) depends only on the current time.
 */
export class LocalScheduler {
  private readonly entries: Entry[];
  private readonly invoker: AsyncInvoker;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly loop = new TickLoop(() => this.tick());

  constructor(
    private readonly deps: {
      rules: RuleDef[];
      asyncInvokeConfigs: AsyncInvokeConfigDef[];
      resources: ReadonlyMap<string, LocalResource>;
      functions: Pick<FunctionHost, 'has' | 'invoke' | 'entryOf'>;
      sqs: SQSClient;
      clock: Clock;
      log: SchedulerLog;
    },
  ) {
    this.invoker = new AsyncInvoker(deps);
    const startedAt = deps.clock.now();
    this.entries = deps.rules.flatMap((rule) => this.entryFor(rule, startedAt));
  }

  /** Starts the loop that fires due schedules (every `tickMs` of real time). */
  start(tickMs = DEFAULT_TICK_MS): void {
    this.loop.start(tickMs);
  }

  /** Stops firing. Runs already started finish on their own (a sweep may take long; stopping does not wait). */
  async stop(): Promise<void> {
    this.loop.stop();
  }

  /** Fires every schedule that is due at the clock's current reading (called by the loop; public for tests). */
  tick(): void {
    const now = this.deps.clock.now();
    for (const entry of this.entries) {
      if (entry.next === undefined || now < entry.next) continue;
      const due = entry.schedule.countBetween(entry.next, now, MAX_COUNTED_PERIODS);
      const skippedPeriods = Math.max(0, due - 1);
      if (skippedPeriods > 0) {
        const atLeast = due >= MAX_COUNTED_PERIODS ? 'at least ' : '';
        this.deps.log.info(
          `schedule ${entry.rule} (${entry.schedule.expression}): the clock passed ${atLeast}${due} fire times since ${entry.next.toISOString()}; ` +
            `firing once at ${now.toISOString()} (${atLeast}${skippedPeriods} skipped)`,
        );
      }
      entry.next = entry.schedule.nextAfter(now);
      this.track(this.fire(entry, now, 'schedule', skippedPeriods));
    }
  }

  /**
   * Runs the schedule rule whose logical id is `selector`, or else the only one whose logical id
   * contains it (case-insensitive, e.g. `Sweep`), now, and resolves when its targets are done
   * (retries included). Does not move the rule's next scheduled fire.
   */
  async runNow(selector: string): Promise<RunResult & { ran: string }> {
    const entry = this.find(selector);
    const result = await this.track(this.fire(entry, this.deps.clock.now(), 'manual', 0));
    return { ran: entry.rule, ...result };
  }

  /** The earliest next fire of any rule: what a replay runs, at its own instant, before the clock moves past it. */
  nextFireAt(): Date | undefined {
    let next: Date | undefined;
    for (const entry of this.entries) if (entry.next && (next === undefined || entry.next < next)) next = entry.next;
    return next;
  }

  list(): ScheduleView[] {
    return this.entries.map((entry) => ({
      rule: entry.rule,
      expression: entry.schedule.expression,
      targets: entry.targets.map((target) => ({ functionId: target.functionId, entry: this.deps.functions.entryOf(target.functionId) })),
      nextFireAt: entry.next?.toISOString() ?? null,
      lastFiredAt: entry.lastFiredAt?.toISOString() ?? null,
      lastRun: entry.lastRun,
      running: entry.running,
    }));
  }

  /** Resolves when every run started so far has finished. */
  async waitForIdle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get pendingRuns(): number {
    return this.inFlight.size;
  }

  private entryFor(rule: RuleDef, startedAt: Date): Entry[] {
    if (rule.scheduleExpression === undefined || !rule.enabled) return [];
    let schedule: Schedule;
    try {
      schedule = parseScheduleExpression(rule.scheduleExpression, startedAt);
    } catch (error) {
      this.deps.log.warn(`schedule rule ${rule.logicalId} cannot run locally: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
    const targets = rule.targets.flatMap((target): Target[] => {
      const arn = String(resolveIntrinsics(target.arn, this.deps.resources));
      const functionId = functionIdFromArn(arn, this.deps.functions);
      if (!functionId) {
        this.deps.log.warn(`schedule rule ${rule.logicalId}: target ${arn} is not a local function; skipped`);
        return [];
      }
      // A target with constant Input receives that JSON instead of the event (EventBridge's `Input`).
      return [{ functionId, ...(target.input !== undefined ? { input: resolveIntrinsics(target.input, this.deps.resources) } : {}) }];
    });
    return [
      {
        rule: rule.logicalId,
        ruleArn: `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${rule.logicalId}`,
        schedule,
        targets,
        next: schedule.nextAfter(startedAt),
        lastFiredAt: undefined,
        lastRun: null,
        running: 0,
      },
    ];
  }

  private find(selector: string): Entry {
    const wanted = selector.trim();
    if (wanted === '') throw new Error('name the schedule rule: {"rule":"<logical id or part of it, e.g. Sweep>"}');
    const exact = this.entries.find((entry) => entry.rule === wanted);
    if (exact) return exact;
    const matches = this.entries.filter((entry) => entry.rule.toLowerCase().includes(wanted.toLowerCase()));
    const known = this.entries.map((entry) => entry.rule).join(', ') || 'none';
    if (matches.length === 0) throw new Error(`no schedule rule matches "${wanted}" (schedule rules: ${known})`);
    if (matches.length > 1) throw new Error(`"${wanted}" matches several schedule rules (${matches.map((m) => m.rule).join(', ')}); be more specific`);
    return matches[0]!;
  }

  private async fire(entry: Entry, now: Date, trigger: RunTrigger, skippedPeriods: number): Promise<RunResult> {
    entry.lastFiredAt = now;
    entry.running += 1;
    const event = scheduledEvent(entry.ruleArn, now);
    const errors: string[] = [];
    try {
      if (entry.targets.length === 0) errors.push(`rule ${entry.rule} has no target that runs locally`);
      const outcomes = await Promise.all(
        entry.targets.map(async (target) => {
          try {
            const payload = target.input !== undefined ? parseInput(target.input) : event;
            return await this.invoker.invoke(target.functionId, payload, { eventId: event.id, origin: `schedule ${entry.rule}` });
          } catch (error) {
            // A malformed constant Input, or a failed write to the on-failure queue (function errors are outcomes).
            return { ok: false as const, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
          }
        }),
      );
      for (const [index, outcome] of outcomes.entries()) {
        if (!outcome.ok) errors.push(`${entry.targets[index]!.functionId}: ${outcome.error}`);
      }
    } finally {
      entry.running -= 1;
    }
    const result: RunResult = errors.length === 0 ? { ok: true } : { ok: false, error: errors.join('; ') };
    entry.lastRun = { ...result, trigger, skippedPeriods, finishedAt: this.deps.clock.now().toISOString() };
    return result;
  }

  private track<T>(run: Promise<T>): Promise<T> {
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run)).catch(() => undefined);
    return run;
  }
}

/** The envelope EventBridge delivers for a schedule rule. */
function scheduledEvent(ruleArn: string, now: Date): BusEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [ruleArn],
    detail: {},
  };
}

/** CloudFormation carries a target's Input as a JSON string. */
function parseInput(input: unknown): unknown {
  return typeof input === 'string' ? JSON.parse(input) : input;
}
