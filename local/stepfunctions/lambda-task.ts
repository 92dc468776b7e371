import { randomUUID } from 'node:crypto';
import { FunctionTimeoutError, type FunctionHost } from '../lambda/function-host.ts';
import { functionIdFromName } from '../lambda/invoke-async.ts';
import type { TaskBinding } from './local-definition.ts';

/** The functions a state machine's tasks call (a plain object in unit tests). */
export type TaskFunctions = Pick<FunctionHost, 'has' | 'invoke'>;

/**
 * A failed Task as Step Functions reports it for Lambda: `name` is the error (the function's
 * errorType, which Retry and Catch match; `States.TaskFailed` matches any of them), `message` the
 * cause (the function's error payload as JSON).
 */
export class TaskError extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/**
 * Runs a Task state's Lambda function synchronously (RequestResponse), as Step Functions does: the
 * input and the result cross a JSON boundary; `lambda:invoke` wraps the result in Invoke's response.
 */
export async function runLambdaTask(functions: TaskFunctions, binding: TaskBinding, input: unknown, authorize: InvokeAuthorizer = async () => undefined): Promise<unknown> {
  if (binding.kind === 'function') {
    await checkInvoke(authorize, binding.functionId);
    return invokeFunction(functions, binding.functionId, input);
  }
  const request = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
  const functionId = binding.functionId ?? functionIdFromName(request.FunctionName, functions);
  if (!functionId) {
    throw new TaskError('Lambda.ResourceNotFoundException', `Function not found: ${String(request.FunctionName)} (not a function of the local stack)`);
  }
  await checkInvoke(authorize, functionId);
  const payload = await invokeFunction(functions, functionId, request.Payload ?? {});
  return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
}

/** The AccessDenied message when the state machine's role may not invoke the function, else undefined. */
export type InvokeAuthorizer = (functionId: string) => Promise<string | undefined>;

/** Step Functions invokes as the machine's role; a denial fails the task as Lambda's 403 does, naming the role, action and function. */
async function checkInvoke(authorize: InvokeAuthorizer, functionId: string): Promise<void> {
  const denial = await authorize(functionId);
  if (denial) {
    throw new TaskError('Lambda.AWSLambdaException', `${denial} (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: ${randomUUID()}; Proxy: null)`);
  }
}

async function invokeFunction(functions: TaskFunctions, functionId: string, input: unknown): Promise<unknown> {
  let result: unknown;
  try {
    result = await functions.invoke(functionId, jsonCopy(input));
  } catch (error) {
    throw functionError(error);
  }
  return jsonCopy(result);
}

/** Lambda's error payload for a thrown error (the Node.js runtime's errorType is the error's name). */
function functionError(error: unknown): TaskError {
  if (error instanceof FunctionTimeoutError) {
    return new TaskError('Sandbox.Timedout', JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: error.message }));
  }
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error && error.stack ? error.stack.split('\n') : [];
  return new TaskError(errorType, JSON.stringify({ errorType, errorMessage, trace }));
}

/** What survives Lambda's JSON serialization (undefined becomes null, as an empty response does). */
function jsonCopy(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}
