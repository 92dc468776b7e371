import { DAY_MS } from '../clock.ts';

/**
 * The account's own history for training: once a week the scoring keeps each profile's churn
 * features as a snapshot; once the churn window after it has passed, the scoring labels it from the
 * profile (did the customer do anything since?). Training then needs only labelled snapshots.
 */
export type ChurnSnapshot = {
  customerId: string;
  /** ISO instant the features were taken (the cutoff). */
  at: string;
  features: number[];
  /** 1: no activity since the snapshot through its churn window; 0: active again. Absent until the window has passed. */
  label?: 0 | 1;
};

/** A snapshot a week, per profile: enough cutoffs to train on, one write per profile per week. */
export const SNAPSHOT_EVERY_DAYS = 7;

export function snapshotDue(lastSnapshotAt: string | undefined, now: Date): boolean {
  return lastSnapshotAt === undefined || now.getTime() - Date.parse(lastSnapshotAt) >= SNAPSHOT_EVERY_DAYS * DAY_MS;
}

/**
 * The label of a snapshot whose churn window is over: churned when the customer's last activity is
 * still the one before the snapshot. Read from the profile's `lastActivityAt`, so activity that came
 * back only after the window (up to a week: snapshots are labelled at the next weekly run) counts as
 * retained; a small, documented approximation that saves keeping every activity date. Pure.
 */
export function labelFor(snapshot: Pick<ChurnSnapshot, 'at'>, lastActivityAt: string | undefined, now: Date, churnWindowDays: number): 0 | 1 | undefined {
  if (now.getTime() < Date.parse(snapshot.at) + churnWindowDays * DAY_MS) return undefined;
  return lastActivityAt !== undefined && Date.parse(lastActivityAt) > Date.parse(snapshot.at) ? 0 : 1;
}

/**
 * A time-based split: the snapshots of the newest `holdoutShare` of the snapshot days are the
 * holdout, everything before trains, so the model is judged on a future it has not seen. Pure.
 */
export function splitByTime<T extends Pick<ChurnSnapshot, 'at'>>(snapshots: readonly T[], holdoutShare = 0.25): { train: T[]; holdout: T[]; holdoutFrom: string | undefined } {
  const days = [...new Set(snapshots.map((s) => s.at.slice(0, 10)))].sort();
  const holdoutDays = Math.max(1, Math.round(days.length * holdoutShare));
  if (days.length < 2) return { train: [...snapshots], holdout: [], holdoutFrom: undefined };
  const holdoutFrom = days[days.length - holdoutDays]!;
  return { train: snapshots.filter((s) => s.at.slice(0, 10) < holdoutFrom), holdout: snapshots.filter((s) => s.at.slice(0, 10) >= holdoutFrom), holdoutFrom };
}
