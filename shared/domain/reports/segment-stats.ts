/**
 * Live composition statistics per segment (and for the whole population, segment id `*`): how many
 * members, their engagement, and histograms of a few key features. Kept current from the table's
 * profile changes (see profile-aggregates.ts) and copied into a daily snapshot by the drift
 * check, so the segment optimizer, the engagement distribution and composition drift read a few
 * items instead of scanning profiles. Pure.
 */

/** The whole population: every profile, whatever its segments. */
export const ALL_PROFILES = '*';

/**
 * Bucket upper bounds per feature (a value v falls in the first bucket whose bound is >= v; the
 * last bucket takes everything above). Fixed, so snapshots from different days compare bucket by
 * bucket (PSI needs the same bins on both sides).
 */
export const SEGMENT_FEATURE_BUCKETS = {
  /** profile.scores.engagement, 0..1 in tenths. */
  engagement: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
  /** profile.commerce.revenue (lifetime, net of nothing), in the account's currency. */
  revenue: [0, 50, 200, 500, 1000, Number.POSITIVE_INFINITY],
  /** profile.commerce.purchaseCount. */
  purchases: [0, 1, 2, 5, 10, Number.POSITIVE_INFINITY],
  /** profile.predictions.churn.probability, 0..1 in fifths; profiles not yet scored are left out of this one. */
  churn_risk: [0.2, 0.4, 0.6, 0.8, 1],
} as const satisfies Record<string, readonly number[]>;
export type SegmentFeature = keyof typeof SEGMENT_FEATURE_BUCKETS;
export const SEGMENT_FEATURES = Object.keys(SEGMENT_FEATURE_BUCKETS) as SegmentFeature[];

export type SegmentStats = {
  segmentId: string;
  members: number;
  /** Sum and sum of squares of members' engagement scores (profiles without one count as 0). */
  engagementSum: number;
  engagementSumSquares: number;
  /** Counts per bucket of SEGMENT_FEATURE_BUCKETS[feature], same length. */
  histograms: Record<SegmentFeature, number[]>;
};

/** The bucket index of a value, or undefined when the value is missing or not a finite number. */
export function bucketOf(feature: SegmentFeature, value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const bounds = SEGMENT_FEATURE_BUCKETS[feature];
  const index = bounds.findIndex((bound) => value <= bound);
  return index === -1 ? bounds.length - 1 : index;
}

export function emptySegmentStats(segmentId: string): SegmentStats {
  const histograms = Object.fromEntries(SEGMENT_FEATURES.map((feature) => [feature, SEGMENT_FEATURE_BUCKETS[feature].map(() => 0)])) as Record<SegmentFeature, number[]>;
  return { segmentId, members: 0, engagementSum: 0, engagementSumSquares: 0, histograms };
}

/** Mean engagement of the members, 0 for an empty segment. */
export function averageEngagement(stats: SegmentStats): number {
  return stats.members > 0 ? clamp01(stats.engagementSum / stats.members) : 0;
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
