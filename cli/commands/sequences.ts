import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATE_CONFIG } from '#shared/adapters/dynamo/translate-config.ts';
import { DynamoSequenceRuns } from '#shared/adapters/dynamo/sequence-run-repository.ts';
import { defaultCatalog } from '#shared/catalog/index.ts';
import type { SequenceRunRecord } from '#shared/domain/sequence-runs.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

/** `nudge sequences <customerId>`: the customer's sequence runs, active first, with their step and next send time. */
export async function sequences(customerId: string, options: { json?: boolean }): Promise<void> {
  const status = await callLocal<LocalStatus>('status');
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.dynamodb });
  try {
    const runs = await new DynamoSequenceRuns(DynamoDBDocumentClient.from(client, DOCUMENT_TRANSLATE_CONFIG), requireOutput(status.outputs, 'TableName')).listForCustomer(customerId);
    runs.sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active') || b.startedAt.localeCompare(a.startedAt));
    printResult({ customerId, now: status.now, runs }, options, () =>
      runs.length === 0 ? `no sequence runs for ${customerId}` : [`${customerId} at ${status.now}`, ...runs.map(describe)].join('\n\n'),
    );
  } finally {
    client.destroy();
  }
}

function describe(run: SequenceRunRecord): string {
  const total = defaultCatalog.sequences.find((s) => s.id === run.sequenceId)?.steps.length ?? run.steps.length;
  const by = run.startedBy;
  const started = by.type === 'rule' ? `rule ${by.ruleId}` : by.type === 'lifecycle_stage' ? `entering stage ${by.stage}` : by.type === 'segment' ? `entering segment ${by.segmentId}` : `signal ${by.signal}`;
  const state =
    run.status === 'active'
      ? run.next
        ? `ACTIVE: step ${run.next.stepIndex + 1} of ${total} (${run.next.stepId}) due ${run.next.dueAt}`
        : 'ACTIVE'
      : `${run.status.toUpperCase()}${run.exit ? `: ${run.exit.reason} (${run.exit.at})` : ''}`;
  const lines = [`${run.sequenceId}  ${state}`, `  started ${run.startedAt} by ${started}, run ${run.runId}`];
  for (const step of run.steps) lines.push(`  ${step.at}  ${step.stepId}: ${step.outcome}${step.reason ? ` (${step.reason})` : ''}${step.sendId ? ` send ${step.sendId}` : ''}`);
  return lines.join('\n');
}
