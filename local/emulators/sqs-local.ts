import type { Server } from 'node:http';
import { createSqsServer } from 'local-aws-sqs';
import type { RunningEmulator } from './dynamodb-local.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './local-aws.ts';

/** A local SQS (npm local-aws-sqs, JSON protocol) on 127.0.0.1. Queues are created from the stack. */
export async function startSqsLocal(port: number): Promise<RunningEmulator> {
  const server = await createSqsServer({
    port,
    hostname: '127.0.0.1',
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT,
    // A restarted runtime recreates its queues at once; AWS's 60 s wait would only slow it down.
    emulateQueueCreationLifecycle: false,
  });
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => closeServer(server) };
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
