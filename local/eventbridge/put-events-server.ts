import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ListSchedulesInput, ScheduleState } from '@aws-sdk/client-scheduler';
import { SchedulerApiError, type LocalOneTimeSchedules } from '../scheduler/one-time-schedules.ts';
import { FUNCTION_URL_PREFIX, type LocalFunctionUrls } from '../lambda/function-urls.ts';
import type { LocalLambdaApi } from '../lambda/lambda-api.ts';
import type { LocalSecrets } from '../secrets/local-secrets.ts';
import { serveStepFunctions, STEP_FUNCTIONS_CONTENT_TYPE, STEP_FUNCTIONS_TARGET_PREFIX, type StepFunctionsApi } from '../stepfunctions/step-functions-api.ts';
import type { LocalEventBus, PutEventsEntry } from './event-bus.ts';

/** Control routes the local runtime adds beside the EventBridge API (clock, status), under /_nudge/. */
export type ControlRoutes = Record<string, (request: { method: string; body: unknown; query: URLSearchParams }) => Promise<unknown>>;

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_ENTRIES = 10;

/** The Scheduler API operations served locally. */
export type SchedulerApi = Pick<LocalOneTimeSchedules, 'create' | 'get' | 'delete' | 'listSchedules'>;

type ServerInput = {
  bus: LocalEventBus;
  control: ControlRoutes;
  scheduler?: SchedulerApi;
  secrets?: Pick<LocalSecrets, 'getSecretValue' | 'putSecretValue'>;
  functionUrls?: Pick<LocalFunctionUrls, 'handle'>;
  stepFunctions?: StepFunctionsApi;
  lambda?: Pick<LocalLambdaApi, 'handles' | 'handle'>;
};

/**
 * The EventBridge PutEvents API on the wire (AWS JSON 1.1: `POST /` with
 * `X-Amz-Target: AWSEvents.PutEvents`), so the AWS CLI (`--endpoint-url`) and
 * `@aws-sdk/client-eventbridge` (`endpoint`) talk to it unchanged. Signatures are not checked.
 *
 * On the same port, by path: the EventBridge Scheduler API for one-time schedules (restJson1 under
 * `/schedules`, for `@aws-sdk/client-scheduler`), Lambda's Invoke (`/2015-03-31/functions/...`, for
 * `@aws-sdk/client-lambda`), the stack's Lambda Function URLs (`/_url/...`),
 * Secrets Manager's GetSecretValue and the Step Functions API (AWS JSON 1.0, `X-Amz-Target:
 * AWSStepFunctions.*`, for `@aws-sdk/client-sfn`), by their X-Amz-Target, and the runtime's control routes
 * (`/_nudge/...`). None shares a path or target, so one port serves them all.
 */
export function startPutEventsServer(input: { port: number } & ServerInput): Promise<Server> {
  const server = createServer((request, response) => {
    handle(request, response, input).catch((error: unknown) => {
      sendJson(response, 500, { __type: 'InternalException', message: error instanceof Error ? error.message : String(error) });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(input.port, '127.0.0.1', () => resolve(server));
  });
}

async function handle(request: IncomingMessage, response: ServerResponse, input: ServerInput): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const body = await readBody(request);
  if (input.scheduler && (url.pathname === '/schedules' || url.pathname.startsWith('/schedules/'))) {
    return serveScheduler(request.method ?? 'GET', url, body, input.scheduler, response);
  }
  if (input.lambda?.handles(url.pathname)) {
    const served = await input.lambda.handle({ method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: request.headers, body });
    response.writeHead(served.statusCode, { 'content-length': Buffer.byteLength(served.body), ...served.headers });
    response.end(served.body);
    return;
  }
  if (input.functionUrls && url.pathname.startsWith(FUNCTION_URL_PREFIX)) {
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    const served = await input.functionUrls.handle({ path: url.pathname, method: request.method ?? 'GET', headers, body, query: url.searchParams.toString() });
    if (!served) return sendJson(response, 404, { message: `no function URL at ${url.pathname}` });
    response.writeHead(served.statusCode, served.headers);
    response.end(served.body);
    return;
  }
  if (input.secrets && request.headers['x-amz-target'] === 'secretsmanager.GetSecretValue') {
    const secretId = String((parseJsonBody(body) as { SecretId?: unknown } | undefined)?.SecretId ?? '');
    const value = input.secrets.getSecretValue(secretId);
    if (!value) return awsError(response, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret: ${secretId}`);
    return sendJson(response, 200, value, 'application/x-amz-json-1.1');
  }
  if (input.secrets && request.headers['x-amz-target'] === 'secretsmanager.PutSecretValue') {
    const { SecretId, SecretString } = (parseJsonBody(body) ?? {}) as { SecretId?: unknown; SecretString?: unknown };
    if (typeof SecretString !== 'string') return awsError(response, 'InvalidParameterException', 'PutSecretValue needs SecretString (the local runtime keeps no binary secrets)');
    const value = input.secrets.putSecretValue(String(SecretId ?? ''), SecretString);
    if (!value) return awsError(response, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret: ${String(SecretId)}`);
    return sendJson(response, 200, value, 'application/x-amz-json-1.1');
  }
  const amzTarget = request.headers['x-amz-target'];
  if (input.stepFunctions && typeof amzTarget === 'string' && amzTarget.startsWith(STEP_FUNCTIONS_TARGET_PREFIX)) {
    const served = serveStepFunctions(input.stepFunctions, amzTarget.slice(STEP_FUNCTIONS_TARGET_PREFIX.length), body);
    return sendJson(response, served.status, served.body, STEP_FUNCTIONS_CONTENT_TYPE);
  }
  if (url.pathname.startsWith('/_nudge/')) {
    const route = input.control[url.pathname.slice('/_nudge/'.length)];
    if (!route) return sendJson(response, 404, { message: `no control route ${url.pathname}` });
    try {
      const parsed = body.length > 0 ? JSON.parse(body) : undefined;
      return sendJson(response, 200, await route({ method: request.method ?? 'GET', body: parsed, query: url.searchParams }));
    } catch (error) {
      return sendJson(response, 400, { message: error instanceof Error ? error.message : String(error) });
    }
  }
  const target = request.headers['x-amz-target'];
  if (request.method !== 'POST' || url.pathname !== '/') {
    return sendJson(response, 404, { __type: 'UnknownOperationException', message: 'Only PutEvents (POST /) is served locally' });
  }
  if (target !== 'AWSEvents.PutEvents') {
    return awsError(response, 'UnknownOperationException', `${String(target)} is not supported by the local EventBridge; only PutEvents is`);
  }
  let payload: { Entries?: unknown };
  try {
    payload = JSON.parse(body) as { Entries?: unknown };
  } catch {
    return awsError(response, 'SerializationException', 'the request body is not JSON');
  }
  if (!Array.isArray(payload.Entries) || payload.Entries.length === 0 || payload.Entries.length > MAX_ENTRIES) {
    return awsError(response, 'ValidationException', `Entries must be a list of 1 to ${MAX_ENTRIES} entries`);
  }
  const entries = input.bus.putEntries(payload.Entries as PutEventsEntry[]);
  const failed = entries.filter((entry) => 'ErrorCode' in entry).length;
  sendJson(response, 200, { FailedEntryCount: failed, Entries: entries }, 'application/x-amz-json-1.1');
}

/**
 * EventBridge Scheduler's restJson1 operations on schedules (paths and query names as
 * `@aws-sdk/client-scheduler` serializes them). Errors carry `x-amzn-errortype` and `{Message}`,
 * which the SDK turns into its typed exceptions (ConflictException, ValidationException, ...).
 */
function serveScheduler(method: string, url: URL, body: string, scheduler: SchedulerApi, response: ServerResponse): void {
  try {
    const name = url.pathname.startsWith('/schedules/') ? decodeURIComponent(url.pathname.slice('/schedules/'.length)) : undefined;
    const query = url.searchParams;
    if (name === undefined && method === 'GET') return sendSchedulerJson(response, 200, scheduler.listSchedules(listSchedulesInput(query)));
    if (name !== undefined && name !== '' && !name.includes('/')) {
      if (method === 'POST') return sendSchedulerJson(response, 200, scheduler.create(name, parseJsonBody(body)));
      if (method === 'GET') return sendSchedulerJson(response, 200, scheduler.get(name, query.get('groupName') ?? undefined));
      if (method === 'DELETE') {
        scheduler.delete(name, query.get('groupName') ?? undefined);
        return sendSchedulerJson(response, 200, {});
      }
    }
    const operation = method === 'PUT' && name ? 'UpdateSchedule' : `${method} ${url.pathname}`;
    throw new SchedulerApiError('ValidationException', `${operation} is not supported by the local scheduler; CreateSchedule, GetSchedule, DeleteSchedule and ListSchedules are`);
  } catch (error) {
    if (error instanceof SchedulerApiError) {
      return sendSchedulerJson(response, error.statusCode, { Message: error.message }, { 'x-amzn-errortype': error.type });
    }
    const message = error instanceof Error ? error.message : String(error);
    return sendSchedulerJson(response, 500, { Message: message }, { 'x-amzn-errortype': 'InternalServerException' });
  }
}

function listSchedulesInput(query: URLSearchParams): ListSchedulesInput {
  const maxResults = query.get('MaxResults');
  const state = query.get('State');
  return {
    ...(query.get('ScheduleGroup') !== null ? { GroupName: query.get('ScheduleGroup')! } : {}),
    ...(query.get('NamePrefix') !== null ? { NamePrefix: query.get('NamePrefix')! } : {}),
    ...(state !== null ? { State: state as ScheduleState } : {}),
    ...(query.get('NextToken') !== null ? { NextToken: query.get('NextToken')! } : {}),
    ...(maxResults !== null ? { MaxResults: Number(maxResults) } : {}),
  };
}

function parseJsonBody(body: string): unknown {
  try {
    return body.length > 0 ? JSON.parse(body) : {};
  } catch {
    throw new SchedulerApiError('ValidationException', 'the request body is not JSON');
  }
}

/** restJson1 carries timestamps as epoch seconds. */
function sendSchedulerJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : value;
  });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function awsError(response: ServerResponse, type: string, message: string): void {
  sendJson(response, 400, { __type: type, message }, 'application/x-amz-json-1.1');
}

function sendJson(response: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
