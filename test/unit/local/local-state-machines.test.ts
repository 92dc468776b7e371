import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '#local/emulators/local-aws.ts';
import { FunctionTimeoutError } from '#local/lambda/function-host.ts';
import type { StateMachineDef } from '#local/stack/cloud-template.ts';
import type { LocalResource } from '#local/stack/intrinsics.ts';
import { LocalStateMachines } from '#local/stepfunctions/local-state-machines.ts';
import { registerStateMachines } from '#local/stepfunctions/machine-definitions.ts';
import { serveStepFunctions, StepFunctionsApiError } from '#local/stepfunctions/step-functions-api.ts';

const STEP_FN = 'SequencesStepFunction8C3741E6';
const STEP_ARN = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${STEP_FN}`;
const MACHINE = 'SequencesStateMachine64DB473D';
const MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${MACHINE}`;
const T0 = new Date('2026-11-23T10:00:00Z');
const DAY_MS = 86_400_000;

/** The shape CDK synthesizes for Nudge's sequence machine: wait until $.dueAt, run the step, loop until $.done. */
function sequenceMachine(options: { timeoutSeconds?: number; wait?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    StartAt: 'WaitForStep',
    States: {
      WaitForStep: { Type: 'Wait', ...(options.wait ?? { TimestampPath: '$.dueAt' }), Next: 'RunStep' },
      RunStep: {
        Next: 'MoreSteps',
        Retry: [
          { ErrorEquals: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: 'FULL' },
          { ErrorEquals: ['States.TaskFailed', 'States.Timeout'], IntervalSeconds: 30, MaxAttempts: 3, BackoffRate: 3 },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'StepFailed' }],
        Type: 'Task',
        TimeoutSeconds: 60,
        Resource: '__STEP__',
      },
      MoreSteps: { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Finished' }], Default: 'WaitForStep' },
      Finished: { Type: 'Succeed' },
      StepFailed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
    },
    TimeoutSeconds: options.timeoutSeconds ?? 31_622_400,
  };
}

/** The template resource as CDK emits it: DefinitionString is an Fn::Join around the function's Fn::GetAtt Arn. */
function machineDef(definition: Record<string, unknown>, logicalId = MACHINE): StateMachineDef {
  const [before, after] = JSON.stringify(definition).split('"__STEP__"');
  return {
    logicalId,
    name: undefined,
    definitionString: after === undefined ? before : { 'Fn::Join': ['', [`${before}"`, { 'Fn::GetAtt': [STEP_FN, 'Arn'] }, `"${after}`]] },
    definition: undefined,
    definitionSubstitutions: {},
    definitionS3Location: undefined,
  };
}

type StepState = { runId: string; stepIndex: number; dueAt: string; done: boolean };
type StepBehaviour = (state: StepState, call: number) => unknown;

const running: LocalStateMachines[] = [];
afterEach(async () => {
  for (const machines of running.splice(0)) await machines.stop();
});

/** Machines over a settable clock and a step function that records its calls and does what `step` says. */
function setUp(options: { definitions?: StateMachineDef[]; step?: StepBehaviour } = {}) {
  let now = T0;
  const calls: Array<{ functionId: string; event: unknown; at: Date }> = [];
  const warnings: string[] = [];
  const resources = new Map<string, LocalResource>([[STEP_FN, { ref: STEP_FN, attributes: { Arn: STEP_ARN } }]]);
  const definitions = options.definitions ?? [machineDef(sequenceMachine())];
  registerStateMachines(definitions, resources);
  const step: StepBehaviour = options.step ?? ((state) => ({ ...state, stepIndex: state.stepIndex + 1, done: true }));
  const machines = new LocalStateMachines({
    machines: definitions,
    resources,
    functions: {
      has: (id) => id === STEP_FN,
      invoke: async (functionId, event) => {
        calls.push({ functionId, event, at: now });
        return step(event as StepState, calls.length);
      },
    },
    clock: { now: () => now },
    log: { warn: (message) => warnings.push(message) },
  });
  running.push(machines);
  const setNow = (instant: Date) => {
    now = instant;
  };
  const start = (name: string, input: Record<string, unknown>) =>
    machines.startExecution({ stateMachineArn: MACHINE_ARN, name, input: JSON.stringify(input) });
  const view = (name: string) => machines.list().find((execution) => execution.name === name)!;
  return { machines, calls, warnings, resources, setNow, start, view };
}

function apiError(run: () => unknown): StepFunctionsApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof StepFunctionsApiError) return error;
    throw error;
  }
  throw new Error('expected a StepFunctionsApiError');
}

const dueIn = (ms: number) => new Date(T0.getTime() + ms).toISOString();

describe('loading the template', () => {
  it('registers each machine so Ref gives its ARN and GetAtt its Name, and serves it by that ARN', () => {
    const { machines, resources } = setUp();
    expect(resources.get(MACHINE)).toEqual({ ref: MACHINE_ARN, attributes: { Arn: MACHINE_ARN, Name: MACHINE } });
    expect(machines.stateMachines()).toEqual([{ name: MACHINE, stateMachineArn: MACHINE_ARN, logicalId: MACHINE }]);
  });

  it('refuses at startup a task that is not a Lambda function of the stack', () => {
    const definition = sequenceMachine();
    (definition.States as Record<string, Record<string, unknown>>).RunStep!.Resource = 'arn:aws:states:::sqs:sendMessage';
    expect(() => setUp({ definitions: [machineDef(definition)] })).toThrow(/Task RunStep uses arn:aws:states:::sqs:sendMessage; only Lambda functions/);
  });

  it('refuses at startup a wait path it cannot evaluate, saying which paths work', () => {
    expect(() => setUp({ definitions: [machineDef(sequenceMachine({ wait: { TimestampPath: '$.steps[0].dueAt' } }))] })).toThrow(
      /WaitForStep: TimestampPath "\$.steps\[0\].dueAt" cannot be evaluated locally; use \$ or a plain field path/,
    );
  });
});

describe('Wait states follow the simulated clock', () => {
  it('holds the step behind its TimestampPath wait until the clock reaches dueAt, then runs it once', async () => {
    const { machines, calls, setNow, start, view } = setUp();
    const dueAt = dueIn(2 * DAY_MS);
    start('run-1', { runId: 'run-1', stepIndex: 0, dueAt, done: false });

    await machines.waitForIdle();
    expect(calls).toHaveLength(0);
    expect(view('run-1')).toMatchObject({ status: 'RUNNING', currentState: 'WaitForStep', waitingUntil: dueAt });
    expect(machines.pendingRuns).toBe(0);
    expect(machines.nextWakeAt()).toEqual(new Date(dueAt));

    setNow(new Date(Date.parse(dueAt) - 1000));
    await machines.waitForIdle();
    expect(calls).toHaveLength(0);

    setNow(new Date(dueAt));
    expect(machines.pendingRuns).toBe(1); // due, not yet let go: busy
    await machines.waitForIdle();
    expect(calls).toEqual([{ functionId: STEP_FN, event: { runId: 'run-1', stepIndex: 0, dueAt, done: false }, at: new Date(dueAt) }]);
    expect(view('run-1')).toMatchObject({ status: 'SUCCEEDED', output: { runId: 'run-1', stepIndex: 1, dueAt, done: true }, stopDate: dueAt, waitingUntil: null });
    expect(machines.nextWakeAt()).toBeUndefined();
  });

  it('loops through each step at its own due time until the step says done', async () => {
    const { machines, calls, setNow, start, view } = setUp({
      step: (state) => ({ ...state, stepIndex: state.stepIndex + 1, dueAt: new Date(Date.parse(state.dueAt) + DAY_MS).toISOString(), done: state.stepIndex === 2 }),
    });
    start('run-2', { runId: 'run-2', stepIndex: 0, dueAt: dueIn(DAY_MS), done: false });
    for (const day of [1, 2, 3]) {
      await machines.waitForIdle();
      expect(machines.nextWakeAt()).toEqual(new Date(dueIn(day * DAY_MS)));
      setNow(new Date(dueIn(day * DAY_MS)));
    }
    await machines.waitForIdle();
    expect(calls.map((call) => [(call.event as StepState).stepIndex, call.at.toISOString()])).toEqual([
      [0, dueIn(DAY_MS)],
      [1, dueIn(2 * DAY_MS)],
      [2, dueIn(3 * DAY_MS)],
    ]);
    expect(view('run-2').status).toBe('SUCCEEDED');
    // What Standard bills: each state entered, a Wait, Task and Choice per step, then Succeed.
    expect(view('run-2').transitions).toBe(3 * 3 + 1);
  });

  it('runs a step whose due time has already passed at once', async () => {
    const { machines, calls, start, view } = setUp();
    start('late', { runId: 'late', stepIndex: 0, dueAt: dueIn(-DAY_MS), done: false });
    await machines.waitForIdle();
    expect(calls).toHaveLength(1);
    expect(view('late').status).toBe('SUCCEEDED');
  });

  it('waits Seconds from the moment the Wait is entered', async () => {
    const { machines, calls, setNow, start, view } = setUp({ definitions: [machineDef(sequenceMachine({ wait: { Seconds: 3600 } }))] });
    start('hourly', { runId: 'hourly', stepIndex: 0, dueAt: 'unused', done: false });
    await machines.waitForIdle();
    expect(view('hourly').waitingUntil).toBe(dueIn(3_600_000));
    setNow(new Date(dueIn(3_600_000)));
    await machines.waitForIdle();
    expect(calls).toHaveLength(1);
  });

  it('fails the execution with States.Runtime when the TimestampPath value is not a timestamp', async () => {
    const { machines, calls, start, view } = setUp();
    start('bad-due', { runId: 'bad-due', stepIndex: 0, dueAt: 'tomorrow', done: false });
    await machines.waitForIdle();
    expect(calls).toHaveLength(0);
    expect(view('bad-due')).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(view('bad-due').cause).toMatch(/TimestampPath parameter of state 'WaitForStep'.*\$\.dueAt == "tomorrow"/);
  });

  it("times an execution out at its machine's TimeoutSeconds, in simulated time", async () => {
    const { machines, calls, setNow, start, view } = setUp({ definitions: [machineDef(sequenceMachine({ timeoutSeconds: 3600 }))] });
    start('slow', { runId: 'slow', stepIndex: 0, dueAt: dueIn(2 * DAY_MS), done: false });
    await machines.waitForIdle();
    expect(machines.nextWakeAt()).toEqual(new Date(dueIn(3_600_000)));
    setNow(new Date(dueIn(DAY_MS)));
    await machines.waitForIdle();
    setNow(new Date(dueIn(3 * DAY_MS)));
    await machines.waitForIdle();
    expect(calls).toHaveLength(0);
    expect(view('slow')).toMatchObject({ status: 'TIMED_OUT', stopDate: dueIn(3_600_000), error: null, cause: null });
  });
});

describe('StopExecution', () => {
  it('aborts an execution held in a wait: its step never runs, even once the clock passes dueAt', async () => {
    const { machines, calls, setNow, start, view } = setUp();
    const { executionArn } = start('stopped', { runId: 'stopped', stepIndex: 0, dueAt: dueIn(DAY_MS), done: false });
    await machines.waitForIdle();
    setNow(new Date(dueIn(3_600_000)));

    const { stopDate } = machines.stopExecution({ executionArn, error: 'StageChanged', cause: 'customer became active' });
    expect(stopDate).toEqual(new Date(dueIn(3_600_000)));
    setNow(new Date(dueIn(2 * DAY_MS)));
    await machines.waitForIdle();
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(calls).toHaveLength(0);
    expect(view('stopped')).toMatchObject({ status: 'ABORTED', error: 'StageChanged', cause: 'customer became active', waitingUntil: null });
    expect(machines.describeExecution(executionArn)).toMatchObject({ status: 'ABORTED', stopDate, error: 'StageChanged' });
    expect(machines.nextWakeAt()).toBeUndefined();
    // Stopping again changes nothing.
    expect(machines.stopExecution({ executionArn })).toEqual({ stopDate });
  });

  it('lets a step already running finish (as a Lambda invocation does), counts it as work until then, and runs nothing after it', async () => {
    let finishStep: () => void = () => undefined;
    const { machines, calls, start, view } = setUp({
      step: (state) =>
        new Promise((resolve) => {
          finishStep = () => resolve({ ...state, stepIndex: 1, dueAt: dueIn(DAY_MS), done: false });
        }),
    });
    const { executionArn } = start('mid-step', { runId: 'mid-step', stepIndex: 0, dueAt: dueIn(0), done: false });
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(view('mid-step').currentState).toBe('RunStep');

    machines.stopExecution({ executionArn });
    expect(view('mid-step').status).toBe('ABORTED');
    expect(machines.pendingRuns).toBe(1);
    finishStep();
    await machines.waitForIdle();
    expect(machines.pendingRuns).toBe(0);
    expect(calls).toHaveLength(1);
    expect(view('mid-step')).toMatchObject({ status: 'ABORTED', waitingUntil: null, output: null });
  });
});

describe('Retry and Catch act on what the function throws', () => {
  it('retries a failing step per the States.TaskFailed retrier (quickly, locally) and succeeds when it does', async () => {
    const { machines, calls, start, view } = setUp({
      step: (state, call) => {
        if (call < 3) throw new Error('DynamoDB throttled');
        return { ...state, done: true };
      },
    });
    start('flaky', { runId: 'flaky', stepIndex: 0, dueAt: dueIn(0), done: false });
    await machines.waitForIdle();
    expect(calls).toHaveLength(3);
    expect(view('flaky').status).toBe('SUCCEEDED');
    // Step Functions bills a retry as a transition: Wait, RunStep and its 2 retries, MoreSteps, Finished.
    expect(view('flaky').transitions).toBe(6);
  });

  it('catches the error once the retries are spent and fails with the Lambda error and its payload as cause', async () => {
    class ZodError extends Error {
      override name = 'ZodError';
    }
    const { machines, calls, start, view, warnings } = setUp({
      step: () => {
        throw new ZodError('stepIndex: expected number');
      },
    });
    start('broken', { runId: 'broken', stepIndex: 0, dueAt: dueIn(0), done: false });
    await machines.waitForIdle();
    expect(calls).toHaveLength(4); // the first call and MaxAttempts 3
    const failed = view('broken');
    expect(failed).toMatchObject({ status: 'FAILED', error: 'ZodError' });
    expect(JSON.parse(failed.cause!)).toMatchObject({ errorType: 'ZodError', errorMessage: 'stepIndex: expected number' });
    expect(warnings.join('\n')).toMatch(/execution broken of SequencesStateMachine64DB473D failed: ZodError/);
  });

  it("reports a function's own timeout as Sandbox.Timedout, which States.TaskFailed also retries", async () => {
    const { machines, calls, start, view } = setUp({
      step: () => {
        throw new FunctionTimeoutError(`${STEP_FN}: Task timed out after 30.00 seconds`);
      },
    });
    start('timing-out', { runId: 'timing-out', stepIndex: 0, dueAt: dueIn(0), done: false });
    await machines.waitForIdle();
    expect(calls).toHaveLength(4);
    expect(view('timing-out')).toMatchObject({ status: 'FAILED', error: 'Sandbox.Timedout' });
  });
});

describe('lambda:invoke tasks', () => {
  it("call the function named in Parameters and get Invoke's response ({StatusCode, Payload})", async () => {
    const definition: StateMachineDef = {
      logicalId: 'InvokeMachine',
      name: 'invoke-machine',
        definitionString: undefined,
      definition: {
        StartAt: 'Invoke',
        States: {
          Invoke: {
            Type: 'Task',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::lambda:invoke']] },
            Parameters: { FunctionName: { 'Fn::GetAtt': [STEP_FN, 'Arn'] }, 'Payload.$': '$' },
            End: true,
          },
        },
      },
      definitionSubstitutions: {},
      definitionS3Location: undefined,
    };
    const { machines, calls } = setUp({ definitions: [definition], step: (state) => ({ echoed: state }) });
    const arn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:invoke-machine`;
    const { executionArn } = machines.startExecution({ stateMachineArn: arn, name: 'once', input: '{"hello":"world"}' });
    await machines.waitForIdle();
    expect(calls.map((call) => call.event)).toEqual([{ hello: 'world' }]);
    const described = machines.describeExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(described.output))).toEqual({ ExecutedVersion: '$LATEST', Payload: { echoed: { hello: 'world' } }, StatusCode: 200 });
  });
});

describe('the execution API', () => {
  it('is idempotent for a running execution started again with the same name and input, and refuses any other reuse of the name', async () => {
    const { machines, start } = setUp();
    const input = { runId: 'same', stepIndex: 0, dueAt: dueIn(DAY_MS), done: false };
    const first = start('same', input);
    expect(start('same', input)).toEqual(first);
    expect(apiError(() => start('same', { ...input, dueAt: dueIn(2 * DAY_MS) })).type).toBe('ExecutionAlreadyExists');
    machines.stopExecution({ executionArn: first.executionArn });
    expect(apiError(() => start('same', input)).message).toBe(`Execution Already Exists: '${first.executionArn}'`);
  });

  it('names executions as ARNs of the machine and refuses names, ARNs and inputs the service refuses', () => {
    const { machines, start } = setUp();
    expect(start('ok_name-1', { dueAt: dueIn(DAY_MS) }).executionArn).toBe(`arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${MACHINE}:ok_name-1`);
    expect(apiError(() => start('has space', {})).type).toBe('InvalidName');
    expect(apiError(() => start('x'.repeat(81), {})).type).toBe('InvalidName');
    expect(apiError(() => machines.startExecution({ stateMachineArn: `${MACHINE_ARN}-gone` })).type).toBe('StateMachineDoesNotExist');
    expect(apiError(() => machines.startExecution({ stateMachineArn: 'SequencesStateMachine' })).type).toBe('InvalidArn');
    expect(apiError(() => machines.startExecution({ stateMachineArn: MACHINE_ARN, input: '{not json' })).type).toBe('InvalidExecutionInput');
    expect(apiError(() => machines.describeExecution(`arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${MACHINE}:nope`)).type).toBe('ExecutionDoesNotExist');
    expect(apiError(() => machines.stopExecution({ executionArn: 'nope' })).type).toBe('InvalidArn');
  });

  it('lists executions newest first, by status, a page at a time', async () => {
    const { machines, setNow, start } = setUp();
    for (const [index, name] of ['a', 'b', 'c'].entries()) {
      setNow(new Date(T0.getTime() + index * 1000));
      start(name, { runId: name, stepIndex: 0, dueAt: dueIn(DAY_MS), done: false });
    }
    machines.stopExecution({ executionArn: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${MACHINE}:b` });
    const names = (page: { executions: Array<Record<string, unknown>> }) => page.executions.map((item) => item.name);
    expect(names(machines.listExecutions({ stateMachineArn: MACHINE_ARN }))).toEqual(['c', 'b', 'a']);
    expect(names(machines.listExecutions({ stateMachineArn: MACHINE_ARN, statusFilter: 'RUNNING' }))).toEqual(['c', 'a']);
    const first = machines.listExecutions({ stateMachineArn: MACHINE_ARN, maxResults: 2 });
    expect(names(first)).toEqual(['c', 'b']);
    expect(names(machines.listExecutions({ stateMachineArn: MACHINE_ARN, maxResults: 2, nextToken: first.nextToken! }))).toEqual(['a']);
  });

  it('speaks AWS JSON 1.0 on the wire: epoch-second dates, and errors as {__type, message}', () => {
    const { machines } = setUp();
    const started = serveStepFunctions(machines, 'StartExecution', JSON.stringify({ stateMachineArn: MACHINE_ARN, name: 'wire', input: '{"dueAt":"2030-01-01T00:00:00Z"}' }));
    expect(started).toEqual({ status: 200, body: { executionArn: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${MACHINE}:wire`, startDate: T0.getTime() / 1000 } });
    expect(serveStepFunctions(machines, 'StartExecution', JSON.stringify({ stateMachineArn: MACHINE_ARN, name: 'bad name' }))).toEqual({
      status: 400,
      body: { __type: 'InvalidName', message: expect.stringContaining("Invalid Name: 'bad name'") },
    });
    expect(serveStepFunctions(machines, 'StartExecution', '{}').body).toMatchObject({ __type: 'ValidationException', message: expect.stringContaining("'stateMachineArn'") });
    expect(serveStepFunctions(machines, 'CreateStateMachine', '{}').body).toMatchObject({ __type: 'UnknownOperationException' });
  });
});

describe('the 256 KiB payload quota', () => {
  /** A step result whose JSON is exactly `bytes` long. */
  const resultOf = (bytes: number) => (state: StepState) => {
    const base = { ...state, stepIndex: state.stepIndex + 1, done: true, pad: '' };
    return { ...base, pad: 'x'.repeat(bytes - JSON.stringify(base).length) };
  };

  it('lets a state output of exactly 262,144 bytes through', async () => {
    const { machines, start, view } = setUp({ step: resultOf(262_144) });
    start('at-limit', { runId: 'at-limit', stepIndex: 0, dueAt: dueIn(-DAY_MS), done: false });
    await machines.waitForIdle();
    expect(view('at-limit').status).toBe('SUCCEEDED');
  });

  it('fails the execution with States.DataLimitExceeded one byte over, past the Catch for States.ALL and without retries', async () => {
    const { machines, calls, start, view, warnings } = setUp({ step: resultOf(262_145) });
    start('over', { runId: 'over', stepIndex: 0, dueAt: dueIn(-DAY_MS), done: false });
    await machines.waitForIdle();
    expect(calls).toHaveLength(1);
    expect(view('over')).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(view('over').cause).toMatch(/The state\/task 'RunStep' returned a result with a size exceeding the maximum number of bytes service limit/);
    expect(warnings.join('\n')).toMatch(/States.DataLimitExceeded/);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const { machines, start, view } = setUp({ step: (state) => ({ ...state, done: true, pad: 'é'.repeat(140_000) }) });
    start('accents', { runId: 'accents', stepIndex: 0, dueAt: dueIn(-DAY_MS), done: false });
    await machines.waitForIdle();
    expect(view('accents')).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('fails an execution whose Pass state outputs more than the quota (a state no task handler sees)', async () => {
    const definition = { StartAt: 'Grow', States: { Grow: { Type: 'Pass', Result: 'x'.repeat(300_000), ResultPath: '$.pad', End: true } } };
    const { machines, calls, start, view } = setUp({ definitions: [machineDef(definition)] });
    start('grow', { runId: 'grow' });
    await machines.waitForIdle();
    expect(calls).toHaveLength(0);
    expect(view('grow')).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(view('grow').cause).toMatch(/'Grow' returned a result/);
  });

  it('refuses a StartExecution input over 262,144 bytes with a ValidationException, and starts one at the limit', () => {
    const { machines } = setUp();
    const input = (bytes: number) => JSON.stringify({ dueAt: dueIn(DAY_MS), pad: 'x'.repeat(bytes - JSON.stringify({ dueAt: dueIn(DAY_MS), pad: '' }).length) });
    const error = apiError(() => machines.startExecution({ stateMachineArn: MACHINE_ARN, name: 'big', input: input(262_145) }));
    expect(error.type).toBe('ValidationException');
    expect(error.message).toMatch(/Member must have length less than or equal to 262144/);
    expect(machines.startExecution({ stateMachineArn: MACHINE_ARN, name: 'fits', input: input(262_144) }).executionArn).toMatch(/:fits$/);
  });
});

describe('executions due at one instant', () => {
  // A replay of one stream gave two outcomes: two sequences of a customer waiting for the same send
  // window ran their steps concurrently, and which took the last send under the weekly cap was timing.
  it('run their steps one at a time, in execution-name order, whatever order they started in', async () => {
    const fc = (await import('fast-check')).default;
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 2, maxLength: 6 }), async (names) => {
        let active = 0;
        let overlapped = false;
        const order: string[] = [];
        const { machines, setNow, start } = setUp({
          step: (state) => {
            active += 1;
            if (active > 1) overlapped = true;
            order.push(state.runId);
            return new Promise((resolve) => setTimeout(() => {
              active -= 1;
              resolve({ ...state, done: true });
            }, 1));
          },
        });
        const dueAt = dueIn(DAY_MS);
        for (const name of names) start(name, { runId: name, stepIndex: 0, dueAt, done: false });
        await machines.waitForIdle();
        setNow(new Date(dueAt));
        await machines.waitForIdle();
        expect(overlapped).toBe(false);
        expect(order).toEqual([...names].sort());
        await machines.stop();
      }),
      { numRuns: 20 },
    );
  });
});

describe('after a clock jump over several steps of several executions', () => {
  // A run whose next Wait was already over went straight on, ahead of another run's step that came
  // due days before it, and took the customer's last send under the weekly cap (sequences.test.ts).
  it('runs the steps in the order they came due, across executions', async () => {
    const fc = (await import('fast-check')).default;
    const run = fc.record({ first: fc.integer({ min: 1, max: 50 }), gap: fc.integer({ min: 0, max: 50 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(run, { minLength: 2, maxLength: 5 }), async (runs) => {
        const seen: number[] = [];
        const gaps = new Map(runs.map((r, i) => [`run-${i}`, r.gap]));
        const { machines, setNow, start } = setUp({
          step: (state) => {
            seen.push(Date.parse(state.dueAt));
            if (state.stepIndex > 0) return { ...state, done: true };
            return { ...state, stepIndex: 1, dueAt: new Date(Date.parse(state.dueAt) + gaps.get(state.runId)! * 3_600_000).toISOString(), done: false };
          },
        });
        runs.forEach((r, i) => start(`run-${i}`, { runId: `run-${i}`, stepIndex: 0, dueAt: dueIn(r.first * 3_600_000), done: false }));
        await machines.waitForIdle();
        setNow(new Date(T0.getTime() + 200 * 3_600_000));
        await machines.waitForIdle();
        expect(seen).toHaveLength(runs.length * 2);
        expect(seen).toEqual([...seen].sort((a, b) => a - b));
        await machines.stop();
      }),
      { numRuns: 30 },
    );
  });
});
