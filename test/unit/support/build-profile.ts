import { dailySeriesFor, defaultCatalog, weeklySeriesFor, type Catalog } from '#shared/catalog/index.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { buildEvent } from './build-event.ts';

export type ProfileEventInput = Omit<Parameters<typeof buildEvent>[0], 'customerId'>;

/**
 * The profile after `steps`, each applied when it happens with the series the catalog keeps (daily
 * and weekly), as ingest applies them. Events the profile drops (duplicates, out of order) are skipped.
 */
export function profileFromEvents(customerId: string, steps: readonly ProfileEventInput[], catalog: Catalog = defaultCatalog): Profile {
  const options = { dailySeries: dailySeriesFor(catalog), weeklySeries: weeklySeriesFor(catalog) };
  let profile: Profile | undefined;
  for (const step of steps) {
    const event = buildEvent({ customerId, ...step });
    const change = applyEvent(profile, event, new Date(event.occurredAt), options);
    if (change.type === 'applied') profile = change.profile;
  }
  if (!profile) throw new Error(`no event applied for ${customerId}`);
  return profile;
}
