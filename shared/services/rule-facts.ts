import { segmentationOf, type Catalog } from '../catalog/index.ts';
import { evaluateProfile } from '../domain/profile-evaluation.ts';
import type { ProfileFacts } from '../domain/profile-facts.ts';
import type { Profile } from '../domain/profile.ts';

/**
 * The facts (`calculated.<metric>`, scores) of a stored profile at `now`, for rule decisions made
 * outside ingest (timers, model events). The same evaluation ingest runs, so a rule reads the same
 * values whichever path decides it; its segment and stage changes are left to events and the sweep.
 */
export function factsAt(profile: Profile, catalog: Catalog, now: Date): ProfileFacts {
  return evaluateProfile({ profile, catalog: segmentationOf(catalog), now, triggerId: 'facts' }).facts;
}
