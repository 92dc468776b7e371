import { DAY_MS } from '../clock.ts';
import { feature } from './profile-features.ts';

/**
 * The account's own history for training: once a week the scoring keeps each profile's feature row
 * as a snapshot; once the windows after it have passed, the scoring writes what happened (from the
 * profile as it is then). Training needs nothing else.
 */
export type TrainingSnapshot = {
  customerId: string;
  /** ISO instant the features were taken (the cutoff). */
  at: string;
  features: number[];
  /** Churn: 1 when no activity followed the snapshot through the churn window, 0 when it did. Absent until that window has passed. */
  label?: 0 | 1;
  /** 1 when a purchase followed within the purchase window. Absent until that window has passed. */
  purchased?: 0 | 1;
  /** Revenue (net of refunds) over the value horizon after the snapshot. Absent until the horizon has passed. */
  revenue?: number;
};
export type SnapshotOutcomes = Pick<TrainingSnapshot, 'label' | 'purchased' | 'revenue'>;

/** A snapshot a week, per profile: enough cutoffs to train on, one write per profile per week. */
export const SNAPSHOT_EVERY_DAYS = 7;

export function snapshotDue(lastSnapshotAt: string | undefined, now: Date): boolean {
  return lastSnapshotAt === undefined || now.getTime() - Date.parse(lastSnapshotAt) >= SNAPSHOT_EVERY_DAYS * DAY_MS;
}

/** A snapshot still waiting for one of its outcomes. */
export function snapshotOpen(snapshot: TrainingSnapshot): boolean {
  return snapshot.label === undefined || snapshot.purchased === undefined || snapshot.revenue === undefined;
}

/**
 * The label of a snapshot whose churn window is over: churned when the customer's last activity is
 * still the one before the snapshot. Read from the profile's `lastActivityAt`, so activity that came
 * back only after the window (up to a week: snapshots are labelled at the next weekly run) counts as
 * retained; a small, documented approximation that saves keeping every activity date. Pure.
 */
export function labelFor(snapshot: Pick<TrainingSnapshot, 'at'>, lastActivityAt: string | undefined, now: Date, churnWindowDays: number): 0 | 1 | undefined {
  if (now.getTime() < Date.parse(snapshot.at) + churnWindowDays * DAY_MS) return undefined;
  return lastActivityAt !== undefined && Date.parse(lastActivityAt) > Date.parse(snapshot.at) ? 0 : 1;
}

/**
 * The outcomes of a snapshot that are due now and not yet written, read from the profile today:
 * churn (above); purchased = more purchases now than at the snapshot; revenue = lifetime value now
 * minus at the snapshot. Like churn, both are read at the first weekly run after their window, so
 * they may include up to a week past it (documented in decision #20). Empty when nothing is due. Pure.
 */
export function outcomesDue(
  snapshot: TrainingSnapshot,
  profileNow: { lastActivityAt: string | undefined; purchaseCount: number; lifetimeValue: number },
  now: Date,
  settings: { churnWindowDays: number; purchaseWindowDays: number; valueHorizonDays: number },
): SnapshotOutcomes {
  const due: SnapshotOutcomes = {};
  const passed = (days: number) => now.getTime() >= Date.parse(snapshot.at) + days * DAY_MS;
  if (snapshot.label === undefined) {
    const label = labelFor(snapshot, profileNow.lastActivityAt, now, settings.churnWindowDays);
    if (label !== undefined) due.label = label;
  }
  if (snapshot.purchased === undefined && passed(settings.purchaseWindowDays)) {
    due.purchased = profileNow.purchaseCount > feature(snapshot.features, 'purchase_count') ? 1 : 0;
  }
  if (snapshot.revenue === undefined && passed(settings.valueHorizonDays)) {
    due.revenue = Math.round(Math.max(0, profileNow.lifetimeValue - feature(snapshot.features, 'lifetime_value')) * 100) / 100;
  }
  return due;
}

/**
 * A time-based split: the snapshots of the newest `holdoutShare` of the snapshot days are the
 * holdout, everything before trains, so the model is judged on a future it has not seen. Pure.
 */
export function splitByTime<T extends Pick<TrainingSnapshot, 'at'>>(snapshots: readonly T[], holdoutShare = 0.25): { train: T[]; holdout: T[]; holdoutFrom: string | undefined } {
  const days = [...new Set(snapshots.map((s) => s.at.slice(0, 10)))].sort();
  const holdoutDays = Math.max(1, Math.round(days.length * holdoutShare));
  if (days.length < 2) return { train: [...snapshots], holdout: [], holdoutFrom: undefined };
  const holdoutFrom = days[days.length - holdoutDays]!;
  return { train: snapshots.filter((s) => s.at.slice(0, 10) < holdoutFrom), holdout: snapshots.filter((s) => s.at.slice(0, 10) >= holdoutFrom), holdoutFrom };
}
