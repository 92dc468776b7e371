import { randomUUID } from 'node:crypto';
import { StateMachine, type RunOptions } from 'aws-local-stepfunctions';
import type { Clock } from '#shared/domain/clock.ts';
import type { RoleAuthorizer } from '../iam/role-authorizer.ts';
import { functionIdFromName } from '../lambda/invoke-async.ts';
import { DEFAULT_TICK_MS } from '../scheduler/local-scheduler.ts';
import type { StateMachineDef } from '../stack/cloud-template.ts';
import type { LocalResource } from '../stack/intrinsics.ts';
import { describeExecution, executionView, listItem, type ClockGate, type Execution, type ExecutionStatus, type ExecutionView } from './execution.ts';
import { runLambdaTask, TaskError, type TaskFunctions } from './lambda-task.ts';
import { prepareLocalDefinition, type LocalDefinition, type TaskBinding } from './local-definition.ts';
import { executionArn, loadDefinition, machineName, stateMachineArn } from './machine-definitions.ts';
import { dataLimitCause, MAX_PAYLOAD_BYTES, payloadBytes, type PayloadSide } from './payload-limit.ts';
import { installPromiseWithResolvers } from './promise-with-resolvers.ts';
import {
  StepFunctionsApiError,
  type ListExecutionsRequest,
  type StartExecutionRequest,
  type StepFunctionsApi,
  type StopExecutionRequest,
} from './step-functions-api.ts';
import { StatesRuntimeError, waitUntil, type WaitTime } from './wait-time.ts';
import { TickLoop } from '../clock/tick-loop.ts';

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type JsonValue = Parameters<TaskHandlers[string]>[0];
/** The library's event log (its type is not exported). */
type RunEvents = ReturnType<StateMachine['run']>['eventLogs'];

type Machine = { name: string; arn: string; logicalId: string; runner: StateMachine; local: LocalDefinition };

export type StateMachinesLog = { warn(message: string): void };

/** Retries wait this long locally instead of IntervalSeconds x BackoffRate (seconds to minutes in AWS). */
export const LOCAL_RETRY_INTERVAL_MS = 5;
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const STATE_MACHINE_ARN = /^arn:aws:states:[^:]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/;
const DEFAULT_MAX_RESULTS = 100;

/**
 * Step Functions, locally: the stack's state machines, read from the synthesized template, run by
 * aws-local-stepfunctions with their Lambda tasks calling the stack's functions in this process,
 * behind the StartExecution / StopExecution / DescribeExecution / ListExecutions API.
 *
 * **Wait states follow the simulated clock.** Each Wait is run as a gate (see
 * {@link prepareLocalDefinition}) that holds the execution until the clock reaches the wait's end;
 * a loop re-checks the gates every tick, and {@link waitForIdle} releases those already due at once.
 * The machine's TimeoutSeconds is measured in simulated time too. Retries wait
 * {@link LOCAL_RETRY_INTERVAL_MS} instead of their intervals: a local failure is not transient.
 *
 * Executions live in memory, like the rest of the local runtime's state. Names are checked against
 * the characters CloudWatch Logs accepts (machines that log, as Nudge's does, need them).
 *
 * **The 256 KiB payload quota** ({@link MAX_PAYLOAD_BYTES}): StartExecution refuses a larger input
 * (ValidationException); a state whose input or output is larger fails the execution with
 * `States.DataLimitExceeded`, which no Retry or Catch handles (a terminal error in AWS). A Task is
 * checked before its function is called and as soon as it returns; other states (Pass, Choice, ...)
 * are checked from the library's event log, so one over the quota may let the next state start
 * before the execution fails, where AWS fails it at once; it never succeeds.
 */
export class LocalStateMachines implements StepFunctionsApi {
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, Execution>();
  /**
   * What tick, pendingRuns and nextWakeAt read, kept as executions change rather than found by going
   * through every execution a long replay has started: `busy`, those doing work (a function call in
   * flight, or running and not held by a Wait); `held`, those running and held by a Wait, in two
   * sorted lists (see {@link heldView}) that an execution enters when held and leaves when let go.
   */
  private readonly busy = new Set<Execution>();
  private readonly held = new Map<Execution, ClockGate>();
  private readonly heldByUntil: Execution[] = [];
  private readonly heldByWake: Execution[] = [];
  /** Bumped by every change of an execution: with the clock's reading, what lets a tick that found nothing to do skip the next look. */
  private version = 0;
  private quietTick: { version: number; nowMs: number } | undefined;
  private readonly changeWaiters = new Set<() => void>();
  private seq = 0;
  private releaseQueued = false;
  private started = 0;
  private readonly loop = new TickLoop(() => this.tick());

  constructor(
    private readonly deps: {
      machines: StateMachineDef[];
      resources: ReadonlyMap<string, LocalResource>;
      functions: TaskFunctions;
      clock: Clock;
      log: StateMachinesLog;
      /** Checks lambda:InvokeFunction against the machine's role before each Lambda task, as Step Functions does. */
      authorizer?: RoleAuthorizer;
    },
  ) {
    installPromiseWithResolvers();
    for (const def of deps.machines) {
      const name = machineName(def);
      const local = prepareLocalDefinition(name, loadDefinition(def, deps.resources), (id) => functionIdFromName(id, deps.functions));
      // The library validates the definition (ASL schema, paths, ARNs) here, so a bad one fails startup.
      const runner = new StateMachine(local.asl);
      const arn = stateMachineArn(name);
      this.machines.set(arn, { name, arn, logicalId: def.logicalId, runner, local });
    }
  }

  /** Starts the loop that lets executions go on once the simulated clock passes their Wait (every `tickMs` of real time). */
  start(tickMs = DEFAULT_TICK_MS): void {
    this.loop.start(tickMs);
  }

  /** Stops the loop and aborts what still runs, so no timer of the library outlives the runtime. */
  async stop(): Promise<void> {
    this.loop.stop();
    for (const execution of this.executions.values()) this.close(execution, { status: 'ABORTED', cause: 'the local runtime stopped' });
  }

  // ------------------------------------------------------------------------------------ the API

  /** StartExecution. Idempotent as in Standard workflows: the same name and input while RUNNING returns the same execution. */
  startExecution(request: StartExecutionRequest): { executionArn: string; startDate: Date } {
    const machine = this.machine(request.stateMachineArn);
    const name = request.name ?? randomUUID();
    if (!EXECUTION_NAME.test(name)) throw new StepFunctionsApiError('InvalidName', `Invalid Name: '${name}' (use 1 to 80 characters of A-Z, a-z, 0-9, - and _)`);
    const input = request.input ?? '{}';
    const inputBytes = Buffer.byteLength(input, 'utf8');
    if (inputBytes > MAX_PAYLOAD_BYTES) {
      throw new StepFunctionsApiError(
        'ValidationException',
        `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PAYLOAD_BYTES} (it has ${inputBytes} bytes)`,
      );
    }
    const arn = executionArn(machine.name, name);
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: arn, startDate: existing.startDate };
      throw new StepFunctionsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const parsed = parseInput(input);
    const startDate = this.deps.clock.now();
    const timeout = machine.local.timeoutSeconds;
    const execution: Execution = {
      name,
      arn,
      machineName: machine.name,
      machineArn: machine.arn,
      seq: this.seq++,
      input,
      status: 'RUNNING',
      startDate,
      stopDate: undefined,
      deadline: timeout !== undefined ? new Date(startDate.getTime() + timeout * 1000) : undefined,
      output: undefined,
      error: undefined,
      cause: undefined,
      currentState: undefined,
      gate: undefined,
      tasksInFlight: 0,
      transitions: 0,
      abort: () => undefined,
    };
    this.executions.set(arn, execution);
    this.track(execution);
    this.started += 1;
    this.run(machine, execution, parsed);
    return { executionArn: arn, startDate };
  }

  /** StopExecution: the execution is ABORTED at once, a Wait it is held in is abandoned; a function already called finishes. */
  stopExecution(request: StopExecutionRequest): { stopDate: Date } {
    const execution = this.execution(request.executionArn);
    this.close(execution, {
      status: 'ABORTED',
      ...(request.error !== undefined ? { error: request.error } : {}),
      ...(request.cause !== undefined ? { cause: request.cause } : {}),
    });
    // Stopping a closed execution changes nothing.
    return { stopDate: execution.stopDate! };
  }

  describeExecution(arn: string): Record<string, unknown> {
    return describeExecution(this.execution(arn));
  }

  /** ListExecutions of one machine, newest first. */
  listExecutions(request: ListExecutionsRequest): { executions: Array<Record<string, unknown>>; nextToken?: string } {
    const machine = this.machine(request.stateMachineArn);
    const maxResults = request.maxResults || DEFAULT_MAX_RESULTS;
    const offset = request.nextToken !== undefined ? decodeNextToken(request.nextToken) : 0;
    const matching = [...this.executions.values()]
      .filter((execution) => execution.machineArn === machine.arn)
      .filter((execution) => request.statusFilter === undefined || execution.status === request.statusFilter)
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime() || b.seq - a.seq);
    const page = matching.slice(offset, offset + maxResults);
    const more = matching.length > offset + maxResults;
    return { executions: page.map(listItem), ...(more ? { nextToken: Buffer.from(String(offset + maxResults)).toString('base64url') } : {}) };
  }

  // ------------------------------------------------------------------------------ the runtime's view

  /** Every execution, in start order (for `GET /_nudge/executions`). */
  list(): ExecutionView[] {
    return [...this.executions.values()].sort((a, b) => a.seq - b.seq).map(executionView);
  }

  /** The state machines served, by name and ARN. */
  stateMachines(): Array<{ name: string; stateMachineArn: string; logicalId: string }> {
    return [...this.machines.values()].map((machine) => ({ name: machine.name, stateMachineArn: machine.arn, logicalId: machine.logicalId }));
  }

  /**
   * Executions doing work: running and not held by the clock (including those whose wait is over
   * but which the loop has not let go yet), plus stopped ones whose function call still runs.
   */
  get pendingRuns(): number {
    const now = this.deps.clock.now();
    let pending = this.busy.size;
    const { byWake } = this.heldView();
    // Held executions whose Wait or deadline is over (one with a call in flight is already counted as busy).
    for (const execution of byWake) {
      if (wakeOf(execution) > now.getTime()) break;
      if (execution.tasksInFlight === 0) pending += 1;
    }
    return pending;
  }

  /** Starts and clock releases since the runtime began; lets a caller notice work begun while it looked elsewhere. */
  get workStarted(): number {
    return this.started;
  }

  /** When the clock next has something to let go (the earliest end of a Wait, or a machine timeout, of a held execution). */
  nextWakeAt(): Date | undefined {
    const first = this.heldView().byWake[0];
    return first === undefined ? undefined : new Date(wakeOf(first));
  }

  /** Lets go what the clock has made due (rather than at the next tick) and resolves once no execution is doing work. */
  async waitForIdle(): Promise<void> {
    for (;;) {
      this.tick();
      if (this.pendingRuns === 0) return;
      await this.nextChange();
    }
  }

  /**
   * Lets go the executions whose Wait has ended, earliest first (then by execution name), ONE at a
   * time: the next goes once the one before is held again or done. Executions due at one instant (two
   * sequences of a customer both waiting for the next send window) would otherwise run their steps
   * concurrently, and which one took the customer's last send under the weekly cap depended on
   * timing, so a replay of one stream gave two outcomes. AWS runs them concurrently in an order
   * nobody promises; a fixed order is one of those. Also times out those past their machine's
   * TimeoutSeconds (called by the loop; public for tests). A Wait that ends before the deadline goes
   * on even when the clock jumped past both: the timeout takes it at the next tick if it still runs.
   */
  tick(): void {
    const now = this.deps.clock.now();
    // Nothing changed since a look that found nothing to do: it would find nothing again.
    if (this.quietTick?.version === this.version && this.quietTick.nowMs === now.getTime()) return;
    const versionAtStart = this.version;
    const { byUntil, byWake } = this.heldView();
    const due: Execution[] = [];
    for (const execution of byUntil) {
      if (execution.gate!.until > now) break;
      if (!(execution.deadline && execution.deadline <= execution.gate!.until)) due.push(execution);
    }
    // Past their deadline: running ones not held (busy), and held ones whose wake (Wait end or deadline) has come; in start order.
    const overdue: Execution[] = [];
    for (const execution of this.busy) if (execution.status === 'RUNNING' && execution.deadline && execution.deadline <= now) overdue.push(execution);
    for (const execution of byWake) {
      if (wakeOf(execution) > now.getTime()) break;
      if (execution.deadline && execution.deadline <= now && !due.includes(execution)) overdue.push(execution);
    }
    overdue.sort((a, b) => a.seq - b.seq);
    const next = this.busy.size > 0 ? undefined : due[0];
    if (next) {
      const gate = next.gate!;
      next.gate = undefined;
      this.track(next);
      this.started += 1;
      gate.resolve();
    }
    for (const execution of overdue) this.close(execution, { status: 'TIMED_OUT', stopDate: execution.deadline });
    if (this.version === versionAtStart) this.quietTick = { version: versionAtStart, nowMs: now.getTime() };
  }

  // ------------------------------------------------------------------------------------ running

  private run(machine: Machine, execution: Execution, input: JsonValue): void {
    const handlers: TaskHandlers = {};
    for (const [state, binding] of machine.local.tasks) handlers[state] = (taskInput) => this.runTask(execution, state, binding, taskInput);
    for (const [state, wait] of machine.local.waits) handlers[state] = (waitInput) => this.holdUntilDue(execution, state, wait, waitInput);
    const run = machine.runner.run(input, {
      noThrowOnAbort: true,
      overrides: {
        taskResourceLocalHandlers: handlers,
        retryIntervalOverrides: Object.fromEntries(machine.local.retryingStates.map((state) => [state, LOCAL_RETRY_INTERVAL_MS])),
      },
      context: {
        Execution: { Id: execution.arn, Name: execution.name, StartTime: execution.startDate.toISOString() },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    execution.abort = run.abort;
    const watched = this.watchPayloads(execution, run.eventLogs);
    run.result.then(
      // The log ends with the run: a state over the quota fails the execution before it can succeed.
      async (output) => {
        await watched;
        this.close(execution, { status: 'SUCCEEDED', output: JSON.stringify(output) });
      },
      (error: unknown) => {
        // The library wraps the state's error (a Fail state's Error and Cause, or an uncaught task error) in `cause`.
        const failure = error instanceof Error && error.cause instanceof Error ? error.cause : error;
        this.close(execution, {
          status: 'FAILED',
          error: failure instanceof Error ? failure.name : 'States.Runtime',
          cause: failure instanceof Error ? failure.message : String(failure),
        });
      },
    );
  }

  private async runTask(execution: Execution, state: string, binding: TaskBinding, input: JsonValue): Promise<JsonValue> {
    // A retry the library had scheduled still calls in after a stop: nothing more runs for a closed execution.
    if (execution.status !== 'RUNNING') throw new TaskError('States.Runtime', `execution ${execution.name} is ${execution.status}`);
    execution.currentState = state;
    this.checkPayload(execution, state, 'input', input);
    execution.tasksInFlight += 1;
    this.track(execution);
    let output: JsonValue;
    try {
      output = (await runLambdaTask(this.deps.functions, binding, input, (functionId) => this.invokeDenial(execution, functionId))) as JsonValue;
    } finally {
      execution.tasksInFlight -= 1;
      this.track(execution);
      this.changed();
    }
    this.checkPayload(execution, state, 'output', output);
    return output;
  }

  /** Fails the execution with States.DataLimitExceeded (and ends the state) when `value` is over the payload quota. */
  private checkPayload(execution: Execution, state: string, side: PayloadSide, value: unknown): void {
    const cause = dataLimitCause(state, side, value);
    if (cause === undefined) return;
    this.failTerminally(execution, 'States.DataLimitExceeded', cause);
    throw new TaskError('States.DataLimitExceeded', cause);
  }

  /**
   * Ends the execution as FAILED and stops its run, so no Retry or Catch of the machine sees the
   * error: how Step Functions treats a terminal error such as States.DataLimitExceeded.
   */
  private failTerminally(execution: Execution, error: string, cause: string): void {
    const abort = execution.abort;
    this.close(execution, { status: 'FAILED', error, cause });
    abort();
  }

  /**
   * Reads the library's event log to its end (unread, its events, each with its state's input, would
   * be kept for the run's life), counting the state transitions and checking every state's input and
   * output against the payload quota: Pass, Choice and the others are not seen by a handler of ours.
   */
  private async watchPayloads(execution: Execution, events: RunEvents): Promise<void> {
    for await (const event of events) {
      // The library logs a retry without entering the state again; Step Functions bills both.
      if (event.type === 'StateEntered' || event.type === 'StateRetried') execution.transitions += 1;
      if (execution.status !== 'RUNNING' || (event.type !== 'StateEntered' && event.type !== 'StateExited')) continue;
      const side: PayloadSide = event.type === 'StateEntered' ? 'input' : 'output';
      const value = side === 'input' ? event.state.input : event.state.output;
      if (payloadBytes(value) <= MAX_PAYLOAD_BYTES) continue;
      this.failTerminally(execution, 'States.DataLimitExceeded', dataLimitCause(event.state.name, side, value)!);
    }
  }

  /** The AccessDenied message if the machine's role may not invoke the function (the session is named for the execution). */
  private async invokeDenial(execution: Execution, functionId: string): Promise<string | undefined> {
    const authorizer = this.deps.authorizer;
    const machine = this.machines.get(execution.machineArn);
    if (!authorizer || !machine) return undefined;
    const functionArn = this.deps.resources.get(functionId)?.attributes.Arn ?? functionId;
    return authorizer.denial(authorizer.roles.roleOf(machine.logicalId), execution.name, { action: 'lambda:InvokeFunction', resource: functionArn });
  }

  /** The Wait state's stand-in: resolves with its input once the simulated clock reaches the wait's end (see tick). */
  private async holdUntilDue(execution: Execution, state: string, wait: WaitTime, input: JsonValue): Promise<JsonValue> {
    if (execution.status !== 'RUNNING') throw new StatesRuntimeError(`execution ${execution.name} is ${execution.status}`);
    execution.currentState = state;
    const now = this.deps.clock.now();
    const until = waitUntil(state, wait, input, now);
    // A Wait already over goes straight on, unless other executions are held for earlier-or-equal
    // due times: then it queues with them (tick lets them go in due order), so after a clock jump a
    // run's later step does not go before another run's step that came due first.
    if (until <= now && !this.heldDueBy(execution, until, now)) return input;
    await new Promise<void>((resolve, reject) => {
      execution.gate = { until, resolve, reject };
      this.track(execution);
      this.changed();
    });
    return input;
  }

  /** Whether another running execution is held by a Wait that ended by `until` (and by now). */
  private heldDueBy(self: Execution, until: Date, now: Date): boolean {
    for (const execution of this.heldView().byUntil) {
      if (execution !== self && execution.status === 'RUNNING' && execution.gate && execution.gate.until <= until && execution.gate.until <= now) return true;
    }
    return false;
  }

  /** Ends a running execution (a no-op once it has ended); an abort or a timeout also abandons its Wait. */
  private close(
    execution: Execution,
    outcome: { status: Exclude<ExecutionStatus, 'RUNNING'>; stopDate?: Date; output?: string; error?: string; cause?: string },
  ): void {
    if (execution.status !== 'RUNNING') return;
    execution.status = outcome.status;
    execution.stopDate = outcome.stopDate ?? this.deps.clock.now();
    execution.output = outcome.output;
    execution.error = outcome.error;
    execution.cause = outcome.cause;
    execution.currentState = undefined;
    const gate = execution.gate;
    execution.gate = undefined;
    this.track(execution);
    const abort = execution.abort;
    // Closed executions are kept for the API; the library's run (its states' inputs) need not be.
    execution.abort = () => undefined;
    if (outcome.status === 'ABORTED' || outcome.status === 'TIMED_OUT') {
      abort();
      // Rejecting ends the held state with an error nothing can catch (the run is already aborted): nothing runs after it.
      gate?.reject(new StatesRuntimeError(`execution ${execution.name} is ${outcome.status}`));
    }
    if (outcome.status === 'FAILED' || outcome.status === 'TIMED_OUT') {
      const reason = outcome.status === 'TIMED_OUT' ? 'timed out (the state machine TimeoutSeconds)' : `failed: ${outcome.error}: ${truncate(outcome.cause ?? '', 500)}`;
      this.deps.log.warn(`execution ${execution.name} of ${execution.machineName} ${reason}`);
    }
    this.changed();
  }

  /** Files an execution that just changed under {@link busy} or {@link held} (or neither, once done). */
  private track(execution: Execution): void {
    this.version += 1;
    if (execution.tasksInFlight > 0 || (execution.status === 'RUNNING' && !execution.gate)) this.busy.add(execution);
    else this.busy.delete(execution);
    const gate = execution.status === 'RUNNING' ? execution.gate : undefined;
    const filed = this.held.get(execution);
    if (filed === gate) return;
    if (filed) {
      this.heldByUntil.splice(this.heldByUntil.indexOf(execution), 1);
      this.heldByWake.splice(this.heldByWake.indexOf(execution), 1);
      this.held.delete(execution);
    }
    if (gate) {
      insertSorted(this.heldByUntil, execution, byUntilThenName);
      insertSorted(this.heldByWake, execution, (a, b) => wakeOf(a) - wakeOf(b));
      this.held.set(execution, gate);
    }
  }

  /** The held executions by Wait end (then name, then start order: the order tick lets them go) and by wake (Wait end or deadline, the earlier). */
  private heldView(): { byUntil: Execution[]; byWake: Execution[] } {
    return { byUntil: this.heldByUntil, byWake: this.heldByWake };
  }

  private changed(): void {
    this.version += 1;
    for (const wake of [...this.changeWaiters]) wake();
    // The next execution due at this instant goes as soon as the one before is held or done (see tick).
    if (!this.releaseQueued) {
      this.releaseQueued = true;
      queueMicrotask(() => {
        this.releaseQueued = false;
        this.tick();
      });
    }
  }

  /** Resolves at the next change of any execution, or after a tick at the latest (a safety net, not a poll). */
  private nextChange(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.changeWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, DEFAULT_TICK_MS);
      this.changeWaiters.add(wake);
    });
  }

  private machine(arn: string): Machine {
    if (!STATE_MACHINE_ARN.test(arn)) throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${arn}' is not a state machine ARN`);
    const machine = this.machines.get(arn);
    if (!machine) throw new StepFunctionsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private execution(arn: string): Execution {
    if (!EXECUTION_ARN.test(arn)) throw new StepFunctionsApiError('InvalidArn', `Invalid Arn: '${arn}' is not an execution ARN`);
    const execution = this.executions.get(arn);
    if (!execution) throw new StepFunctionsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }
}

function byUntilThenName(a: Execution, b: Execution): number {
  return a.gate!.until.getTime() - b.gate!.until.getTime() || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.seq - b.seq);
}

/** Inserts `item` after every element that does not order after it (so equal ones keep their arrival order, as a stable sort). */
function insertSorted<T>(list: T[], item: T, compare: (a: T, b: T) => number): void {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(list[middle]!, item) <= 0) low = middle + 1;
    else high = middle;
  }
  list.splice(low, 0, item);
}

/** When a held execution next has something to do: its Wait's end, or its deadline if earlier. */
function wakeOf(execution: Execution): number {
  return Math.min(execution.gate!.until.getTime(), execution.deadline?.getTime() ?? Infinity);
}

function parseInput(input: string): JsonValue {
  try {
    return JSON.parse(input) as JsonValue;
  } catch (error) {
    throw new StepFunctionsApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${error instanceof Error ? error.message : String(error)}'`);
  }
}

function decodeNextToken(token: string): number {
  const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw new StepFunctionsApiError('InvalidToken', 'Invalid Token: not a token this server returned');
  return offset;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
