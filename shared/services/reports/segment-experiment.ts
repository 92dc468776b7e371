import type { Clock } from '../../domain/clock.ts';
import type { Log } from '../../domain/ports.ts';
import { createSegmentExperiment, parseSegmentExperimentRequest, type SegmentExperimentReport } from '../../domain/reports/segment-experiment.ts';
import { forEachProfile, type ProfileScanner } from '../profile-scan.ts';

/**
 * The segment A/B test: its criteria are ad hoc, so unlike the other reports it reads every
 * profile (a parallel Scan) and evaluates both definitions as of now; the accumulator keeps only
 * counters, so memory does not grow with the number of profiles.
 */
export function makeSegmentExperimentReport(deps: { scanner: ProfileScanner; totalSegments: number; clock: Clock; log: Log }) {
  return async function report(payload: unknown): Promise<SegmentExperimentReport> {
    const request = parseSegmentExperimentRequest(payload);
    const experiment = createSegmentExperiment(request, deps.clock.now());
    const { scanned } = await forEachProfile(
      { scanner: deps.scanner, totalSegments: deps.totalSegments, progress: (count) => deps.log.info('segment experiment: profiles read', { count }) },
      async (profile) => experiment.add(profile),
    );
    deps.log.info('segment experiment done', { name: request.name, scanned });
    return experiment.result();
  };
}
