export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

/** Where a running execution is held by the simulated clock (a Wait state); `resolve` lets it go on. */
export type ClockGate = { until: Date; resolve(): void; reject(reason: Error): void };

/** One execution, in memory for the life of the local runtime. Dates are simulated time. */
export type Execution = {
  name: string;
  arn: string;
  machineName: string;
  machineArn: string;
  /** Start order: executions released by the clock at the same instant run in this order. */
  seq: number;
  /** The input as given to StartExecution (idempotent starts compare it). */
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate: Date | undefined;
  /** Start plus the machine's TimeoutSeconds; undefined when it has none. */
  deadline: Date | undefined;
  output: string | undefined;
  error: string | undefined;
  cause: string | undefined;
  /** The Wait or Task state the execution is in or last ran, while it runs (where it spends its time). */
  currentState: string | undefined;
  gate: ClockGate | undefined;
  /** Function invocations not yet returned; a stopped execution's may still be running, as in Lambda. */
  tasksInFlight: number;
  /**
   * State transitions so far, as Standard workflows bill them: each state entered (a Wait, Choice or
   * Succeed as much as a Task) and each retry of a state.
   */
  transitions: number;
  abort: () => void;
};

/** One execution as `GET /_nudge/executions` shows it. */
export type ExecutionView = {
  name: string;
  executionArn: string;
  stateMachine: string;
  status: ExecutionStatus;
  input: unknown;
  output: unknown;
  error: string | null;
  cause: string | null;
  startDate: string;
  stopDate: string | null;
  currentState: string | null;
  /** ISO instant the execution's Wait state ends, while the simulated clock holds it. */
  waitingUntil: string | null;
  /** State transitions so far (what a Standard workflow bills). */
  transitions: number;
};

/** DescribeExecution's answer: the ListExecutions item plus input, output and error. */
export function describeExecution(execution: Execution): Record<string, unknown> {
  return {
    ...listItem(execution),
    input: execution.input,
    inputDetails: { included: true },
    // As the service does: absent keys, not nulls, for what an execution does not have.
    ...(execution.output !== undefined ? { output: execution.output, outputDetails: { included: true } } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
  };
}

export function listItem(execution: Execution): Record<string, unknown> {
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.machineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    ...(execution.stopDate ? { stopDate: execution.stopDate } : {}),
  };
}

export function executionView(execution: Execution): ExecutionView {
  return {
    name: execution.name,
    executionArn: execution.arn,
    stateMachine: execution.machineName,
    status: execution.status,
    input: parseOrText(execution.input),
    output: execution.output === undefined ? null : parseOrText(execution.output),
    error: execution.error ?? null,
    cause: execution.cause ?? null,
    startDate: execution.startDate.toISOString(),
    stopDate: execution.stopDate?.toISOString() ?? null,
    currentState: execution.currentState ?? null,
    waitingUntil: execution.gate?.until.toISOString() ?? null,
    transitions: execution.transitions,
  };
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
