import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '#local/emulators/ports.ts';

export type LocalNudge = {
  ports: { eventBridge: number; dynamodb: number; sqs: number; ses: number };
  output: () => string;
  stop(): Promise<number | null>;
};

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * Starts Nudge the way a user does (`npm start`, i.e. tsx local/start.ts) on free ports, so tests
 * exercise the real local runtime beside any developer instance, and waits for `waitFor` in its output.
 */
export async function startLocalNudge(options: { demo: boolean; waitFor: RegExp; timeoutMs: number }): Promise<LocalNudge> {
  const ports = { eventBridge: await freePort(), dynamodb: await freePort(), sqs: await freePort(), ses: await freePort() };
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', ...(options.demo ? [] : ['--no-demo'])], {
    cwd: ROOT,
    env: {
      ...process.env,
      NUDGE_EVENTBRIDGE_PORT: String(ports.eventBridge),
      NUDGE_DYNAMODB_PORT: String(ports.dynamodb),
      NUDGE_SQS_PORT: String(ports.sqs),
      NUDGE_SES_PORT: String(ports.ses),
      NUDGE_LOG_LEVEL: process.env.NUDGE_LOG_LEVEL ?? 'ERROR',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitForOutput(child, () => output, options.waitFor, options.timeoutMs);
  return { ports, output: () => output, stop: () => stopChild(child) };
}

async function waitForOutput(child: ChildProcess, output: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(output())) {
    if (child.exitCode !== null) throw new Error(`local Nudge exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`local Nudge did not print ${pattern} within ${timeoutMs} ms:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stopChild(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGINT');
  });
}
