import type { CustomerSchedules, ErasureTombstones, Log, PersonalDataStore, PersonalItem, SequenceExecutions, SuppressionList } from '../domain/ports.ts';

export type EraseDeps = {
  personalData: PersonalDataStore;
  suppression: SuppressionList;
  erasures: Pick<ErasureTombstones, 'record'>;
  executions: Pick<SequenceExecutions, 'stop'>;
  schedules: CustomerSchedules;
  /** Every segment id a membership item can have (the catalog's); the profile's current ones are added. */
  segmentIds: readonly string[];
  log: Log;
};

/** What one erase removed, by kind (`profile`, `decision`, `send`, `segment_member`, ...), and what it stopped. */
export type EraseResult = {
  customerId: string;
  found: boolean;
  /** True when an address was known and is now on the suppression list (reason `erased`). */
  suppressed: boolean;
  items: Record<string, number>;
  executionsStopped: number;
  schedulesDeleted: number;
};

/**
 * Erases a customer (GDPR art. 17), in an order that never leaves the address mailable if it
 * stops midway: (0) the id's tombstone (a hash of it) is written first, so from then on ingest, the
 * link endpoint, the dispatcher and the sequence starter ignore everything that still names the
 * id (old links, archive replays, queued sends) instead of recreating what is deleted below;
 * (1) the address goes on the suppression list, hashed, reason `erased`, so a later
 * replay or import of it is never mailed; (2) their running sequence executions are stopped and
 * their one-time schedules (held sends, rule timers) deleted, so nothing already planned fires;
 * (3) every item about them is deleted. Running it again finds nothing and reports zeros.
 *
 * Left on purpose: the suppression entry and the tombstone (hashes, the point of them) and aggregates that hold no
 * customer id (rollup counters per rule and day, models, scoring runs, drift reports).
 */
export function makeEraseCustomer(deps: EraseDeps) {
  return async function eraseCustomer(customerId: string, now: Date): Promise<EraseResult> {
    // Also for an id with nothing stored: the request stands for whatever still names the id.
    await deps.erasures.record(customerId, now);
    const items = await collect(deps, customerId);
    const addresses = emailsOf(items);
    for (const email of addresses) await deps.suppression.add({ email, reason: 'erased', at: now, detail: 'erased on request' });

    let executionsStopped = 0;
    for (const item of items) {
      if (item.kind === 'sequence_run' && item.status === 'active' && typeof item.executionArn === 'string') {
        await deps.executions.stop(item.executionArn, 'customer erased');
        executionsStopped++;
      }
    }
    const schedules = await deps.schedules.list(customerId);
    for (const { name } of schedules) await deps.schedules.delete(name);

    await deps.personalData.delete(items.map(({ pk, sk }) => ({ pk, sk })));
    const counts: Record<string, number> = {};
    for (const item of items) counts[item.kind ?? 'other'] = (counts[item.kind ?? 'other'] ?? 0) + 1;
    const result: EraseResult = { customerId, found: items.length > 0 || schedules.length > 0, suppressed: addresses.length > 0, items: counts, executionsStopped, schedulesDeleted: schedules.length };
    // Counts only: the log must not keep what was just erased.
    deps.log.info('customer erased', { items: counts, executionsStopped, schedulesDeleted: schedules.length });
    return result;
  };
}

/** Every item about the customer: their partition and the segment memberships it implies. */
export async function collect(deps: Pick<EraseDeps, 'personalData' | 'segmentIds'>, customerId: string): Promise<PersonalItem[]> {
  const first = await deps.personalData.items(customerId, deps.segmentIds);
  const profile = first.find((item) => item.kind === 'profile');
  const current = Object.keys((profile?.segments as Record<string, unknown> | undefined) ?? {});
  const missing = current.filter((id) => !deps.segmentIds.includes(id));
  if (missing.length === 0) return first;
  const more = await deps.personalData.items(customerId, missing);
  const seen = new Set(first.map(({ pk, sk }) => `${pk}\u0000${sk}`));
  return [...first, ...more.filter(({ pk, sk }) => !seen.has(`${pk}\u0000${sk}`))];
}

/** The addresses the items hold: the profile's, and any a send was addressed to. */
function emailsOf(items: readonly PersonalItem[]): string[] {
  const emails = new Set<string>();
  for (const item of items) {
    for (const field of ['email', 'to']) {
      const value = item[field];
      if (typeof value === 'string' && value.includes('@')) emails.add(value.trim().toLowerCase());
    }
  }
  return [...emails];
}
