/**
 * Domain CPU time per event (a figure of `npm run bench`): what ingest computes between its read and
 * its write, with no I/O: contract validation, applyEvent, evaluateProfile (scores, segments,
 * lifecycle stage) and matchRules, over a generated stream, for the shipped catalog and for a
 * synthetic one of 50 rules and 20 segment definitions grown from it (validated by loadCatalog).
 * CPU time is this process's user + system time (process.cpuUsage), so another process on the
 * machine slows it less than it would wall time.
 */
import { dailySeriesFor, defaultCatalogInput, loadCatalog, segmentationOf, weeklySeriesFor, type Catalog, type CatalogInput } from '#shared/catalog/index.ts';
import { parseBehaviorEvent } from '#shared/contract/index.ts';
import { evaluateProfile } from '#shared/domain/profile-evaluation.ts';
import { applyEvent, type Profile } from '#shared/domain/profile.ts';
import { segmentIdsOf } from '#shared/domain/segments.ts';
import { lastSeenTypesFor, matchRules } from '#shared/domain/trigger-rules.ts';
import type { GeneratedEntry } from '../events/generators/behavior-stream.ts';

export const SYNTHETIC_RULES = 50;
export const SYNTHETIC_SEGMENTS = 20;

/**
 * The shipped catalog grown to `rules` rules and `segments` segment definitions: copies of the
 * shipped rules (all active, so each is evaluated) and of its single segments (families stay as
 * shipped), each copy's id suffixed. The copies have the shipped conditions, so they cost what
 * real rules cost.
 */
export function syntheticCatalog(sizes: { rules: number; segments: number } = { rules: SYNTHETIC_RULES, segments: SYNTHETIC_SEGMENTS }): Catalog {
  const base = defaultCatalogInput;
  const rules = Array.from({ length: sizes.rules }, (_, i) => {
    const rule = base.rules[i % base.rules.length]!;
    return i < base.rules.length ? { ...rule, active: true } : { ...rule, id: `${rule.id}_copy${Math.floor(i / base.rules.length)}`, active: true };
  });
  const singles = base.segments.filter((segment) => segment.kind !== 'family');
  const segments = [...base.segments];
  for (let copy = 1; segments.length < sizes.segments; copy++) {
    for (const segment of singles) {
      if (segments.length >= sizes.segments) break;
      segments.push({ ...segment, id: `${segment.id}_copy${copy}` } as CatalogInput['segments'][number]);
    }
  }
  return loadCatalog({ ...base, rules, segments: segments.slice(0, Math.max(sizes.segments, base.segments.length)) } as CatalogInput);
}

export type DomainCpu = { catalog: { rules: number; activeRules: number; segmentDefinitions: number; segmentIds: number }; events: number; cpuMicrosPerEvent: number; eventsPerCpuSecond: number; ruleMatches: number };

/** CPU per event of the pure ingest work over `entries` (after one warm-up pass), for `catalog`. */
export function measureDomainCpu(catalog: Catalog, entries: readonly GeneratedEntry[]): DomainCpu {
  const segmentation = segmentationOf(catalog);
  const derived = { dailySeries: dailySeriesFor(catalog), weeklySeries: weeklySeriesFor(catalog), lastSeenTypes: lastSeenTypesFor(catalog.rules) };
  const pass = () => {
    const profiles = new Map<string, Profile>();
    let events = 0;
    let ruleMatches = 0;
    for (const entry of entries) {
      const parsed = parseBehaviorEvent({ source: entry.Source, detailType: entry.DetailType, detail: entry.Detail });
      if (!parsed.ok) throw new Error(`generated entry ${JSON.stringify(entry.Detail)} is invalid: ${JSON.stringify(parsed)}`);
      const now = new Date(entry.Time);
      const current = profiles.get(parsed.event.customerId);
      const change = applyEvent(current, parsed.event, now, derived);
      if (change.type !== 'applied') continue;
      const evaluation = evaluateProfile({ profile: change.profile, previous: current, catalog: segmentation, now, triggerId: parsed.event.eventId, event: parsed.event });
      ruleMatches += matchRules(catalog.rules, parsed.event, evaluation.profile, evaluation.facts).length;
      profiles.set(parsed.event.customerId, evaluation.profile);
      events += 1;
    }
    return { events, ruleMatches };
  };
  pass(); // warm-up: JIT, luxon zone caches
  const started = process.cpuUsage();
  const { events, ruleMatches } = pass();
  const used = process.cpuUsage(started);
  const micros = used.user + used.system;
  return {
    catalog: {
      rules: catalog.rules.length,
      activeRules: catalog.rules.filter((rule) => rule.active).length,
      segmentDefinitions: catalog.segments.length,
      segmentIds: catalog.segments.flatMap(segmentIdsOf).length,
    },
    events,
    cpuMicrosPerEvent: Math.round((micros / events) * 10) / 10,
    eventsPerCpuSecond: Math.round((events / micros) * 1e6),
    ruleMatches,
  };
}
