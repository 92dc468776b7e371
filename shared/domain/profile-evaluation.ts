import { createHash } from 'node:crypto';
import type { BehaviorEvent } from '../contract/index.ts';
import { toEpochSeconds } from './clock.ts';
import type { ConditionExplanation, InternalEvent } from './internal-events.ts';
import { nextLifecycleStage, type LifecycleStage } from './lifecycle.ts';
import type { FactValue, ProfileFacts } from './profile-facts.ts';
import { profileFacts, withMetrics } from './profile-metrics.ts';
import { loyaltyEnrolledAt, type Profile } from './profile.ts';
import { computeScores, primaryScore, type ScoringModel, type Scores } from './scoring.ts';
import { evaluateSegments, membershipChanges, type SegmentConditionResult, type SegmentDefinition, type SegmentEvaluation } from './segments.ts';

/** The part of the catalog that segments customers. */
export type SegmentationCatalog = {
  scoringModels: readonly ScoringModel[];
  segments: readonly SegmentDefinition[];
  lifecycleStages: readonly LifecycleStage[];
  /** A purchase at or above this amount puts a VipEscalation event on the bus. */
  highValuePurchase: number;
};

export type ProfileEvaluation = {
  /** The profile with scores, engagement level, segments and lifecycle stage brought up to date. */
  profile: Profile;
  facts: ProfileFacts;
  scores: Scores;
  segments: SegmentEvaluation[];
  membership: { entered: Array<{ segmentId: string; matchScore: number }>; exited: string[] };
  internalEvents: InternalEvent[];
  /** True when anything worth writing changed (segments, stage, or a score by at least SCORE_EPSILON). */
  changed: boolean;
};

/** Score drift below this is not worth a write on its own (the sweep would otherwise rewrite every profile daily). */
const SCORE_EPSILON = 0.005;

/**
 * Re-derives everything that follows from a profile at `now`: scores, segments (with their
 * transitions), the lifecycle stage, and the internal events those changes put on the bus.
 * Runs after each event (ingest) and for time alone (the daily sweep). Pure.
 *
 * `triggerId` (the event id, or the sweep's id) makes every transition id deterministic, so a
 * retried invocation publishes the same ids and consumers can drop the copies.
 */
export function evaluateProfile(input: {
  profile: Profile;
  catalog: SegmentationCatalog;
  now: Date;
  triggerId: string;
  event?: BehaviorEvent;
  /** The profile before the event (for edge-triggered signals such as a promotional pause starting). */
  previous?: Profile;
}): ProfileEvaluation {
  const { profile, catalog, now, triggerId, event } = input;
  const at = now.toISOString();
  const baseFacts = profileFacts(profile, now);
  const scores = computeScores(catalog.scoringModels, baseFacts);
  const primary = primaryScore(catalog.scoringModels, scores);
  const scoreMetrics: Record<string, FactValue> = {
    engagement_score: primary?.value ?? null,
    engagement_level: primary?.level ?? null,
  };
  for (const score of Object.values(scores)) scoreMetrics[`${score.modelId}_score`] = score.value;
  const facts = withMetrics(baseFacts, scoreMetrics);

  const segments = evaluateSegments(catalog.segments, facts);
  const changes = membershipChanges(Object.keys(profile.segments), segments);
  const stage = nextLifecycleStage({ current: profile.lifecycleStage, stages: catalog.lifecycleStages, facts });

  const nextSegments: Record<string, number> = {};
  for (const id of changes.current) nextSegments[id] = profile.segments[id] ?? toEpochSeconds(now);
  const nextScores = Object.fromEntries(Object.values(scores).map((score) => [score.modelId, score.value]));
  const next: Profile = {
    ...profile,
    scores: nextScores,
    segments: nextSegments,
    ...(primary?.level !== undefined ? { engagementLevel: primary.level } : {}),
    ...(stage.stage !== undefined ? { lifecycleStage: stage.stage } : {}),
    ...(stage.changed ? { lifecycleStageSince: at } : {}),
  };
  // Left through an exit with no stage to go to: the customer is in none (the stage's sequences stop).
  if (stage.stage === undefined) delete next.lifecycleStage;

  const transition = (...parts: string[]) => createHash('sha256').update([triggerId, ...parts].join('\u0000')).digest('base64url').slice(0, 22);
  const internalEvents: InternalEvent[] = [
    ...changes.entered.map((entered): InternalEvent => ({
      detailType: 'SegmentEntered',
      detail: {
        customerId: profile.customerId,
        segmentId: entered.segmentId,
        matchScore: entered.matchScore,
        conditions: entered.conditions.map(explain),
        at,
        transitionId: transition('entered', entered.segmentId),
      },
    })),
    ...changes.exited.map((segmentId): InternalEvent => {
      const evaluation = segments.find((s) => s.segmentId === segmentId);
      return {
        detailType: 'SegmentExited',
        detail: {
          customerId: profile.customerId,
          segmentId,
          matchScore: evaluation?.matchScore ?? 0,
          conditions: (evaluation?.conditions ?? []).map(explain),
          at,
          transitionId: transition('exited', segmentId),
        },
      };
    }),
  ];
  if (stage.changed) {
    const definition = catalog.lifecycleStages.find((s) => s.id === stage.stage);
    internalEvents.push({
      detailType: 'LifecycleStageChanged',
      detail: {
        customerId: profile.customerId,
        from: profile.lifecycleStage ?? null,
        to: stage.stage ?? null,
        path: stage.path,
        exitedBy: stage.exitedBy,
        conditions: stage.reason.map(explain),
        metrics: Object.fromEntries(stage.reason.filter((c) => c.metric).map((c) => [c.metric!, c.actual ?? null])),
        nurtureSequences: definition?.nurtureSequences ?? [],
        at,
        transitionId: transition('stage', profile.lifecycleStage ?? '', stage.stage ?? ''),
      },
    });
  }
  // The escalation carries the customer as this event leaves them: its consumer may run before the profile write lands.
  const standing = { lifetimeValue: Number(facts.metric('lifetime_value') ?? 0), lifecycleStage: next.lifecycleStage ?? null };
  internalEvents.push(...realTimeSignals({ event, profile, previous: input.previous, catalog, at, transition, standing }));

  const scoreMoved = Object.entries(nextScores).some(([id, value]) => Math.abs((profile.scores[id] ?? -1) - value) >= SCORE_EPSILON);
  return {
    profile: next,
    facts,
    scores,
    segments,
    membership: {
      entered: changes.entered.map((e) => ({ segmentId: e.segmentId, matchScore: e.matchScore })),
      exited: changes.exited,
    },
    internalEvents,
    changed: changes.entered.length > 0 || changes.exited.length > 0 || stage.changed || scoreMoved,
  };
}

/** The catalog's real-time processing rules that are signals rather than segments. */
function realTimeSignals(input: {
  event: BehaviorEvent | undefined;
  profile: Profile;
  previous: Profile | undefined;
  catalog: SegmentationCatalog;
  at: string;
  transition: (...parts: string[]) => string;
  standing: { lifetimeValue: number; lifecycleStage: string | null };
}): InternalEvent[] {
  const { event, profile, previous, catalog, at, transition } = input;
  const signals: InternalEvent[] = [];
  if (event?.type === 'purchase' && typeof event.properties.amount === 'number' && event.properties.amount >= catalog.highValuePurchase) {
    signals.push({
      detailType: 'VipEscalation',
      detail: {
        customerId: profile.customerId,
        orderId: typeof event.properties.orderId === 'string' ? event.properties.orderId : null,
        amount: event.properties.amount,
        threshold: catalog.highValuePurchase,
        ...input.standing,
        at,
        transitionId: transition('vip'),
      },
    });
  }
  if (event?.type === 'purchase' && loyaltyEnrolledAt(profile) !== undefined && (previous === undefined || loyaltyEnrolledAt(previous) === undefined)) {
    signals.push({
      detailType: 'LoyaltyEnrolled',
      detail: { customerId: profile.customerId, orderId: typeof event.properties.orderId === 'string' ? event.properties.orderId : null, at, transitionId: transition('loyalty') },
    });
  }
  const wasPaused = (previous?.support.openTickets.length ?? 0) > 0;
  const isPaused = profile.support.openTickets.length > 0;
  if (isPaused !== wasPaused && event) {
    signals.push({
      detailType: isPaused ? 'PromotionalSendsPaused' : 'PromotionalSendsResumed',
      detail: { customerId: profile.customerId, reason: isPaused ? 'open_support_ticket' : 'support_tickets_resolved', at, transitionId: transition('pause', String(isPaused)) },
    });
  }
  return signals;
}

function explain(condition: SegmentConditionResult): ConditionExplanation {
  return { description: condition.description, expected: condition.expected, actual: condition.actual ?? null, passed: condition.passed };
}
