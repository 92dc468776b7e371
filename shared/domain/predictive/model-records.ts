import type { InterestModel } from './content-interests.ts';
import { loadChurnModel, loadValueModel } from './forests.ts';
import { loadBoostedClassifier } from './gradient-boosting.ts';
import type { PredictiveModels } from './predict-profile.ts';

/** What the training keeps: per kind of model, the model in use and the report of each attempt. */

export const MODEL_KINDS = ['churn', 'purchase_intent', 'value', 'content_interests'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** What each kind is, for people (`nudge models`). */
export const MODEL_ALGORITHMS: Record<ModelKind, string> = {
  churn: 'random forest (ml-random-forest)',
  purchase_intent: 'gradient boosting over CART trees (ml-cart)',
  value: 'random forest regression (ml-random-forest)',
  content_interests: 'item-based collaborative filtering (cosine)',
};

/** A trained model as stored: what it is, how it did on its holdout, and the model itself. */
export type StoredModel = {
  kind: ModelKind;
  modelId: string;
  trainedAt: string;
  metrics: Record<string, unknown>;
  featureImportances: Array<{ feature: string; importance: number }>;
  model: unknown;
};

/** A classifier's holdout: ranking (AUC) against its heuristic, precision at the operating threshold, calibration. */
export type ClassifierHoldout = {
  from: string;
  examples: number;
  positives: number;
  auc: number;
  heuristicAuc: number;
  threshold: number;
  /** Null when no holdout customer scored that high. */
  precisionAtThreshold: number | null;
  recallAtThreshold: number | null;
  brier: number;
};

/** A regression's holdout: mean absolute and root-mean-square error against its heuristic's. */
export type RegressionHoldout = {
  from: string;
  examples: number;
  meanActual: number;
  mae: number;
  heuristicMae: number;
  rmse: number;
  heuristicRmse: number;
};

export type TrainingReport = {
  kind: ModelKind;
  trainedAt: string;
  outcome: 'trained' | 'kept_heuristic' | 'not_enough_history';
  reason: string;
  examples: number;
  /** Churned (churn) or purchased (purchase intent) examples; null for the value and interest models. */
  positives: number | null;
  modelId: string | null;
  holdout: ClassifierHoldout | RegressionHoldout | null;
  featureImportances: Array<{ feature: string; importance: number }>;
};

/** The stored models, loaded into what the scoring calls. Pure (JSON in, functions out). */
export function loadPredictiveModels(stored: ReadonlyArray<Pick<StoredModel, 'kind' | 'modelId' | 'model'>>): PredictiveModels {
  const models: PredictiveModels = {};
  for (const { kind, modelId, model } of stored) {
    if (kind === 'churn') models.churn = { modelId, predict: loadChurnModel(model).predict };
    else if (kind === 'purchase_intent') models.purchaseIntent = { modelId, predict: loadBoostedClassifier(model).predict };
    else if (kind === 'value') models.value = { modelId, predict: loadValueModel(model).predict };
    else models.interests = { modelId, model: model as InterestModel };
  }
  return models;
}
