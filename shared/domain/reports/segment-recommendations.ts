import { percent } from './numbers.ts';

/**
 * Plain-English advice from segment reports: how a segment's emails do against its control
 * group (everyone else mailed, see segment-performance.ts), and whether a segment is a useful
 * size and how engaged it is. Pure.
 */

export type Severity = 'info' | 'warning' | 'critical';

/**
 * A segment against its control, each as a fraction (0.1 = 10%); null when there is too little data
 * to say, which yields no advice.
 */
export type SegmentLifts = {
  /** (segment open rate − control open rate) / control open rate */
  openLift: number | null;
  clickLift: number | null;
  conversionLift: number | null;
  /** Revenue per recipient, relative to the control's. */
  revenueLift: number | null;
  /** (segment unsubscribe rate − control unsubscribe rate) / control unsubscribe rate */
  unsubscribeImpact: number | null;
};

export type SegmentPerformanceRecommendation = { severity: Severity; metric: keyof SegmentLifts; message: string };

/** Below these lifts the emails are not earning their keep; above this unsubscribe increase the list suffers. */
export const SEGMENT_PERFORMANCE_THRESHOLDS = {
  openLift: 0.1,
  clickLift: 0.2,
  conversionLift: 0.5,
  revenueLift: 1,
  unsubscribeImpact: 0.2,
} as const satisfies Record<keyof SegmentLifts, number>;

type LiftAdvice = { metric: Exclude<keyof SegmentLifts, 'unsubscribeImpact'>; severity: Severity; subject: string; advice: string };

// Opens and clicks are early signals (info); conversions and revenue are what the emails are for (warning).
const LIFT_ADVICE: readonly LiftAdvice[] = [
  { metric: 'openLift', severity: 'info', subject: 'Opens', advice: 'Test more specific subject lines and preview text.' },
  { metric: 'clickLift', severity: 'info', subject: 'Clicks', advice: 'Make the content more relevant to this segment and the call to action clearer.' },
  { metric: 'conversionLift', severity: 'warning', subject: 'Conversions', advice: 'Review the offer and the landing page these emails lead to.' },
  { metric: 'revenueLift', severity: 'warning', subject: 'Revenue per recipient', advice: 'Revisit who this segment targets and the value the emails offer them.' },
];

/** Advice for every lift below its threshold, then a critical warning when unsubscribes rise too far. */
export function segmentPerformanceRecommendations(lifts: SegmentLifts): SegmentPerformanceRecommendation[] {
  const recommendations: SegmentPerformanceRecommendation[] = [];
  for (const { metric, severity, subject, advice } of LIFT_ADVICE) {
    const lift = lifts[metric];
    const target = SEGMENT_PERFORMANCE_THRESHOLDS[metric];
    if (lift === null || lift >= target) continue;
    recommendations.push({ severity, metric, message: `${subject} ${versusControl(lift)}; aim for at least ${percent(target)} above. ${advice}` });
  }
  const impact = lifts.unsubscribeImpact;
  const limit = SEGMENT_PERFORMANCE_THRESHOLDS.unsubscribeImpact;
  if (impact !== null && impact > limit) {
    recommendations.push({
      severity: 'critical',
      metric: 'unsubscribeImpact',
      message: `Unsubscribes are ${percent(impact)} higher than in the control (limit ${percent(limit)}): this segment is wearing out your list. Send it fewer emails and check they match what these customers signed up for.`,
    });
  }
  return recommendations;
}

function versusControl(lift: number): string {
  if (lift < 0) return `are ${percent(-lift)} below the control`;
  return `are only ${percent(lift)} above the control`;
}

// --- segment size and engagement ---------------------------------------------------------------

export type SegmentSummary = {
  segmentId: string;
  members: number;
  /** All users the segment is drawn from. */
  totalUsers: number;
  /** Mean engagement score of the members, 0..1. */
  averageEngagement: number;
};

export type SegmentOptimizerRecommendation = { segmentId: string; severity: Severity; metric: 'size' | 'engagement'; message: string };

export const SEGMENT_OPTIMIZER_THRESHOLDS = {
  /** Below this share of users a segment is too small to learn from or to be worth its own emails. */
  minShare: 0.01,
  /** Document 002's real-time optimizer also widens a segment of fewer than 100 members, whatever its share (a small deployment's 1% is a handful). */
  minMembers: 100,
  /** Above this share it is too broad to be targeted. */
  maxShare: 0.5,
  lowEngagement: 0.3,
  highEngagement: 0.8,
} as const;

/**
 * Size advice (share of all users below 1% or fewer than 100 members, or above 50%) and engagement advice (average below 0.3
 * or above 0.8) per segment, in input order. An empty segment gets no engagement advice: its
 * average describes nobody. Without users there is no share, so no size advice.
 */
export function segmentOptimizerRecommendations(segments: readonly SegmentSummary[]): SegmentOptimizerRecommendation[] {
  return segments.flatMap((segment) => {
    checkSegment(segment);
    return [...sizeAdvice(segment), ...engagementAdvice(segment)];
  });
}

function sizeAdvice({ segmentId, members, totalUsers }: SegmentSummary): SegmentOptimizerRecommendation[] {
  if (totalUsers === 0) return [];
  const share = members / totalUsers;
  const holds = `holds ${percent(share)} of users (${members} of ${totalUsers})`;
  if (share < SEGMENT_OPTIMIZER_THRESHOLDS.minShare || members < SEGMENT_OPTIMIZER_THRESHOLDS.minMembers) {
    return [{ segmentId, severity: 'info', metric: 'size', message: `${segmentId} ${holds}: too small to measure reliably. Merge it with a similar segment or broaden its conditions.` }];
  }
  if (share > SEGMENT_OPTIMIZER_THRESHOLDS.maxShare) {
    return [{ segmentId, severity: 'info', metric: 'size', message: `${segmentId} ${holds}: too broad to target. Split it by behaviour, lifecycle stage or value.` }];
  }
  return [];
}

function engagementAdvice({ segmentId, members, averageEngagement }: SegmentSummary): SegmentOptimizerRecommendation[] {
  if (members === 0) return [];
  const score = averageEngagement.toFixed(2);
  if (averageEngagement < SEGMENT_OPTIMIZER_THRESHOLDS.lowEngagement) {
    return [{ segmentId, severity: 'warning', metric: 'engagement', message: `${segmentId} has low engagement (average ${score}). Move its members to a re-engagement sequence before sending them regular campaigns.` }];
  }
  if (averageEngagement > SEGMENT_OPTIMIZER_THRESHOLDS.highEngagement) {
    return [{ segmentId, severity: 'info', metric: 'engagement', message: `${segmentId} is highly engaged (average ${score}). Give its members VIP treatment: early access, loyalty rewards or upsell offers.` }];
  }
  return [];
}

function checkSegment({ segmentId, members, totalUsers, averageEngagement }: SegmentSummary): void {
  if (!(Number.isFinite(members) && Number.isFinite(totalUsers) && members >= 0 && members <= totalUsers)) {
    throw new RangeError(`${segmentId}: members must be between 0 and totalUsers, got ${members} of ${totalUsers}`);
  }
  if (!(averageEngagement >= 0 && averageEngagement <= 1)) throw new RangeError(`${segmentId}: averageEngagement must be within 0..1, got ${averageEngagement}`);
}
