/**
 * Per sequence, what the executions of a measured pass bought: executions seen, states entered,
 * and from the run records (the latest run per customer and sequence) the steps run, the steps
 * whose email was queued, and how the runs ended. The end-to-end unit pass reports it beside the
 * transitions it prices (bench/end-to-end.ts), so the Step Functions line can be read per sequence.
 */
import { type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { defaultCatalog } from '#shared/catalog/index.ts';
import { SequenceRunRecord } from '#shared/domain/sequence-runs.ts';

export type SequenceRunBreakdown = {
  sequenceId: string;
  executions: number;
  transitions: number;
  /** Of the latest run per customer: steps run, steps whose email was queued, runs by status, exits by reason kind. */
  runs: number;
  stepsRun: number;
  stepsQueued: number;
  stepOutcomes: Record<string, number>;
  status: Record<string, number>;
  exits: Record<string, number>;
};

/** The sequence id of an execution (its name is the run id, `<sequence>-<digest>`, and the digest may hold `-`; the Id is its ARN). */
export function sequenceOfExecution(executionId: string, sequenceIds: readonly string[]): string {
  const name = executionId.slice(executionId.lastIndexOf(':') + 1);
  const matches = sequenceIds.filter((id) => name.startsWith(`${id.slice(0, 50)}-`));
  return matches.sort((a, b) => b.length - a.length)[0] ?? name;
}

export async function sequenceRunBreakdown(dynamodb: DynamoDBClient, tableName: string, customerPrefix: string, stateTransitions: ReadonlyMap<string, number>): Promise<SequenceRunBreakdown[]> {
  const by = new Map<string, SequenceRunBreakdown>();
  const of = (sequenceId: string) => {
    let entry = by.get(sequenceId);
    if (!entry) by.set(sequenceId, (entry = { sequenceId, executions: 0, transitions: 0, runs: 0, stepsRun: 0, stepsQueued: 0, stepOutcomes: {}, status: {}, exits: {} }));
    return entry;
  };
  for (const [id, transitions] of stateTransitions) {
    const entry = of(sequenceOfExecution(id, defaultCatalog.sequences.map((sequence) => sequence.id)));
    entry.executions += 1;
    entry.transitions += transitions;
  }
  const pages = paginateScan(
    { client: dynamodb },
    { TableName: tableName, FilterExpression: 'begins_with(pk, :pk) AND begins_with(sk, :run)', ExpressionAttributeValues: { ':pk': { S: `C#${customerPrefix}` }, ':run': { S: 'SEQRUN#' } } },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const run = SequenceRunRecord.parse(unmarshall(item));
      const entry = of(run.sequenceId);
      entry.runs += 1;
      entry.stepsRun += run.steps.length;
      entry.stepsQueued += run.steps.filter((step) => step.outcome === 'queued').length;
      for (const step of run.steps) add(entry.stepOutcomes, step.reason ? `${step.outcome}:${step.reason}` : step.outcome);
      add(entry.status, run.status);
      if (run.exit) add(entry.exits, run.exit.reason.split(' ').slice(0, 2).join(' '));
    }
  }
  return [...by.values()].sort((a, b) => b.transitions - a.transitions);
}

function add(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

export function describeSequenceRuns(rows: readonly SequenceRunBreakdown[]): string {
  return rows
    .map((r) => `  ${r.sequenceId.padEnd(28)} ${String(r.executions).padStart(3)} exec ${String(r.transitions).padStart(4)} trans | runs ${r.runs} steps ${r.stepsRun} queued ${r.stepsQueued} ${JSON.stringify(r.stepOutcomes)} ${JSON.stringify(r.status)} ${JSON.stringify(r.exits)}`)
    .join('\n');
}
