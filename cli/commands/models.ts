import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoModelStore } from '#shared/adapters/dynamo/model-store.ts';
import { HEURISTIC_MODEL_ID } from '#shared/domain/predictive/churn-scoring.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

type Description = Awaited<ReturnType<DynamoModelStore['describeChurn']>>;

/** `nudge models`: the churn model in use (metrics, training date, feature importances) and the last training attempt. */
export async function showModels(options: { json?: boolean }): Promise<void> {
  const status = await callLocal<LocalStatus>('status');
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.dynamodb });
  try {
    const described = await new DynamoModelStore(DynamoDBDocumentClient.from(client), requireOutput(status.outputs, 'TableName')).describeChurn();
    printResult({ churn: described }, options, () => describe(described));
  } finally {
    client.destroy();
  }
}

function describe({ current, lastTraining }: Description): string {
  const lines: string[] = [];
  if (current) {
    const m = current.metrics as { auc?: number; heuristicAuc?: number; precisionAtThreshold?: number | null; brier?: number; examples?: number };
    lines.push(`churn: ${current.modelId} (random forest), trained ${current.trainedAt}`);
    lines.push(`  holdout AUC ${fmt(m.auc)} (heuristic ${fmt(m.heuristicAuc)}), precision at 0.8 ${fmt(m.precisionAtThreshold)}, Brier ${fmt(m.brier)}, trained on ${m.examples ?? '?'} snapshots`);
    lines.push(`  feature importances: ${current.featureImportances.slice(0, 8).map((f) => `${f.feature} ${f.importance.toFixed(2)}`).join(', ')}`);
  } else {
    lines.push(`churn: ${HEURISTIC_MODEL_ID} (no trained model yet): half 1 - engagement score, half recency against the churn window`);
  }
  lines.push(lastTraining ? `last training ${lastTraining.trainedAt}: ${lastTraining.outcome.replaceAll('_', ' ')}; ${lastTraining.reason}` : 'last training: none yet (weekly, Sunday 02:00 UTC; npx nudge train runs it now)');
  return lines.join('\n');
}

function fmt(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(3) : 'n/a';
}
