import type { Profile } from '../domain/profile.ts';

/**
 * One page of a profile Scan: the profiles that parsed, and how many items did not (the scanner
 * quarantined and skipped those), with the key to continue after it (absent after the last).
 */
export type ProfilePage = { profiles: Profile[]; quarantined: number; nextKey?: Record<string, unknown> };

/** Reads every profile, split into segments that can be scanned in parallel. */
export interface ProfileScanner {
  scanSegment(segment: number, totalSegments: number): AsyncIterable<ProfilePage>;
}

/** How often a job over every profile reports progress. */
const PROGRESS_EVERY = 1000;

/**
 * The scheduled jobs' walk over every profile (the sweep, the scoring): each Scan segment in
 * parallel, profiles one at a time within a segment, `progress` every thousand. Resolves with the
 * number of profiles visited and of corrupt items the scanner quarantined and skipped.
 */
export async function forEachProfile(
  input: { scanner: ProfileScanner; totalSegments: number; progress: (scanned: number) => void },
  visit: (profile: Profile) => Promise<void>,
): Promise<{ scanned: number; quarantined: number }> {
  let scanned = 0;
  let quarantined = 0;
  await Promise.all(
    Array.from({ length: input.totalSegments }, async (_, segment) => {
      for await (const page of input.scanner.scanSegment(segment, input.totalSegments)) {
        quarantined += page.quarantined;
        for (const profile of page.profiles) {
          await visit(profile);
          scanned += 1;
          if (scanned % PROGRESS_EVERY === 0) input.progress(scanned);
        }
      }
    }),
  );
  return { scanned, quarantined };
}
