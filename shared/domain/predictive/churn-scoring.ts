import type { InternalEvent } from '../internal-events.ts';
import type { Profile } from '../profile.ts';
import type { ProfileFacts } from '../profile-facts.ts';
import { churnFeatures } from './churn-features.ts';

export type ChurnSettings = { churnWindowDays: number; churnEventThreshold: number; churnSegments: { high: number; medium: number } };
export type ChurnPrediction = NonNullable<Profile['predictions']['churn']>;
/** A trained model's scoring side: probabilities for feature rows. */
export type ChurnScorer = { modelId: string; predict(rows: number[][]): number[] };

/** Model id of the fallback (no trained model yet). */
export const HEURISTIC_MODEL_ID = 'heuristic-v1';

/**
 * The documented fallback while there is too little history to train: half the source's
 * fixed-weight engagement score turned around (1 − engagement), half recency against the churn
 * window. Engagement alone would call every brand-new customer a churn risk (their score starts
 * low); recency alone would ignore how engaged they were. Pure.
 */
export function heuristicChurnProbability(facts: ProfileFacts, churnWindowDays: number): number {
  const engagement = facts.metric('engagement_score');
  const idle = facts.metric('days_since_last_activity');
  const disengagement = 1 - (typeof engagement === 'number' ? engagement : 0);
  const recency = typeof idle === 'number' ? Math.min(1, idle / churnWindowDays) : 1;
  return round(0.5 * disengagement + 0.5 * recency);
}

/** A profile's churn prediction now: the trained model's when there is one, else the heuristic. Pure. */
export function predictChurn(input: { profile: Profile; facts: ProfileFacts; now: Date; model: ChurnScorer | undefined; settings: ChurnSettings }): ChurnPrediction {
  const { profile, facts, now, model, settings } = input;
  const probability = model ? round(model.predict([churnFeatures(profile, facts, now)])[0] ?? 0) : heuristicChurnProbability(facts, settings.churnWindowDays);
  const segment = probability >= settings.churnSegments.high ? 'high' : probability >= settings.churnSegments.medium ? 'medium' : 'low';
  return { probability, segment, modelId: model?.modelId ?? HEURISTIC_MODEL_ID, scoredAt: now.toISOString() };
}

/**
 * `ChurnRiskChanged` when the probability crossed the threshold upwards since the last scoring
 * (the first scoring counts as coming from below): predictive rules react to crossings, not to
 * every day a customer stays at risk. The transition id is the customer and the scoring day, so a
 * retried run publishes the same event. Pure.
 */
export function churnRiskCrossing(previous: ChurnPrediction | undefined, next: ChurnPrediction, customerId: string, threshold: number): InternalEvent | undefined {
  const before = previous?.probability ?? 0;
  if (!(before < threshold && next.probability >= threshold)) return undefined;
  return {
    detailType: 'ChurnRiskChanged',
    detail: {
      customerId,
      probability: next.probability,
      previousProbability: previous?.probability ?? null,
      modelId: next.modelId,
      at: next.scoredAt,
      transitionId: `churn:${customerId}:${next.scoredAt.slice(0, 10)}`,
    },
  };
}

function round(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 10_000) / 10_000;
}
