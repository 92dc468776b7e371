import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeCommand, LambdaClient, RequestTooLargeException, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer } from '#local/emulators/sqs-local.ts';
import { LOCAL_ACCOUNT } from '#local/emulators/local-aws.ts';
import { FunctionTimeoutError } from '#local/lambda/function-host.ts';
import { AsyncInvoker, type AsyncOrigin as Origin } from '#local/lambda/invoke-async.ts';
import { LocalLambdaApi } from '#local/lambda/lambda-api.ts';

const SWEEP = 'SweepFunctionABC123';

const invocations: Array<{ functionId: string; event: unknown }> = [];
const asyncInvocations: Array<{ functionId: string; payload: unknown; origin: Origin }> = [];
let releaseAsync: () => void = () => undefined;

/** A function host with one function: it echoes its event, or throws / times out when asked to. */
const api = new LocalLambdaApi({
  functions: {
    has: (id) => id === SWEEP,
    invoke: async (functionId, event) => {
      invocations.push({ functionId, event });
      const request = event as { fail?: string; timeout?: boolean; nothing?: boolean };
      if (request.fail) throw new TypeError(request.fail);
      if (request.timeout) throw new FunctionTimeoutError(`${functionId}: Task timed out after 3.00 seconds`);
      if (request.nothing) return undefined;
      return { swept: 3, echo: event };
    },
  },
  asyncInvoker: {
    invoke: async (functionId, payload, origin) => {
      asyncInvocations.push({ functionId, payload, origin });
      await new Promise<void>((resolve) => {
        releaseAsync = resolve;
      });
      return { ok: true, attempts: 1 };
    },
  },
  log: { warn: () => undefined, error: () => undefined },
});

let server: Server;
let lambda: LambdaClient;

beforeAll(async () => {
  // Only the router, behind a bare HTTP server (as the local server wires it).
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (!api.handles(url.pathname)) {
        response.writeHead(404).end();
        return;
      }
      const served = await api.handle({ method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(served.statusCode, served.headers).end(served.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  lambda = new LambdaClient({ endpoint: `http://127.0.0.1:${port}`, region: 'eu-west-1', credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' }, maxAttempts: 1 });
});

afterAll(async () => {
  lambda?.destroy();
  if (server) await closeServer(server);
});

const json = (payload: unknown) => new TextEncoder().encode(JSON.stringify(payload));
const parse = (payload: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(payload));

describe('the local Lambda Invoke API', () => {
  it('runs the handler and returns its result as the payload', async () => {
    const result = await lambda.send(new InvokeCommand({ FunctionName: SWEEP, Payload: json({ dryRun: false }) }));
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBeUndefined();
    expect(result.ExecutedVersion).toBe('$LATEST');
    expect(result.Payload).toBeInstanceOf(Uint8Array);
    expect(parse(result.Payload)).toEqual({ swept: 3, echo: { dryRun: false } });
    expect(invocations.at(-1)).toEqual({ functionId: SWEEP, event: { dryRun: false } });
  });

  it('accepts the function ARN (with $LATEST) and an empty payload, and answers null for a handler that returns nothing', async () => {
    const arn = `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT}:function:${SWEEP}`;
    const empty = await lambda.send(new InvokeCommand({ FunctionName: arn }));
    expect(parse(empty.Payload)).toEqual({ swept: 3, echo: {} });
    const nothing = await lambda.send(new InvokeCommand({ FunctionName: `${arn}:$LATEST`, Payload: json({ nothing: true }) }));
    expect(nothing.StatusCode).toBe(200);
    expect(parse(nothing.Payload)).toBeNull();
  });

  it('reports a handler error as FunctionError Unhandled with the error payload, not as an exception', async () => {
    const result = await lambda.send(new InvokeCommand({ FunctionName: SWEEP, Payload: json({ fail: 'profile table missing' }) }));
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBe('Unhandled');
    const error = parse(result.Payload);
    expect(error).toMatchObject({ errorType: 'TypeError', errorMessage: 'profile table missing' });
    expect(error.trace[0]).toBe('TypeError: profile table missing');

    const timedOut = parse((await lambda.send(new InvokeCommand({ FunctionName: SWEEP, Payload: json({ timeout: true }) }))).Payload);
    expect(timedOut).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out') });
  });

  it('throws ResourceNotFoundException for a function the stack does not have, or a version other than $LATEST', async () => {
    const unknown = lambda.send(new InvokeCommand({ FunctionName: 'NoSuchFunction', Payload: json({}) }));
    await expect(unknown).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(unknown).rejects.toMatchObject({ name: 'ResourceNotFoundException', Type: 'User', message: expect.stringContaining('Function not found') });
    await expect(lambda.send(new InvokeCommand({ FunctionName: SWEEP, Qualifier: '3', Payload: json({}) }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers 202 at once to an Event invocation and runs it in the background', async () => {
    const before = invocations.length;
    const result = await lambda.send(new InvokeCommand({ FunctionName: SWEEP, InvocationType: 'Event', Payload: json({ later: true }) }));
    expect(result.StatusCode).toBe(202);
    expect(asyncInvocations.at(-1)).toMatchObject({ functionId: SWEEP, payload: { later: true } });
    expect(api.pendingInvocations).toBe(1);
    // Not run through the synchronous path.
    expect(invocations.length).toBe(before);
    releaseAsync();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(api.pendingInvocations).toBe(0);
  });

  it('refuses an Event payload over 1 MB with RequestTooLargeException (413) and runs nothing; one of exactly 1 MB is accepted', async () => {
    const before = { sync: invocations.length, async: asyncInvocations.length };
    /** A JSON payload of exactly `bytes` UTF-8 bytes. */
    const sized = (bytes: number) => json({ pad: 'x'.repeat(bytes - JSON.stringify({ pad: '' }).length) });
    const refused = lambda.send(new InvokeCommand({ FunctionName: SWEEP, InvocationType: 'Event', Payload: sized(1_048_577) }));
    await expect(refused).rejects.toBeInstanceOf(RequestTooLargeException);
    await expect(refused).rejects.toMatchObject({ $metadata: { httpStatusCode: 413 }, message: 'Request must be smaller than 1048576 bytes for the InvokeFunction operation' });
    expect({ sync: invocations.length, async: asyncInvocations.length }).toEqual(before);

    const accepted = await lambda.send(new InvokeCommand({ FunctionName: SWEEP, InvocationType: 'Event', Payload: sized(1_048_576) }));
    expect(accepted.StatusCode).toBe(202);
    releaseAsync();
    await new Promise((resolve) => setTimeout(resolve, 10));
  });

  it('takes a RequestResponse payload up to 6 MB and refuses a larger one', async () => {
    const big = json({ pad: 'x'.repeat(2_000_000) });
    expect((await lambda.send(new InvokeCommand({ FunctionName: SWEEP, Payload: big }))).StatusCode).toBe(200);
    const tooBig = json({ pad: 'x'.repeat(6 * 1024 * 1024) });
    await expect(lambda.send(new InvokeCommand({ FunctionName: SWEEP, Payload: tooBig }))).rejects.toMatchObject({ name: 'RequestTooLargeException', message: expect.stringContaining('6291456 bytes') });
  });

  it('rejects a payload that is not JSON', async () => {
    await expect(lambda.send(new InvokeCommand({ FunctionName: SWEEP, Payload: new TextEncoder().encode('{not json') }))).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
    });
  });
});

describe('asynchronous invocation from the bus and the scheduler', () => {
  it('refuses an event over 1 MB (in UTF-8 bytes) without running the function, retrying or sending it to a destination', async () => {
    const runs: unknown[] = [];
    const errors: string[] = [];
    const invoker = new AsyncInvoker({
      asyncInvokeConfigs: [],
      resources: new Map(),
      functions: { has: () => true, invoke: async (_id, event) => runs.push(event) },
      sqs: { send: async () => expect.unreachable('nothing goes to a destination') } as never,
      log: { warn: () => undefined, error: (message) => errors.push(message) },
    });
    const origin = { eventId: 'e-1', origin: 'rule R' };
    // 524,289 two-byte characters: half a million characters, just over 1 MB.
    const outcome = await invoker.invoke(SWEEP, { pad: 'é'.repeat(524_289) }, origin);
    expect(outcome).toEqual({ ok: false, attempts: 0, error: 'RequestTooLargeException: Request must be smaller than 1048576 bytes for the InvokeFunction operation' });
    expect(runs).toEqual([]);
    expect(errors).toEqual([expect.stringContaining(`${SWEEP} refused event e-1 from rule R: RequestTooLargeException`)]);
    expect(await invoker.invoke(SWEEP, { pad: 'é'.repeat(1000) }, origin)).toEqual({ ok: true, attempts: 1 });
    expect(runs).toHaveLength(1);
  });
});
