import type { ExecutionStatus } from './execution.ts';

/** The Step Functions errors the local API raises; the SDK turns each `__type` into its exception class. */
export type StepFunctionsErrorType =
  | 'ValidationException'
  | 'InvalidArn'
  | 'InvalidName'
  | 'InvalidExecutionInput'
  | 'InvalidToken'
  | 'StateMachineDoesNotExist'
  | 'ExecutionDoesNotExist'
  | 'ExecutionAlreadyExists'
  | 'UnknownOperationException';

export class StepFunctionsApiError extends Error {
  override name = 'StepFunctionsApiError';
  constructor(
    readonly type: StepFunctionsErrorType,
    message: string,
  ) {
    super(message);
  }
}

export type StartExecutionRequest = { stateMachineArn: string; name?: string; input?: string };
export type StopExecutionRequest = { executionArn: string; error?: string; cause?: string };
export type ListExecutionsRequest = { stateMachineArn: string; statusFilter?: ExecutionStatus; maxResults?: number; nextToken?: string };

/** The operations served (implemented by LocalStateMachines). */
export type StepFunctionsApi = {
  startExecution(request: StartExecutionRequest): unknown;
  stopExecution(request: StopExecutionRequest): unknown;
  describeExecution(executionArn: string): unknown;
  listExecutions(request: ListExecutionsRequest): unknown;
};

/** `X-Amz-Target: AWSStepFunctions.<Operation>` (AWS JSON 1.0, `POST /`). */
export const STEP_FUNCTIONS_TARGET_PREFIX = 'AWSStepFunctions.';
export const STEP_FUNCTIONS_CONTENT_TYPE = 'application/x-amz-json-1.0';

const STATUSES: readonly string[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

/**
 * One Step Functions API call on the wire: the JSON body in, `{status, body}` out. Errors are
 * `400 {"__type", "message"}`, as the service sends them; timestamps are epoch seconds.
 */
export function serveStepFunctions(api: StepFunctionsApi, operation: string, body: string): { status: number; body: unknown } {
  try {
    const input = parseBody(body);
    switch (operation) {
      case 'StartExecution':
        return ok(
          api.startExecution({
            stateMachineArn: required(input, 'stateMachineArn'),
            ...optional(input, 'name', (name) => ({ name })),
            ...optional(input, 'input', (text) => ({ input: text })),
          }),
        );
      case 'StopExecution':
        return ok(
          api.stopExecution({
            executionArn: required(input, 'executionArn'),
            ...optional(input, 'error', (error) => ({ error })),
            ...optional(input, 'cause', (cause) => ({ cause })),
          }),
        );
      case 'DescribeExecution':
        return ok(api.describeExecution(required(input, 'executionArn')));
      case 'ListExecutions':
        return ok(api.listExecutions(listRequest(input)));
      default:
        throw new StepFunctionsApiError(
          'UnknownOperationException',
          `${operation} is not supported by the local Step Functions; StartExecution, StopExecution, DescribeExecution and ListExecutions are`,
        );
    }
  } catch (error) {
    if (error instanceof StepFunctionsApiError) return { status: 400, body: { __type: error.type, message: error.message } };
    return { status: 500, body: { __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) } };
  }
}

function listRequest(input: Record<string, unknown>): ListExecutionsRequest {
  if (input.mapRunArn !== undefined) throw new StepFunctionsApiError('ValidationException', 'mapRunArn is not supported locally; list by stateMachineArn');
  const statusFilter = input.statusFilter;
  if (statusFilter !== undefined && (typeof statusFilter !== 'string' || !STATUSES.includes(statusFilter))) {
    throw new StepFunctionsApiError('ValidationException', `1 validation error detected: Value '${String(statusFilter)}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${STATUSES.join(', ')}]`);
  }
  const maxResults = input.maxResults;
  if (maxResults !== undefined && (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000)) {
    throw new StepFunctionsApiError('ValidationException', '1 validation error detected: Value at \'maxResults\' failed to satisfy constraint: Member must have value between 0 and 1000');
  }
  return {
    stateMachineArn: required(input, 'stateMachineArn'),
    ...(statusFilter !== undefined ? { statusFilter: statusFilter as ExecutionStatus } : {}),
    ...(typeof maxResults === 'number' ? { maxResults } : {}),
    ...optional(input, 'nextToken', (nextToken) => ({ nextToken })),
  };
}

function parseBody(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = body.length > 0 ? JSON.parse(body) : {};
  } catch {
    throw new StepFunctionsApiError('ValidationException', 'the request body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new StepFunctionsApiError('ValidationException', 'the request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** A required string member, with the service's message when it is missing. */
function required(input: Record<string, unknown>, key: string): string {
  const value = input[key];
  if (value === undefined || value === null) {
    throw new StepFunctionsApiError('ValidationException', `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`);
  }
  if (typeof value !== 'string') throw new StepFunctionsApiError('ValidationException', `${key} must be a string`);
  return value;
}

function optional<T>(input: Record<string, unknown>, key: string, wrap: (value: string) => T): T | Record<string, never> {
  const value = input[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') throw new StepFunctionsApiError('ValidationException', `${key} must be a string`);
  return wrap(value);
}

/** AWS JSON carries timestamps as epoch seconds. */
function ok(output: unknown): { status: number; body: unknown } {
  const text = JSON.stringify(output, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
  return { status: 200, body: JSON.parse(text ?? '{}') };
}
