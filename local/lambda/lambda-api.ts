import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../emulators/local-aws.ts';
import { FunctionTimeoutError } from './function-host.ts';
import type { AsyncInvoker, InvocableFunctions } from './invoke-async.ts';
import { PAYLOAD_TOO_LARGE, payloadTooLarge } from './payload-limits.ts';

export type LambdaApiRequest = { method: string; path: string; query: URLSearchParams; headers: IncomingHttpHeaders; body: string };
export type LambdaApiResponse = { statusCode: number; headers: Record<string, string>; body: string };

/** `POST /2015-03-31/functions/{FunctionName}/invocations`, as `@aws-sdk/client-lambda` and the AWS CLI send Invoke. */
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const API_PREFIX = '/2015-03-31/functions/';
/** A function ARN, full or partial (`<account>:function:<name>`), with an optional qualifier. */
const FUNCTION_ARN = /^(?:arn:aws[\w-]*:lambda:[^:]*:)?[^:]*:function:([^:]+)(?::([^:]+))?$/;

/**
 * Lambda's Invoke API for the local functions, so `aws lambda invoke --endpoint-url` and
 * `InvokeCommand` (with `AWS_ENDPOINT_URL_LAMBDA`) reach the same handlers the runtime runs.
 * A function is named by its logical id (what `Ref` and the stack outputs give locally) or its
 * local ARN. Only `$LATEST` exists locally.
 *
 * `RequestResponse` answers as Lambda does: 200 with the handler's result, or 200 with
 * `X-Amz-Function-Error: Unhandled` and the error payload. `Event` answers 202 and invokes in the
 * background with the function's async retries and on-failure destination. A payload over Invoke's
 * limit (1 MB for Event, 6 MB for RequestResponse: payload-limits.ts) is refused with 413
 * RequestTooLargeException, and the function does not run.
 */
export class LocalLambdaApi {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly deps: {
      functions: InvocableFunctions;
      asyncInvoker: Pick<AsyncInvoker, 'invoke'>;
      log: { warn(message: string): void; error(message: string): void };
    },
  ) {}

  /** True for the paths this API serves (the rest of the local server leaves them alone). */
  handles(path: string): boolean {
    return path.startsWith(API_PREFIX);
  }

  /** Event invocations still running. */
  get pendingInvocations(): number {
    return this.inFlight.size;
  }

  async handle(request: LambdaApiRequest): Promise<LambdaApiResponse> {
    const match = INVOKE_PATH.exec(request.path);
    if (!match || request.method !== 'POST') {
      return lambdaError(400, 'InvalidParameterValueException', `${request.method} ${request.path} is not served locally; only Invoke is`);
    }
    const name = decodeURIComponent(match[1]!);
    const functionId = this.functionIdOf(name, request.query.get('Qualifier'));
    if (!functionId) {
      return lambdaError(404, 'ResourceNotFoundException', `Function not found: ${name.startsWith('arn:') ? name : functionArn(name)}`);
    }
    const invocationType = headerValue(request.headers, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (invocationType === 'RequestResponse' || invocationType === 'Event') {
      const tooLarge = payloadTooLarge(invocationType, Buffer.byteLength(request.body, 'utf8'));
      if (tooLarge) return lambdaError(413, PAYLOAD_TOO_LARGE, tooLarge);
    }
    let payload: unknown;
    try {
      payload = request.body.trim() === '' ? {} : JSON.parse(request.body);
    } catch {
      return lambdaError(400, 'InvalidRequestContentException', 'Could not parse request body into json: the payload is not valid JSON');
    }
    const requestId = randomUUID();
    switch (invocationType) {
      case 'RequestResponse':
        return this.invokeNow(functionId, payload, requestId);
      case 'Event':
        this.invokeLater(functionId, payload, requestId);
        return { statusCode: 202, headers: { 'x-amzn-requestid': requestId }, body: '' };
      case 'DryRun':
        return { statusCode: 204, headers: { 'x-amzn-requestid': requestId }, body: '' };
      default:
        return lambdaError(400, 'InvalidParameterValueException', `InvocationType must be RequestResponse, Event or DryRun, not ${invocationType}`);
    }
  }

  private async invokeNow(functionId: string, payload: unknown, requestId: string): Promise<LambdaApiResponse> {
    const headers = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST', 'x-amzn-requestid': requestId };
    try {
      const result = await this.deps.functions.invoke(functionId, payload);
      // A handler that returns nothing answers `null`, as in Lambda.
      return { statusCode: 200, headers, body: JSON.stringify(result ?? null) };
    } catch (error) {
      // A function error is a successful Invoke: the SDK reports it as FunctionError, not by throwing.
      return { statusCode: 200, headers: { ...headers, 'x-amz-function-error': 'Unhandled' }, body: JSON.stringify(errorPayload(error)) };
    }
  }

  private invokeLater(functionId: string, payload: unknown, requestId: string): void {
    const run = this.deps.asyncInvoker
      .invoke(functionId, payload, { eventId: requestId, origin: 'an Event Invoke' })
      .catch((error: unknown) => this.deps.log.error(`Event invocation of ${functionId}: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  /** The logical id behind a FunctionName (a name or an ARN) and qualifier, if that function runs here. */
  private functionIdOf(name: string, qualifierParameter: string | null): string | undefined {
    const arn = FUNCTION_ARN.exec(name);
    const [functionName, qualifier] = arn ? [arn[1]!, arn[2]] : name.split(':', 2);
    const version = qualifierParameter ?? qualifier;
    if (version !== undefined && version !== '$LATEST') return undefined;
    return functionName && this.deps.functions.has(functionName) ? functionName : undefined;
  }
}

/** Lambda's unhandled-error payload for the Node.js runtime. */
function errorPayload(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof FunctionTimeoutError) return { errorType: 'Sandbox.Timedout', errorMessage: error.message, trace: [] };
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
  return { errorType: 'Error', errorMessage: String(error), trace: [] };
}

/** Lambda's REST error shape: the type in `x-amzn-ErrorType`, `{Type, Message}` in the body (the SDK throws the named exception). */
function lambdaError(statusCode: number, type: string, message: string): LambdaApiResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
    body: JSON.stringify({ Type: 'User', Message: message }),
  };
}

function functionArn(name: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
