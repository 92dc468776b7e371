import type { TestProject } from 'vitest/node';
import { startLocalNudge } from './support/start-local-nudge.ts';

export type NudgeTestContext = {
  endpoints: { eventBridge: string; dynamodb: string; sqs: string; ses: string };
  outputs: Record<string, string>;
  startupMs: number;
};

declare module 'vitest' {
  export interface ProvidedContext {
    nudge: NudgeTestContext;
  }
}

/** One local Nudge (started with --no-demo, as a user would) shared by the integration tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const nudge = await startLocalNudge({ demo: false, waitFor: /ready/, timeoutMs: 120_000 });
  const status = (await (await fetch(`http://127.0.0.1:${nudge.ports.eventBridge}/_nudge/status`)).json()) as Omit<NudgeTestContext, 'startupMs'>;
  project.provide('nudge', { ...status, startupMs: Date.now() - started });
  return async () => {
    const code = await nudge.stop();
    if (code !== 0) console.error(`local Nudge exited with ${code}:\n${nudge.output()}`);
  };
}
