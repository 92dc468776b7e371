import type { Catalog } from '../catalog/index.ts';
import type { Clock } from '../domain/clock.ts';
import type { InternalEventBus, Log, ProfileStore, SegmentMembershipStore, TrainingSnapshotStore } from '../domain/ports.ts';
import { predictProfile, thresholdCrossings, type PredictiveModels, type Predictions } from '../domain/predictive/predict-profile.ts';
import type { ScoringTotals } from '../domain/predictive/scoring-runs.ts';
import { outcomesDue, snapshotDue } from '../domain/predictive/training-snapshots.ts';
import type { ValueCutPoints } from '../domain/predictive/value-potential.ts';
import { evaluateProfile, type SegmentationCatalog } from '../domain/profile-evaluation.ts';
import type { Profile } from '../domain/profile.ts';
import { saveWithEffects, withEffects } from './profile-outbox.ts';

export type ScoreProfileDeps = {
  profiles: ProfileStore;
  snapshots: TrainingSnapshotStore;
  bus: InternalEventBus;
  membership: SegmentMembershipStore;
  catalog: Catalog;
  segmentation: SegmentationCatalog;
  clock: Clock;
  log: Log;
};

const MAX_ATTEMPTS = 5;
/** A probability that moved less than this, in the same segments, is not written again (saves a write per profile per day). */
const MIN_CHANGE = 0.005;

/**
 * One profile's scoring: every prediction now (see {@link predictProfile}); model events for
 * thresholds crossed upwards and the segment transitions the new classes cause (predictive
 * segments), published and recorded once the write wins (profile-outbox.ts); weekly, a
 * training snapshot and the outcomes of older snapshots whose windows have passed. Writes are
 * version-conditioned; a busy profile is retried, then left to the next run. Counts into `totals`.
 */
export function makeScoreProfile(deps: ScoreProfileDeps, run: { runId: string; models: PredictiveModels; cutPoints: ValueCutPoints | undefined }) {
  const settings = deps.catalog.settings.predictive;

  return async function scoreProfile(stored: Profile, totals: ScoringTotals): Promise<void> {
    let current: Profile | undefined = stored;
    let snapshotTaken = false;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && current; attempt++) {
      const now = deps.clock.now();
      const { facts } = evaluateProfile({ profile: current, catalog: deps.segmentation, now, triggerId: run.runId });
      const previous = current.predictions;
      const { predictions, features } = predictProfile({ profile: current, facts, now, models: run.models, settings, cutPoints: run.cutPoints });
      const next: Predictions = { ...predictions, churn: { ...predictions.churn!, ...(previous.churn?.snapshotAt ? { snapshotAt: previous.churn.snapshotAt } : {}) } };
      if (attempt === 1) count(totals, next);
      if (snapshotDue(previous.churn?.snapshotAt, now)) {
        if (!snapshotTaken) {
          await keepHistory(current, facts.metric('lifetime_value'), features, now, totals);
          snapshotTaken = true;
        }
        next.churn!.snapshotAt = now.toISOString();
      } else if (unchanged(previous, next)) {
        return;
      }
      // Crossings read this attempt's item: a retry after a conflict announces what the winning write left to cross.
      const crossings = thresholdCrossings(previous, next, current.customerId, settings);
      // The predictive segments (document 001) read the new classes: their SegmentEntered/Exited go
      // out now, as the sweep's would, rather than at the next event or sweep (which runs before scoring).
      const evaluation = evaluateProfile({ profile: { ...current, predictions: next }, catalog: deps.segmentation, now, triggerId: run.runId });
      // Published and applied only if this write wins (profile-outbox.ts): a lost write announced nothing.
      const profile = withEffects({ ...evaluation.profile, predictions: next }, { events: [...crossings, ...evaluation.internalEvents], membership: evaluation.membership, at: now });
      const saved = await saveWithEffects(deps, profile, current.version);
      if (saved.type === 'saved') {
        totals.updated += 1;
        if (crossings.some((e) => e.detailType === 'ChurnRiskChanged')) totals.crossings.churn += 1;
        if (crossings.some((e) => e.detailType === 'PurchaseIntentChanged')) totals.crossings.purchaseIntent += 1;
        return;
      }
      totals.conflictsRetried += 1;
      current = saved.current;
    }
    if (current) deps.log.warn('scoring gave up on a busy profile; the next run scores it', { customerId: current.customerId });
  };

  async function keepHistory(profile: Profile, lifetimeValue: unknown, features: number[], now: Date, totals: ScoringTotals): Promise<void> {
    const profileNow = { lastActivityAt: profile.lastActivityAt, purchaseCount: profile.commerce.purchaseCount, lifetimeValue: typeof lifetimeValue === 'number' ? lifetimeValue : 0 };
    for (const snapshot of await deps.snapshots.open(profile.customerId)) {
      const outcomes = outcomesDue(snapshot, profileNow, now, settings);
      if (Object.keys(outcomes).length === 0) continue;
      await deps.snapshots.setOutcomes(snapshot, outcomes);
      totals.outcomesWritten += 1;
    }
    await deps.snapshots.put({ customerId: profile.customerId, at: now.toISOString(), features });
    totals.snapshotsTaken += 1;
  }
}

function count(totals: ScoringTotals, next: Predictions): void {
  totals.churn[next.churn!.segment] += 1;
  totals.valuePotential[next.value!.potential] += 1;
  totals.nextPurchase[next.nextPurchase!.segment] += 1;
}

/** Nothing a rule or a person would notice moved: the same segments and models, probabilities within {@link MIN_CHANGE}. */
function unchanged(previous: Predictions, next: Predictions): boolean {
  const close = (a: number | undefined, b: number | undefined, tolerance: number) => a !== undefined && b !== undefined && Math.abs(a - b) < tolerance;
  return (
    previous.churn?.segment === next.churn?.segment &&
    previous.churn?.modelId === next.churn?.modelId &&
    close(previous.churn?.probability, next.churn?.probability, MIN_CHANGE) &&
    previous.purchaseIntent?.modelId === next.purchaseIntent?.modelId &&
    close(previous.purchaseIntent?.probability, next.purchaseIntent?.probability, MIN_CHANGE) &&
    previous.value?.potential === next.value?.potential &&
    previous.value?.modelId === next.value?.modelId &&
    close(previous.value?.predicted, next.value?.predicted, 1) &&
    previous.nextPurchase?.segment === next.nextPurchase?.segment &&
    close(previous.nextPurchase?.days, next.nextPurchase?.days, 1) &&
    JSON.stringify(previous.interests?.map((i) => i.category)) === JSON.stringify(next.interests?.map((i) => i.category))
  );
}
