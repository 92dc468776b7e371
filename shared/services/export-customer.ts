import type { CustomerSchedules, PersonalDataStore, PersonalItem } from '../domain/ports.ts';
import { collect } from './erase-customer.ts';

export type ExportDeps = { personalData: PersonalDataStore; schedules: CustomerSchedules; segmentIds: readonly string[] };

type Stored = Record<string, unknown>;

/**
 * Everything held about one person (GDPR art. 15), as `nudge export` prints it. Each record is the
 * stored item without its table keys; `other` holds any item of theirs of a kind not listed, so a
 * new kind of record can never be left out of an export.
 */
export type CustomerExport = {
  customerId: string;
  exportedAt: string;
  /** Consent, attributes, counters, scores, lifecycle stage, current segments (id -> entered, epoch s). */
  profile: Stored | null;
  /** Segment memberships: segment id, entered at, match score. */
  segments: Stored[];
  /** Every rule decision: sent, held, suppressed and why. */
  decisions: Stored[];
  /** Every send with its status and tracking (delivered, opened, clicked, bounced, unsubscribed). */
  sends: Stored[];
  conversions: Stored[];
  sequenceRuns: Stored[];
  /** Sends held for later and rule timers still pending: name and what they carry. */
  schedules: Array<{ name: string; input: unknown }>;
  /** Cooldowns, frequency caps, model training snapshots, conversion log entries, and anything else. */
  other: Stored[];
};

const SECTIONS: Record<string, keyof Pick<CustomerExport, 'segments' | 'decisions' | 'sends' | 'conversions' | 'sequenceRuns'>> = {
  segment_member: 'segments',
  decision: 'decisions',
  send: 'sends',
  conversion: 'conversions',
  sequence_run: 'sequenceRuns',
};

export class UnknownCustomerError extends Error {}

export function makeExportCustomer(deps: ExportDeps) {
  return async function exportCustomer(customerId: string, now: Date): Promise<CustomerExport> {
    const [items, schedules] = await Promise.all([collect(deps, customerId), deps.schedules.list(customerId)]);
    if (items.length === 0 && schedules.length === 0) throw new UnknownCustomerError(`no data is held about customer "${customerId}"`);
    const result: CustomerExport = { customerId, exportedAt: now.toISOString(), profile: null, segments: [], decisions: [], sends: [], conversions: [], sequenceRuns: [], schedules, other: [] };
    for (const item of items) {
      const record = withoutKeys(item);
      if (item.kind === 'profile') result.profile = record;
      else result[SECTIONS[item.kind ?? ''] ?? 'other'].push(record);
    }
    return result;
  };
}

function withoutKeys({ pk: _pk, sk, kind, ttl: _ttl, ...rest }: PersonalItem): Stored {
  return kind && kind in SECTIONS || kind === 'profile' ? rest : { kind: kind ?? null, key: sk, ...rest };
}
