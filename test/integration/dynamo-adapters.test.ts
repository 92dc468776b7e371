import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ClaimContentionError, DynamoClaimStore } from '#shared/adapters/dynamo/claim-repository.ts';
import { Profile } from '#shared/domain/profile.ts';
import type { SendRequest } from '#shared/domain/send-request.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

const NOW = new Date('2026-12-01T10:00:00Z');

describe('claims against DynamoDB Local', () => {
  const nudge = nudgeClient();
  const claims = new DynamoClaimStore(nudge.documentClient, nudge.output('TableName'));
  const cooldown = (hours: number, now = NOW) => ({ kind: 'cooldown' as const, ruleId: 'r1', expiresAt: new Date(now.getTime() + hours * 3_600_000) });

  it('50 concurrent claims of one cooldown: exactly one wins', async () => {
    const customerId = uniqueId('race');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => claims.claim({ customerId, sendId: `send-${i}`, claims: [cooldown(24)], now: NOW })),
    );
    expect(results.filter((r) => r.type === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.type === 'blocked')).toHaveLength(49);
    expect(results.find((r) => r.type === 'blocked')).toMatchObject({ by: 'cooldown', until: '2026-12-02T10:00:00.000Z' });
  });

  it('the same send can claim again (a redelivery); an expired but undeleted cooldown is free', async () => {
    const customerId = uniqueId('cd');
    expect(await claims.claim({ customerId, sendId: 'a', claims: [cooldown(1)], now: NOW })).toEqual({ type: 'claimed' });
    expect(await claims.claim({ customerId, sendId: 'a', claims: [cooldown(1)], now: NOW })).toEqual({ type: 'claimed' });
    expect(await claims.claim({ customerId, sendId: 'b', claims: [cooldown(1)], now: NOW })).toMatchObject({ type: 'blocked' });
    const later = new Date(NOW.getTime() + 3_600_000);
    expect(await claims.claim({ customerId, sendId: 'b', claims: [cooldown(1, later)], now: later })).toEqual({ type: 'claimed' });
  });

  it('a lifetime cap admits max sends, idempotently per send', async () => {
    const customerId = uniqueId('cap');
    const cap = [{ kind: 'cap' as const, scope: 'rule:welcome', max: 1 }];
    expect(await claims.claim({ customerId, sendId: 'w1', claims: cap, now: NOW })).toEqual({ type: 'claimed' });
    expect(await claims.claim({ customerId, sendId: 'w1', claims: cap, now: NOW })).toEqual({ type: 'claimed', alreadyHeld: true });
    expect(await claims.claim({ customerId, sendId: 'w2', claims: cap, now: NOW })).toEqual({ type: 'blocked', by: 'rule_cap' });
  });

  it('a windowed cap slides: the 4th send within 7 days is blocked until the oldest leaves the window', async () => {
    const customerId = uniqueId('global');
    const week = 7 * 24 * 3_600_000;
    const cap = [{ kind: 'cap' as const, scope: 'global', max: 3, windowMs: week }];
    const at = (days: number) => new Date(NOW.getTime() + days * 86_400_000);
    for (const [i, day] of [0, 2, 4].entries()) {
      expect(await claims.claim({ customerId, sendId: `g${i}`, claims: cap, now: at(day) })).toEqual({ type: 'claimed' });
    }
    expect(await claims.claim({ customerId, sendId: 'g3', claims: cap, now: at(6) })).toEqual({ type: 'blocked', by: 'global_cap', until: at(7).toISOString() });
    expect(await claims.claim({ customerId, sendId: 'g3', claims: cap, now: at(7.01) })).toEqual({ type: 'claimed' });
  });

  it('cooldown and caps together are all-or-nothing (one transaction)', async () => {
    const customerId = uniqueId('both');
    const cap = { kind: 'cap' as const, scope: 'rule:r1', max: 1 };
    expect(await claims.claim({ customerId, sendId: 's1', claims: [cooldown(1), cap], now: NOW })).toEqual({ type: 'claimed' });
    const later = new Date(NOW.getTime() + 2 * 3_600_000);
    // Cooldown is free again, but the cap is used up: nothing may be claimed, the cooldown included.
    expect(await claims.claim({ customerId, sendId: 's2', claims: [cooldown(1, later), cap], now: later })).toEqual({ type: 'blocked', by: 'rule_cap' });
    expect(await claims.claim({ customerId, sendId: 's3', claims: [cooldown(1, later)], now: later })).toEqual({ type: 'claimed' });
  });

  it('50 concurrent sends of one rule with cooldown, rule cap and global cap: exactly one claims', async () => {
    const customerId = uniqueId('race3');
    const claimsFor = () => [cooldown(24), { kind: 'cap' as const, scope: 'rule:r1', max: 1, windowMs: 86_400_000 }, { kind: 'cap' as const, scope: 'global', max: 3, windowMs: 7 * 86_400_000 }];
    const settled = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => claims.claim({ customerId, sendId: `race-${i}`, claims: claimsFor(), now: NOW })));
    const results = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    expect(results.filter((r) => r.type === 'claimed')).toHaveLength(1);
    // A claim that kept losing transaction conflicts gives up with a retryable error (its event is retried
    // and then finds the cooldown taken); it never claims a second time.
    for (const failure of settled.filter((s) => s.status === 'rejected')) {
      expect((failure as PromiseRejectedResult).reason).toBeInstanceOf(ClaimContentionError);
    }
  });
});

describe('profile store', () => {
  const nudge = nudgeClient();

  it('refuses a write from a stale version and returns the current item', async () => {
    const customerId = uniqueId('cas');
    const profile = Profile.parse({
      customerId,
      version: 0,
      consent: {},
      firstSeenAt: NOW.toISOString(),
      lastActivityAt: NOW.toISOString(),
      eventCount: 1,
      eventCounts: { page_view: 1 },
      recentEvents: '',
      updatedAt: NOW.toISOString(),
    });
    expect(await nudge.profiles.save(profile, undefined)).toEqual({ type: 'saved' });
    expect(await nudge.profiles.save({ ...profile, eventCount: 2 }, undefined)).toMatchObject({ type: 'conflict', current: { version: 1, eventCount: 1 } });
    expect(await nudge.profiles.save({ ...profile, eventCount: 2 }, 1)).toEqual({ type: 'saved' });
    expect(await nudge.profiles.save({ ...profile, eventCount: 3 }, 1)).toMatchObject({ type: 'conflict', current: { version: 2, eventCount: 2 } });
    expect(await nudge.profiles.get(customerId)).toMatchObject({ version: 2, eventCount: 2 });
  });
});

describe('send ledger', () => {
  const nudge = nudgeClient();
  const request = (): SendRequest => ({
    sendId: uniqueId('send'),
    customerId: uniqueId('led'),
    ruleId: 'r1',
    templateId: 'welcome',
    category: 'marketing',
    email: 'x@example.com',
    decidedAt: NOW.toISOString(),
    trigger: { eventId: 'e1', type: 'subscribe', occurredAt: NOW.toISOString() },
    conditions: [],
    personalization: { eventProperties: {} },
  });

  it('leases a send once; a sent send is never started again', async () => {
    const r = request();
    expect(await nudge.ledger.begin({ request: r, now: NOW, leaseMs: 60_000, retentionDays: 395 })).toEqual({ type: 'started' });
    expect(await nudge.ledger.begin({ request: r, now: NOW, leaseMs: 60_000, retentionDays: 395 })).toEqual({ type: 'in_progress_elsewhere' });
    await nudge.ledger.markSent({ request: r, messageId: 'm1', now: NOW });
    expect(await nudge.ledger.begin({ request: r, now: new Date(NOW.getTime() + 120_000), leaseMs: 60_000, retentionDays: 395 })).toEqual({ type: 'already_sent' });
    expect(await nudge.ledger.find(r.customerId, r.sendId)).toMatchObject({ status: 'sent', messageId: 'm1', attempts: 1 });
    // Retention: the record carries a TTL `retentionDays` after the decision.
    const raw = await nudge.documentClient.send(new GetCommand({ TableName: nudge.output('TableName'), Key: { pk: `C#${r.customerId}`, sk: `SEND#${r.sendId}` } }));
    expect(raw.Item?.ttl).toBe(Math.floor(NOW.getTime() / 1000) + 395 * 86_400);
  });

  it('a lapsed lease (crashed worker) or a released one can be taken again', async () => {
    const r = request();
    await nudge.ledger.begin({ request: r, now: NOW, leaseMs: 60_000, retentionDays: 395 });
    expect(await nudge.ledger.begin({ request: r, now: new Date(NOW.getTime() + 61_000), leaseMs: 60_000, retentionDays: 395 })).toEqual({ type: 'started' });
    await nudge.ledger.release({ request: r, error: 'throttled', now: NOW });
    expect(await nudge.ledger.begin({ request: r, now: NOW, leaseMs: 60_000, retentionDays: 395 })).toEqual({ type: 'started' });
    expect(await nudge.ledger.find(r.customerId, r.sendId)).toMatchObject({ attempts: 3, lastError: 'throttled' });
  });
});
