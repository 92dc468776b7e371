import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { createRequestHandler } from 'local-aws-sqs';
import type { RunningEmulator } from './dynamodb-local.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-aws.ts';
import { oversizeRefusal } from './sqs-message-size.ts';

const JSON_PROTOCOL = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AmazonSQS.';

/**
 * A local SQS (npm local-aws-sqs, JSON protocol) on 127.0.0.1. Queues are created from the stack.
 * Sends pass the message-size check in bytes first (sqs-message-size.ts): the library counts characters.
 */
export async function startSqsLocal(port: number): Promise<RunningEmulator> {
  const { requestHandler, service } = createRequestHandler({
    port,
    hostname: '127.0.0.1',
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT,
    // A restarted runtime recreates its queues at once; AWS's 60 s wait would only slow it down.
    emulateQueueCreationLifecycle: false,
  });
  const maximumMessageSize = (queueUrl: unknown): number | undefined => {
    const name = typeof queueUrl === 'string' ? queueUrl.split('/').filter(Boolean).at(-1) : undefined;
    return service.Queues.find((queue) => queue.QueueName === name)?.MaximumMessageSize;
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (!refusedForSize(request, response, body, maximumMessageSize)) void requestHandler(replay(request, body), response);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => closeServer(server) };
}

/** Answers an oversized send as the library answers its own refusals; true when it did. */
function refusedForSize(request: IncomingMessage, response: ServerResponse, body: Buffer, maximumMessageSize: (queueUrl: unknown) => number | undefined): boolean {
  const target = request.headers['x-amz-target'];
  if (request.headers['content-type'] !== JSON_PROTOCOL || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return false; // the library answers malformed requests itself
  }
  if (typeof parsed !== 'object' || parsed === null) return false;
  const maximum = maximumMessageSize((parsed as { QueueUrl?: unknown }).QueueUrl);
  if (maximum === undefined) return false;
  const refusal = oversizeRefusal(target.slice(TARGET_PREFIX.length), parsed as Record<string, unknown>, maximum);
  if (!refusal) return false;
  response.writeHead(400, { 'content-type': JSON_PROTOCOL, 'x-amzn-query-error': refusal.queryError });
  response.end(JSON.stringify({ __type: refusal.type, message: refusal.message }));
  return true;
}

/** The request again, its body read: the library reads headers and the body stream only. */
function replay(request: IncomingMessage, body: Buffer): IncomingMessage {
  return Object.assign(Readable.from(body.length > 0 ? [body] : []), { headers: request.headers, method: request.method, url: request.url }) as unknown as IncomingMessage;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
