import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { parseWaitTime, type WaitTime } from './wait-time.ts';

/** setTimeout holds at most 2^31-1 ms, and aws-local-stepfunctions times Task states with it: a longer timeout fires at once. */
export const MAX_TIMER_SECONDS = 2_147_483;
/** Resource of the Task that stands in for a Wait state; never called, it has a local handler. */
export const CLOCK_WAIT_RESOURCE = 'arn:aws:states:::nudge-local:wait';
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LAMBDA_ARN = /^arn:aws:lambda:[^:]+:[^:]+:function:[^:]+(:[^:]+)?$/;

/**
 * What runs a Task state: the function itself when Resource is its ARN (its result is the task's
 * result), or the `lambda:invoke` integration (result `{StatusCode, Payload, ...}`). A `lambda:invoke`
 * whose FunctionName comes from the input (`FunctionName.$`) is resolved when it runs.
 */
export type TaskBinding = { kind: 'function'; functionId: string } | { kind: 'lambda:invoke'; functionId: string | undefined };

/** A definition ready for aws-local-stepfunctions, and what the local runner must do beside it. */
export type LocalDefinition = {
  asl: StateMachineDefinition;
  /** The machine's TimeoutSeconds, enforced by the runner in simulated time (removed from `asl`). */
  timeoutSeconds: number | undefined;
  tasks: Map<string, TaskBinding>;
  /** Wait states, by name; in `asl` each is a Task whose local handler waits for the simulated clock. */
  waits: Map<string, WaitTime>;
  /** States with a Retry field: their retry intervals are shortened locally. */
  retryingStates: string[];
};

type State = Record<string, unknown> & { Type?: unknown };
type States = Record<string, State>;

/**
 * Rewrites a deployed definition so aws-local-stepfunctions runs it under the simulated clock:
 *
 * - Each Wait state becomes a Task (same InputPath, OutputPath, Next or End) whose handler holds the
 *   execution until the simulated clock reaches the wait's end. Overriding the Wait itself cannot do
 *   this (the library only takes a fixed number of real milliseconds), and holding the next Task
 *   instead would count the wait against that Task's TimeoutSeconds.
 * - The machine's TimeoutSeconds moves out, to be measured in simulated time: the library would
 *   measure it in real time, with a timer that overflows beyond ~24.8 days (Nudge's is a year).
 * - Task TimeoutSeconds beyond the timer's range are clamped, for the same overflow.
 *
 * Everything the runner cannot run is refused here, at startup: Task resources other than Lambda
 * functions, callback and `.sync` patterns, JSONata, and wait paths it cannot evaluate.
 */
export function prepareLocalDefinition(
  machineName: string,
  definition: Record<string, unknown>,
  findFunction: (nameOrArn: string) => string | undefined,
): LocalDefinition {
  const asl = structuredClone(definition) as Record<string, unknown> & { States?: States; TimeoutSeconds?: unknown };
  const refuse = (what: string) => new Error(`state machine ${machineName}: ${what}`);
  if (asl.QueryLanguage === 'JSONata') throw refuse('JSONata definitions cannot run locally (JSONPath only)');
  if (typeof asl.States !== 'object' || asl.States === null) throw refuse('the definition has no States');
  const tasks = new Map<string, TaskBinding>();
  const waits = new Map<string, WaitTime>();
  const retryingStates: string[] = [];

  const bindTask = (name: string, state: State): TaskBinding => {
    const resource = String(state.Resource);
    if (LAMBDA_ARN.test(resource)) {
      const functionId = findFunction(resource);
      if (!functionId) throw refuse(`Task ${name} calls ${resource}, which is not a function of the local stack`);
      return { kind: 'function', functionId };
    }
    if (resource === LAMBDA_INVOKE) {
      const parameters = (state.Parameters ?? {}) as Record<string, unknown>;
      if (typeof parameters['FunctionName.$'] === 'string') return { kind: 'lambda:invoke', functionId: undefined };
      const functionId = typeof parameters.FunctionName === 'string' ? findFunction(parameters.FunctionName) : undefined;
      if (!functionId) throw refuse(`Task ${name} invokes ${String(parameters.FunctionName)}, which is not a function of the local stack`);
      return { kind: 'lambda:invoke', functionId };
    }
    throw refuse(`Task ${name} uses ${resource}; only Lambda functions (their ARN, or ${LAMBDA_INVOKE} without .sync or .waitForTaskToken) run locally`);
  };

  const visit = (states: States): void => {
    for (const [name, state] of Object.entries(states)) {
      if (state.QueryLanguage === 'JSONata') throw refuse(`state ${name} uses JSONata, which cannot run locally`);
      if (Array.isArray(state.Retry)) retryingStates.push(name);
      if (state.Type === 'Task') {
        tasks.set(name, bindTask(name, state));
        if (typeof state.TimeoutSeconds === 'number') state.TimeoutSeconds = Math.min(state.TimeoutSeconds, MAX_TIMER_SECONDS);
      } else if (state.Type === 'Wait') {
        waits.set(name, parseWaitTime(name, state));
        states[name] = clockWait(state);
      } else if (state.Type === 'Map') {
        const processor = (state.ItemProcessor ?? state.Iterator) as { States?: States } | undefined;
        if (processor?.States) visit(processor.States);
      } else if (state.Type === 'Parallel') {
        for (const branch of (state.Branches ?? []) as Array<{ States?: States }>) if (branch.States) visit(branch.States);
      }
    }
  };
  visit(asl.States);

  const timeoutSeconds = typeof asl.TimeoutSeconds === 'number' ? asl.TimeoutSeconds : undefined;
  delete asl.TimeoutSeconds;
  return { asl: asl as unknown as StateMachineDefinition, timeoutSeconds, tasks, waits, retryingStates };
}

/** The Task standing in for a Wait state: same input and output processing, same transition. */
function clockWait(wait: State): State {
  const { Type: _type, Seconds: _seconds, Timestamp: _timestamp, SecondsPath: _secondsPath, TimestampPath: _timestampPath, ...kept } = wait;
  return { ...kept, Type: 'Task', Resource: CLOCK_WAIT_RESOURCE, TimeoutSeconds: MAX_TIMER_SECONDS };
}
