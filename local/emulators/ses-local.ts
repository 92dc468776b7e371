import type { Server } from 'node:http';
import type { RunningEmulator } from './dynamodb-local.ts';
import { closeServer } from './sqs-local.ts';

/**
 * A local SES (npm aws-ses-v2-local): accepts SESv2 SendEmail and shows every email in its web UI
 * at the same address; `GET /store` lists them for tests.
 */
export async function startSesLocal(port: number): Promise<RunningEmulator> {
  const module = (await import('aws-ses-v2-local')) as unknown as {
    default: ((config: { host: string; port: number }) => Promise<Server>) | { default: (config: { host: string; port: number }) => Promise<Server> };
  };
  // CommonJS default export: reached as `.default` or `.default.default` depending on the loader.
  const start = typeof module.default === 'function' ? module.default : module.default.default;
  const server = await start({ host: '127.0.0.1', port });
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => closeServer(server) };
}
