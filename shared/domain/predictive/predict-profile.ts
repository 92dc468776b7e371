import type { InternalEvent } from '../internal-events.ts';
import type { Profile } from '../profile.ts';
import type { ProfileFacts } from '../profile-facts.ts';
import { contentInterests, type InterestModel } from './content-interests.ts';
import { clamp01, HEURISTIC_MODEL_ID, heuristicChurn, heuristicPurchaseIntent, heuristicValue, roundMoney } from './heuristics.ts';
import { nextPurchaseSegment, predictNextPurchaseDays } from './next-purchase.ts';
import { profileFeatures } from './profile-features.ts';
import { valuePotential, type ValueCutPoints } from './value-potential.ts';

export type PredictiveSettings = {
  churnWindowDays: number;
  churnEventThreshold: number;
  churnSegments: { high: number; medium: number };
  purchaseWindowDays: number;
  purchaseIntentEventThreshold: number;
  valueHorizonDays: number;
  valuePercentiles: { high: number; medium: number };
  nextPurchaseDays: { imminent: number; nearTerm: number };
  interestThreshold: number;
};
export type Predictions = Profile['predictions'];
export type ChurnPrediction = NonNullable<Predictions['churn']>;

/** A trained model's scoring side: one number per feature row (a probability, or an amount). */
export type Scorer = { modelId: string; predict(rows: number[][]): number[] };
/** The models in use; a missing one falls back to its documented heuristic. */
export type PredictiveModels = {
  churn?: Scorer;
  purchaseIntent?: Scorer;
  value?: Scorer;
  interests?: { modelId: string; model: InterestModel };
};

/** How many content interests a profile keeps. */
const TOP_INTERESTS = 3;

/**
 * Every prediction of a profile now, from its feature row: churn (probability and risk segment),
 * purchase intent, predicted value over the horizon and its potential against the population's cut
 * points, days to the next purchase, and the top content interests. Each comes from the trained
 * model when there is one, else from its heuristic (`heuristic-v1`, recorded per prediction). Pure.
 */
export function predictProfile(input: {
  profile: Profile;
  facts: ProfileFacts;
  now: Date;
  models: PredictiveModels;
  settings: PredictiveSettings;
  cutPoints: ValueCutPoints | undefined;
}): { predictions: Predictions; features: number[] } {
  const { profile, facts, now, models, settings } = input;
  const features = profileFeatures(profile, facts, now);
  const churnProbability = clamp01(models.churn ? (models.churn.predict([features])[0] ?? 0) : heuristicChurn(features, settings.churnWindowDays));
  const intent = clamp01(models.purchaseIntent ? (models.purchaseIntent.predict([features])[0] ?? 0) : heuristicPurchaseIntent(features, settings));
  const predicted = roundMoney(models.value ? (models.value.predict([features])[0] ?? 0) : heuristicValue(features, settings));
  const days = predictNextPurchaseDays({
    purchaseCount: profile.commerce.purchaseCount,
    firstPurchaseAt: profile.commerce.firstPurchaseAt,
    lastPurchaseAt: profile.commerce.lastPurchaseAt,
    purchaseIntent: intent,
    purchaseWindowDays: settings.purchaseWindowDays,
    now,
  });
  const { high, medium } = settings.churnSegments;
  const predictions: Predictions = {
    churn: {
      probability: churnProbability,
      segment: churnProbability >= high ? 'high' : churnProbability >= medium ? 'medium' : 'low',
      modelId: models.churn?.modelId ?? HEURISTIC_MODEL_ID,
      scoredAt: now.toISOString(),
    },
    purchaseIntent: { probability: intent, modelId: models.purchaseIntent?.modelId ?? HEURISTIC_MODEL_ID },
    value: { predicted, potential: valuePotential(predicted, input.cutPoints), modelId: models.value?.modelId ?? HEURISTIC_MODEL_ID },
    nextPurchase: { days, segment: nextPurchaseSegment(days, settings.nextPurchaseDays) },
    interests: contentInterests(profile.categories, models.interests?.model, { threshold: settings.interestThreshold, top: TOP_INTERESTS }),
  };
  return { predictions, features };
}

/**
 * The model events of one scoring: `ChurnRiskChanged` / `PurchaseIntentChanged` when a probability
 * crossed its threshold upwards since the last scoring (the first scoring counts as coming from
 * below), so predictive rules react to crossings, not to every day a customer stays above. The
 * transition id is the customer and the scoring day, so a retried run publishes the same event. Pure.
 */
export function thresholdCrossings(previous: Predictions, next: Predictions, customerId: string, settings: PredictiveSettings): InternalEvent[] {
  const events: InternalEvent[] = [];
  const churn = next.churn;
  if (churn && crossed(previous.churn?.probability, churn.probability, settings.churnEventThreshold)) {
    events.push({
      detailType: 'ChurnRiskChanged',
      detail: {
        customerId,
        probability: churn.probability,
        previousProbability: previous.churn?.probability ?? null,
        modelId: churn.modelId,
        at: churn.scoredAt,
        transitionId: `churn:${customerId}:${churn.scoredAt.slice(0, 10)}`,
      },
    });
  }
  const intent = next.purchaseIntent;
  const at = churn?.scoredAt;
  if (intent && at && crossed(previous.purchaseIntent?.probability, intent.probability, settings.purchaseIntentEventThreshold)) {
    events.push({
      detailType: 'PurchaseIntentChanged',
      detail: {
        customerId,
        probability: intent.probability,
        previousProbability: previous.purchaseIntent?.probability ?? null,
        modelId: intent.modelId,
        // What the email may talk about: the categories the customer cares for.
        interests: (next.interests ?? []).map((interest) => interest.category),
        at,
        transitionId: `purchase_intent:${customerId}:${at.slice(0, 10)}`,
      },
    });
  }
  // Document 003: a content interest predicted at or above the threshold (contentInterests keeps only
  // those) that the last scoring did not have starts the content recommendation sequence.
  const before = new Set((previous.interests ?? []).map((interest) => interest.category));
  const interests = (next.interests ?? []).map((interest) => interest.category);
  const newInterests = interests.filter((category) => !before.has(category));
  if (at && newInterests.length > 0) {
    events.push({
      detailType: 'ContentInterestPredicted',
      detail: {
        customerId,
        interests,
        newInterests,
        at,
        transitionId: `content_interest:${customerId}:${at.slice(0, 10)}`,
      },
    });
  }
  return events;
}

function crossed(before: number | undefined, after: number, threshold: number): boolean {
  return (before ?? 0) < threshold && after >= threshold;
}
