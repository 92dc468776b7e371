import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { InvalidProfileError, profileItem } from '#shared/adapters/dynamo/profile-repository.ts';
import { DynamoQuarantine } from '#shared/adapters/dynamo/quarantine-repository.ts';
import { Profile } from '#shared/domain/profile.ts';
import { nudgeClient, uniqueId } from './support/nudge-client.ts';

const run = promisify(execFile);

/**
 * Producer strings named like Object.prototype members, through the real bus, ingest and
 * DynamoDB Local; and a corrupt profile item (what such an event used to leave behind) in the
 * table: the sweep and the scoring go on for everyone else, the item is quarantined and listed.
 */
describe('hostile keys and corrupt items against the local system', () => {
  const nudge = nudgeClient();
  const table = nudge.output('TableName');
  const quarantine = new DynamoQuarantine(nudge.documentClient, table);

  const runSchedule = async (rule: string) =>
    (await (await fetch(`${nudge.context.endpoints.eventBridge}/_nudge/schedules/run`, { method: 'POST', body: JSON.stringify({ rule }) })).json()) as {
      ok: boolean;
      error?: string;
    };

  const minimalProfile = (customerId: string, now: Date): Profile =>
    Profile.parse({ customerId, version: 1, consent: {}, firstSeenAt: now.toISOString(), lastActivityAt: now.toISOString(), eventCount: 1, eventCounts: { page_view: 1 }, recentEvents: '', updatedAt: now.toISOString() });

  it('device "constructor", pageType "valueOf" and category "toString" are stored and counted as plain keys', async () => {
    const customerId = uniqueId('proto');
    const now = await nudge.now();
    const pageView = (eventId: string) => ({
      detailType: 'page_view',
      detail: { eventId, customerId, occurredAt: now.toISOString(), device: 'constructor', properties: { url: '/', pageType: 'valueOf', category: 'toString' } },
    });
    await nudge.putEvents([pageView(uniqueId('e')), pageView(uniqueId('e'))]);
    await nudge.waitForIdle();
    const profile = await nudge.profiles.get(customerId);
    expect(profile?.devices).toEqual({ constructor: 2 });
    expect(profile?.pageViewsByType).toEqual({ valueOf: 2 });
    expect(profile?.categories).toEqual({ toString: 2 });
  });

  it('the profile store refuses to write a profile that would not parse', async () => {
    const customerId = uniqueId('invalid');
    const bad = { ...minimalProfile(customerId, await nudge.now()), devices: { toString: 'function toString() { [native code] }1' } } as unknown as Profile;
    await expect(nudge.profiles.save(bad, undefined)).rejects.toThrow(InvalidProfileError);
    expect(await nudge.profiles.get(customerId)).toBeUndefined();
  });

  it('a corrupt profile item is quarantined and skipped: the sweep and the scoring complete for the other customers', async () => {
    const now = await nudge.now();
    const good = uniqueId('good');
    await nudge.putEvents([{ detailType: 'page_view', detail: { eventId: uniqueId('e'), customerId: good, occurredAt: now.toISOString(), properties: { url: '/' } } }]);
    await nudge.waitForIdle();
    // What a `device: "toString"` event left in the table before counters read own keys only (as the
    // store writes a profile, packed, with its index key: the jobs read profiles through the profiles index).
    const corrupt = uniqueId('corrupt');
    const item = profileItem({ ...minimalProfile(corrupt, now), devices: { toString: 'function toString() { [native code] }1' } } as unknown as Profile);
    await nudge.documentClient.send(new PutCommand({ TableName: table, Item: item }));

    // Before, the sweep's Scan page with this item threw CorruptItemError and the whole run failed.
    expect(await runSchedule('Sweep')).toMatchObject({ ok: true });
    expect((await quarantine.list()).find((entry) => entry.pk === item.pk)?.timesSeen).toBeGreaterThanOrEqual(1);

    const scoring = await runSchedule('Scoring');
    expect(scoring).toMatchObject({ ok: true });
    await nudge.waitForIdle();
    expect((await nudge.profiles.get(good))?.predictions.churn?.scoredAt).toBeDefined();

    const listed = (await quarantine.list()).find((entry) => entry.pk === item.pk);
    expect(listed).toMatchObject({ sk: 'PROFILE', itemKind: 'profile' });
    expect(listed!.reason).toContain('profile.devices.toString');
    expect(listed!.timesSeen).toBeGreaterThanOrEqual(2);

    // The operator sees it with the CLI.
    const { stdout } = await run(process.execPath, [join(process.cwd(), 'bin/nudge.js'), 'quarantine', 'list', '--json'], {
      env: { ...process.env, NUDGE_EVENTBRIDGE_PORT: new URL(nudge.context.endpoints.eventBridge).port },
    });
    expect((JSON.parse(stdout) as Array<{ pk: string }>).map((entry) => entry.pk)).toContain(item.pk);
  });
});
