/**
 * State transitions per run of each shipped sequence (a figure of `npm run bench`; alone:
 * `npx tsx bench/sequence-transitions.ts`, JSON on stdout). Standard workflows bill each state
 * entered and each retry; nothing here is assumed: the stack is synthesized (no bundling, ~3 s),
 * its sequence state machine runs on the local Step Functions runner (the one `npm start` uses,
 * which counts the states entered), and every run is driven through to its end under a simulated
 * clock. The step function stands in for the real one with its contract (run-sequence-step.ts
 * `makeSequenceMachineStep`): the next step and its due time, or `done` after the last step or when
 * an exit goal is met; what the real one decides inside a step does not change the states entered.
 *
 * Two runs per sequence: a full run (every step runs; what a customer who never meets an exit goal
 * costs) and one that exits at its first step (e.g. the cart was bought before the reminder).
 */
import { pathToFileURL } from 'node:url';
import { SEQUENCE_STEP_ENTRY } from '#infra/constructs/sequences.ts';
import { synthesizeNudgeTemplate } from '#infra/synthesize.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import type { SequenceMachineState } from '#shared/domain/sequence-runs.ts';
import type { Sequence } from '#shared/domain/sequences.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '#local/emulators/local-aws.ts';
import { StackTemplate } from '#local/stack/cloud-template.ts';
import { LOCAL_STACK_CONTEXT } from '#local/stack/local-context.ts';
import type { LocalResource } from '#local/stack/intrinsics.ts';
import { LocalStateMachines } from '#local/stepfunctions/local-state-machines.ts';
import { loadDefinition, machineName, registerStateMachines, stateMachineArn } from '#local/stepfunctions/machine-definitions.ts';
import { readPrices } from './cost-model.ts';

export type SequenceRunTransitions = {
  sequenceId: string;
  steps: number;
  /** States entered by a run in which every step runs. */
  fullRun: number;
  /** States entered by a run whose exit goal is met at its first step. */
  exitAtFirstStep: number;
  /** (fullRun - 1) / steps: what each further step adds. */
  perStep: number;
  /** A thousand full runs at the Standard price. */
  usdPerThousandFullRuns: number;
};

export type SequenceTransitions = {
  /** The state machine's states, as synthesized (the loop, whatever the number of steps). */
  machineStates: string[];
  usdPerThousandTransitions: number;
  sequences: SequenceRunTransitions[];
  /** Over the shipped sequences, each counted once. */
  meanFullRun: number;
  meanPerStep: number;
};

const DAY_MS = 86_400_000;
const START = new Date('2027-01-04T09:00:00Z');

export async function measureSequenceTransitions(options: { sequences?: readonly Sequence[] } = {}): Promise<SequenceTransitions> {
  const sequences = options.sequences ?? defaultCatalog.sequences;
  const { template } = synthesizeNudgeTemplate({ context: LOCAL_STACK_CONTEXT });
  const stack = new StackTemplate(template as never);
  const machines = stack.stateMachines();
  if (machines.length !== 1) throw new Error(`expected the one sequence state machine, found ${machines.length}`);
  const machine = machines[0]!;
  const stepFunction = stack.functions().find((fn) => fn.entry === SEQUENCE_STEP_ENTRY);
  if (!stepFunction) throw new Error(`no function runs ${SEQUENCE_STEP_ENTRY}`);
  const resources = new Map<string, LocalResource>([
    [stepFunction.logicalId, { ref: stepFunction.logicalId, attributes: { Arn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${stepFunction.logicalId}` } }],
  ]);
  registerStateMachines(machines, resources);

  let now = START;
  const byId = new Map(sequences.map((sequence) => [sequence.id, sequence]));
  /** Which step (0-based) each run meets its exit goal at; absent: never. */
  const exitAt = new Map<string, number>();
  const runner = new LocalStateMachines({
    machines,
    resources,
    clock: { now: () => now },
    log: { warn: (message) => process.stderr.write(`${message}\n`) },
    functions: {
      has: (id) => id === stepFunction.logicalId,
      invoke: async (_id, event) => {
        const state = event as SequenceMachineState;
        const steps = byId.get(state.sequenceId)!.steps.length;
        const next = state.stepIndex + 1;
        if (exitAt.get(state.runId) === state.stepIndex || next >= steps) return { ...state, done: true };
        return { ...state, stepIndex: next, dueAt: new Date(Date.parse(state.dueAt) + DAY_MS).toISOString(), done: false };
      },
    },
  });
  const arn = stateMachineArn(machineName(machine));
  const runToEnd = async (runId: string, sequenceId: string): Promise<number> => {
    runner.startExecution({ stateMachineArn: arn, name: runId, input: JSON.stringify({ runId, sequenceId, customerId: 'c1', startedAt: now.toISOString(), startStage: null, stepIndex: 0, dueAt: now.toISOString(), done: false }) });
    for (;;) {
      await runner.waitForIdle();
      const view = runner.list().find((execution) => execution.name === runId)!;
      if (view.status !== 'RUNNING') {
        if (view.status !== 'SUCCEEDED') throw new Error(`run ${runId} ended ${view.status}: ${view.error} ${view.cause}`);
        return view.transitions;
      }
      now = runner.nextWakeAt() ?? now;
    }
  };

  try {
    const usdPerThousandTransitions = readPrices().prices.stepFunctionsStandardPerThousandTransitions.usd;
    const results: SequenceRunTransitions[] = [];
    for (const sequence of sequences) {
      const fullRun = await runToEnd(`${sequence.id}-full`, sequence.id);
      exitAt.set(`${sequence.id}-exit`, 0);
      const exitAtFirstStep = await runToEnd(`${sequence.id}-exit`, sequence.id);
      results.push({
        sequenceId: sequence.id,
        steps: sequence.steps.length,
        fullRun,
        exitAtFirstStep,
        perStep: round((fullRun - 1) / sequence.steps.length),
        usdPerThousandFullRuns: round(fullRun * usdPerThousandTransitions),
      });
    }
    return {
      machineStates: Object.keys(loadDefinition(machine, resources).States as Record<string, unknown>),
      usdPerThousandTransitions,
      sequences: results,
      meanFullRun: round(mean(results.map((r) => r.fullRun))),
      meanPerStep: round(mean(results.map((r) => r.perStep))),
    };
  } finally {
    await runner.stop();
  }
}

/** The summary lines of `npm run bench`. */
export function describeSequenceTransitions(t: SequenceTransitions): string {
  return [
    `Step Functions transitions per sequence run (the synthesized machine, ${t.machineStates.join(' / ')}, run locally; $${t.usdPerThousandTransitions} per 1,000 transitions):`,
    `  mean over ${t.sequences.length} shipped sequences: ${t.meanFullRun} per full run, ${t.meanPerStep} per step`,
    ...t.sequences.map((s) => `  ${s.sequenceId.padEnd(28)} ${s.steps} step(s): ${String(s.fullRun).padStart(3)} full run, ${String(s.exitAtFirstStep).padStart(2)} exiting at step 1; $${s.usdPerThousandFullRuns} per 1,000 full runs`),
  ].join('\n');
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await measureSequenceTransitions();
  console.error(describeSequenceTransitions(result));
  console.log(JSON.stringify(result, null, 2));
}
