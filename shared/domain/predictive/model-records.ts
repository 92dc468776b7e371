/** What the churn training keeps: the model in use, and the report of each training attempt. */

/** A trained model as stored: what it is, how it did on its holdout, and the model itself. */
export type StoredModel = {
  modelId: string;
  trainedAt: string;
  metrics: Record<string, unknown>;
  featureImportances: Array<{ feature: string; importance: number }>;
  model: unknown;
};

export type TrainingReport = {
  trainedAt: string;
  outcome: 'trained' | 'kept_heuristic' | 'not_enough_history';
  reason: string;
  examples: number;
  churned: number;
  modelId: string | null;
  holdout: {
    from: string;
    examples: number;
    churned: number;
    auc: number;
    heuristicAuc: number;
    /** Null when no holdout customer scored that high. */
    precisionAtThreshold: number | null;
    recallAtThreshold: number | null;
    brier: number;
  } | null;
  featureImportances: Array<{ feature: string; importance: number }>;
};
