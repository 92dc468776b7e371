import { segmentationOf, type Catalog } from '../catalog/index.ts';
import type { Clock } from '../domain/clock.ts';
import type { ChurnSnapshotStore, InternalEventBus, Log, ModelStore, ProfileStore } from '../domain/ports.ts';
import { churnFeatures } from '../domain/predictive/churn-features.ts';
import { labelFor, snapshotDue } from '../domain/predictive/churn-snapshots.ts';
import { churnRiskCrossing, HEURISTIC_MODEL_ID, predictChurn, type ChurnScorer } from '../domain/predictive/churn-scoring.ts';
import { evaluateProfile } from '../domain/profile-evaluation.ts';
import type { Profile } from '../domain/profile.ts';
import { forEachProfile, type ProfileScanner } from './profile-scan.ts';

export type ScoreDeps = {
  scanner: ProfileScanner;
  profiles: ProfileStore;
  models: ModelStore;
  snapshots: ChurnSnapshotStore;
  bus: InternalEventBus;
  catalog: Catalog;
  clock: Clock;
  log: Log;
  totalSegments: number;
};

export type ScoreReport = {
  scoringId: string;
  /** The model that scored (`heuristic-v1` while none is trained). */
  modelId: string;
  scanned: number;
  /** Profiles whose prediction changed (written). */
  updated: number;
  segments: { high: number; medium: number; low: number };
  /** ChurnRiskChanged events put on the bus (the threshold crossed upwards). */
  crossings: number;
  /** Training history kept this run: weekly feature snapshots taken, older ones labelled. */
  snapshotsTaken: number;
  snapshotsLabelled: number;
  conflictsRetried: number;
  durationMs: number;
  profilesPerSecond: number;
};

const MAX_ATTEMPTS = 5;
/** A probability that moved less than this, in the same segment, is not written again (saves a write per profile per day). */
const MIN_CHANGE = 0.005;

/**
 * The scheduled churn scoring: every profile (parallel Scan segments) gets a churn probability
 * from the current model, or the documented heuristic while none is trained, and a risk segment
 * (high / medium / low). A probability that crossed the catalog's threshold upwards puts
 * `ChurnRiskChanged` on the bus, so predictive rules (`churn_prevention_high_risk`) decide through
 * the normal decision path. Writes are version-conditioned, like the sweep's.
 */
export function makeScoreProfiles(deps: ScoreDeps) {
  const segmentation = segmentationOf(deps.catalog);
  const settings = deps.catalog.settings.predictive;

  return async function scoreProfiles(): Promise<ScoreReport> {
    const started = deps.clock.now();
    const startedMs = performance.now();
    const model: ChurnScorer | undefined = await deps.models.currentChurnModel();
    const report: ScoreReport = {
      scoringId: `scoring:${started.toISOString().slice(0, 10)}`,
      modelId: model?.modelId ?? HEURISTIC_MODEL_ID,
      scanned: 0,
      updated: 0,
      segments: { high: 0, medium: 0, low: 0 },
      crossings: 0,
      snapshotsTaken: 0,
      snapshotsLabelled: 0,
      conflictsRetried: 0,
      durationMs: 0,
      profilesPerSecond: 0,
    };

    const scoreOne = async (stored: Profile): Promise<void> => {
      let current: Profile | undefined = stored;
      // Announced once per run, even when the write below is retried after a concurrent writer.
      let announced = false;
      let snapshotTaken = false;
      for (let attempt = 1; attempt <= MAX_ATTEMPTS && current; attempt++) {
        const now = deps.clock.now();
        const { facts } = evaluateProfile({ profile: current, catalog: segmentation, now, triggerId: report.scoringId });
        const previous = current.predictions.churn;
        const next = { ...predictChurn({ profile: current, facts, now, model, settings }), ...(previous?.snapshotAt ? { snapshotAt: previous.snapshotAt } : {}) };
        if (attempt === 1) report.segments[next.segment] += 1;
        // Training history, weekly: this profile's features now, and the labels of snapshots whose churn window has passed.
        if (snapshotDue(previous?.snapshotAt, now)) {
          if (!snapshotTaken) {
            await keepHistory(current, churnFeatures(current, facts, now), now);
            snapshotTaken = true;
          }
          next.snapshotAt = now.toISOString();
        } else if (previous && previous.segment === next.segment && previous.modelId === next.modelId && Math.abs(previous.probability - next.probability) < MIN_CHANGE) {
          return;
        }
        // Published before the write, like ingest's transitions: a retry publishes the same transition id.
        const crossing = churnRiskCrossing(previous, next, current.customerId, settings.churnEventThreshold);
        if (crossing && !announced) {
          await deps.bus.publish([crossing]);
          announced = true;
        }
        const saved = await deps.profiles.save({ ...current, predictions: { ...current.predictions, churn: next } }, current.version);
        if (saved.type === 'saved') {
          report.updated += 1;
          if (announced) report.crossings += 1;
          return;
        }
        report.conflictsRetried += 1;
        current = saved.current;
      }
      if (current) deps.log.warn('scoring gave up on a busy profile; the next run scores it', { customerId: current.customerId });
    };

    const keepHistory = async (profile: Profile, features: number[], now: Date): Promise<void> => {
      for (const snapshot of await deps.snapshots.unlabelled(profile.customerId)) {
        const label = labelFor(snapshot, profile.lastActivityAt, now, settings.churnWindowDays);
        if (label === undefined) continue;
        await deps.snapshots.setLabel(snapshot, label);
        report.snapshotsLabelled += 1;
      }
      await deps.snapshots.put({ customerId: profile.customerId, at: now.toISOString(), features });
      report.snapshotsTaken += 1;
    };

    report.scanned = await forEachProfile(
      { scanner: deps.scanner, totalSegments: deps.totalSegments, progress: (scanned) => deps.log.info('scoring progress', { scoringId: report.scoringId, scanned }) },
      scoreOne,
    );
    report.durationMs = Math.round(performance.now() - startedMs);
    report.profilesPerSecond = report.durationMs > 0 ? Math.round((report.scanned / report.durationMs) * 1000) : report.scanned;
    deps.log.info('scoring finished', { ...report });
    return report;
  };
}
