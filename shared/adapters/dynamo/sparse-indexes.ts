/**
 * The table's two sparse global secondary indexes. An item is in a sparse index only while it
 * carries the index's key attribute, so the daily and weekly jobs read what they need (every
 * profile, every labelled training snapshot) and not the sends, decisions and snapshots around
 * them: their read cost grows with the customers, not with the history kept.
 */

/** Profiles, KEYS_ONLY: the jobs scan the keys and BatchGet the items (see DynamoProfileScanner). */
export const PROFILES_INDEX = 'profiles';
/** Set to the profile's `pk` on every profile write, never removed: only profile items carry it. */
export const PROFILES_INDEX_KEY = 'profileIndexPk';

/** Training snapshots that have their churn label, projection ALL: training reads them whole. */
export const LABELLED_SNAPSHOTS_INDEX = 'labelled-snapshots';
/** Set to the snapshot's `pk` once its `label` is set (DynamoTrainingSnapshots.setOutcomes / put). */
export const LABELLED_SNAPSHOTS_INDEX_KEY = 'labelledIndexPk';

/** The attributes the indexes add to an item: never part of the domain object read back. */
export const SPARSE_INDEX_ATTRIBUTES = [PROFILES_INDEX_KEY, LABELLED_SNAPSHOTS_INDEX_KEY] as const;
