import { segmentationOf, type Catalog } from '../catalog/index.ts';
import { dayNumber } from '../domain/activity-ring.ts';
import type { Clock } from '../domain/clock.ts';
import type { InternalEventBus, ProfileStore, SegmentMembershipStore } from '../domain/ports.ts';
import { evaluateProfile } from '../domain/profile-evaluation.ts';
import type { Profile } from '../domain/profile.ts';
import { dueTemporalTriggers } from '../domain/temporal-triggers.ts';
import { evaluateRule } from '../domain/trigger-rules.ts';
import { countQueuedSends, decideAndAct, queuedCount, type DecisionDeps } from './decide-sends.ts';
import { forEachProfile, type ProfileScanner } from './profile-scan.ts';
import { flushOutbox, saveWithEffects, withEffects } from './profile-outbox.ts';


export type SweepDeps = DecisionDeps & {
  scanner: ProfileScanner;
  profiles: ProfileStore;
  membership: SegmentMembershipStore;
  bus: InternalEventBus;
  catalog: Catalog;
  clock: Clock;
  totalSegments: number;
};

export type SweepReport = {
  sweepId: string;
  scanned: number;
  updated: number;
  segmentTransitions: number;
  stageChanges: number;
  eventsPublished: number;
  /** Temporal rules (inactivity, anniversaries) that were due and matched, and the sends they queued. */
  temporalDecisions: number;
  temporalSends: number;
  conflictsRetried: number;
  /** Corrupt profile items the scan quarantined and skipped (`nudge quarantine list`). */
  quarantined: number;
  durationMs: number;
};

const MAX_ATTEMPTS = 5;

/**
 * The daily sweep: re-evaluates every profile for time alone (days since last activity, at_risk,
 * churned, account age, score decay), with a parallel Scan, and writes, publishes and records
 * membership only for profiles whose segments, stage or scores changed. A profile changed by an
 * event meanwhile is re-evaluated from the item the conflicting write returned.
 */
export function makeSweepProfiles(deps: SweepDeps) {
  const segmentation = segmentationOf(deps.catalog);

  return async function sweepProfiles(): Promise<SweepReport> {
    const started = deps.clock.now();
    const sweepId = `sweep:${dayNumber(started)}`;
    const report: SweepReport = { sweepId, scanned: 0, updated: 0, segmentTransitions: 0, stageChanges: 0, eventsPublished: 0, temporalDecisions: 0, temporalSends: 0, conflictsRetried: 0, quarantined: 0, durationMs: 0 };

    /** Inactivity and anniversary rules: decided from the stored profile, through the shared decision path. */
    const decideTemporal = async (profile: Profile): Promise<void> => {
      const now = deps.clock.now();
      const due = dueTemporalTriggers(deps.catalog.rules, profile, now);
      if (due.length === 0) return;
      const facts = evaluateProfile({ profile, catalog: segmentation, now, triggerId: sweepId }).facts;
      let queued = 0;
      for (const { rule, trigger } of due) {
        const match = evaluateRule(rule, { event: trigger, profile, facts });
        if (!match) continue;
        const records = await decideAndAct(deps, { matches: [match], trigger, profile, now, via: 'sweep' });
        report.temporalDecisions += records.length;
        queued += queuedCount(records);
      }
      report.temporalSends += queued;
      await countQueuedSends(deps, profile.customerId, queued, now);
    };

    const sweepOne = async (stored: Profile): Promise<void> => {
      await decideTemporal(stored);
      // Effects a writer of this profile left undone (it stopped after its write) are done first.
      // If decideTemporal counted a send on the profile, the save below conflicts once and retries from the new item.
      let current: Profile | undefined = await flushOutbox(deps, stored);
      for (let attempt = 1; attempt <= MAX_ATTEMPTS && current; attempt++) {
        const now = deps.clock.now();
        const evaluation = evaluateProfile({ profile: current, catalog: segmentation, now, triggerId: sweepId });
        if (!evaluation.changed) return;
        // Published and applied only if this write wins (profile-outbox.ts): a lost write announced nothing.
        const next = withEffects({ ...evaluation.profile, updatedAt: now.toISOString() }, { events: evaluation.internalEvents, membership: evaluation.membership, at: now });
        const saved = await saveWithEffects(deps, next, current.version);
        if (saved.type === 'saved') {
          report.updated += 1;
          report.segmentTransitions += evaluation.membership.entered.length + evaluation.membership.exited.length;
          report.stageChanges += evaluation.internalEvents.filter((e) => e.detailType === 'LifecycleStageChanged').length;
          report.eventsPublished += evaluation.internalEvents.length;
          return;
        }
        report.conflictsRetried += 1;
        current = saved.current;
      }
      if (current) deps.log.warn('sweep gave up on a busy profile; the next sweep or event re-evaluates it', { customerId: current.customerId });
    };

    const visited = await forEachProfile(
      { scanner: deps.scanner, totalSegments: deps.totalSegments, progress: (scanned) => deps.log.info('sweep progress', { sweepId, scanned, updated: report.updated }) },
      sweepOne,
    );
    report.scanned = visited.scanned;
    report.quarantined = visited.quarantined;
    report.durationMs = deps.clock.now().getTime() - started.getTime();
    deps.log.info('sweep finished', { ...report });
    return report;
  };
}
