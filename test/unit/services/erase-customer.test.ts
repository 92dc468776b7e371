import { describe, expect, it } from 'vitest';
import type { CustomerSchedules, PersonalDataStore, PersonalItem, SuppressionList } from '#shared/domain/ports.ts';
import { makeEraseCustomer } from '#shared/services/erase-customer.ts';
import { UnknownCustomerError, makeExportCustomer } from '#shared/services/export-customer.ts';

const NOW = new Date('2026-12-01T10:00:00Z');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** In-memory ports that record every call in one log, so the order of effects is visible. */
function world() {
  const calls: string[] = [];
  let items: PersonalItem[] = [
    { pk: 'C#c-1', sk: 'PROFILE', kind: 'profile', email: 'Ann@Example.com', segments: { vip: 1, custom_only: 2 } },
    { pk: 'C#c-1', sk: 'DEC#2026-11-30#welcome#x', kind: 'decision', ruleId: 'welcome' },
    { pk: 'C#c-1', sk: 'SEND#s-1', kind: 'send', status: 'sent' },
    { pk: 'C#c-1', sk: 'SEQRUN#welcome_series', kind: 'sequence_run', status: 'active', executionArn: 'arn:exec:r-1' },
    { pk: 'C#c-1', sk: 'SEQRUN#old', kind: 'sequence_run', status: 'completed', executionArn: 'arn:exec:r-0' },
    { pk: 'SEG#vip#3', sk: 'C#c-1', kind: 'segment_member', segmentId: 'vip' },
    { pk: 'SEG#custom_only#3', sk: 'C#c-1', kind: 'segment_member', segmentId: 'custom_only' },
  ];
  let schedules = [{ name: 'send-s-2', input: { customerId: 'c-1', sendId: 's-2' } }];
  const suppressed = new Map<string, string>();
  const personalData: PersonalDataStore = {
    async items(customerId, segmentIds) {
      calls.push(`items:${segmentIds.join(',')}`);
      return items.filter((item) => item.pk === `C#${customerId}` || (item.sk === `C#${customerId}` && segmentIds.includes(String(item.segmentId))));
    },
    async delete(keys) {
      calls.push(`delete:${keys.length}`);
      items = items.filter((item) => !keys.some((key) => key.pk === item.pk && key.sk === item.sk));
    },
  };
  const suppression: SuppressionList = {
    async find(email) {
      const reason = suppressed.get(email);
      return reason ? { reason: reason as 'erased', at: NOW.toISOString() } : undefined;
    },
    async add({ email, reason }) {
      calls.push(`suppress:${email}:${reason}`);
      if (!suppressed.has(email)) suppressed.set(email, reason);
    },
  };
  const customerSchedules: CustomerSchedules = {
    async list(customerId) {
      return schedules.filter((s) => (s.input as { customerId: string }).customerId === customerId);
    },
    async delete(name) {
      calls.push(`unschedule:${name}`);
      schedules = schedules.filter((s) => s.name !== name);
    },
  };
  const erasures = { async record(customerId: string) { calls.push(`tombstone:${customerId}`); } };
  const deps = { personalData, suppression, erasures, schedules: customerSchedules, segmentIds: ['vip'], log: quiet, executions: { async stop(arn: string) { calls.push(`stop:${arn}`); } } };
  return { calls, deps, remaining: () => items, suppressed };
}

describe('eraseCustomer', () => {
  it('writes the tombstone first, suppresses the address, then stops the active run and deletes the schedule, then deletes every item', async () => {
    const { calls, deps } = world();
    await makeEraseCustomer(deps)('c-1', NOW);
    const effects = calls.filter((call) => !call.startsWith('items:'));
    expect(effects).toEqual(['tombstone:c-1', 'suppress:ann@example.com:erased', 'stop:arn:exec:r-1', 'unschedule:send-s-2', 'delete:7']);
  });

  it('finds memberships of segments outside the catalog list through the profile, and counts by kind', async () => {
    const { deps, remaining } = world();
    const result = await makeEraseCustomer(deps)('c-1', NOW);
    expect(result).toEqual({
      customerId: 'c-1',
      found: true,
      suppressed: true,
      items: { profile: 1, decision: 1, send: 1, sequence_run: 2, segment_member: 2 },
      executionsStopped: 1,
      schedulesDeleted: 1,
    });
    expect(remaining()).toEqual([]);
  });

  it('is idempotent: a second erase finds nothing, writes no suppression and stops nothing (the tombstone write keeps the first)', async () => {
    const { calls, deps } = world();
    const erase = makeEraseCustomer(deps);
    await erase('c-1', NOW);
    calls.length = 0;
    expect(await erase('c-1', NOW)).toEqual({ customerId: 'c-1', found: false, suppressed: false, items: {}, executionsStopped: 0, schedulesDeleted: 0 });
    expect(calls.filter((call) => !call.startsWith('items:'))).toEqual(['tombstone:c-1', 'delete:0']);
  });

  it('an unknown customer: nothing found, no suppression written', async () => {
    const { deps, suppressed } = world();
    expect((await makeEraseCustomer(deps)('nobody', NOW)).found).toBe(false);
    expect(suppressed.size).toBe(0);
  });

  it('a crash after the suppression leaves the address suppressed (erased) with the data still there to erase again', async () => {
    const { deps, suppressed, remaining } = world();
    const failing = { ...deps, schedules: { ...deps.schedules, delete: async () => { throw new Error('scheduler down'); } } };
    await expect(makeEraseCustomer(failing)('c-1', NOW)).rejects.toThrow('scheduler down');
    expect(suppressed.get('ann@example.com')).toBe('erased');
    expect(remaining()).toHaveLength(7);
  });
});

describe('exportCustomer', () => {
  it('groups the items by kind without table keys, with the schedules', async () => {
    const { deps } = world();
    const result = await makeExportCustomer(deps)('c-1', NOW);
    expect(result.profile).toEqual({ email: 'Ann@Example.com', segments: { vip: 1, custom_only: 2 } });
    expect(result.segments.map((s) => s.segmentId).sort()).toEqual(['custom_only', 'vip']);
    expect(result.decisions).toEqual([{ ruleId: 'welcome' }]);
    expect(result.sends).toEqual([{ status: 'sent' }]);
    expect(result.sequenceRuns).toHaveLength(2);
    expect(result.schedules).toEqual([{ name: 'send-s-2', input: { customerId: 'c-1', sendId: 's-2' } }]);
    expect(result.exportedAt).toBe(NOW.toISOString());
  });

  it('an unknown customer is an error naming them', async () => {
    const { deps } = world();
    await expect(makeExportCustomer(deps)('nobody', NOW)).rejects.toThrow(new UnknownCustomerError('no data is held about customer "nobody"'));
  });
});
