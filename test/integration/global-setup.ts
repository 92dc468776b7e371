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

type IamStatus = { evaluations: number; cacheHits: number; evaluationMicros: number; checkedCalls: number; checkMicros: number; denials: string[] };
type LambdaStatus = { timeouts: Record<string, number> };

/** One local Nudge (started with --no-demo, as a user would) shared by the integration tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const nudge = await startLocalNudge({ demo: false, waitFor: /ready/, timeoutMs: 120_000 });
  const status = (await (await fetch(`http://127.0.0.1:${nudge.ports.eventBridge}/_nudge/status`)).json()) as Omit<NudgeTestContext, 'startupMs'>;
  project.provide('nudge', { ...status, startupMs: Date.now() - started });
  return async () => {
    // The shared system runs the stack as synthesized: any call its roles refused is a missing grant.
    const { iam, lambda } = await fetch(`http://127.0.0.1:${nudge.ports.eventBridge}/_nudge/status`)
      .then(async (response) => (await response.json()) as { iam?: IamStatus; lambda?: LambdaStatus })
      .catch(() => ({ iam: undefined, lambda: undefined }));
    const code = await nudge.stop();
    if (code !== 0) console.error(`local Nudge exited with ${code}:\n${nudge.output()}`);
    // A timed-out invocation is a failure the suite may retry past: say which functions had any.
    if (lambda && Object.keys(lambda.timeouts).length > 0) console.log(`Lambda: timed-out invocations ${JSON.stringify(lambda.timeouts)}`);
    if (!iam) return;
    const per = (micros: number, count: number) => (micros / Math.max(1, count)).toFixed(0);
    console.log(
      `IAM: ${iam.checkedCalls} SDK calls checked (${per(iam.checkMicros, iam.checkedCalls)} µs each on average), ` +
        `${iam.evaluations} policy evaluations (${per(iam.evaluationMicros, iam.evaluations)} µs each), ${iam.cacheHits} cached decisions reused`,
    );
    if (iam.denials.length > 0) throw new Error(`the local system denied ${iam.denials.length} call(s) during the tests:\n${iam.denials.join('\n')}`);
  };
}
