import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_TRANSLATE_CONFIG } from '#shared/adapters/dynamo/translate-config.ts';
import { DynamoModelStore, type ModelDescription } from '#shared/adapters/dynamo/model-store.ts';
import { HEURISTIC_MODEL_ID } from '#shared/domain/predictive/heuristics.ts';
import { MODEL_ALGORITHMS, MODEL_KINDS, type ClassifierHoldout, type ModelKind, type RegressionHoldout } from '#shared/domain/predictive/model-records.ts';
import { LOCAL_REGION, localCredentials } from '#local/emulators/local-aws.ts';
import { requireOutput } from '#local/stack/outputs.ts';
import { printResult } from '../format.ts';
import { callLocal, type LocalStatus } from '../local-control.ts';

/** What each kind falls back to while none is trained (documented in decision #20). */
const FALLBACKS: Record<ModelKind, string> = {
  churn: 'half 1 - engagement score, half recency against the churn window',
  purchase_intent: "the customer's purchase rate since signup over the purchase window, damped by idleness (Poisson)",
  value: "revenue per day of tenure over the horizon, times the chance to stay (1 - churn)",
  content_interests: "each customer's own categories only",
};

/** `nudge models`: per model, the one in use (metrics, training date, feature importances) and the last training attempt. */
export async function showModels(options: { json?: boolean }): Promise<void> {
  const status = await callLocal<LocalStatus>('status');
  const client = new DynamoDBClient({ region: LOCAL_REGION, credentials: localCredentials, endpoint: status.endpoints.dynamodb });
  try {
    const described = await new DynamoModelStore(DynamoDBDocumentClient.from(client, DOCUMENT_TRANSLATE_CONFIG), requireOutput(status.outputs, 'TableName')).describe();
    printResult(described, options, () => MODEL_KINDS.map((kind) => describe(kind, described[kind])).join('\n\n'));
  } finally {
    client.destroy();
  }
}

function describe(kind: ModelKind, { current, lastTraining }: ModelDescription): string {
  const lines: string[] = [];
  if (current) {
    lines.push(`${kind}: ${current.modelId} (${MODEL_ALGORITHMS[kind]}), trained ${current.trainedAt}`);
    const m = current.metrics as Partial<ClassifierHoldout & RegressionHoldout> & { trainExamples?: number; profiles?: number; categories?: number };
    if (m.auc !== undefined) {
      lines.push(`  holdout AUC ${fmt(m.auc)} (heuristic ${fmt(m.heuristicAuc)}), precision at ${m.threshold ?? '?'} ${fmt(m.precisionAtThreshold)}, Brier ${fmt(m.brier)}, trained on ${m.trainExamples ?? '?'} snapshots`);
    } else if (m.mae !== undefined) {
      lines.push(`  holdout mean absolute error ${fmt(m.mae)} (heuristic ${fmt(m.heuristicMae)}), RMSE ${fmt(m.rmse)} (heuristic ${fmt(m.heuristicRmse)}), mean actual ${fmt(m.meanActual)}, trained on ${m.trainExamples ?? '?'} snapshots`);
    } else if (m.categories !== undefined) {
      lines.push(`  ${m.categories} categories from ${m.profiles ?? '?'} profiles`);
    }
    if (current.featureImportances.length > 0) {
      lines.push(`  feature importances: ${current.featureImportances.slice(0, 8).map((f) => `${f.feature} ${f.importance.toFixed(2)}`).join(', ')}`);
    }
  } else {
    lines.push(`${kind}: ${HEURISTIC_MODEL_ID} (no trained model yet): ${FALLBACKS[kind]}`);
  }
  lines.push(`  last training ${lastTraining ? `${lastTraining.trainedAt}: ${lastTraining.outcome.replaceAll('_', ' ')}; ${lastTraining.reason}` : 'none yet (weekly, Sunday 02:00 UTC; npx nudge train runs it now)'}`);
  return lines.join('\n');
}

function fmt(value: number | null | undefined): string {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(3) : 'n/a';
}
